"""Fields a caller must not set: refused as unknown (API) or ignored (forms), never applied."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import Listing, Referral, Returnee, User
from reintegrate.timeutil import local_today
from tests.builders import in_days, listing_json, returnee_json
from tests.security.conftest import World, fingerprint, form_token

SMUGGLED_RETURNEE = {
    "id": 999,
    "case_number": "KH02-1999-999999",
    "status": "placed",
    "registered_by_id": 1,
    "created_by": 1,
    "created_at": "2020-01-01T00:00:00",
    "erased_at": "2020-01-01T00:00:00",
    "phone_key": "x",
    "role": "admin",
}
SMUGGLED_LISTING = {
    "id": 999,
    "employer_id": 1,
    "source": "official-feed",
    "created_by_id": 1,
    "identity_key": "posted:x",
    "duplicate_of_id": 1,
    "closed_reason": "filled",
}


def _unknown(response: Any, field: str) -> bool:
    body = response.get_json() or {}
    errors = body.get("errors", {})
    flat = {
        k: v
        for location in errors.values()
        if isinstance(location, dict)
        for k, v in location.items()
    }
    return response.status_code == 422 and "Unknown field." in flat.get(field, [])


@pytest.mark.parametrize(("field", "value"), sorted(SMUGGLED_RETURNEE.items()))
def test_registration_refuses_fields_the_registry_sets(
    field: str,
    value: Any,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    before = fingerprint(db_session)
    response = browsers["anonymous"].post(
        "/api/v1/returnees",
        json=returnee_json(given_name="Smuggler", **{field: value}),
        headers=tokens["officer02"],
    )
    assert _unknown(response, field), response.get_json()
    assert fingerprint(db_session) == before


@pytest.mark.parametrize(
    ("field", "value"),
    sorted((k, v) for k, v in SMUGGLED_RETURNEE.items() if k != "status"),
)
def test_returnee_update_refuses_fields_the_registry_sets(
    field: str,
    value: Any,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    before = fingerprint(db_session)
    response = browsers["anonymous"].patch(
        f"/api/v1/returnees/{world.r02.id}", json={field: value}, headers=tokens["officer02"]
    )
    assert _unknown(response, field), response.get_json()
    assert fingerprint(db_session) == before


def test_an_officer_cannot_move_a_returnee_out_of_their_provinces(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    before = fingerprint(db_session)
    response = browsers["anonymous"].patch(
        f"/api/v1/returnees/{world.r02.id}",
        json={"home_province": "17"},
        headers=tokens["officer02"],
    )
    assert response.status_code == 422 and "home_province" in response.get_json()["errors"]["json"]
    assert fingerprint(db_session) == before
    response = browsers["anonymous"].post(
        "/api/v1/returnees", json=returnee_json(home_province="17"), headers=tokens["officer02"]
    )
    assert response.status_code == 422
    assert fingerprint(db_session) == before


def test_the_registration_form_ignores_fields_it_does_not_have(
    world: World, browsers: dict[str, FlaskClient], db_session: Session
) -> None:
    client = browsers["officer02"]
    response = client.post(
        "/returnees/new",
        data={
            "given_name": "Formsmuggler",
            "family_name": "Keo",
            "sex": "male",
            "date_of_birth": "1990-01-01",
            "home_province": "02",
            "return_date": "2026-05-01",
            "destination_country": "TH",
            "decision": "new",
            "case_number": "KH02-1999-999999",
            "status": "placed",
            "registered_by_id": str(world.users["officer17"].id),
            "id": "999",
            "erased_at": "2020-01-01",
            "csrf_token": form_token(client),
        },
    )
    assert response.status_code == 302
    row = db_session.scalars(select(Returnee).where(Returnee.given_name == "Formsmuggler")).one()
    assert row.case_number != "KH02-1999-999999" and row.case_number.startswith("KH02-")
    assert row.status == "seeking" and row.id != 999 and row.erased_at is None
    assert row.registered_by_id == world.users["officer02"].id


def test_the_edit_form_cannot_change_the_case_number_or_move_out_of_scope(
    world: World, browsers: dict[str, FlaskClient], db_session: Session
) -> None:
    client = browsers["officer02"]
    values = {
        "given_name": world.r02.given_name,
        "family_name": world.r02.family_name,
        "sex": world.r02.sex,
        "date_of_birth": world.r02.date_of_birth.isoformat(),
        "home_province": "02",
        "return_date": world.r02.return_date.isoformat(),
        "destination_country": "TH",
        "case_number": "KH02-1999-999999",
        "registered_by_id": str(world.users["officer17"].id),
        "csrf_token": form_token(client),
    }
    case_number = world.r02.case_number
    assert client.post(f"/returnees/{world.r02.id}/edit", data=values).status_code == 302
    db_session.expire_all()
    row = db_session.get(Returnee, world.r02.id)
    assert row.case_number == case_number
    assert row.registered_by_id == world.users["officer02"].id
    before = fingerprint(db_session)
    response = client.post(
        f"/returnees/{world.r02.id}/edit", data={**values, "home_province": "17"}
    )
    assert response.status_code == 422
    assert fingerprint(db_session) == before


@pytest.mark.parametrize(("field", "value"), sorted(SMUGGLED_LISTING.items()))
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_listing_writes_refuse_bookkeeping_fields(
    field: str,
    value: Any,
    method: str,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    before = fingerprint(db_session)
    if method == "POST":
        url, body = "/api/v1/listings", listing_json(**{field: value})
    else:
        url, body = f"/api/v1/listings/{world.listing_a.id}", {field: value}
    response = browsers["anonymous"].open(
        url, method=method, json=body, headers=tokens["employer_a"]
    )
    assert _unknown(response, field), response.get_json()
    assert fingerprint(db_session) == before


def test_an_employer_cannot_post_or_edit_for_another_employer(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    api, headers = browsers["anonymous"], tokens["employer_a"]
    before = fingerprint(db_session)
    posted = api.post(
        "/api/v1/listings", json=listing_json(employer="Bayon Builders"), headers=headers
    )
    assert posted.status_code == 422 and "employer" in posted.get_json()["errors"]["json"]
    patched = api.patch(
        f"/api/v1/listings/{world.listing_a.id}",
        json={"employer": "Bayon Builders"},
        headers=headers,
    )
    assert patched.status_code == 422
    incentive = api.post(
        "/api/v1/listings",
        json={
            "kind": "incentive",
            "title": "Free money",
            "programme": "Fake",
            "provinces": [],
            "skills": [],
            "benefit": "x",
            "valid_through": in_days(30).isoformat(),
        },
        headers=headers,
    )
    assert incentive.status_code == 403
    assert fingerprint(db_session) == before
    # Through the form, too: the employer named on the form must be the account's own.
    client = browsers["employer_a"]
    form = {
        "title": "Cutter",
        "employer": "Bayon Builders",
        "province": "02",
        "skills": "sewing",
        "employment_type": "full_time",
        "valid_through": in_days(30).isoformat(),
        "source": "official-feed",
        "employer_id": str(world.users["employer_b"].employer_id),
        "csrf_token": form_token(client),
    }
    assert client.post("/listings/new", data=form).status_code == 422
    assert (
        client.post("/listings/new?kind=incentive", data={**form, "employer": ""}).status_code
        == 302
    )
    created = db_session.scalars(select(Listing).order_by(Listing.id.desc())).first()
    assert created.kind == "job" and created.source != "official-feed"
    assert created.employer_id == world.users["employer_a"].employer_id
    assert created.created_by_id == world.users["employer_a"].id


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/referrals", {"status": "hired"}, "status"),
        ("/api/v1/referrals", {"referred_by_id": 1}, "referred_by_id"),
        ("/api/v1/referrals", {"placement_id": 1}, "placement_id"),
        ("/api/v1/enrolments", {"status": "ended"}, "status"),
        ("/api/v1/enrolments", {"province": "17"}, "province"),
        ("/api/v1/enrolments", {"created_by_id": 1}, "created_by_id"),
    ],
)
def test_referral_and_enrolment_refuse_fields_the_service_sets(
    url: str,
    body: dict[str, Any],
    field: str,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    base: dict[str, Any] = {"returnee_id": world.r02.id}
    if url.endswith("referrals"):
        base["listing_id"] = world.listing_b.id
    else:
        base.update(listing_id=world.incentive.id, start_date=local_today().isoformat())
    before = fingerprint(db_session)
    response = browsers["anonymous"].post(url, json={**base, **body}, headers=tokens["officer02"])
    assert _unknown(response, field), response.get_json()
    assert fingerprint(db_session) == before


@pytest.mark.parametrize(
    "body",
    [
        {"status": "interview", "returnee_id": 1},
        {"status": "interview", "listing_id": 1},
        {"status": "interview", "referred_by_id": 1},
        {"status": "referred"},
    ],
)
def test_referral_answer_changes_only_the_status(
    body: dict[str, Any],
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    before = fingerprint(db_session)
    response = browsers["anonymous"].patch(
        f"/api/v1/referrals/{world.referral_a.id}", json=body, headers=tokens["employer_a"]
    )
    assert response.status_code == 422
    assert fingerprint(db_session) == before


def test_an_employer_cannot_withdraw_and_the_form_ignores_other_fields(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    before = fingerprint(db_session)
    response = browsers["anonymous"].patch(
        f"/api/v1/referrals/{world.referral_a.id}",
        json={"status": "withdrawn"},
        headers=tokens["employer_a"],
    )
    assert response.status_code == 403
    assert fingerprint(db_session) == before
    client = browsers["employer_a"]
    response = client.post(
        f"/referrals/{world.referral_a.id}/status",
        data={
            "status": "interview",
            "returnee_id": str(world.r17.id),
            "listing_id": str(world.listing_b.id),
            "csrf_token": form_token(client),
        },
    )
    assert response.status_code == 302
    db_session.expire_all()
    referral = db_session.get(Referral, world.referral_a.id)
    assert (referral.status, referral.returnee_id, referral.listing_id) == (
        "interview",
        world.r02.id,
        world.listing_a.id,
    )


@pytest.mark.parametrize("field", ["follow_up_id", "recorded_by_id", "recorded_at", "id"])
def test_an_outcome_refuses_fields_the_service_sets(
    field: str,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    before = fingerprint(db_session)
    response = browsers["anonymous"].post(
        f"/api/v1/followups/{world.follow_up_02.id}/outcome",
        json={"contacted_on": local_today().isoformat(), "status": "employed_same", field: 1},
        headers=tokens["officer02"],
    )
    assert _unknown(response, field), response.get_json()
    assert fingerprint(db_session) == before


def test_the_outcome_form_cannot_point_at_another_follow_up(
    world: World, browsers: dict[str, FlaskClient], db_session: Session
) -> None:
    client = browsers["officer02"]
    before = fingerprint(db_session)
    response = client.post(
        f"/followups/{world.follow_up_02.id}",
        data={
            "contacted_on": local_today().isoformat(),
            "status": "employed_same",
            "follow_up_id": str(world.follow_up_17.id),
            "csrf_token": form_token(client),
        },
    )
    # The form posts only its own fields; anything else is invalid and nothing is written.
    assert response.status_code == 422
    assert fingerprint(db_session) == before


@pytest.mark.parametrize("field", ["role", "active", "email", "employer_id", "provinces"])
def test_account_forms_never_change_role_or_scope(
    field: str, world: World, browsers: dict[str, FlaskClient], db_session: Session
) -> None:
    client = browsers["employer_a"]
    token = form_token(client)
    client.post(
        "/account/password",
        data={
            "current_password": "wrong",
            "new_password": "short",
            field: "admin",
            "csrf_token": token,
        },
    )
    client.post("/language", data={"lang": "km", field: "admin", "csrf_token": token})
    db_session.expire_all()
    user = db_session.get(User, world.users["employer_a"].id)
    assert user.role == "employer" and user.active and user.email == "employer.a@example.org"
    assert user.employer_id == world.users["employer_a"].employer_id and user.provinces == set()


def test_the_import_form_refuses_unknown_fields(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    import io

    from tests.builders import job_board_csv

    before = fingerprint(db_session)
    response = browsers["anonymous"].post(
        "/api/v1/imports",
        data={
            "source": "x",
            "started_by": "someone-else@example.org",
            "file": (io.BytesIO(job_board_csv(1)), "f.csv"),
        },
        headers=tokens["admin"],
        content_type="multipart/form-data",
    )
    assert _unknown(response, "started_by"), response.get_json()
    assert fingerprint(db_session) == before


@pytest.mark.parametrize(
    ("role", "url", "leak"),
    [
        ("officer02", "/api/v1/returnees?province=17", "r17"),
        ("officer02", "/api/v1/returnees?q=Bopharith", "r17"),
        ("officer02", "/api/v1/returnees?q=KH17", "r17"),
        ("officer02", "/api/v1/followups?province=17&status=scheduled,due,overdue", "p17"),
        ("officer02", "/api/v1/referrals?returnee_id={r17}", "ref17"),
        ("employer_a", "/api/v1/listings?employer_id={emp_b}&status=all", "lb"),
        ("employer_a", "/api/v1/referrals?listing_id={lb}", "ref17"),
    ],
)
def test_query_filters_never_widen_the_scope(
    role: str,
    url: str,
    leak: str,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    url = url.format(
        r17=world.r17.id, emp_b=world.users["employer_b"].employer_id, lb=world.listing_b.id
    )
    response = browsers["anonymous"].get(url, headers=tokens[role])
    assert response.status_code in (200, 422)
    text = response.get_data(as_text=True)
    for secret in ("Bopharith", "088 777 1717", world.r17.case_number, "Bricklayer B"):
        assert secret not in text


def test_nothing_was_created_by_the_refused_registrations(
    db_session: Session, world: World
) -> None:
    assert db_session.scalar(select(func.count()).select_from(Returnee)) == 4
