"""/api/v1/listings as employers, officers, admins and managers use it, refusals included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import Listing, User
from tests.builders import in_days, listing_json, make_listing, make_user

URL = "/api/v1/listings"
Bearer = Callable[[User], dict[str, str]]


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Listing)) or 0


@pytest.fixture
def employer(db_session: Session) -> User:
    return make_user(db_session, "employer", employer="Angkor Garments")


@pytest.fixture
def other_employer(db_session: Session) -> User:
    return make_user(db_session, "employer", employer="Bayon Builders")


def test_employer_posts_edits_and_closes_an_opening(
    client: FlaskClient, employer: User, bearer: Bearer
) -> None:
    headers = bearer(employer)
    created = client.post(URL, json=listing_json(), headers=headers)
    assert created.status_code == 201, created.json
    body = created.json
    assert body["employer"] == "Angkor Garments" and body["source"] == "posted"
    assert (body["province"], body["district"], body["positions"]) == ("02", "Battambang", 12)
    assert (body["wage_min_usd"], body["wage_max_usd"]) == (250, 300)
    assert body["skills"] == ["sewing", "overlock machine"] and body["languages"] == ["km"]
    assert body["employment_type"] == "full_time" and body["status"] == "open"
    assert body["valid_through"] == listing_json()["valid_through"]

    url = f"{URL}/{body['id']}"
    edited = client.patch(url, json={"positions": 20, "skills": ["sewing"]}, headers=headers)
    assert edited.status_code == 200, edited.json
    assert (edited.json["positions"], edited.json["skills"]) == (20, ["sewing"])
    closed = client.patch(url, json={"status": "closed"}, headers=headers)
    assert (closed.status_code, closed.json["status"]) == (200, "closed")
    assert closed.json["closed_reason"] == "closed_by_user"
    assert client.get(url, headers=headers).json["status"] == "closed"


def test_employer_lists_only_its_own_listings_in_any_status(
    client: FlaskClient, db_session: Session, employer: User, other_employer: User, bearer: Bearer
) -> None:
    mine = make_listing(db_session, employer, title="Sewer")
    make_listing(db_session, other_employer, title="Mason")
    officer = make_user(db_session)
    make_listing(db_session, officer, title="Cook", employer="Riverside Hotel")
    listed = client.get(URL, query_string={"status": "all"}, headers=bearer(employer)).json
    assert [item["id"] for item in listed["items"]] == [mine.id]
    assert listed["total"] == 1


@pytest.mark.parametrize("action", ["read", "patch", "close"])
def test_another_employers_listing_is_404(
    client: FlaskClient,
    db_session: Session,
    employer: User,
    other_employer: User,
    bearer: Bearer,
    action: str,
) -> None:
    theirs = make_listing(db_session, other_employer)
    url, headers = f"{URL}/{theirs.id}", bearer(employer)
    if action == "read":
        response = client.get(url, headers=headers)
    elif action == "patch":
        response = client.patch(url, json={"title": "Mine"}, headers=headers)
    else:
        response = client.patch(url, json={"status": "closed"}, headers=headers)
    assert response.status_code == 404
    db_session.expire_all()
    assert (theirs.title, theirs.status) == ("Welder", "open")


def test_employer_cannot_post_an_incentive(
    client: FlaskClient, db_session: Session, employer: User, bearer: Bearer
) -> None:
    body = {
        "kind": "incentive",
        "title": "Chicken raising grant",
        "programme": "Border Livelihoods",
        "benefit": "50 chicks",
        "provinces": ["02"],
        "valid_through": in_days(30).isoformat(),
    }
    response = client.post(URL, json=body, headers=bearer(employer))
    assert response.status_code == 403
    assert _count(db_session) == 0


def test_employer_cannot_post_for_another_employer(
    client: FlaskClient, db_session: Session, employer: User, bearer: Bearer
) -> None:
    response = client.post(
        URL, json=listing_json(employer="Bayon Builders"), headers=bearer(employer)
    )
    assert response.status_code == 422
    assert "employer" in response.json["errors"]["json"]
    assert _count(db_session) == 0


@pytest.mark.parametrize(
    "extra",
    [{"source": "cambodiajobs"}, {"id": 1}, {"status": "closed"}, {"duplicate_of_id": 1}],
    ids=lambda extra: next(iter(extra)),
)
def test_mass_assignment_on_create_is_refused(
    client: FlaskClient, db_session: Session, employer: User, bearer: Bearer, extra: dict[str, Any]
) -> None:
    response = client.post(URL, json=listing_json(**extra), headers=bearer(employer))
    assert response.status_code == 422
    assert next(iter(extra)) in response.json["errors"]["json"]
    assert _count(db_session) == 0


def test_mass_assignment_of_source_on_patch_is_refused(
    client: FlaskClient, db_session: Session, employer: User, bearer: Bearer
) -> None:
    listing = make_listing(db_session, employer)
    response = client.patch(
        f"{URL}/{listing.id}", json={"source": "cambodiajobs"}, headers=bearer(employer)
    )
    assert response.status_code == 422
    db_session.expire_all()
    assert listing.source == "posted"


BAD_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown province", {"province": "99"}, "province"),
    ("negative wage", {"wage_min_usd": -5}, "wage_min_usd"),
    ("absurd wage", {"wage_max_usd": 5_000_000}, "wage_max_usd"),
    ("wage range upside down", {"wage_min_usd": 400, "wage_max_usd": 300}, "wage_max_usd"),
    ("closing date passed", {"valid_through": in_days(-2).isoformat()}, "valid_through"),
    ("no title", {"title": ""}, "title"),
    ("unknown employment type", {"employment_type": "slavery"}, "employment_type"),
    ("zero positions", {"positions": 0}, "positions"),
    ("unknown language", {"languages": ["xx"]}, "languages"),
]


@pytest.mark.parametrize(("case", "changes", "field"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_invalid_listing_is_422_naming_the_field(
    client: FlaskClient,
    db_session: Session,
    employer: User,
    bearer: Bearer,
    case: str,
    changes: dict[str, Any],
    field: str,
) -> None:
    response = client.post(URL, json=listing_json(**changes), headers=bearer(employer))
    assert response.status_code == 422, case
    assert field in response.json["errors"]["json"]
    assert _count(db_session) == 0


def test_officer_posts_a_job_naming_the_employer_and_an_incentive(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    headers = bearer(officer)
    missing = client.post(URL, json=listing_json(), headers=headers)
    assert missing.status_code == 422 and "employer" in missing.json["errors"]["json"]
    job = client.post(URL, json=listing_json(employer="Riverside Hotel"), headers=headers)
    assert job.status_code == 201 and job.json["employer"] == "Riverside Hotel"
    incentive = client.post(
        URL,
        json={
            "kind": "incentive",
            "title": "Chicken raising grant",
            "programme": "Border Livelihoods",
            "benefit": "50 chicks and feed",
            "provinces": [],
            "skills": ["chicken raising"],
            "eligibility": {"returned_within_months": 12, "min_age": 18},
            "valid_through": in_days(30).isoformat(),
        },
        headers=headers,
    )
    assert incentive.status_code == 201, incentive.json
    assert incentive.json["nationwide"] is True
    assert incentive.json["eligibility"]["returned_within_months"] == 12


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_browse_by_kind_province_and_skill(
    client: FlaskClient, db_session: Session, bearer: Bearer, role: str
) -> None:
    poster = make_user(db_session)
    welder = make_listing(db_session, poster)
    cook = make_listing(db_session, poster, title="Cook", provinces=("07",), skills=("cooking",))
    closed = make_listing(db_session, poster, title="Night Welder")
    closed.status = "closed"
    duplicate = make_listing(db_session, poster, title="Welder")
    duplicate.duplicate_of_id = welder.id
    db_session.commit()
    headers = bearer(make_user(db_session, role))

    def ids(**query: str) -> list[int]:
        response = client.get(URL, query_string=query, headers=headers)
        assert response.status_code == 200, response.json
        return sorted(item["id"] for item in response.json["items"])

    assert ids() == sorted([welder.id, cook.id])
    assert ids(kind="job", province="07") == [cook.id]
    assert ids(skill="weld") == [welder.id]
    assert ids(kind="incentive") == []
    assert ids(status="closed") == [closed.id]
    assert client.get(URL, query_string={"province": "Kampot"}, headers=headers).status_code == 422


def test_managers_are_refused_listings(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    headers = bearer(make_user(db_session, "manager"))
    listing = make_listing(db_session, make_user(db_session))
    assert client.get(URL, headers=headers).status_code == 403
    assert client.get(f"{URL}/{listing.id}", headers=headers).status_code == 403
    assert client.post(URL, json=listing_json(), headers=headers).status_code == 403


def test_without_a_token_listings_are_401(client: FlaskClient) -> None:
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=listing_json()).status_code == 401


def test_an_officer_cannot_repoint_an_employers_listing_or_rewrite_it(
    client: FlaskClient,
    db_session: Session,
    employer: User,
    other_employer: User,
    officer: User,
    bearer: Bearer,
) -> None:
    """The attack: re-pointing a listing would show its referrals to another employer."""
    from reintegrate.models import Referral
    from reintegrate.services import referrals
    from reintegrate.services.access import Actor
    from tests.builders import make_returnee

    listing = make_listing(db_session, employer, title="Sewer")
    returnee = make_returnee(db_session, officer)
    referrals.refer(db_session, Actor.of(officer), returnee.id, listing.id)
    db_session.commit()
    url = f"{URL}/{listing.id}"
    for user in (officer, make_user(db_session, "admin")):
        for body in ({"employer": "Bayon Builders"}, {"title": "Gone"}, {"description": "x"}):
            response = client.patch(url, json=body, headers=bearer(user))
            assert response.status_code == 403, (body, response.json)
    db_session.expire_all()
    assert (listing.employer_name, listing.title) == ("Angkor Garments", "Sewer")
    theirs = client.get("/api/v1/referrals", headers=bearer(other_employer)).json
    assert theirs["total"] == 0
    assert db_session.scalar(select(func.count()).select_from(Referral)) == 1


def test_an_employer_cannot_move_its_listing_to_another_employer(
    client: FlaskClient, db_session: Session, employer: User, bearer: Bearer
) -> None:
    listing = make_listing(db_session, employer)
    response = client.patch(
        f"{URL}/{listing.id}", json={"employer": "Bayon Builders"}, headers=bearer(employer)
    )
    assert response.status_code == 422
    assert list(response.json["errors"]["json"]) == ["employer"]
    db_session.expire_all()
    assert listing.employer_name == "Angkor Garments"
