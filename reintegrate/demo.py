"""Demo data for a first look: accounts for every role and about fifty returnees."""

from __future__ import annotations

import csv
import io
import json
import random
import secrets
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from jobs_import import ListingRecord
from reintegrate.config import INSTANCE_DIR, PROJECT_ROOT
from reintegrate.demo_outcomes import load_demo_placements
from reintegrate.models import Listing, Placement, Returnee, User
from reintegrate.services import (
    employers,
    followups,
    imports,
    listings,
    referrals,
    registry,
    safe_migration,
    users,
)
from reintegrate.services.access import Actor
from reintegrate.services.registry import Consent, ReturneeInput
from reintegrate.timeutil import add_months, local_today

LOGINS_FILE = INSTANCE_DIR / "demo-logins.txt"
SAMPLE_DIR = PROJECT_ROOT / "tests" / "data"
SAMPLE_FEEDS = (
    ("jobs_board.csv", "cambodia-jobs-board", "job", "closing_date"),
    ("jobs_api.json", "provincial-job-centres", "job", "valid_through"),
    ("incentives.csv", "rural-development-incentives", "incentive", "closing_date"),
)
ACCOUNTS = (
    ("officer", "officer.battambang@demo.reintegrate.kh", ["02", "01", "24"], None),
    ("officer", "officer.siemreap@demo.reintegrate.kh", ["17", "22"], None),
    ("officer", "officer.preyveng@demo.reintegrate.kh", ["14", "20"], None),
    ("employer", "hr@angkor-garments.demo", [], "Angkor Garments Co., Ltd."),
    ("manager", "manager@demo.reintegrate.kh", [], None),
    ("admin", "admin@demo.reintegrate.kh", [], None),
)
GIVEN = [
    ("Sokha", "សុខា"),
    ("Dara", "តារា"),
    ("Srey Mom", "ស្រីមុំ"),
    ("Vanna", "វណ្ណា"),
    ("Bopha", "បុប្ផា"),
    ("Pisey", "ពិសី"),
    ("Rithy", "រិទ្ធី"),
    ("Sophal", "សុផល"),
    ("Chenda", "ចិន្តា"),
    ("Kosal", "កុសល"),
    ("Sreyneang", "ស្រីនាង"),
    ("Veasna", "វាសនា"),
    ("Phearom", "ភារម្យ"),
    ("Thida", "ធីតា"),
    ("Sovann", "សុវណ្ណ"),
    ("Malis", "ម្លិះ"),
]
FAMILY = [
    ("Chhay", "ឆាយ"),
    ("Sok", "សុខ"),
    ("Keo", "កែវ"),
    ("Chea", "ជា"),
    ("Heng", "ហេង"),
    ("Lim", "លឹម"),
    ("Mao", "ម៉ៅ"),
    ("Noun", "នួន"),
    ("Pich", "ពេជ្រ"),
    ("Sorn", "សន"),
]
SKILLS = {
    "construction": [["bricklaying", "concrete mixing"], ["ជាងឈើ", "painting"], ["welding"]],
    "agriculture": [["rice farming", "vegetable growing"], ["ចិញ្ចឹមមាន់"], ["rubber tapping"]],
    "manufacturing": [["sewing machine operator"], ["quality control", "packing"]],
    "garment": [["sewing", "cutting fabric"], ["ដេរសម្លៀកបំពាក់"]],
    "fishing": [["fishing boat crew", "net repair"], ["fish processing"]],
    "domestic_work": [["cooking", "child care"], ["housekeeping", "elderly care"]],
    "hospitality": [["waiter", "cleaning"], ["cook"]],
    "services": [["driving", "motorbike repair"], ["security guard"]],
}
COUNTRIES = {"TH": 0.55, "KR": 0.15, "MY": 0.1, "JP": 0.08, "SA": 0.05, "TW": 0.04, "SG": 0.03}


def _phone(rng: random.Random) -> str:
    prefix = rng.choice([10, 12, 15, 16, 17, 69, 77, 78, 85, 92, 96, 97])
    return f"0{prefix} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def _password() -> str:
    return secrets.token_urlsafe(12)


def _returnees(
    rng: random.Random, officer_provinces: list[list[str]], count: int, earliest_days: int = 700
) -> list[tuple[int, ReturneeInput]]:
    today = local_today()
    made = []
    for i in range(count):
        officer_index = i % len(officer_provinces)
        province = rng.choice(officer_provinces[officer_index])
        given, given_km = rng.choice(GIVEN)
        family, family_km = rng.choice(FAMILY)
        sector = rng.choice(list(SKILLS))
        country = rng.choices(list(COUNTRIES), weights=list(COUNTRIES.values()))[0]
        languages = ["km"] + (
            {"TH": ["th"], "KR": ["ko"], "JP": ["ja"], "MY": ["ms"]}.get(country, [])
        )
        made.append(
            (
                officer_index,
                ReturneeInput(
                    given_name=given,
                    family_name=family,
                    name_km=f"{family_km} {given_km}",
                    sex="female"
                    if given
                    in {"Srey Mom", "Bopha", "Pisey", "Chenda", "Sreyneang", "Thida", "Malis"}
                    else rng.choice(["male", "female"]),
                    date_of_birth=date(
                        rng.randint(1975, 2004), rng.randint(1, 12), rng.randint(1, 28)
                    ),
                    phone=_phone(rng),
                    home_province=province,
                    district=None,
                    return_date=today - timedelta(days=rng.randint(10, earliest_days)),
                    destination_country=country,
                    sector_abroad=sector,
                    skills=tuple(rng.choice(SKILLS[sector])),
                    languages=tuple(languages),
                    trafficking_survivor=rng.random() < 0.12,
                    willing_to_relocate=rng.random() < 0.4,
                    interests=("job", "incentive") if rng.random() < 0.5 else ("job",),
                    consent=Consent(
                        referral=rng.random() < 0.9,
                        share_with_employers=rng.random() < 0.8,
                        research=rng.random() < 0.85,
                    ),
                ),
            )
        )
    return made


def load_demo(
    sessions: sessionmaker[Session],
    *,
    returnees: int = 50,
    history: int = 300,
    seed: int = 2026,
    logins_file: Path | None = None,
) -> list[tuple[str, str, str]]:
    """Create demo accounts, returnees and listings once; later calls return the saved logins.

    `returnees` are people seeking work now; `history` more were placed over the last two
    years, one placement each, so the outcome statistics have something to show.
    """
    logins_file = logins_file or LOGINS_FILE
    with sessions() as session, session.begin():
        if session.scalar(select(func.count()).select_from(User).where(User.email.like("%demo%"))):
            return _read_logins(logins_file)
        system = Actor.system("demo")
        logins = []
        officers = []
        accounts: dict[str, User] = {}
        for role, email, provinces, employer in ACCOUNTS:
            password = _password()
            account = users.create_user(
                session,
                system,
                email=email,
                role=role,
                password=password,
                provinces=provinces,
                employer=employer,
            )
            logins.append((role, email, password))
            accounts[role] = account
            if role == "officer":
                officers.append(account)
        _verify_demo_employer(session, accounts["admin"], accounts["employer"])
        _safe_migration_options(session, accounts["admin"])
        rng = random.Random(seed)  # noqa: S311  # demo data, not secrets  # nosec B311
        scopes = [sorted(o.provinces) for o in officers]
        for officer_index, data in _returnees(rng, scopes, returnees):
            registry.register(session, Actor.of(officers[officer_index]), data)
        placed = [
            registry.register(session, Actor.of(officers[officer_index]), data).returnee.id
            for officer_index, data in _returnees(rng, scopes, history, earliest_days=800)
        ]
    _import_sample_feeds(sessions, rng)
    with sessions() as session, session.begin():
        _placements_and_referrals(session, rng, placed)
        _flagged_listing(session)
    with sessions() as session, session.begin():
        _safeguarding_examples(session)
    _write_logins(logins_file, logins)
    return logins


def _placements_and_referrals(session: Session, rng: random.Random, placed: list[int]) -> None:
    """Two years of placements with follow-ups (some due now), and fresh referrals to answer.

    The follow-up sweep then runs once, so officers find reminders in their inbox and the
    manager's dashboard has curves to draw from the first visit.
    """
    returnees = list(session.scalars(select(Returnee).order_by(Returnee.id)))
    history = [r for r in returnees if r.id in set(placed)]
    open_listings = list(
        session.scalars(select(Listing).where(Listing.status == "open").order_by(Listing.id))
    )
    load_demo_placements(
        session,
        rng=rng,
        returnees=history,
        listings=open_listings,
        today=local_today(),
        count=len(history),
    )
    employer = session.scalar(select(User).where(User.role == "employer"))
    officer = session.scalar(select(User).where(User.email == ACCOUNTS[0][1]))
    if employer is not None and officer is not None:
        own = session.scalars(
            select(Listing).where(Listing.employer_id == employer.employer_id)
        ).all()
        if not own:
            record = ListingRecord(
                row=0,
                kind="job",
                external_id=None,
                title="Sewing Machine Operator",
                employer=None,
                provinces=("02",),
                skills=("sewing", "overlock machine"),
                positions=20,
                wage_min_usd=Decimal(230),
                wage_max_usd=Decimal(280),
                employment_type="full_time",
                languages=("km",),
                valid_through=local_today() + timedelta(days=45),
                description="Line sewing for export garments; training for returnees.",
            )
            own = [listings.create_listing(session, Actor.of(employer), record)]
        seekers = [
            r
            for r in returnees
            if r.id not in set(placed)
            and r.home_province in officer.provinces
            and r.status == "seeking"
            and r.consent_referral
        ]
        for returnee in seekers[:4]:
            referrals.refer(session, Actor.of(officer), returnee.id, own[0].id)
    for placement in session.scalars(select(Placement).where(Placement.status == "active")):
        if placement.first_out_of_work and placement.last_in_work is None:
            placement.returnee.at_risk_reasons = ["unemployed"]
    followups.sweep(session, local_today())


def _safeguarding_examples(session: Session) -> None:
    """A mother and her two children (10 and 7) who came back together, and a brick-kiln job:
    the children are shown as children and never offered a job, and the kiln job, hazardous by
    the list of hazardous work for children, is offered to no one under 18."""
    officer = session.scalar(select(User).where(User.email == ACCOUNTS[0][1]))
    if officer is None:
        return
    actor = Actor.of(officer)
    today = local_today()
    returned = today - timedelta(days=240)
    family = dict(
        family_name="Chan",
        home_province="02",
        district="Thma Koul",
        return_date=returned,
        destination_country="TH",
        trafficking_survivor=False,
        languages=("km", "th"),
    )
    mother = registry.register(
        session,
        actor,
        ReturneeInput(
            given_name="Sophea",
            name_km="ចាន់ សុភា",
            sex="female",
            date_of_birth=date(1991, 8, 14),
            phone="012 640 218",
            sector_abroad="agriculture",
            skills=("rice farming", "sewing"),
            interests=("job", "incentive"),
            consent=Consent(referral=True, share_with_employers=True, research=True),
            **family,  # type: ignore[arg-type]
        ),
    ).returnee
    for given, given_km, sex, years in (
        ("Rachana", "រចនា", "female", 10),
        ("Visal", "វិសាល", "male", 7),
    ):
        registry.register(
            session,
            actor,
            ReturneeInput(
                given_name=given,
                name_km=f"ចាន់ {given_km}",
                sex=sex,
                date_of_birth=add_months(today, -12 * years - 4),
                interests=("incentive",),
                consent=Consent(referral=True, share_with_employers=False, research=False),
                notes=f"Came back with her mother Sophea Chan ({mother.case_number})."
                if sex == "female"
                else f"Came back with his mother Sophea Chan ({mother.case_number}).",
                **family,  # type: ignore[arg-type]
            ),
        )
    listings.create_listing(
        session,
        actor,
        ListingRecord(
            row=0,
            kind="job",
            external_id=None,
            title="Brick kiln loader",
            employer="Battambang Brick Factory",
            provinces=("02",),
            skills=("loading bricks", "bricklaying"),
            positions=6,
            wage_min_usd=Decimal(220),
            wage_max_usd=Decimal(250),
            employment_type="full_time",
            languages=("km",),
            valid_through=today + timedelta(days=60),
            description="Loading and unloading the kilns; heat and dust.",
        ),
    )


def _verify_demo_employer(session: Session, admin: User, employer: User) -> None:
    """The demo employer is verified by the demo admin, so survivors may be referred to it."""
    if employer.employer_id is not None:
        employers.update_employer(
            session,
            Actor.of(admin),
            employer.employer_id,
            {
                "verified": True,
                "contact": "hr@angkor-garments.demo (example)",
                "registration_number": "DEMO-0001",
                "note": "Demo data: an example number, not a real registration.",
            },
        )


SAFE_MIGRATION_OPTIONS = (
    ("resource_centre", "Migrant Worker Resource Centre, Battambang", "02", "012 000 101"),
    ("resource_centre", "Migrant Worker Resource Centre, Banteay Meanchey", "01", "012 000 102"),
    ("resource_centre", "Migrant Worker Resource Centre, Prey Veng", "14", "012 000 103"),
    ("resource_centre", "Migrant Worker Resource Centre, Kampong Cham", "03", "012 000 104"),
    ("recruitment_agency", "Licensed recruitment agency (demo)", None, "023 000 105"),
)


def _safe_migration_options(session: Session, admin: User) -> None:
    """Migrant Worker Resource Centres exist in these provinces; the contacts are examples."""
    for kind, name, province, contact in SAFE_MIGRATION_OPTIONS:
        safe_migration.create_option(
            session,
            Actor.of(admin),
            {
                "kind": kind,
                "name": name,
                "province": province,
                "contact": contact,
                "details": "Demo data: check the real contact before giving it to anyone.",
                "example": True,
                "active": True,
            },
        )


def _flagged_listing(session: Session) -> None:
    """A listing with the signs of exploitation screening looks for, so a new user sees flags
    next to matches (and survivors never matched to it)."""
    officer = session.scalar(select(User).where(User.email == ACCOUNTS[0][1]))
    if officer is None:
        return
    record = ListingRecord(
        row=0,
        kind="job",
        external_id=None,
        title="Garment worker, start at once",
        employer="Golden Needle Trading (demo)",
        provinces=("02",),
        skills=("sewing",),
        positions=30,
        wage_min_usd=Decimal(150),
        wage_max_usd=Decimal(150),
        employment_type="full_time",
        languages=("km",),
        valid_through=local_today() + timedelta(days=30),
        sector="garment",
        description=(
            "Recruitment fee of USD 100 deducted from the first wage. The company will keep "
            "your passport until the end of the contract."
        ),
    )
    listings.create_listing(session, Actor.of(officer), record)


def _import_sample_feeds(sessions: sessionmaker[Session], rng: random.Random) -> None:
    """The sample feeds, with closing dates moved to the coming weeks so the demo stays current."""
    today = local_today()
    for filename, source, kind, date_field in SAMPLE_FEEDS:
        content = _with_future_dates(SAMPLE_DIR / filename, date_field, today, rng)
        options = imports.ImportOptions(source=source, kind=kind, filename=filename, full=True)
        imports.import_feed(sessions, Actor.system("demo"), io.BytesIO(content), options)


def _with_future_dates(path: Path, date_field: str, today: date, rng: random.Random) -> bytes:
    def future() -> str:
        return (today + timedelta(days=rng.randint(7, 120))).isoformat()

    if path.suffix == ".json":
        items = json.loads(path.read_text(encoding="utf-8"))
        for item in items:
            item[date_field] = future()
        return json.dumps(items, ensure_ascii=False).encode("utf-8")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, date_field: future()})
    return out.getvalue().encode("utf-8")


def _write_logins(path: Path, logins: list[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{role}\t{email}\t{password}\n" for role, email, password in logins))
    path.chmod(0o600)


def _read_logins(path: Path) -> list[tuple[str, str, str]]:
    if not path.exists():
        return []
    rows = [line.split("\t") for line in path.read_text().splitlines() if line.strip()]
    return [(r[0], r[1], r[2]) for r in rows if len(r) == 3]
