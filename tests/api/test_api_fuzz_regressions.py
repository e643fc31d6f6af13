"""Requests schemathesis found answered with 500 (or off the documented contract)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from reintegrate.models import User
from tests.builders import make_listing, make_returnee, make_user, returnee_json

Bearer = Callable[[User], dict[str, str]]
TOO_BIG = 2**70


def test_blank_optional_text_is_none_not_a_500(
    client: FlaskClient, bearer: Bearer, officer: User
) -> None:
    # Text turned "" into None, then its Length validator measured None: TypeError, 500.
    response = client.post(
        "/api/v1/returnees", json=returnee_json(notes="", district="  "), headers=bearer(officer)
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["notes"] is None and body["district"] is None


def test_blank_referral_note_is_accepted(
    client: FlaskClient, db_session: Session, bearer: Bearer, officer: User
) -> None:
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    returnee = make_returnee(db_session, officer)
    listing = make_listing(db_session, employer)
    response = client.post(
        "/api/v1/referrals",
        json={"returnee_id": returnee.id, "listing_id": listing.id, "note": ""},
        headers=bearer(officer),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["note"] is None


def test_lone_surrogate_in_text_is_422(client: FlaskClient, bearer: Bearer, officer: User) -> None:
    body = '{"given_name": "\\ud800"}'
    response = client.patch(
        f"/api/v1/returnees/{make_returnee_id(client, bearer, officer)}",
        data=body,
        content_type="application/json",
        headers=bearer(officer),
    )
    assert response.status_code == 422
    assert "given_name" in response.get_json()["errors"]["json"]


def make_returnee_id(client: FlaskClient, bearer: Bearer, officer: User) -> int:
    response = client.post("/api/v1/returnees", json=returnee_json(), headers=bearer(officer))
    assert response.status_code == 201
    return int(response.get_json()["id"])


@pytest.mark.parametrize("path", ["/api/v1/referrals", "/api/v1/enrolments"])
def test_ids_beyond_the_integer_range_are_422(
    client: FlaskClient, bearer: Bearer, officer: User, path: str
) -> None:
    # Were passed to SQLite: "Python int too large to convert to SQLite INTEGER", 500.
    body = {"returnee_id": TOO_BIG, "listing_id": 1, "start_date": "2026-01-01"}
    response = client.post(path, json=body, headers=bearer(officer))
    assert response.status_code == 422
    assert "returnee_id" in response.get_json()["errors"]["json"]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/returnees/{TOO_BIG}",
        f"/api/v1/returnees/{TOO_BIG}/matches",
        f"/api/v1/listings/{TOO_BIG}",
        f"/api/v1/placements/{TOO_BIG}",
        f"/api/v1/imports/{TOO_BIG}",
    ],
)
def test_path_ids_beyond_the_integer_range_are_404(
    client: FlaskClient, bearer: Bearer, officer: User, path: str
) -> None:
    response = client.get(path, headers=bearer(officer))
    assert response.status_code == 404
    assert response.is_json


def test_query_ids_beyond_the_integer_range_are_422(
    client: FlaskClient, bearer: Bearer, officer: User
) -> None:
    response = client.get(f"/api/v1/referrals?returnee_id={TOO_BIG}", headers=bearer(officer))
    assert response.status_code == 422


def test_405_names_the_allowed_methods(client: FlaskClient, bearer: Bearer, officer: User) -> None:
    response = client.delete("/api/v1/followups", headers=bearer(officer))
    assert response.status_code == 405
    assert response.is_json
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET"}


def test_patch_without_a_body_is_422_but_an_empty_object_is_fine(
    client: FlaskClient, bearer: Bearer, officer: User
) -> None:
    returnee_id = make_returnee_id(client, bearer, officer)
    missing = client.patch(f"/api/v1/returnees/{returnee_id}", headers=bearer(officer))
    assert missing.status_code == 422
    empty = client.patch(f"/api/v1/returnees/{returnee_id}", json={}, headers=bearer(officer))
    assert empty.status_code == 200


def test_patch_may_change_one_consent_purpose(
    client: FlaskClient, bearer: Bearer, officer: User
) -> None:
    returnee_id = make_returnee_id(client, bearer, officer)
    before = client.get(f"/api/v1/returnees/{returnee_id}", headers=bearer(officer)).get_json()
    response = client.patch(
        f"/api/v1/returnees/{returnee_id}",
        json={"consent": {"research": not before["consent"]["research"]}},
        headers=bearer(officer),
    )
    assert response.status_code == 200
    consent = response.get_json()["consent"]
    assert consent["research"] is not before["consent"]["research"]
    assert consent["referral"] is before["consent"]["referral"]


def test_openapi_numbers_are_numbers(client: FlaskClient) -> None:
    # Decimal bounds were written as strings ("20000.00"): an invalid OpenAPI document.
    spec = client.get("/api/v1/openapi.json").get_json()
    wage = spec["components"]["schemas"]["ListingCreate"]["properties"]["wage_min_usd"]
    income = spec["components"]["schemas"]["Outcome"]["properties"]["monthly_income_usd"]
    assert (wage["minimum"], wage["maximum"]) == (0, 20000)
    assert (income["minimum"], income["maximum"]) == (0, 10000)
