"""The audit trail: who, when, what and which record for every view, write and export; no PII."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.db import utcnow
from reintegrate.models import AuditEntry, Listing, Placement, Referral, Returnee
from reintegrate.timeutil import local_today
from tests.builders import job_board_csv, listing_json, returnee_json
from tests.security.conftest import SECRET_02, SECRET_17, World, form_token

Call = Callable[[World, dict[str, FlaskClient], dict[str, dict[str, str]]], Any]


def _api(method: str, url: str, role: str, body: Any = None) -> Call:
    def call(w: World, browsers: dict[str, FlaskClient], tokens: dict[str, dict[str, str]]) -> Any:
        return browsers["anonymous"].open(
            url.format(w=w), method=method, json=body, headers=tokens[role]
        )

    return call


def _page(method: str, url: str, role: str, data: dict[str, Any] | None = None) -> Call:
    def call(w: World, browsers: dict[str, FlaskClient], tokens: dict[str, dict[str, str]]) -> Any:
        client = browsers[role]
        if method == "GET":
            return client.get(url.format(w=w))
        form = {k: v.format(w=w) if isinstance(v, str) else v for k, v in (data or {}).items()}
        return client.post(url.format(w=w), data={**form, "csrf_token": form_token(client)})

    return call


TODAY = local_today().isoformat()
NEW_RETURNEE_FORM = {
    "given_name": "Auditnew",
    "family_name": "Phan",
    "phone": "011 222 333",
    "sex": "female",
    "date_of_birth": "1991-01-01",
    "home_province": "02",
    "return_date": "2026-04-01",
    "destination_country": "TH",
    "consent_referral": "yes",
    "decision": "new",
}

# (what happens, role, request, expected (action, entity_type, entity id or a finder))
CASES: list[tuple[str, str, Call, str, str, Callable[[World, Session], int | None]]] = [
    (
        "view page",
        "officer02",
        _page("GET", "/returnees/{w.r02.id}", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "view edit form",
        "officer02",
        _page("GET", "/returnees/{w.r02.id}/edit", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "view API",
        "officer02",
        _api("GET", "/api/v1/returnees/{w.r02.id}", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "matches page",
        "officer02",
        _page("GET", "/returnees/{w.r02.id}/matches", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "matches API",
        "officer02",
        _api("GET", "/api/v1/returnees/{w.r02.id}/matches", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "candidates page",
        "officer02",
        _page("GET", "/listings/{w.listing_a.id}/candidates", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "candidates API",
        "officer02",
        _api("GET", "/api/v1/listings/{w.listing_a.id}/candidates", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "list page",
        "officer02",
        _page("GET", "/returnees", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "list API",
        "officer02",
        _api("GET", "/api/v1/returnees", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "name search API",
        "officer02",
        _api("GET", "/api/v1/returnees?q={w.r02.given_name}", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "officer's work list",
        "officer02",
        _page("GET", "/work", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.placement_02.returnee_id,
    ),
    (
        "follow-ups API",
        "officer02",
        _api("GET", "/api/v1/followups", "officer02"),
        "view",
        "returnee",
        lambda w, s: w.placement_02.returnee_id,
    ),
    (
        "employer's referrals page",
        "employer_a",
        _page("GET", "/referrals", "employer_a"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "employer's referrals API",
        "employer_a",
        _api("GET", "/api/v1/referrals", "employer_a"),
        "view",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "placement page",
        "officer02",
        _page("GET", "/placements/{w.placement_02.id}", "officer02"),
        "view",
        "placement",
        lambda w, s: w.placement_02.id,
    ),
    (
        "placement API",
        "officer02",
        _api("GET", "/api/v1/placements/{w.placement_02.id}", "officer02"),
        "view",
        "placement",
        lambda w, s: w.placement_02.id,
    ),
    (
        "follow-up page",
        "officer02",
        _page("GET", "/followups/{w.follow_up_02.id}", "officer02"),
        "view",
        "follow_up",
        lambda w, s: w.follow_up_02.id,
    ),
    (
        "export",
        "officer02",
        _page("GET", "/returnees/{w.r02.id}/export.json", "officer02"),
        "export",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "statistics CSV",
        "manager",
        _page("GET", "/dashboard/export/outcomes.csv", "manager"),
        "export",
        "statistics",
        lambda w, s: None,
    ),
    (
        "register API",
        "officer02",
        _api(
            "POST",
            "/api/v1/returnees",
            "officer02",
            returnee_json(given_name="Auditapi", phone="016 555 444"),
        ),
        "create",
        "returnee",
        lambda w, s: s.scalar(select(func.max(Returnee.id))),
    ),
    (
        "register page",
        "officer02",
        _page("POST", "/returnees/new", "officer02", NEW_RETURNEE_FORM),
        "create",
        "returnee",
        lambda w, s: s.scalar(select(func.max(Returnee.id))),
    ),
    (
        "update API",
        "officer02",
        _api("PATCH", "/api/v1/returnees/{w.r02.id}", "officer02", {"phone": "099 000 111"}),
        "update",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "update page",
        "officer02",
        _page(
            "POST",
            "/returnees/{w.r02.id}/edit",
            "officer02",
            {**NEW_RETURNEE_FORM, "given_name": "Renamed", "phone": "099 000 112"},
        ),
        "update",
        "returnee",
        lambda w, s: w.r02.id,
    ),
    (
        "listing create",
        "employer_a",
        _api("POST", "/api/v1/listings", "employer_a", listing_json()),
        "create",
        "listing",
        lambda w, s: s.scalar(select(func.max(Listing.id))),
    ),
    (
        "listing update",
        "employer_a",
        _api("PATCH", "/api/v1/listings/{w.listing_a.id}", "employer_a", {"title": "Cutter"}),
        "update",
        "listing",
        lambda w, s: w.listing_a.id,
    ),
    (
        "referral create",
        "officer02",
        _page(
            "POST",
            "/returnees/{w.r02.id}/referrals",
            "officer02",
            {"listing_id": "{w.listing_b.id}"},
        ),
        "create",
        "referral",
        lambda w, s: s.scalar(select(func.max(Referral.id))),
    ),
    (
        "referral answer",
        "employer_a",
        _api("PATCH", "/api/v1/referrals/{w.referral_a.id}", "employer_a", {"status": "interview"}),
        "update",
        "referral",
        lambda w, s: w.referral_a.id,
    ),
    (
        "enrolment",
        "officer02",
        _page(
            "POST",
            "/returnees/{w.r02.id}/enrolments",
            "officer02",
            {"listing_id": "{w.incentive.id}", "start_date": TODAY},
        ),
        "create",
        "placement",
        lambda w, s: s.scalar(select(func.max(Placement.id))),
    ),
    (
        "outcome",
        "officer02",
        _api(
            "POST",
            "/api/v1/followups/{w.follow_up_02.id}/outcome",
            "officer02",
            {"contacted_on": TODAY, "status": "employed_same", "notes": "Met at 097 555 0102"},
        ),
        "create",
        "outcome",
        lambda w, s: None,
    ),
    (
        "erasure request",
        "officer02",
        _page("POST", "/returnees/{w.r02.id}/erasure", "officer02", {"reason": "person_asked"}),
        "create",
        "erasure_request",
        lambda w, s: None,
    ),
]


def _new_rows(session: Session, after: int) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.id > after)))


@pytest.mark.parametrize(
    ("what", "role", "call", "action", "entity_type", "entity_id"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_each_view_write_and_export_is_audited(
    what: str,
    role: str,
    call: Call,
    action: str,
    entity_type: str,
    entity_id: Callable[[World, Session], int | None],
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    last = db_session.scalar(select(func.max(AuditEntry.id))) or 0
    started = utcnow() - timedelta(seconds=5)
    response = call(world, browsers, tokens)
    assert response.status_code in (200, 201, 302), response.get_data(as_text=True)[:300]
    rows = _new_rows(db_session, last)
    user = world.users[role]
    wanted_id = entity_id(world, db_session)
    matching = [
        r
        for r in rows
        if r.action == action
        and r.entity_type.startswith(entity_type.split("_")[0])
        and (wanted_id is None or r.entity_id == wanted_id)
    ]
    assert matching, f"{what}: no audit row {action} {entity_type} {wanted_id} in {rows}"
    row = matching[0]
    assert row.user_id == user.id and row.actor == user.email  # who
    assert started <= row.at <= utcnow() + timedelta(seconds=5)  # when
    assert row.ip  # from where
    _assert_no_personal_data(rows)


def _assert_no_personal_data(rows: list[AuditEntry]) -> None:
    secrets = [
        *SECRET_02.values(),
        *SECRET_17.values(),
        "Auditapi",
        "Auditnew",
        "Renamed",
        "016 555 444",
        "011 222 333",
        "099 000 111",
        "099 000 112",
        "Met at",
    ]
    secrets = [s for s in secrets if len(s) > 3]  # country codes are not personal data
    for row in rows:
        text = json.dumps(
            {"fields": row.fields, "detail": row.detail, "actor": row.actor}, ensure_ascii=False
        )
        for secret in secrets:
            assert secret not in text, (row.action, row.entity_type, secret)


def test_the_whole_trail_holds_no_personal_data(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    """Run every case above in one world, then read the whole trail."""
    for case in CASES:
        case[2](world, browsers, tokens)
    browsers["admin"].post(
        "/imports",
        data={
            "source": "audited-feed",
            "file": (io.BytesIO(job_board_csv(2)), "f.csv"),
            "csrf_token": form_token(browsers["admin"]),
        },
    )
    rows = _new_rows(db_session, 0)
    assert len(rows) > len(CASES)
    _assert_no_personal_data(rows)
    actions = {(r.action, r.entity_type) for r in rows}
    assert ("import", "import_run") in actions or any(a == "import" for a, _ in actions)


def test_refused_requests_write_no_view_rows(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    last = db_session.scalar(select(func.max(AuditEntry.id))) or 0
    browsers["officer17"].get(f"/returnees/{world.r02.id}")
    browsers["anonymous"].get(f"/api/v1/returnees/{world.r02.id}", headers=tokens["employer_a"])
    assert not [r for r in _new_rows(db_session, last) if r.action == "view"]


def test_admins_read_the_trail_and_nobody_else_does(
    world: World, browsers: dict[str, FlaskClient]
) -> None:
    browsers["officer02"].get(f"/returnees/{world.r02.id}")
    page = browsers["admin"].get(f"/admin/audit?entity_type=returnee&entity_id={world.r02.id}")
    assert page.status_code == 200 and "officer02@example.org" in page.get_data(as_text=True)
    for role in ("officer02", "officer17", "employer_a", "manager"):
        assert browsers[role].get("/admin/audit").status_code == 403
