"""Dashboard statistics benchmark: each query at national scale, against a per-placement loop.

Run: python bench/stats_bench.py [--placements 200000] [--database-url URL] [--naive-sample N]
         [--seed N] [--repeat N]
Without --database-url a temporary SQLite file is used (and removed). The database is migrated
and filled with placements, four follow-ups each and their outcomes. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("REINTEGRATE_ENV", "testing")
os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-that-is-long-enough-0123456789")

from sqlalchemy import Engine, func, insert, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from reintegrate.db import make_engine  # noqa: E402
from reintegrate.migrate import upgrade  # noqa: E402
from reintegrate.models import FollowUp, Listing, Outcome, Placement, Returnee  # noqa: E402
from reintegrate.services import facts, outcomes  # noqa: E402
from reintegrate.services.access import Actor  # noqa: E402
from reintegrate.services.outcomes import Event, GroupBy, Period  # noqa: E402
from reintegrate.timeutil import add_months  # noqa: E402

TODAY = date(2026, 6, 1)
PROVINCES = [f"{n:02d}" for n in range(1, 26)]
SECTORS = ("agriculture", "construction", "manufacturing", "garment", "fishing", "services")
PROGRAMMES = ("Border Livelihoods Pilot", "Survivor Reintegration Fund", "Skills for Returnees")
MONTHS = (1, 3, 6, 12)
CHUNK = 10_000
MANAGER = Actor(user_id=None, email="bench@example.org", role="manager")


def _rows(
    rng: random.Random, first_id: int, count: int, returnees: int, fu_id: int, out_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], int, int]:
    """Placements [first_id, first_id + count) with their follow-ups and outcomes."""
    placements, follow_ups, results = [], [], []
    for pid in range(first_id, first_id + count):
        start = TODAY - timedelta(days=rng.randint(1, 900))
        kind = "incentive" if rng.random() < 0.25 else "job"
        placements.append(
            {
                "id": pid,
                "returnee_id": 1 + pid % returnees,
                "listing_id": 1 if kind == "job" else 2,
                "kind": kind,
                "start_date": start,
                "status": "active",
                "province": rng.choice(PROVINCES),
                "sex": "female" if rng.random() < 0.45 else "male",
                "sector": rng.choice(SECTORS),
                "programme": rng.choice(PROGRAMMES) if kind == "incentive" else "Employer",
                "created_at": None,
                "consent_research": False,
            }
        )
        gone = False
        for sequence, month in enumerate(MONTHS, start=1):
            due = add_months(start, month)
            row = {
                "id": fu_id,
                "placement_id": pid,
                "sequence": sequence,
                "months_after": month,
                "due_date": due,
                "status": "scheduled",
                "completed_on": None,
                "unreachable_attempts": 0,
                "updated_at": None,
            }
            if gone:
                row["status"] = "cancelled"
            elif due <= TODAY:
                roll = rng.random()
                if roll < 0.08:
                    row["status"] = "missed"
                    results.append(_outcome(out_id, fu_id, due, "unreachable"))
                    out_id += 1
                elif roll < 0.12 and (TODAY - due).days < 40:
                    row["status"] = "overdue"
                else:
                    done = min(due + timedelta(days=rng.randint(0, 30)), TODAY)
                    row["status"], row["completed_on"] = "completed", done
                    state = rng.random()
                    status = (
                        "remigrated"
                        if state < 0.04
                        else "unemployed"
                        if state < 0.14
                        else rng.choice(("employed_same", "employed_other", "self_employed"))
                    )
                    results.append(_outcome(out_id, fu_id, done, status, rng))
                    out_id += 1
                    gone = status == "remigrated"
            follow_ups.append(row)
            fu_id += 1
    return placements, follow_ups, results, fu_id, out_id


def _outcome(
    oid: int, fu_id: int, day: date, status: str, rng: random.Random | None = None
) -> dict[str, Any]:
    remigrated = status == "remigrated" and rng is not None
    return {
        "id": oid,
        "follow_up_id": fu_id,
        "contacted_on": day,
        "status": status,
        "remigration_country": rng.choice(("TH", "TH", "TH", "MY", "KR")) if remigrated else None,
        "remigration_channel": rng.choice(("irregular", "regular", "unknown"))
        if remigrated
        else None,
        "recorded_at": None,
    }


def _fill(engine: Engine, placements: int, seed: int) -> None:
    from reintegrate.db import utcnow

    now = utcnow()
    rng = random.Random(seed)
    returnees = max(1, placements // 4)
    with engine.begin() as conn:
        conn.execute(
            insert(Listing),
            [
                {"id": 1, "kind": "job", "title": "Job", "identity_key": "bench-job"},
                {"id": 2, "kind": "incentive", "title": "Grant", "identity_key": "bench-grant"},
            ],
        )
        for first in range(1, returnees + 1, CHUNK):
            conn.execute(
                insert(Returnee),
                [
                    {
                        "id": rid,
                        "case_number": f"KHB-{rid:08d}",
                        "given_name": "Bench",
                        "family_name": "Person",
                        "sex": "female",
                        "date_of_birth": date(1990, 1, 1),
                        "home_province": "02",
                        "return_date": date(2024, 1, 1),
                        "destination_country": "TH",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for rid in range(first, min(first + CHUNK, returnees + 1))
                ],
            )
    fu_id = out_id = 1
    for first in range(1, placements + 1, CHUNK):
        count = min(CHUNK, placements + 1 - first)
        rows_p, rows_f, rows_o, fu_id, out_id = _rows(rng, first, count, returnees, fu_id, out_id)
        for row in rows_p:
            row["created_at"] = now
        for row in rows_f:
            row["updated_at"] = now
        for row in rows_o:
            row["recorded_at"] = now
        with engine.begin() as conn:
            conn.execute(insert(Placement), rows_p)
            conn.execute(insert(FollowUp), rows_f)
            conn.execute(insert(Outcome), rows_o)


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(first run, median of the rest) in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times[0], statistics.median(times[1:] or times)


def _naive(session: Session, period: Period, sample: int, seed: int) -> tuple[float, int]:
    """The obvious loop: one query per placement for its follow-ups and outcomes."""
    ids = session.scalars(
        select(Placement.id).where(Placement.start_date.between(period.start, period.end))
    ).all()
    chosen = random.Random(seed).sample(list(ids), min(sample, len(ids)))
    started = time.perf_counter()
    table: dict[str, dict[str, int]] = {}
    for pid in chosen:
        placement = session.get(Placement, pid)
        assert placement is not None
        rows = session.execute(
            select(FollowUp.months_after, FollowUp.status, Outcome.status)
            .outerjoin(Outcome, Outcome.follow_up_id == FollowUp.id)
            .where(FollowUp.placement_id == pid)
        ).all()
        counts = table.setdefault(placement.province, {"placed": 0, "retained_6m": 0})
        counts["placed"] += 1
        if any(m == 6 and s == "completed" and o in ("employed_same",) for m, s, o in rows):
            counts["retained_6m"] += 1
        session.expunge_all()
    return time.perf_counter() - started, len(ids)


def _queries(session: Session, period: Period) -> Iterator[tuple[str, Callable[[], object]]]:
    for group in GroupBy:
        yield (
            f"outcomes by {group.value}",
            lambda g=group: outcomes.outcomes_table(session, MANAGER, period, g),
        )
    for event in Event:
        yield (
            f"retention {event.value}, overall + by province",
            lambda e=event: outcomes.retention(session, MANAGER, period, e, GroupBy.PROVINCE),
        )
    yield "re-migration by channel/country", lambda: outcomes.remigration(session, MANAGER, period)
    yield "follow-up coverage", lambda: outcomes.coverage(session, MANAGER, period, today=TODAY)
    yield (
        "whole dashboard (all of the page)",
        lambda: outcomes.dashboard(session, MANAGER, period, GroupBy.PROVINCE, today=TODAY),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--placements", type=int, default=200_000)
    parser.add_argument("--database-url")
    parser.add_argument("--naive-sample", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = None
    url = args.database_url
    if not url:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{tmp.name}/stats_bench.db"
    engine = make_engine(url)
    print(f"database: {engine.dialect.name}")
    upgrade(url)
    started = time.perf_counter()
    _fill(engine, args.placements, args.seed)
    print(f"loaded rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        facts.backfill(session)
    print(
        f"placement facts: one set-based UPDATE in {time.perf_counter() - started:.1f} s "
        "(in service, each outcome recorded refreshes its own placement's facts)"
    )
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    with Session(engine) as session:
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Placement, FollowUp, Outcome)
        }
    print(f"loaded {counts} in {time.perf_counter() - started:.1f} s")

    period = Period.last_months(TODAY)
    with Session(engine) as session:
        in_period = session.scalar(
            select(func.count())
            .select_from(Placement)
            .where(Placement.start_date.between(period.start, period.end))
        )
        print(f"period {period.start} .. {period.end}: {in_period} placements")
        print(f"{'query':42} {'first':>9} {'median':>9}")
        reference = 0.0
        for name, fn in _queries(session, period):
            first, median = _timed(fn, args.repeat)
            if name == "outcomes by province":
                reference = median
            print(f"{name:42} {first * 1000:8.0f}ms {median * 1000:8.0f}ms")
        elapsed, total = _naive(session, period, args.naive_sample, args.seed)
    per_placement = elapsed / max(1, min(args.naive_sample, total))
    extrapolated = per_placement * total
    print(
        f"naive loop: {per_placement * 1e6:.0f} µs per placement on a sample of "
        f"{min(args.naive_sample, total)}; extrapolated to {total}: {extrapolated:.1f} s"
    )
    if reference:
        print(f"ratio naive / grouped SQL (outcomes by province): {extrapolated / reference:.0f}x")
    engine.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
