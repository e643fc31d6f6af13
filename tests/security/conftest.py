"""Security fixtures: a world of two provinces and two employers, and clients for each role."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from reintegrate.db import Base
from reintegrate.models import (
    ApiToken,
    FollowUp,
    ImportRun,
    Listing,
    Placement,
    Returnee,
    SafeMigrationOption,
    User,
)
from reintegrate.services import privacy, referrals, users
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today
from tests.builders import (
    make_incentive,
    make_listing,
    make_placement,
    make_returnee,
    make_user,
)
from tests.conftest import CSRF

ROLES = ("anonymous", "officer02", "officer17", "employer_a", "employer_b", "manager", "admin")

# Values that must never reach an employer, a manager, an admin or the audit trail.
SECRET_02 = {
    "given_name": "Sreymom",
    "family_name": "Vannakreth",
    "name_km": "វណ្ណារិទ្ធ ស្រីមុំ",
    "phone": "097 555 0102",
    "notes": "Rescued-from-fishing-boat-note",
    "sector_abroad": "fishing",
    "destination_country": "MY",
}
SECRET_17 = {
    "given_name": "Bopharith",
    "family_name": "Sovannarath",
    "name_km": "សុវណ្ណរ័ត្ន បុប្ផារិទ្ធ",
    "phone": "088 777 1717",
    "notes": "Escaped-from-compound-note",
    "sector_abroad": "domestic work",
    "destination_country": "SA",
}

# Tables whose rows a refused request must leave exactly as they were. Bookkeeping tables
# (audit trail, login sessions and attempts, token last use) are left out on purpose.
BOOKKEEPING = {"audit_entries", "login_sessions", "login_attempts", "login_throttles", "api_tokens"}


@cache
def _real_hash(password: str, method: str) -> str:
    return generate_password_hash(password, method=method)


@pytest.fixture(autouse=True)
def _hash_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real scrypt hash, computed once per password: the same checks, a fraction of the time."""
    monkeypatch.setattr(
        users,
        "generate_password_hash",
        lambda password, method="scrypt": _real_hash(password, method),
    )


@dataclass
class World:
    """Who and what exists: two officers' provinces, two employers, a manager and an admin."""

    users: dict[str, User]
    r02: Returnee
    r17: Returnee
    listing_a: Listing
    listing_b: Listing
    incentive: Listing
    referral_a: Any
    referral_b17: Any
    placement_02: Placement
    placement_17: Placement
    follow_up_02: FollowUp
    follow_up_17: FollowUp
    erasure_02: Any
    import_run: ImportRun
    extra: dict[str, Any] = field(default_factory=dict)


def _open_follow_up(session: Session, placement: Placement) -> FollowUp:
    return session.scalars(
        select(FollowUp)
        .where(FollowUp.placement_id == placement.id, FollowUp.status.in_(("due", "overdue")))
        .order_by(FollowUp.sequence)
    ).first()


@pytest.fixture
def world(db_session: Session) -> World:
    s = db_session
    people = {
        "officer02": make_user(s, provinces=["02"], email="officer02@example.org"),
        "officer17": make_user(s, provinces=["17"], email="officer17@example.org"),
        "employer_a": make_user(
            s, "employer", employer="Angkor Garments", email="employer.a@example.org"
        ),
        "employer_b": make_user(
            s, "employer", employer="Bayon Builders", email="employer.b@example.org"
        ),
        "manager": make_user(s, "manager", email="manager@example.org"),
        "admin": make_user(s, "admin", email="admin@example.org"),
    }
    officer02, officer17 = people["officer02"], people["officer17"]
    r02 = make_returnee(s, officer02, trafficking_survivor=True, **SECRET_02)
    r17 = make_returnee(s, officer17, home_province="17", trafficking_survivor=True, **SECRET_17)
    listing_a = make_listing(s, people["employer_a"], title="Sewing operator A", positions=10)
    listing_b = make_listing(s, people["employer_b"], title="Bricklayer B", provinces=("17",))
    incentive = make_incentive(s, people["admin"])
    referral_a = referrals.refer(s, Actor.of(officer02), r02.id, listing_a.id)
    referral_b17 = referrals.refer(s, Actor.of(officer17), r17.id, listing_b.id)
    s.commit()
    start = local_today() - timedelta(days=100)
    placement_02 = make_placement(s, officer02, people["employer_a"], start, given_name="Placed")
    placement_17 = make_placement(
        s, officer17, people["employer_b"], start, home_province="17", given_name="Placed"
    )
    erasure = privacy.request_erasure(
        s, Actor.of(officer02), placement_02.returnee_id, "person_asked"
    )
    run = ImportRun(
        source="jobs-board", kind="job", filename="feed.csv", status="succeeded", started_by="x"
    )
    s.add(run)
    option = SafeMigrationOption(kind="resource_centre", name="MRC Battambang", province="02")
    s.add(option)
    s.commit()
    return World(
        users=people,
        r02=r02,
        r17=r17,
        listing_a=listing_a,
        listing_b=listing_b,
        incentive=incentive,
        referral_a=referral_a,
        referral_b17=referral_b17,
        placement_02=placement_02,
        placement_17=placement_17,
        follow_up_02=_open_follow_up(s, placement_02),
        follow_up_17=_open_follow_up(s, placement_17),
        erasure_02=erasure,
        import_run=run,
        extra={"option": option},
    )


def session_for(app: Flask, db_session: Session, user: User) -> FlaskClient:
    """A browser already logged in as `user` (a real server-side session, no password check)."""
    token = users.start_login_session(db_session, user, "127.0.0.1")
    db_session.commit()
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
    return client


@pytest.fixture
def browsers(app: Flask, db_session: Session, world: World) -> dict[str, FlaskClient]:
    """A client per role; anonymous has no session."""
    clients = {role: session_for(app, db_session, user) for role, user in world.users.items()}
    clients["anonymous"] = app.test_client()
    return clients


@pytest.fixture
def tokens(db_session: Session, world: World) -> dict[str, dict[str, str]]:
    """Bearer headers per role; anonymous sends none."""
    headers = {"anonymous": {}}
    for role, user in world.users.items():
        token = users.create_token(db_session, Actor.system("test"), user.email)
        headers[role] = {"Authorization": f"Bearer {token}"}
        world.extra.setdefault("token_ids", {})[role] = db_session.scalar(
            select(ApiToken.id).where(ApiToken.user_id == user.id)
        )
    db_session.commit()
    return headers


def form_token(client: FlaskClient) -> str:
    """A CSRF token for this client's session (from a page every role, or nobody, may open)."""
    with client.session_transaction() as cookie:
        logged_in = "_user_id" in cookie
    page = client.get("/account/password" if logged_in else "/login")
    match = CSRF.search(page.get_data(as_text=True))
    assert match, "no CSRF token"
    return match.group(1)


def fingerprint(session: Session) -> str:
    """A digest of every business row, to prove a refused request changed nothing."""
    digest = hashlib.sha256()
    connection = session.bind  # straight on the test's connection: no savepoint of its own
    for table in Base.metadata.sorted_tables:
        if table.name in BOOKKEEPING:
            continue
        columns = [c for c in table.columns if c.name not in {"last_seen_at", "locale"}]
        rows = connection.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        digest.update(table.name.encode())
        digest.update(json.dumps([list(r) for r in rows], default=str).encode())
    return digest.hexdigest()
