"""Kaplan–Meier retention curves with the same confidence intervals as lifelines."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

__all__ = [
    "KMPoint",
    "kaplan_meier",
    "kaplan_meier_from_counts",
    "kaplan_meier_from_risk",
    "survival_at",
]


@dataclass(frozen=True)
class KMPoint:
    """One step of a Kaplan–Meier curve.

    `at_risk` is the number still followed just before `time`; `events` and
    `censored` are those who left at `time`. `survival` and the 95% band hold from
    `time` until the next point.
    """

    time: float
    survival: float
    at_risk: int
    events: int
    censored: int
    ci_lower: float
    ci_upper: float


def kaplan_meier(
    observations: Iterable[tuple[float, bool]], *, alpha: float = 0.05
) -> tuple[KMPoint, ...]:
    """Estimate a curve from one `(duration, event)` pair per placement.

    `event` true means the outcome (re-migration, or leaving work) was observed at
    `duration`; false means the person was last seen still retained then (censored).
    """
    counts: dict[float, list[int]] = {}
    for duration, event in observations:
        cell = counts.setdefault(_checked_time(duration), [0, 0])
        cell[0 if event else 1] += 1
    return kaplan_meier_from_counts(((t, ev, cen) for t, (ev, cen) in counts.items()), alpha=alpha)


def kaplan_meier_from_counts(
    counts: Iterable[tuple[float, int, int]], *, alpha: float = 0.05
) -> tuple[KMPoint, ...]:
    """Estimate a curve from `(duration, events, censored)` rows, e.g. a SQL GROUP BY.

    Rows with the same duration are added together. The result has a point at every
    distinct duration plus time 0 (survival 1 unless someone had the event on day 0),
    mirroring lifelines' `survival_function_` index. Empty input gives an empty curve.

    At each time, events are taken before censorings (a person censored at t was at risk
    of the event at t). The band is lifelines' default: Greenwood's variance on the
    log(-log S) scale ("exponential Greenwood"). Where lifelines produces NaN it fills
    1.0; that happens only while survival is exactly 1, so the band there is (1, 1).
    Where survival reaches exactly 0 (everyone left at risk has the event), log(-log S)
    is infinite and lifelines' band is (0, 0); so is ours.
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    merged: dict[float, list[int]] = {}
    for time, events, censored in counts:
        if events < 0 or censored < 0:
            raise ValueError("event and censoring counts cannot be negative")
        cell = merged.setdefault(_checked_time(time), [0, 0])
        cell[0] += int(events)
        cell[1] += int(censored)
    total = sum(ev + cen for ev, cen in merged.values())
    if total == 0:
        return ()
    merged.setdefault(0.0, [0, 0])

    rows: list[tuple[float, int, int]] = []
    at_risk = total
    for time in sorted(merged):
        events, censored = merged[time]
        rows.append((time, at_risk, events))
        at_risk -= events + censored
    return kaplan_meier_from_risk(rows, alpha=alpha)


def kaplan_meier_from_risk(
    rows: Sequence[tuple[float, int, int]], *, alpha: float = 0.05
) -> tuple[KMPoint, ...]:
    """Estimate a curve from `(time, at_risk, events)` rows in time order.

    This is the form a life table is published in, so a curve can be drawn from counts
    that were perturbed for disclosure control: where they disagree (more events than
    people at risk, or fewer at risk than the next time needs), events are capped at
    those at risk and the censored count is never negative.
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    z = NormalDist().inv_cdf(1 - alpha / 2)
    log_survival = 0.0
    greenwood = 0.0
    curve: list[KMPoint] = []
    for index, (time, at_risk, raw_events) in enumerate(rows):
        if at_risk < 0 or raw_events < 0:
            raise ValueError("at-risk and event counts cannot be negative")
        events = min(raw_events, at_risk)
        if events:
            if events == at_risk:
                log_survival = -math.inf
            else:
                log_survival += math.log(at_risk - events) - math.log(at_risk)
                greenwood += events / (at_risk * (at_risk - events))
        survival = math.exp(log_survival)
        lower, upper = _exponential_greenwood(log_survival, greenwood, z)
        following = rows[index + 1][1] if index + 1 < len(rows) else 0
        censored = max(0, at_risk - events - following)
        curve.append(KMPoint(time, survival, at_risk, events, censored, lower, upper))
    return tuple(curve)


def survival_at(curve: Sequence[KMPoint], time: float) -> float | None:
    """Survival at `time`, read off the step function (e.g. "retained at 6 months").

    None when the curve cannot say: it is empty, or `time` lies after its last point while
    survival is still above 0 (nobody was followed that long; carrying the last value
    forward, as lifelines does, would overstate what we know). Before time 0 it is 1.
    """
    if not curve:
        return None
    if time < curve[0].time:
        return 1.0
    last = curve[-1]
    if time > last.time and last.survival > 0:
        return None
    value = curve[0].survival
    for point in curve:
        if point.time > time:
            break
        value = point.survival
    return value


def _checked_time(value: float) -> float:
    time = float(value)
    if not math.isfinite(time) or time < 0:
        raise ValueError(f"duration must be a finite duration >= 0, got {value!r}")
    return time


def _exponential_greenwood(log_survival: float, greenwood: float, z: float) -> tuple[float, float]:
    """Band for S on the log(-log S) scale, with lifelines' special cases at S = 1 and 0."""
    if log_survival == 0.0:
        return 1.0, 1.0
    if log_survival == -math.inf:
        return 0.0, 0.0
    spread = z * math.sqrt(greenwood) / log_survival
    centre = math.log(-log_survival)
    return math.exp(-math.exp(centre - spread)), math.exp(-math.exp(centre + spread))
