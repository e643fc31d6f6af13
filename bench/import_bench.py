"""Feed import benchmark: rows/s for a first and an unchanged import, and peak memory by size."""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("REINTEGRATE_ENV", "testing")
os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-that-is-long-enough-0123456789")

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from reintegrate import create_app  # noqa: E402
from reintegrate.db import db  # noqa: E402
from reintegrate.migrate import upgrade  # noqa: E402
from reintegrate.services import imports  # noqa: E402
from reintegrate.services.access import Actor  # noqa: E402

TRADES = [
    ("Sewing Machine Operator", "Garment", "sewing; overlock machine"),
    ("Construction Worker", "Construction", "concrete mixing; rebar"),
    ("Mason", "Construction", "bricklaying; plastering"),
    ("Welder", "Construction", "arc welding; MIG welding"),
    ("Truck Driver", "Transport", "truck driving; category C licence"),
    ("Forklift Operator", "Transport", "forklift driving"),
    ("Security Guard", "Security", "guarding"),
    ("Cook", "Hospitality", "cooking; food hygiene"),
    ("Housekeeping Attendant", "Hospitality", "cleaning; laundry"),
    ("Rice Mill Worker", "Agriculture", "rice milling"),
    ("Cassava Farm Worker", "Agriculture", "planting; harvesting"),
    ("Fish Processing Worker", "Fishing", "fish cleaning; packing"),
    ("Motorbike Mechanic", "Mechanics", "engine repair"),
    ("Domestic Helper", "Domestic work", "cleaning; childcare"),
    ("Caregiver", "Care", "elderly care"),
    ("Electrician", "Construction", "electrical wiring"),
    ("កម្មករសំណង់", "Construction", "ការលាយបេតុង"),
    ("អ្នកបើកបរ", "Transport", "បើកបរ"),
]
PLACES = [
    "Battambang",
    "Siem Reap",
    "Phnom Penh",
    "Bavet, Svay Rieng",
    "Poipet, Banteay Meanchey",
    "Kampot",
    "Kampong Cham",
    "Takeo",
    "Ta Khmau, Kandal",
    "Preah Sihanouk",
    "Pailin",
    "Kratie",
    "បាត់ដំបង",
    "ភ្នំពេញ",
]
COMPANIES = [
    "Golden Thread Garment Co., Ltd.",
    "Angkor Build Construction Co., Ltd.",
    "Mekong Steel Works",
    "Border Logistics Co., Ltd.",
    "Sentinel Security Services",
    "Riverside Boutique Hotel",
    "Battambang Golden Rice Mill",
    "Pailin Agro Plantation",
    "Koh Kong Seafood Processing",
    "សហគ្រាស សំណង់ ស្រីសុខា",
]
SALARIES = [
    "$250-$300",
    "260 USD",
    "USD 300/month",
    "$12/day",
    "350$",
    "400 - 500",
    "1,400,000 riel",
    "Negotiable",
    "$220 + commission",
    "៛1,100,000",
]
TYPES = ["Full time", "Full-time", "Part time", "Contract", "Seasonal", "Temporary"]
HEADER = "id,title,company,industry,location,salary,employment_type,closing_date,description,url"


def _date_text(rng: random.Random, today: date) -> str:
    day = today + timedelta(days=rng.randint(-10, 365))
    formats = ["%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y", "%d %B %Y", "%B %d, %Y", "%Y/%m/%d"]
    return day.strftime(rng.choice(formats))


def _cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


def write_feed(path: Path, rows: int, seed: int = 7) -> None:
    """A job-board CSV with realistic variety: many employers, places, wages and date formats."""
    rng = random.Random(seed)
    today = date.today()
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\n")
        for n in range(rows):
            title, sector, skills = rng.choice(TRADES)
            company = rng.choice(COMPANIES)
            if rng.random() < 0.6:
                company = f"{company.split(' Co.')[0]} {n % 2000}"
            description = (
                f"{title} wanted in {rng.choice(PLACES)}. Skills: {skills}. "
                + "Training provided; transport from town. " * rng.randint(1, 6)
            )
            if rng.random() < 0.05:
                description += '\nSecond line, with "quotes" and commas, of the advert.'
            cells = [
                f"JB-{n:07d}",
                f"{title} ({rng.choice(['day', 'night', 'rotating'])} shift)"
                if rng.random() < 0.3
                else title,
                company,
                sector,
                rng.choice(PLACES),
                rng.choice(SALARIES),
                rng.choice(TYPES),
                _date_text(rng, today),
                description,
                f"https://jobs.example.kh/jb-{n}",
            ]
            out.write(",".join(_cell(c) for c in cells) + "\n")


class Database:
    """The --database-url, or a temporary SQLite file; PostgreSQL gets a throwaway database."""

    def __init__(self, base_url: str | None, workdir: Path, name: str) -> None:
        self._admin = None
        self._name = None
        if base_url is None:
            self.url = f"sqlite:///{workdir / (name + '.db')}"
        elif base_url.startswith("postgresql"):
            self._name = f"import_bench_{name}_{uuid.uuid4().hex[:8]}"
            admin_url = make_url(base_url).set(database="postgres")
            self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with self._admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self._name}"'))
            self.url = (
                make_url(base_url).set(database=self._name).render_as_string(hide_password=False)
            )
        else:
            self.url = base_url
        upgrade(self.url)

    def drop(self) -> None:
        if self._admin is not None:
            with self._admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)'))
            self._admin.dispose()


def timed_import(url: str, path: Path, source: str, *, trace: bool) -> tuple[object, float, int]:
    """(run, seconds, tracemalloc peak in bytes or 0) of one import of `path`."""
    app = create_app({"DATABASE_URL": url})
    try:
        with app.app_context(), path.open("rb") as stream:
            if trace:
                tracemalloc.start()
            started = time.perf_counter()
            run = imports.import_feed(
                db.sessions(),
                Actor.system("bench"),
                stream,
                imports.ImportOptions(source=source, kind="job", filename=path.name),
            )
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] if trace else 0
            if trace:
                tracemalloc.stop()
    finally:
        db.engine(app).dispose()
    return run, seconds, peak


def maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small-rows", type=int, default=25_000)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        workdir = Path(tmp)
        big, small = workdir / "feed-big.csv", workdir / "feed-small.csv"
        write_feed(big, args.rows)
        write_feed(small, args.small_rows, seed=11)
        backend = make_url(args.database_url or "sqlite://").get_backend_name()
        print(f"backend: {backend}; python {sys.version.split()[0]}")
        print(f"feed: {args.rows:,} rows, {big.stat().st_size / 1e6:.1f} MB")

        database = Database(args.database_url, workdir, "big")
        try:
            run, seconds, _ = timed_import(database.url, big, "bench", trace=False)
            print(
                f"first import:     {run.rows:,} rows in {seconds:.1f} s = "
                f"{run.rows / seconds:,.0f} rows/s  (created {run.created:,}, rejected "
                f"{run.rejected:,}, status {run.status})"
            )
            run, seconds, _ = timed_import(database.url, big, "bench", trace=False)
            print(
                f"unchanged import: {run.rows:,} rows in {seconds:.1f} s = "
                f"{run.rows / seconds:,.0f} rows/s  (unchanged {run.unchanged:,}, updated "
                f"{run.updated:,})"
            )
        finally:
            database.drop()

        # Memory is measured apart: tracemalloc slows an import two or three times.
        peaks = []
        for label, path in (("big", big), ("small", small)):
            database = Database(args.database_url, workdir, f"{label}_traced")
            try:
                run, seconds, peak = timed_import(database.url, path, "bench", trace=True)
                peaks.append(peak)
                print(
                    f"traced first import of {run.rows:,} rows: tracemalloc peak "
                    f"{peak / 2**20:.1f} MiB ({seconds:.1f} s under tracing)"
                )
            finally:
                database.drop()
        peak_big, peak_small = peaks

        ratio = peak_big / peak_small if peak_small else float("nan")
        print(
            f"memory by file size: peak {peak_big / 2**20:.1f} MiB for {args.rows:,} rows vs "
            f"{peak_small / 2**20:.1f} MiB for {args.small_rows:,} rows "
            f"(ratio {ratio:.2f} for {args.rows / args.small_rows:.0f}x the rows)"
        )
        print(f"ru_maxrss of the whole benchmark process: {maxrss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
