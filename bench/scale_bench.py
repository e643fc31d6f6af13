"""The officer's and manager's daily pages at national scale, against the same pages at 10,000.

Run: python bench/scale_bench.py [--database-url URL] [--small-url URL]
         [--returnees N] [--placements N] [--repeat N] [--skip-first-sweep]

Each URL names a PostgreSQL database; one that holds no returnees yet is filled by
bench/load_data.py (the large one with --returnees/--placements, the small one with 10,000
returnees and 3,000 placements). Each size is measured in a fresh process (a web worker just
started): the follow-up sweep after the bulk load (placement facts and reminders reset
first) and a steady sweep; then median and p95 of the officer's work list (/work), the
manager's dashboard, a listing's candidates (the first request, warm, and right after a
registration), and the last page of the officer's returnee list; and that process's peak
memory. Prints both sizes and the ratio. Changes the data (registers people); asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "scale-bench-secret-key-that-is-long-enough-0123456789")

SMALL = {"returnees": 10_000, "placements": 3_000, "listings": 750}
MANAGER_EMAIL = "scale-bench-manager@example.org"
OFFICER_EMAIL = "load-officer@example.org"


def _returnee_count(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM returnees")).scalar() or 0)
    finally:
        engine.dispose()


def _prepare(url: str, returnees: int, placements: int, listings: int) -> None:
    """Migrate, and load the database when it holds no one yet."""
    from reintegrate.migrate import upgrade

    upgrade(url)
    if _returnee_count(url):
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    subprocess.run(  # noqa: S603 (our own script, our own arguments)
        [
            sys.executable,
            str(ROOT / "bench" / "load_data.py"),
            "load",
            "--database-url",
            url,
            "--out",
            str(out),
            f"--returnees={returnees}",
            f"--placements={placements}",
            f"--listings={listings}",
        ],
        env=env,
        check=True,
    )


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": statistics.median(ordered), "p95": p95}


def _login(app: Any, email: str, role: str, provinces: list[str]) -> str:
    """A browser session cookie for a user (created if missing), as the login page would give."""
    from sqlalchemy import select

    from reintegrate.db import db
    from reintegrate.models import LoginSession, User, UserProvince

    token = secrets.token_urlsafe(32)
    with app.app_context(), db.standalone() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, role=role, full_name="Scale bench", active=True)
            user.province_links = [UserProvince(province_code=p) for p in provinces]
            session.add(user)
            session.flush()
        now = datetime.now(UTC)
        session.add(
            LoginSession(
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                user_id=user.id,
                created_at=now,
                last_seen_at=now,
            )
        )
    serializer = app.session_interface.get_signing_serializer(app)
    return str(
        serializer.dumps({"_user_id": token, "_fresh": True, "csrf_token": secrets.token_hex(20)})
    )


def _register_one(app: Any) -> None:
    """Someone registers a person: a new candidate row, committed like a registration."""
    from sqlalchemy import func, select

    from reintegrate.db import db
    from reintegrate.models import Returnee

    with app.app_context(), db.standalone() as session:
        source = session.scalar(
            select(Returnee).where(Returnee.status == "seeking").order_by(Returnee.id).limit(1)
        )
        assert source is not None
        serial = (session.scalar(select(func.max(Returnee.id))) or 0) + 1
        skip = {"id", "case_number", "created_at", "updated_at"}
        values = {
            c.key: getattr(source, c.key) for c in Returnee.__table__.columns if c.key not in skip
        }
        session.add(Returnee(**values, case_number=f"KHSB-{serial}"))


def measure(url: str, repeat: int, first_sweep: bool) -> dict[str, Any]:
    """One size, in this (fresh) process: every figure, in milliseconds unless named."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("REINTEGRATE_ENV", "development")
    from sqlalchemy import func, select, text, update

    from reintegrate import create_web_worker
    from reintegrate.db import db
    from reintegrate.models import Listing, Notification, Placement, Returnee
    from reintegrate.pagination import MAX_PAGE
    from reintegrate.scheduler import sweep_follow_ups
    from reintegrate.services import matching

    started = time.perf_counter()
    app = create_web_worker({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False})
    figures: dict[str, Any] = {"worker_start_s": time.perf_counter() - started}
    figures["warm_up_s"] = _timed(lambda: matching.wait_until_ready(3600)) / 1000
    figures["rss_after_warm_up_mb"] = _current_rss_mb()
    with app.app_context(), db.standalone() as session:
        figures["returnees"] = session.scalar(select(func.count(Returnee.id)))
        figures["placements"] = session.scalar(select(func.count(Placement.id)))
        provinces = [
            p for (p,) in session.execute(text("SELECT DISTINCT home_province FROM returnees"))
        ]
        listing_id = session.scalar(
            select(Listing.id).where(Listing.status == "open").order_by(Listing.id).limit(1)
        )
        if first_sweep:
            session.execute(Notification.__table__.delete())
            session.execute(update(Placement).values(facts_updated_at=None))
    if first_sweep:
        figures["sweep_first_s"] = _timed(lambda: sweep_follow_ups(app)) / 1000
    figures["sweep_steady_s"] = _timed(lambda: sweep_follow_ups(app)) / 1000

    officer = app.test_client()
    officer.set_cookie(
        app.config["SESSION_COOKIE_NAME"], _login(app, OFFICER_EMAIL, "officer", sorted(provinces))
    )
    manager = app.test_client()
    manager.set_cookie(app.config["SESSION_COOKIE_NAME"], _login(app, MANAGER_EMAIL, "manager", []))

    def get(client: Any, path: str) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code}")

    candidates = f"/listings/{listing_id}/candidates"
    figures["candidates_first"] = _timed(lambda: get(officer, candidates))
    figures["work_first"] = _timed(lambda: get(officer, "/work"))
    figures["dashboard_first"] = _timed(lambda: get(manager, "/dashboard"))
    last = max(1, -(-figures["returnees"] // 25))
    pages_path = f"/returnees?page={min(last, MAX_PAGE)}"
    runs: dict[str, list[float]] = {
        "work": [],
        "dashboard": [],
        "candidates": [],
        "candidates_after_registration": [],
        "list_last_page": [],
    }
    for _ in range(repeat):
        runs["work"].append(_timed(lambda: get(officer, "/work")))
        runs["dashboard"].append(_timed(lambda: get(manager, "/dashboard")))
        runs["candidates"].append(_timed(lambda: get(officer, candidates)))
        runs["list_last_page"].append(_timed(lambda: get(officer, pages_path)))
        _register_one(app)
        runs["candidates_after_registration"].append(_timed(lambda: get(officer, candidates)))
    for name, samples in runs.items():
        figures[name] = _summary(samples)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["rss_end_mb"] = _current_rss_mb()
    return figures


def _current_rss_mb() -> float:
    """The worker's resident memory now (the peak also counts the sweeps it ran)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _child(url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", url, f"--repeat={args.repeat}"]
    if args.skip_first_sweep:
        command.append("--skip-first-sweep")
    done = subprocess.run(  # noqa: S603 (this script, measuring one size in a fresh process)
        command,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _flat(figures: dict[str, Any]) -> dict[str, float]:
    flat: dict[str, float] = {}
    for name, value in figures.items():
        if isinstance(value, dict):
            flat.update({f"{name} {k}": v for k, v in value.items()})
        else:
            flat[name] = value
    return flat


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="the large database (PostgreSQL)")
    parser.add_argument("--small-url", help="the 10,000-returnee database (PostgreSQL)")
    parser.add_argument("--returnees", type=int, default=1_000_000)
    parser.add_argument("--placements", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-first-sweep", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.repeat, not args.skip_first_sweep)))
        return
    sizes: dict[str, dict[str, float]] = {}
    for label, url, size in (
        ("small", args.small_url, SMALL),
        (
            "large",
            args.database_url,
            {
                "returnees": args.returnees,
                "placements": args.placements,
                "listings": max(750, args.returnees * 3 // 40),
            },
        ),
    ):
        if not url:
            continue
        _prepare(url, **size)
        sizes[label] = _flat(_child(url, args))
    names = list(next(iter(sizes.values())))
    print(f"{'figure (ms unless named)':<38}" + "".join(f"{k:>14}" for k in sizes) + "     ratio")
    for name in names:
        values = [sizes[k].get(name) for k in sizes]
        row = "".join(f"{v:>14,.1f}" if v is not None else f"{'-':>14}" for v in values)
        ratio = ""
        if len(values) == 2 and values[0] and values[1] is not None:
            ratio = f"{values[1] / values[0]:>10.2f}"
        print(f"{name:<38}{row}{ratio}")


if __name__ == "__main__":
    main()
