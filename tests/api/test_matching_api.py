"""/api/v1 matches, candidates and skill mappings, as the design's contract states them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from jobs_import import ListingRecord
from reintegrate.models import User
from reintegrate.services import listings
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today
from tests.builders import make_returnee, make_user, returnee_json

Bearer = Callable[[User], dict[str, str]]


def _welder_job(db_session: Session, officer: User) -> int:
    record = ListingRecord(
        row=0,
        kind="job",
        external_id=None,
        title="Welder",
        employer="Angkor Steel",
        provinces=("02",),
        skills=("welding", "bricklaying"),
        positions=1,
        valid_through=local_today() + timedelta(days=20),
    )
    listing = listings.create_listing(db_session, Actor.of(officer), record)
    db_session.commit()
    return listing.id


def test_matches_answer_as_the_contract_says(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    listing_id = _welder_job(db_session, officer)
    returnee = make_returnee(db_session, officer, skills=("welding",))
    response = client.get(
        f"/api/v1/returnees/{returnee.id}/matches",
        query_string={"kind": "job", "limit": 5},
        headers=bearer(officer),
    )
    assert response.status_code == 200
    item = response.json["items"][0]
    assert item["listing"]["id"] == listing_id
    assert {"id", "kind", "title", "province"} <= set(item["listing"])
    assert 0 <= item["score"] <= 100
    names = [c["name"] for c in item["components"]]
    assert names == ["skills", "location", "languages", "eligibility", "interests"]
    skills = item["components"][0]
    assert 0 <= skills["value"] <= 1
    assert skills["reasons"][0]["code"] == "skills.covered"
    assert "has 1 of 2 required skills" in skills["reasons"][0]["text"]
    assert item["reasons"] and all(isinstance(r, str) for r in item["reasons"])


def test_match_reasons_follow_the_officers_language(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    _welder_job(db_session, officer)
    returnee = make_returnee(db_session, officer, skills=("welding",))
    officer.locale = "km"
    db_session.commit()
    item = client.get(f"/api/v1/returnees/{returnee.id}/matches", headers=bearer(officer)).json[
        "items"
    ][0]
    assert "ខេត្តដដែល (បាត់ដំបង)" in item["reasons"]


def test_matches_refusals(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    returnee = make_returnee(db_session, officer)
    url = f"/api/v1/returnees/{returnee.id}/matches"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(make_user(db_session, "employer"))).status_code == 403
    assert (
        client.get(url, headers=bearer(make_user(db_session, provinces=["17"]))).status_code == 404
    )
    headers = bearer(officer)
    assert client.get(url, query_string={"kind": "house"}, headers=headers).status_code == 422
    assert client.get(url, query_string={"limit": 0}, headers=headers).status_code == 422
    assert client.get(url, query_string={"limit": 1000}, headers=headers).status_code == 422


def test_registration_returns_normalised_skills(
    client: FlaskClient, officer: User, bearer: Bearer
) -> None:
    body = client.post(
        "/api/v1/returnees",
        json=returnee_json(skills=["weldng", "ការផ្សារដែក", "juggling"]),
        headers=bearer(officer),
    ).json
    codes = {s["text"]: s["code"] for s in body["normalised_skills"]}
    assert codes == {"weldng": "welding", "ការផ្សារដែក": "welding", "juggling": None}


def test_candidates_for_officers_only(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    listing_id = _welder_job(db_session, officer)
    welder = make_returnee(db_session, officer, skills=("welding",))
    url = f"/api/v1/listings/{listing_id}/candidates"
    response = client.get(url, headers=bearer(officer))
    assert response.status_code == 200
    first = response.json["items"][0]
    assert (
        first["returnee"]["id"] == welder.id
        and first["returnee"]["case_number"] == welder.case_number
    )
    for role in ("employer", "manager", "admin"):
        assert client.get(url, headers=bearer(make_user(db_session, role))).status_code == 403
    assert (
        client.get("/api/v1/listings/999999/candidates", headers=bearer(officer)).status_code == 404
    )


def test_admin_maps_an_unknown_phrase(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    make_returnee(db_session, officer, skills=("moto fixing",))
    admin = bearer(make_user(db_session, "admin"))
    unmapped = client.get("/api/v1/skills/unmapped", headers=admin).json
    entry = next(item for item in unmapped if item["phrase_key"] == "moto fixing")
    assert entry["returnees"] == 1 and entry["suggestions"]
    created = client.post(
        "/api/v1/skills/mappings",
        json={"phrase": "moto fixing", "code": "motorbike_repair"},
        headers=admin,
    )
    assert created.status_code == 201 and created.json["updated_rows"] == 1
    bad = client.post(
        "/api/v1/skills/mappings", json={"phrase": "moto fixing", "code": "nonsense"}, headers=admin
    )
    assert bad.status_code == 422 and "code" in bad.json["errors"]["json"]
    assert client.get("/api/v1/skills/unmapped", headers=bearer(officer)).status_code == 403
