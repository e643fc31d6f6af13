"""Registration and search at a national mass-return scale, on PostgreSQL.

Run: python bench/registry_bench.py [--database-url URL] [--people 1000000] [--small 10000]
         [--repeat 30]

Builds a throwaway database (created and dropped here, on the server of --database-url), fills
it with people whose names are drawn as Cambodian names are (a few family names carry most of
the population, in Latin and Khmer script), all in one province as at a border post in 2025, and
measures with the services themselves (no HTTP) at the small size and at the full size:
registration with its duplicate check, search by a common name, a rare name, a Khmer name and a
phone number, and the first and a deep page of the officer's list. It prints median and p95 per
operation and the ratio between the two sizes. The people are loaded with COPY; what is timed
is what an officer waits for.
"""

from __future__ import annotations

import argparse
import io
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from matching.names import stored_keys  # noqa: E402
from reintegrate.db import make_engine  # noqa: E402
from reintegrate.migrate import upgrade  # noqa: E402
from reintegrate.models import User  # noqa: E402
from reintegrate.models.returnee import name_key_rows, remember_name_keys  # noqa: E402
from reintegrate.services import registry, users  # noqa: E402
from reintegrate.services.access import Actor  # noqa: E402
from reintegrate.services.duplicates import phone_key  # noqa: E402
from reintegrate.services.registry import Consent, ReturneeInput  # noqa: E402

PROVINCE = "01"  # Banteay Meanchey: Poipet, where most came through in 2025
# (Latin, Khmer, weight): the most common family names cover most of the population.
FAMILY = [
    ("Sok", "សុខ", 60),
    ("Chan", "ចាន់", 45),
    ("Kim", "គឹម", 30),
    ("Heng", "ហេង", 30),
    ("Chea", "ជា", 28),
    ("Lim", "លឹម", 25),
    ("Keo", "កែវ", 25),
    ("Meas", "មាស", 20),
    ("Phan", "ផាន", 18),
    ("Nov", "នៅ", 15),
    ("Pich", "ពេជ្រ", 14),
    ("Seng", "សេង", 14),
    ("Ly", "លី", 14),
    ("Ouk", "អ៊ុក", 12),
    ("Touch", "ទូច", 10),
    ("Mao", "ម៉ៅ", 10),
    ("Sam", "សំ", 10),
    ("Som", "សោម", 9),
    ("Yin", "យិន", 8),
    ("Prak", "ប្រាក់", 8),
    ("Chhay", "ឆាយ", 8),
    ("Khim", "ឃឹម", 6),
    ("Nuon", "នួន", 6),
    ("Long", "ឡុង", 6),
    ("Tep", "ទេព", 5),
    ("Vann", "វ៉ាន់", 5),
    ("Sun", "ស៊ុន", 5),
    ("Kong", "គង់", 5),
    ("Chhun", "ឈុន", 4),
    ("Eng", "អេង", 4),
]
GIVEN = [
    ("Sokha", "សុខា", 40),
    ("Dara", "តារា", 35),
    ("Sophea", "សុភា", 30),
    ("Vuthy", "វុទ្ធី", 20),
    ("Bopha", "បុប្ផា", 20),
    ("Chenda", "ចិន្តា", 18),
    ("Piseth", "ពិសិដ្ឋ", 16),
    ("Rithy", "រិទ្ធី", 15),
    ("Kosal", "កុសល", 15),
    ("Sovann", "សុវណ្ណ", 14),
    ("Vanna", "វណ្ណា", 14),
    ("Kunthea", "គន្ធា", 12),
    ("Channary", "ច័ន្ទនារី", 12),
    ("Sopheap", "សុភាព", 12),
    ("Thida", "ធីតា", 12),
    ("Pisey", "ពិសី", 10),
    ("Raksmey", "រស្មី", 10),
    ("Nimol", "និមល", 8),
    ("Sothea", "សុធា", 8),
    ("Chantha", "ចន្ថា", 8),
    ("Makara", "មករា", 8),
    ("Sambath", "សម្បត្តិ", 6),
    ("Vibol", "វិបុល", 6),
    ("Borey", "បូរី", 6),
    ("Leakhena", "លក្ខិណា", 5),
    ("Mony", "មុនី", 5),
    ("Srey Mom", "ស្រីមុំ", 5),
    ("Samnang", "សំណាង", 5),
    ("Visal", "វិសាល", 4),
    ("Rotha", "រដ្ឋា", 4),
]
RARE = ("Pheaktra", "Vathanak")  # a given and family name no one in the registry carries
COLUMNS = (
    "case_number",
    "given_name",
    "family_name",
    "name_km",
    "name_key",
    "name_key_km",
    "sex",
    "date_of_birth",
    "phone",
    "phone_key",
    "home_province",
    "return_date",
    "destination_country",
    "languages",
    "trafficking_survivor",
    "willing_to_relocate",
    "preferred_provinces",
    "interests",
    "consent_referral",
    "consent_share_with_employers",
    "consent_research",
    "status",
    "at_risk_reasons",
    "unreachable",
    "created_at",
    "updated_at",
)


def _weighted(rng: random.Random, table: list[tuple[str, str, int]]) -> tuple[str, str]:
    latin, khmer, _ = rng.choices(table, weights=[w for *_, w in table])[0]
    return latin, khmer


def _person_rows(
    start: int, count: int, seed: int, names: set[tuple[str, str, str]]
) -> io.StringIO:
    rng = random.Random(seed + start)
    out = io.StringIO()
    now = datetime(2025, 8, 20, tzinfo=UTC).isoformat()
    for n in range(start, start + count):
        given, given_km = _weighted(rng, GIVEN)
        family, family_km = _weighted(rng, FAMILY)
        name_km = f"{family_km} {given_km}"
        names.add((given, family, name_km))
        key, key_km = stored_keys(given, family, name_km)
        phone = (
            f"0{rng.choice((10, 12, 15, 16, 17, 77, 78, 89, 96, 97))}{rng.randrange(10**6, 10**7)}"
        )
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))
        returned = date(2025, 7, 1) + timedelta(days=rng.randrange(60))
        values = (
            f"KH{PROVINCE}-2025-{n:07d}",
            given,
            family,
            name_km,
            key,
            key_km,
            rng.choice(("female", "male")),
            born.isoformat(),
            phone,
            phone_key(phone),
            PROVINCE,
            returned.isoformat(),
            "TH",
            '["km", "th"]',
            "f",
            "f",
            "[]",
            '["job"]',
            "t",
            "t",
            "t",
            "seeking",
            "[]",
            "f",
            now,
            now,
        )
        out.write("\t".join(values) + "\n")
    out.seek(0)
    return out


def load_people(url: str, start: int, count: int, seed: int) -> float:
    """COPY `count` people into the registry, and their names into the name dictionary that
    the ORM fills on registration, then VACUUM as after any bulk load; returns rows per
    second."""
    began = time.perf_counter()
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    names: set[tuple[str, str, str]] = set()
    with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
        batch = 50_000
        for offset in range(start, start + count, batch):
            size = min(batch, start + count - offset)
            with cursor.copy(f"COPY returnees ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                buffer = _person_rows(offset, size, seed, names)
                while chunk := buffer.read(1 << 20):
                    copy.write(chunk)
        connection.commit()
        engine = create_engine(url)
        with engine.begin() as dictionary:
            remember_name_keys(
                dictionary,
                [row for names_of in sorted(names) for row in name_key_rows(*names_of)],
            )
        engine.dispose()
        # As after any bulk load (autovacuum would do it within minutes): the visibility map
        # lets the list and the name counts read their indexes alone.
        connection.autocommit = True
        cursor.execute("VACUUM (ANALYZE) returnees")
        cursor.execute("VACUUM (ANALYZE) name_keys")
    return count / (time.perf_counter() - began)


def _timed(operation: Callable[[], object], repeat: int) -> list[float]:
    operation()  # warm the plan cache and the connection, as a served worker would be
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        operation()
        times.append((time.perf_counter() - began) * 1000)
    return times


def measure(url: str, officer_id: int, repeat: int, seed: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    rng = random.Random(seed)
    results: dict[str, list[float]] = {}
    with Session(engine) as session:
        officer = session.get(User, officer_id)
        assert officer is not None
        actor = Actor.of(officer)

        def search(q: str, page: int = 1) -> Callable[[], object]:
            return lambda: registry._search(
                session, actor, registry.ReturneeFilters(q=q), page=page, page_size=25
            )

        def register() -> None:
            given, given_km = _weighted(rng, GIVEN)
            family, family_km = _weighted(rng, FAMILY)
            data = ReturneeInput(
                given_name=given,
                family_name=family,
                name_km=f"{family_km} {given_km}",
                sex="female",
                date_of_birth=date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45)),
                phone=f"0{rng.choice((11, 92, 93))}{rng.randrange(10**6, 10**7)}",
                home_province=PROVINCE,
                return_date=date(2025, 8, 1),
                destination_country="TH",
                sector_abroad="construction",
                skills=("bricklaying",),
                languages=("km", "th"),
                trafficking_survivor=False,
                willing_to_relocate=False,
                interests=("job",),
                consent=Consent(referral=True, share_with_employers=True, research=True),
            )
            registry.register(session, actor, data)
            session.flush()
            session.rollback()

        total = session.scalar(text("SELECT count(*) FROM returnees")) or 0
        phone = session.scalar(text("SELECT phone FROM returnees ORDER BY id LIMIT 1"))
        deep = max(1, total // 25 // 2)
        results["registration + duplicate check"] = _timed(register, repeat)
        results["search: common name (Sokha Sok)"] = _timed(search("Sokha Sok"), repeat)
        results[f"search: rare name ({' '.join(RARE)})"] = _timed(search(" ".join(RARE)), repeat)
        results["search: Khmer name (ចាន់ តារា)"] = _timed(search("ចាន់ តារា"), repeat)
        results["search: phone (+855 form)"] = _timed(
            search("+855 " + phone_key(phone)),
            repeat,  # type: ignore[operator]
        )
        results["officer list: first page"] = _timed(search(""), repeat)
        results[f"officer list: page {deep:,}"] = _timed(search("", deep), repeat)
        session.rollback()
    engine.dispose()
    return results


def _stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("--database-url must name a PostgreSQL server: the bench is about its indexes")
    if not 0 < args.small < args.people:
        parser.error("--small must be positive and smaller than --people")

    name = f"reintegrate_registry_bench_{int(time.time())}"
    admin = create_engine(
        make_url(args.database_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            officer = users.create_user(
                session,
                Actor.system("bench"),
                email="officer@bench.example",
                role="officer",
                password=secrets.token_urlsafe(24),
                provinces=[PROVINCE],
            )
            session.commit()
            officer_id = officer.id
        engine.dispose()
        figures = {}
        rates = {}
        loaded = 0
        for size in (args.small, args.people):
            rates[size] = load_people(url, loaded, size - loaded, args.seed)
            loaded = size
            print(f"loaded {size:,} people ({rates[size]:,.0f} rows/s by COPY)", flush=True)
            figures[size] = measure(url, officer_id, args.repeat, args.seed)
        print()
        small, full = args.small, args.people
        print(f"{'operation (ms)':44} {small:>9,} med/p95 {full:>11,} med/p95   p95 ratio")
        for operation, times in figures[small].items():
            full_key = (
                operation
                if operation in figures[full]
                else next(
                    k
                    for k in figures[full]
                    if k.split(":")[0] == operation.split(":")[0]
                    and "page" in k
                    and "first" not in k
                )
            )
            m1, p1 = _stats(times)
            m2, p2 = _stats(figures[full][full_key])
            label = (
                operation
                if "page" not in operation or "first" in operation
                else ("officer list: middle page")
            )
            print(f"{label:44} {m1:8.1f} {p1:8.1f}   {m2:8.1f} {p2:8.1f}   {p2 / p1:6.2f}")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
