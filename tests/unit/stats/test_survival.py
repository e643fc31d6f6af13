"""Kaplan–Meier curves checked against lifelines' KaplanMeierFitter."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from reintegrate.stats.survival import (
    KMPoint,
    kaplan_meier,
    kaplan_meier_from_counts,
    survival_at,
)


def _fitter(**kwargs: object) -> Any:
    """A lifelines KaplanMeierFitter; tests that need one skip where it is not installed
    (it is a test-only dependency), the rest still run."""
    return pytest.importorskip("lifelines").KaplanMeierFitter(**kwargs)


def _lifelines_table(observations: list[tuple[float, bool]]) -> list[tuple[float, ...]]:
    """(time, survival, lower, upper, at_risk, events, censored) rows from lifelines."""
    fitter = _fitter().fit([d for d, _ in observations], [int(e) for _, e in observations])
    sf = fitter.survival_function_.iloc[:, 0]
    ci = fitter.confidence_interval_survival_function_
    assert ci.equals(fitter.confidence_interval_)
    table = fitter.event_table
    return [
        (
            float(t),
            float(sf.loc[t]),
            float(ci.iloc[i, 0]),
            float(ci.iloc[i, 1]),
            int(table.loc[t, "at_risk"]),
            int(table.loc[t, "observed"]),
            int(table.loc[t, "censored"]),
        )
        for i, t in enumerate(sf.index)
    ]


def _assert_matches_lifelines(observations: list[tuple[float, bool]]) -> None:
    ours = kaplan_meier(observations)
    theirs = _lifelines_table(observations)
    assert len(ours) == len(theirs)
    for point, (t, s, lo, hi, n, d, c) in zip(ours, theirs, strict=True):
        assert point.time == t
        assert point.survival == pytest.approx(s, abs=1e-9)
        assert point.ci_lower == pytest.approx(lo, abs=1e-9)
        assert point.ci_upper == pytest.approx(hi, abs=1e-9)
        assert (point.at_risk, point.events, point.censored) == (n, d, c)
        assert not math.isnan(point.ci_lower) and not math.isnan(point.ci_upper)


@pytest.mark.parametrize("seed", [1, 2, 3, 17, 2024])
def test_matches_lifelines_on_random_follow_ups(seed: int) -> None:
    rng = random.Random(seed)
    observations = [
        (rng.randint(0, 400), rng.random() >= 0.3) for _ in range(rng.randint(200, 400))
    ]
    assert len({d for d, _ in observations}) < len(observations)
    _assert_matches_lifelines(observations)


@pytest.mark.parametrize("seed", [5, 6])
def test_matches_lifelines_on_follow_up_days(seed: int) -> None:
    """Durations bunch at the +1/+3/+6/+12 month follow-ups: many ties, mixed outcomes."""
    rng = random.Random(seed)
    days = (30, 91, 182, 365)
    observations = [(rng.choice(days), rng.random() < 0.5) for _ in range(300)]
    _assert_matches_lifelines(observations)


@pytest.mark.parametrize(
    "observations",
    [
        pytest.param([(3, True), (3, True), (5, True), (5, True), (7, True)], id="all-events"),
        pytest.param([(4, True)], id="single-event"),
        pytest.param([(4, False)], id="single-censored"),
        pytest.param([(2, False), (4, False), (4, False), (6, False)], id="all-censored"),
        pytest.param([(0, True), (0, False), (3, True), (5, False)], id="day-zero"),
        pytest.param(
            [(3, True), (3, True), (3, False), (5, True), (5, False), (8, True)], id="ties"
        ),
        pytest.param([(1.5, True), (2.25, False), (2.25, True)], id="fractional-days"),
        pytest.param([(10, True), (10, True), (10, False), (20, False)], id="tie-at-start"),
    ],
)
def test_special_cases_match_lifelines(observations: list[tuple[float, bool]]) -> None:
    _assert_matches_lifelines(observations)


def test_events_are_counted_before_censoring_at_the_same_time() -> None:
    curve = kaplan_meier([(3, True), (3, False), (3, False), (9, True)])
    assert [p.time for p in curve] == [0.0, 3.0, 9.0]
    assert curve[1].at_risk == 4
    assert curve[1].survival == pytest.approx(0.75)
    assert curve[2].at_risk == 1
    assert curve[2].survival == 0.0


def test_time_zero_is_always_present_with_full_survival() -> None:
    curve = kaplan_meier([(30, True), (91, False)])
    assert curve[0] == KMPoint(0.0, 1.0, 2, 0, 0, 1.0, 1.0)


def test_everyone_has_the_event_gives_a_zero_band_not_nan() -> None:
    curve = kaplan_meier([(30, True), (30, True)])
    assert curve[-1].survival == 0.0
    assert (curve[-1].ci_lower, curve[-1].ci_upper) == (0.0, 0.0)


def test_all_censored_stays_at_one_with_a_closed_band() -> None:
    curve = kaplan_meier([(30, False), (91, False), (91, False)])
    assert {(p.survival, p.ci_lower, p.ci_upper) for p in curve} == {(1.0, 1.0, 1.0)}
    assert [p.censored for p in curve] == [0, 1, 2]


def test_band_contains_the_estimate() -> None:
    rng = random.Random(9)
    curve = kaplan_meier([(rng.randint(1, 100), rng.random() < 0.6) for _ in range(80)])
    assert all(p.ci_lower <= p.survival <= p.ci_upper for p in curve)


def test_empty_input_gives_an_empty_curve() -> None:
    assert kaplan_meier([]) == ()
    assert kaplan_meier_from_counts([(5, 0, 0)]) == ()


def test_counts_from_sql_give_the_same_curve_as_one_row_per_person() -> None:
    rng = random.Random(11)
    people = [(rng.choice((30, 91, 182, 365)), rng.random() < 0.4) for _ in range(120)]
    grouped: dict[int, list[int]] = {}
    for day, event in people:
        grouped.setdefault(day, [0, 0])[0 if event else 1] += 1
    rows = [(day, ev, cen) for day, (ev, cen) in grouped.items()]
    assert kaplan_meier_from_counts(rows) == kaplan_meier(people)


def test_alpha_changes_the_band_like_lifelines() -> None:
    people = [(d, d % 3 != 0) for d in range(1, 40)]
    fitter = _fitter(alpha=0.1).fit([d for d, _ in people], [int(e) for _, e in people])
    ci = fitter.confidence_interval_survival_function_
    curve = kaplan_meier(people, alpha=0.1)
    assert [p.ci_lower for p in curve] == pytest.approx(list(ci.iloc[:, 0]), abs=1e-9)
    assert [p.ci_upper for p in curve] == pytest.approx(list(ci.iloc[:, 1]), abs=1e-9)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_rejects_impossible_durations(bad: float) -> None:
    with pytest.raises(ValueError):
        kaplan_meier([(bad, True)])


def test_survival_at_reads_the_step_function() -> None:
    curve = kaplan_meier([(30, True), (91, False), (182, True), (365, False)])
    assert survival_at(curve, -1) == 1.0
    assert survival_at(curve, 0) == 1.0
    assert survival_at(curve, 29.9) == 1.0
    assert survival_at(curve, 30) == pytest.approx(0.75)
    assert survival_at(curve, 181) == pytest.approx(0.75)
    assert survival_at(curve, 182) == pytest.approx(0.375)
    assert survival_at(curve, 365) == pytest.approx(0.375)


def test_survival_at_does_not_guess_past_the_last_follow_up() -> None:
    assert survival_at(kaplan_meier([(91, False), (182, True), (200, False)]), 365) is None
    assert survival_at(kaplan_meier([(91, True)]), 365) == 0.0
    assert survival_at((), 30) is None


def test_survival_at_agrees_with_lifelines_inside_the_curve() -> None:
    rng = random.Random(4)
    people = [(rng.randint(0, 400), rng.random() >= 0.3) for _ in range(250)]
    curve = kaplan_meier(people)
    fitter = _fitter().fit([d for d, _ in people], [int(e) for _, e in people])
    days = [0, 30.4, 91, 182.6, 300]
    expected = fitter.survival_function_at_times(days)
    for day, value in zip(days, expected, strict=True):
        assert survival_at(curve, day) == pytest.approx(float(value), abs=1e-9)
