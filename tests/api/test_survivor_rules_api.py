"""Survivors of trafficking are never matched or referred to a flagged listing or an
unverified employer, whoever asks; other people see the flag next to the match."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import Placement, Referral, User
from reintegrate.timeutil import local_today
from tests.builders import make_incentive, make_listing, make_returnee, make_user

Bearer = Callable[[User], dict[str, str]]
FEE = "Workers pay a deposit of $50 before the first shift."


def _referrals(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Referral)) or 0


def _world(db_session: Session):  # type: ignore[no-untyped-def]
    officer = make_user(db_session, provinces=["02"])
    verified = make_user(db_session, "employer", employer="Angkor Garments")
    unverified = make_user(
        db_session, "employer", employer="Golden Needle", employer_verified=False
    )
    safe = make_listing(db_session, verified, title="Welder A", skills=("welding",))
    flagged = make_listing(
        db_session, verified, title="Welder B", skills=("welding",), description=FEE
    )
    unchecked = make_listing(db_session, unverified, title="Welder C", skills=("welding",))
    survivor = make_returnee(db_session, officer, skills=("welding",), trafficking_survivor=True)
    other = make_returnee(db_session, officer, skills=("welding",), phone="011 222 333")
    return officer, safe, flagged, unchecked, survivor, other


def test_a_survivors_referral_to_a_flagged_listing_is_refused_naming_the_rule(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    officer, safe, flagged, unchecked, survivor, other = _world(db_session)
    headers = {**bearer(officer), "Accept-Language": "en"}
    for listing, rule in (
        (flagged, "survivor_flagged_listing"),
        (unchecked, "survivor_unverified_employer"),
    ):
        answer = client.post(
            "/api/v1/referrals",
            json={"returnee_id": survivor.id, "listing_id": listing.id},
            headers=headers,
        )
        assert answer.status_code == 409, answer.json
        assert answer.json["rule"] == rule and "survivor of trafficking" in answer.json["message"]
    assert _referrals(db_session) == 0
    khmer = client.post(
        "/api/v1/referrals",
        json={"returnee_id": survivor.id, "listing_id": flagged.id},
        headers={**bearer(officer), "Accept-Language": "km"},
    )
    assert khmer.json["rule"] == "survivor_flagged_listing"
    assert "survivor" not in khmer.json["message"]
    ok = client.post(
        "/api/v1/referrals",
        json={"returnee_id": survivor.id, "listing_id": safe.id},
        headers=headers,
    )
    assert ok.status_code == 201
    for listing in (flagged, unchecked):
        assert (
            client.post(
                "/api/v1/referrals",
                json={"returnee_id": other.id, "listing_id": listing.id},
                headers=headers,
            ).status_code
            == 201
        )


def test_a_survivors_enrolment_in_a_flagged_programme_is_refused(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    officer = make_user(db_session, provinces=["02"])
    admin = make_user(db_session, "admin")
    programme = make_incentive(
        db_session, admin, benefit="$300 grant; a registration fee of $20 is paid first"
    )
    survivor = make_returnee(db_session, officer, trafficking_survivor=True)
    answer = client.post(
        "/api/v1/enrolments",
        json={"returnee_id": survivor.id, "listing_id": programme.id, "start_date": "2026-06-01"},
        headers=bearer(officer),
    )
    assert answer.status_code == 409 and answer.json["rule"] == "survivor_flagged_listing"
    assert db_session.scalar(select(func.count()).select_from(Placement)) == 0


def test_survivors_never_see_flagged_matches_and_others_see_the_flag(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    officer, safe, flagged, unchecked, survivor, other = _world(db_session)
    headers = bearer(officer)

    def matches(person_id: int) -> dict[int, list[str]]:
        items = client.get(
            f"/api/v1/returnees/{person_id}/matches",
            query_string={"kind": "job"},
            headers=headers,
        ).json["items"]
        return {i["listing"]["id"]: [f["code"] for f in i["listing"]["flags"]] for i in items}

    assert matches(survivor.id) == {safe.id: []}
    seen = matches(other.id)
    assert seen[safe.id] == [] and seen[flagged.id] == ["worker_fee"]
    assert seen[unchecked.id] == ["employer_unverified"]

    def candidates(listing_id: int) -> set[int]:
        items = client.get(f"/api/v1/listings/{listing_id}/candidates", headers=headers).json[
            "items"
        ]
        return {i["returnee"]["id"] for i in items}

    assert candidates(safe.id) == {survivor.id, other.id}
    assert candidates(flagged.id) == {other.id}
    assert candidates(unchecked.id) == {other.id}


def test_a_survivor_is_not_hired_into_a_listing_flagged_after_the_referral(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    officer = make_user(db_session, provinces=["02"])
    employer = make_user(db_session, "employer", employer="Angkor Garments")
    listing = make_listing(db_session, employer, title="Welder A", skills=("welding",))
    survivor = make_returnee(db_session, officer, trafficking_survivor=True)
    referral = client.post(
        "/api/v1/referrals",
        json={"returnee_id": survivor.id, "listing_id": listing.id},
        headers=bearer(officer),
    ).json
    edited = client.patch(
        f"/api/v1/listings/{listing.id}", json={"description": FEE}, headers=bearer(employer)
    )
    assert edited.status_code == 200
    seen = client.get(f"/api/v1/listings/{listing.id}", headers=bearer(officer)).json
    assert [f["code"] for f in seen["flags"]] == ["worker_fee"]
    hire = {"status": "hired", "start_date": local_today().isoformat()}
    by_employer = client.patch(
        f"/api/v1/referrals/{referral['id']}", json=hire, headers=bearer(employer)
    )
    assert by_employer.status_code == 409
    assert by_employer.json["rule"] == "officer_review"
    assert "urvivor" not in by_employer.json["message"]
    by_officer = client.patch(
        f"/api/v1/referrals/{referral['id']}", json=hire, headers=bearer(officer)
    )
    assert by_officer.status_code == 409
    assert by_officer.json["rule"] == "survivor_flagged_listing"
    assert db_session.scalar(select(func.count()).select_from(Placement)) == 0


def test_an_employer_probing_with_a_flagged_listing_and_a_bad_date_learns_nothing(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    """Flag your own listing, then "hire" each person referred to it with an impossible date:
    the date is judged first, so a survivor and anyone else get the same answer; a possible
    date gets a refusal that names no rule."""
    officer = make_user(db_session, provinces=["02"])
    employer = make_user(db_session, "employer", employer="Angkor Garments")
    listing = make_listing(db_session, employer, title="Welder B", skills=("welding",))
    answers = {}
    for survivor in (True, False):
        person = make_returnee(
            db_session,
            officer,
            trafficking_survivor=survivor,
            phone=None,
            given_name="Dara" if survivor else "Vuthy",
        )
        referral = client.post(
            "/api/v1/referrals",
            json={"returnee_id": person.id, "listing_id": listing.id},
            headers=bearer(officer),
        ).json
        answers[survivor] = referral["id"]
    client.patch(
        f"/api/v1/listings/{listing.id}", json={"description": FEE}, headers=bearer(employer)
    )
    replies = [
        client.patch(
            f"/api/v1/referrals/{answers[survivor]}",
            json={"status": "hired", "start_date": "2030-01-01"},
            headers=bearer(employer),
        )
        for survivor in (True, False)
    ]
    assert [r.status_code for r in replies] == [422, 422]
    assert replies[0].json == replies[1].json
    refused = client.patch(
        f"/api/v1/referrals/{answers[True]}",
        json={"status": "hired", "start_date": local_today().isoformat()},
        headers=bearer(employer),
    )
    assert refused.status_code == 409 and refused.json["rule"] == "officer_review"
