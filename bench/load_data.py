"""Data for the load test (bench/load.sh): a throwaway PostgreSQL database filled fast.

Run: python bench/load_data.py createdb BASE_URL NAME
     python bench/load_data.py load --database-url URL --out DIR [--returnees N] [--listings N]
         [--placements N] [--scope all|01,02,17] [--seed N]
     python bench/load_data.py dropdb BASE_URL NAME

`load` writes, straight through SQLAlchemy Core executemany (no services, no ORM): returnees with
normalised skills, open listings (about 1/5 incentives) with skills and provinces, employers, one
officer with an API token and a browser login session, and placements whose first follow-up is due
or overdue. The people, skills and places come from the synthetic nation of bench/match_bench.py.
Into DIR (kept private) it writes what the wrk script needs: returnee_ids.txt (in the officer's
scope), followup_ids.txt (due/overdue follow-ups in scope, first), token, cookie (a signed session
cookie; needs SECRET_KEY in the environment, the one the server will use) and contacted_on.
Nothing secret is printed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import secrets
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from match_bench import TODAY as NATION_TODAY  # noqa: E402
from match_bench import build_nation  # noqa: E402
from sqlalchemy import Connection, Table, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from matching.names import stored_keys  # noqa: E402
from matching.vocabulary import Vocabulary, phrase_key  # noqa: E402
from reintegrate.db import Base  # noqa: E402
from reintegrate.models import (  # noqa: E402
    ApiToken,
    CaseCounter,
    Employer,
    FollowUp,
    Listing,
    ListingProvince,
    ListingSkill,
    LoginSession,
    Placement,
    Returnee,
    ReturneeSkill,
    User,
    UserProvince,
)
from reintegrate.models.returnee import name_key_rows, remember_name_keys  # noqa: E402
from reintegrate.reference import SECTORS  # noqa: E402
from reintegrate.services.duplicates import phone_key  # noqa: E402
from reintegrate.services.placements import LOCAL_JOBS, add_months, follow_up_state  # noqa: E402
from reintegrate.services.skills import SKILLS_CSV, file_version  # noqa: E402
from reintegrate.timeutil import local_today  # noqa: E402

CHUNK = 5_000
ALL_PROVINCES = [f"{n:02d}" for n in range(1, 26)]
FOLLOW_UP_MONTHS = (1, 3, 6, 12)
OVERDUE_DAYS, MISSED_DAYS = 14, 60
OFFICER_EMAIL = "load-officer@example.org"
GIVEN = (
    "Sokha Dara Sophea Vannak Srey Pisey Chenda Rith Bopha Kosal Sreymom Vichea Sothea "
    "Chantha Rathana Sokun Malis Phalla Vuthy Narin Kunthea Sambath Leakhena Piseth"
).split()
FAMILY = "Chan Sok Kim Heng Chea Meas Ly Nov Pich Keo Sao Chhim Prak Ouk Seng Hem Yin Mao".split()
COUNTRIES = {"TH": 55, "KR": 12, "MY": 10, "JP": 6, "SA": 3, "TW": 3, "SG": 2, "VN": 5, "LA": 4}
ABROAD_SECTORS = {s: w for s, w in zip(SECTORS, (20, 25, 12, 15, 5, 8, 6, 5, 1, 3), strict=True)}
LANGUAGE_POOL = ("km", "th", "ko", "ms", "ja", "en", "zh")


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(connection: Connection, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    table: Table = model.__table__
    count = 0
    for batch in _chunks(rows):
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _admin(base_url: str) -> Any:
    return create_engine(make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _checked_name(name: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]{1,63}", name):
        raise SystemExit(f"database name must be [a-z0-9_], got {name!r}")
    return name


def createdb(base_url: str, name: str) -> None:
    engine = _admin(base_url)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{_checked_name(name)}"'))
    engine.dispose()


def dropdb(base_url: str, name: str) -> None:
    engine = _admin(base_url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{_checked_name(name)}" WITH (FORCE)'))
    engine.dispose()


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(86_400)
    )


class Loader:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.today = local_today()
        self.now = datetime.now(UTC)
        self.shift = self.today - NATION_TODAY  # the nation's dates, moved to end today
        self.vocabulary = Vocabulary.from_csv(SKILLS_CSV)
        self.version = file_version()
        self.scope = ALL_PROVINCES if args.scope == "all" else sorted(args.scope.split(","))
        unknown = set(self.scope) - set(ALL_PROVINCES)
        if unknown:
            raise SystemExit(f"unknown province codes in --scope: {sorted(unknown)}")

    def _phrase(self, code: str) -> str:
        skill = self.vocabulary.skills[code]
        use_km = self.rng.random() < 0.3
        pool = list(skill.synonyms_km if use_km else skill.synonyms_en) or [skill.label_en]
        return self.rng.choice(pool)

    def _skill_rows(self, owner: str, owner_id: int, codes: Iterable[str]) -> list[dict]:
        rows = []
        for position, code in enumerate(sorted(codes)):
            raw = self._phrase(code)
            rows.append(
                {
                    owner: owner_id,
                    "position": position,
                    "raw_text": raw[:200],
                    "phrase_key": phrase_key(raw)[:200],
                    "code": code,
                    "confidence": 1.0,
                    "vocabulary_version": self.version,
                }
            )
        return rows

    def run(self, connection: Connection) -> dict[str, Any]:
        rng, args = self.rng, self.args
        started = time.perf_counter()
        persons, openings, _, _ = build_nation(
            args.returnees, args.listings, self.vocabulary, args.seed
        )
        generated = time.perf_counter() - started
        counts: Counter[str] = Counter()

        # The officer first, so records can name who registered them.
        user_id = 1
        counts["users"] = _insert(
            connection,
            User,
            [
                {
                    "id": user_id,
                    "email": OFFICER_EMAIL,
                    "full_name": "Load Test Officer",
                    "password_hash": None,  # no password: token for the API, session for pages
                    "role": "officer",
                    "active": True,
                    "created_at": self.now,
                    "password_changed_at": self.now,
                }
            ],
        )
        _insert(
            connection, UserProvince, [{"user_id": user_id, "province_code": c} for c in self.scope]
        )

        # Returnees: placed ones chosen now so their status is right from the start.
        in_scope = [p.id for p in persons if p.home_province in set(self.scope)]
        placed_count = min(args.placements, int(len(in_scope) * 0.9))
        placed = set(rng.sample(in_scope, placed_count))
        case_seq: Counter[tuple[str, int]] = Counter()
        returnee_rows, skill_rows, person_of = [], [], {}
        for person in persons:
            returned = min(person.return_date + self.shift, self.today)
            born = person.date_of_birth or date(1975, 1, 1) + timedelta(days=rng.randrange(9000))
            created = min(_moment(returned + timedelta(days=rng.randrange(45)), rng), self.now)
            case_seq[(person.home_province, created.year)] += 1
            seq = case_seq[(person.home_province, created.year)]
            phone = (
                f"0{rng.choice((10, 11, 12, 15, 16, 17, 70, 77, 78, 85, 89, 96, 97))}"
                + "".join(str(rng.randrange(10)) for _ in range(6))
            )
            status = (
                "placed"
                if person.id in placed
                else ("referred" if rng.random() < 0.05 else "seeking")
            )
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            returnee_rows.append(
                {
                    "id": person.id,
                    "case_number": f"KH{person.home_province}-{created.year}-{seq:06d}",
                    "given_name": given,
                    "family_name": family,
                    "name_km": None,
                    "name_key": stored_keys(given, family, None)[0],
                    "name_key_km": None,
                    "sex": person.sex,
                    "date_of_birth": born,
                    "phone": phone,
                    "phone_key": phone_key(phone),
                    "home_province": person.home_province,
                    "district": None,
                    "return_date": returned,
                    "destination_country": _weighted(rng, COUNTRIES),
                    "sector_abroad": _weighted(rng, ABROAD_SECTORS),
                    "languages": sorted(person.languages),
                    "trafficking_survivor": person.trafficking_survivor,
                    "willing_to_relocate": person.willing_to_relocate,
                    "preferred_provinces": sorted(person.preferred_provinces),
                    "interests": sorted(person.interests),
                    "consent_referral": rng.random() < 0.85,
                    "consent_share_with_employers": rng.random() < 0.6,
                    "consent_research": rng.random() < 0.5,
                    "status": status,
                    "notes": None,
                    "erased_at": None,
                    "at_risk_reasons": [],
                    "unreachable": False,
                    "linked_to_id": None,
                    "registered_by_id": user_id,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            skill_rows.extend(self._skill_rows("returnee_id", person.id, person.skills))
            person_of[person.id] = returnee_rows[-1]
        counts["returnees"] = _insert(connection, Returnee, returnee_rows)
        # The name dictionary a search reads first (the ORM fills it; this load goes around).
        names = {(r["given_name"], r["family_name"]) for r in returnee_rows}
        remember_name_keys(
            connection, [row for g, f in sorted(names) for row in name_key_rows(g, f, None)]
        )
        counts["returnee_skills"] = _insert(connection, ReturneeSkill, skill_rows)
        _insert(
            connection,
            CaseCounter,
            [{"province_code": p, "year": y, "last_value": n} for (p, y), n in case_seq.items()],
        )

        # Employers and open listings.
        employers = [
            {"id": i, "name": f"Load Employer {i:04d}", "created_at": self.now}
            for i in range(1, 2001)
        ]
        counts["employers"] = _insert(connection, Employer, employers)
        listing_rows, lskill_rows, province_rows, listing_of = [], [], [], {}
        for opening in openings:
            skills = sorted(opening.skills)
            sector = self.vocabulary.sector(skills[0]) if skills else None
            label = self.vocabulary.skills[skills[0]].label_en if skills else "General work"
            created = self.now - timedelta(days=rng.randrange(1, 90), seconds=rng.randrange(86_400))
            incentive = opening.kind == "incentive"
            eligibility = opening.eligibility
            listing_rows.append(
                {
                    "id": opening.id,
                    "kind": opening.kind,
                    "title": f"{label} programme {opening.id}"
                    if incentive
                    else f"{label} ({opening.id})",
                    "employer_id": None if incentive else rng.randrange(1, 2001),
                    "programme": f"Programme {opening.id % 40}" if incentive else None,
                    "description": None,
                    "district": None,
                    "nationwide": incentive and not opening.provinces,
                    "positions": None if incentive else rng.randrange(1, 30),
                    "wage_min_usd": None if incentive else 200 + rng.randrange(0, 100),
                    "wage_max_usd": None if incentive else 300 + rng.randrange(0, 200),
                    "employment_type": None if incentive else "full_time",
                    "languages": sorted(opening.languages),
                    "valid_through": None
                    if rng.random() < 0.3
                    else self.today + timedelta(days=rng.randrange(7, 180)),
                    "url": None,
                    "sector": sector,
                    "benefit": "Start-up grant and training" if incentive else None,
                    "returned_within_months": eligibility.returned_within_months
                    if eligibility
                    else None,
                    "min_age": eligibility.min_age if eligibility else None,
                    "max_age": eligibility.max_age if eligibility else None,
                    "eligible_sex": eligibility.sex if eligibility else None,
                    "survivors_priority": bool(eligibility and eligibility.survivors_priority),
                    "follow_up_months": None,
                    "status": "open",
                    "closed_reason": None,
                    "closed_at": None,
                    "source": "posted",
                    "identity_key": f"load-{opening.id}",
                    "fingerprint": None,
                    "dedupe_key": None,
                    "duplicate_of_id": None,
                    "last_import_run_id": None,
                    "created_by_id": None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            listing_of[opening.id] = listing_rows[-1]
            lskill_rows.extend(self._skill_rows("listing_id", opening.id, skills))
            province_rows.extend(
                {"listing_id": opening.id, "province_code": code}
                for code in sorted(opening.provinces)
            )
        counts["listings"] = _insert(connection, Listing, listing_rows)
        counts["listing_skills"] = _insert(connection, ListingSkill, lskill_rows)
        counts["listing_provinces"] = _insert(connection, ListingProvince, province_rows)

        # Placements started 31-88 days ago: the 1-month follow-up is due or overdue.
        listing_ids = [row["id"] for row in listing_rows]
        placement_rows, follow_up_rows, recordable = [], [], []
        fu_id = 0
        for pid, rid in enumerate(sorted(placed), start=1):
            listing = listing_of[rng.choice(listing_ids)]
            start = self.today - timedelta(days=rng.randint(31, 88))
            returnee = person_of[rid]
            placement_rows.append(
                {
                    "id": pid,
                    "returnee_id": rid,
                    "listing_id": listing["id"],
                    "referral_id": None,
                    "kind": listing["kind"],
                    "start_date": start,
                    "status": "active",
                    "province": returnee["home_province"],
                    "sex": returnee["sex"],
                    "consent_research": returnee["consent_research"],
                    "sector": listing["sector"],
                    "programme": listing["programme"]
                    if listing["kind"] == "incentive"
                    else LOCAL_JOBS,
                    "created_by_id": user_id,
                    "created_at": _moment(start, rng),
                }
            )
            for sequence, months in enumerate(FOLLOW_UP_MONTHS, start=1):
                fu_id += 1
                due = add_months(start, months)
                state = follow_up_state(due, self.today, OVERDUE_DAYS, MISSED_DAYS)
                follow_up_rows.append(
                    {
                        "id": fu_id,
                        "placement_id": pid,
                        "sequence": sequence,
                        "months_after": months,
                        "due_date": due,
                        "status": state,
                        "completed_on": None,
                        "unreachable_attempts": 0,
                        "updated_at": self.now,
                    }
                )
                if state in ("due", "overdue"):
                    recordable.append(fu_id)
        counts["placements"] = _insert(connection, Placement, placement_rows)
        counts["follow_ups"] = _insert(connection, FollowUp, follow_up_rows)

        # The officer's API token and browser session (only hashes are stored).
        token = "rit_" + secrets.token_urlsafe(32)
        _insert(
            connection,
            ApiToken,
            [
                {
                    "user_id": user_id,
                    "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                    "prefix": token[:10],
                    "created_at": self.now,
                    "expires_at": datetime.now(UTC) + timedelta(days=1),
                }
            ],
        )
        login_token = secrets.token_urlsafe(32)
        _insert(
            connection,
            LoginSession,
            [
                {
                    "token_hash": hashlib.sha256(login_token.encode()).hexdigest(),
                    "user_id": user_id,
                    "created_at": self.now,
                    "last_seen_at": self.now,
                    "ip": "127.0.0.1",
                }
            ],
        )
        for table in Base.metadata.sorted_tables:  # sequences past the ids written above
            if [c.name for c in table.primary_key.columns] == ["id"]:
                name = table.name  # our own table names, not input
                restart = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"  # noqa: E501, S608
                connection.execute(text(restart))
        rng.shuffle(recordable)
        return {
            "counts": counts,
            "generated": generated,
            "token": token,
            "login_token": login_token,
            "returnee_ids": sorted(in_scope),
            "followup_ids": recordable,
        }


def _session_cookie(login_token: str) -> str | None:
    """A signed Flask session cookie for the officer's login session, or None without a key."""
    if not os.environ.get("SECRET_KEY"):
        return None
    from reintegrate import create_app

    app = create_app()
    serializer = app.session_interface.get_signing_serializer(app)
    assert serializer is not None
    return serializer.dumps(
        {"_user_id": login_token, "_fresh": True, "csrf_token": secrets.token_hex(20)}
    )


def _write_private(path: Path, content: str) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(content)


def load(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    engine = create_engine(args.database_url)
    started = time.perf_counter()
    with engine.begin() as connection:
        result = Loader(args).run(connection)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    elapsed = time.perf_counter() - started
    engine.dispose()
    _write_private(out / "token", result["token"])
    cookie = _session_cookie(result["login_token"])
    if cookie:
        _write_private(out / "cookie", cookie)
    (out / "returnee_ids.txt").write_text("".join(f"{i}\n" for i in result["returnee_ids"]))
    (out / "followup_ids.txt").write_text("".join(f"{i}\n" for i in result["followup_ids"]))
    (out / "contacted_on").write_text((local_today() - timedelta(days=1)).isoformat())
    counts = result["counts"]
    print(
        "loaded "
        + ", ".join(f"{n:,} {name}" for name, n in counts.items())
        + f" in {elapsed:.1f} s (synthetic nation built in {result['generated']:.1f} s, "
        "VACUUM ANALYZE included)"
    )
    print(
        f"officer scope: {'all 25 provinces' if args.scope == 'all' else args.scope}; "
        f"{len(result['returnee_ids']):,} returnees in scope; "
        f"{len(result['followup_ids']):,} due/overdue follow-ups in scope for POST /outcome"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("createdb", "dropdb"):
        p = sub.add_parser(name)
        p.add_argument("base_url")
        p.add_argument("name")
    p = sub.add_parser("load")
    p.add_argument("--database-url", required=True)
    p.add_argument("--out", required=True, help="directory for ids, token and cookie")
    p.add_argument("--returnees", type=int, default=100_000)
    p.add_argument("--listings", type=int, default=50_000)
    p.add_argument("--placements", type=int, default=20_000)
    p.add_argument("--scope", default="all", help="'all' or province codes, e.g. 01,02,17")
    p.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.command == "createdb":
        createdb(args.base_url, args.name)
    elif args.command == "dropdb":
        dropdb(args.base_url, args.name)
    else:
        load(args)


if __name__ == "__main__":
    main()
