"""Bulk intake benchmark: rows/s of `reintegrate import returnees` and its peak memory.

Generates a realistic returnee list (common Cambodian names in both scripts, the five provinces
of the 2025 return, phones, consent), imports it as an officer of those provinces, then imports
it again (everyone is linked, nobody created). Prints rows/s and the peak Python memory
(tracemalloc) and the process's peak RSS.

    python bench/intake_bench.py --database-url postgresql+psycopg://... --rows 100000
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("REINTEGRATE_ENV", "testing")
os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-that-is-long-enough-0123456789")

from reintegrate import create_app  # noqa: E402
from reintegrate.db import db  # noqa: E402
from reintegrate.migrate import upgrade  # noqa: E402
from reintegrate.schemas.returnees import ReturneeListRows  # noqa: E402
from reintegrate.services import returnee_imports, users  # noqa: E402
from reintegrate.services.access import Actor  # noqa: E402

FAMILY = [
    ("Sok", "សុខ"),
    ("Chan", "ចាន់"),
    ("Keo", "កែវ"),
    ("Heng", "ហេង"),
    ("Lim", "លឹម"),
    ("Mao", "ម៉ៅ"),
    ("Chea", "ជា"),
    ("Ly", "លី"),
    ("Nguon", "ងួន"),
    ("Phan", "ផាន"),
    ("Sam", "សំ"),
    ("Seng", "សេង"),
    ("Touch", "ទូច"),
    ("Yim", "យឹម"),
    ("Kim", "គីម"),
]
GIVEN = [
    ("Sokha", "សុខា"),
    ("Dara", "តារា"),
    ("Vanna", "វណ្ណា"),
    ("Bopha", "បុប្ផា"),
    ("Rithy", "ឫទ្ធី"),
    ("Chenda", "ចិន្ដា"),
    ("Sreymom", "ស្រីមុំ"),
    ("Piseth", "ពិសិដ្ឋ"),
    ("Sophea", "សុភា"),
    ("Kosal", "កុសល"),
    ("Leakhena", "លក្ខិណា"),
    ("Vichet", "វិចិត្រ"),
    ("Sothea", "សុធា"),
    ("Rotha", "រដ្ឋា"),
    ("Chantha", "ចន្ថា"),
    ("Narin", "ណារិន"),
    ("Sopheak", "សុភ័ក្រ"),
    ("Makara", "មករា"),
    ("Thida", "ធីតា"),
    ("Visal", "វិសាល"),
]
PROVINCES = ("02", "01", "17", "06", "14")  # Battambang, Banteay Meanchey, Siem Reap, ...
SKILLS = [
    "bricklaying",
    "welding",
    "sewing",
    "truck driving",
    "cooking",
    "rice farming",
    "ការលាយបេតុង",
    "ជាងឈើ",
    "forklift driving",
    "cleaning",
]
HEADER = (
    "external_id,given_name,family_name,name_km,sex,date_of_birth,phone,home_province,"
    "district,return_date,destination_country,sector_abroad,skills,languages,"
    "trafficking_survivor,willing_to_relocate,consent_referral,consent_share_with_employers,"
    "consent_research"
).split(",")


def write_list(path: Path, rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            given, given_km = rng.choice(GIVEN)
            family, family_km = rng.choice(FAMILY)
            born = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1965, 2007)}"
            writer.writerow(
                [
                    f"BM-{n:07d}",
                    given,
                    family,
                    f"{family_km} {given_km}",
                    rng.choice(("female", "male")),
                    born,
                    f"0{rng.choice((12, 15, 16, 77, 88, 97))}{rng.randint(100000, 9999999)}",
                    rng.choice(PROVINCES),
                    "",
                    f"{rng.randint(2025, 2025)}-0{rng.randint(7, 8)}-{rng.randint(1, 28):02d}",
                    "TH",
                    rng.choice(("construction", "agriculture", "")),
                    "|".join(rng.sample(SKILLS, rng.randint(0, 3))),
                    "km|th",
                    rng.choice(("no", "no", "no", "yes")),
                    rng.choice(("yes", "no")),
                    "yes",
                    rng.choice(("yes", "no")),
                    "no",
                ]
            )


def _reporter(total: int) -> Callable[[int], None]:
    """Prints progress every tenth of the file (bytes read), for runs of many minutes."""
    started = time.perf_counter()
    state = {"read": 0, "next": total // 10}

    def update(count: int) -> None:
        state["read"] += count
        if state["read"] >= state["next"]:
            state["next"] += total // 10
            share = state["read"] / total
            print(
                f"  {share:.0%} of the file after {time.perf_counter() - started:.0f} s", flush=True
            )

    return update


def timed(url: str, path: Path, officer: str, *, trace: bool) -> tuple[object, float, int]:
    app = create_app({"DATABASE_URL": url})
    with app.app_context(), path.open("rb") as stream:
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        run = returnee_imports.import_returnees(
            db.sessions(),
            Actor.system("bench"),
            stream,
            returnee_imports.ReturneeImportOptions(
                filename=path.name, source="bench-list", officer=officer
            ),
            rules=ReturneeListRows(),
            on_progress=_reporter(path.stat().st_size),
        )
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        db.engine(app).dispose()
    return run, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--trace", action="store_true", help="peak Python memory (slower)")
    parser.add_argument("--once", action="store_true", help="skip the re-import")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    url = args.database_url or f"sqlite:///{work / 'bench.db'}"
    upgrade(url)
    email = f"bench-{uuid.uuid4().hex[:8]}@example.org"
    app = create_app({"DATABASE_URL": url})
    with app.app_context(), db.standalone() as session:
        users.create_user(
            session,
            Actor.system("bench"),
            email=email,
            role="officer",
            password=uuid.uuid4().hex,
            provinces=list(PROVINCES),
        )
    db.engine(app).dispose()
    path = work / "returnees.csv"
    write_list(path, args.rows)
    print(f"{args.rows:,} rows, {path.stat().st_size / 2**20:.1f} MiB, on {url.split(':')[0]}")
    for label in ("first import",) if args.once else ("first import", "re-import"):
        run, elapsed, peak = timed(url, path, email, trace=args.trace)
        print(
            f"{label}: {run.status}, created {run.created:,}, linked {run.linked:,}, "
            f"rejected {run.rejected:,}, queued for review {run.flagged:,}; "
            f"{elapsed:.1f} s, {run.rows / elapsed:,.0f} rows/s"
            + (f", peak traced memory {peak / 2**20:.1f} MiB" if args.trace else "")
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
