"""/api/v1 referrals, placements, follow-ups and outcomes, end to end and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs_import import Eligibility
from reintegrate.models import (
    AuditEntry,
    FollowUp,
    Listing,
    Outcome,
    Placement,
    Referral,
    Returnee,
    User,
)
from reintegrate.services import referrals
from reintegrate.services.access import Actor
from reintegrate.services.placements import add_months
from reintegrate.services.registry import Consent
from reintegrate.timeutil import LOCAL_ZONE, local_today
from tests.builders import (
    make_incentive,
    make_listing,
    make_placement,
    make_returnee,
    make_user,
)

Bearer = Callable[[User], dict[str, str]]
EMPLOYER_FIELDS = {
    "id",
    "listing_id",
    "listing_title",
    "status",
    "referred_on",
    "shared",
    "name",
    "phone",
    "sex",
    "age",
    "skills",
    "languages",
}


def _today() -> date:
    return local_today()


def _long_ago() -> date:
    """A return date well before any start date these tests use."""
    return _today() - timedelta(days=300)


def _state(session: Session) -> dict[str, Any]:
    """Everything a refusal must leave untouched."""
    session.expire_all()

    def rows(*columns: Any) -> list[tuple[Any, ...]]:
        return sorted(tuple(row) for row in session.execute(select(*columns)).all())

    return {
        "referrals": rows(Referral.id, Referral.status, Referral.note),
        "placements": rows(Placement.id, Placement.status, Placement.ended_on),
        "follow_ups": rows(FollowUp.id, FollowUp.status, FollowUp.unreachable_attempts),
        "outcomes": rows(Outcome.id, Outcome.status),
        "returnees": rows(Returnee.id, Returnee.status, Returnee.unreachable),
        "listings": rows(Listing.id, Listing.status),
        "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
    }


@pytest.fixture
def employer(db_session: Session) -> User:
    return make_user(db_session, "employer", employer="Angkor Steel")


@pytest.fixture
def other_employer(db_session: Session) -> User:
    return make_user(db_session, "employer", employer="Mekong Garments")


@pytest.fixture
def hired(db_session: Session, officer: User, employer: User) -> Placement:
    """A placement whose first follow-up (at +1 month) is due now."""
    return make_placement(
        db_session, officer, employer, _today() - timedelta(days=35), return_date=_long_ago()
    )


def _follow_ups(session: Session, placement_id: int) -> list[FollowUp]:
    session.expire_all()
    return list(
        session.scalars(
            select(FollowUp)
            .where(FollowUp.placement_id == placement_id)
            .order_by(FollowUp.sequence)
        )
    )


def test_the_whole_path_from_referral_to_outcome(
    client: FlaskClient,
    db_session: Session,
    officer: User,
    employer: User,
    other_employer: User,
    bearer: Bearer,
) -> None:
    survivor = make_returnee(
        db_session,
        officer,
        given_name="Sreymom",
        family_name="Pich",
        phone="012 999 111",
        trafficking_survivor=True,
        return_date=_long_ago(),
    )
    private = make_returnee(
        db_session,
        officer,
        given_name="Vichet",
        family_name="Sok",
        phone="011 222 333",
        return_date=_long_ago(),
        consent=Consent(referral=True, share_with_employers=False, research=False),
    )
    ours = make_listing(db_session, employer, title="Steel fixer", positions=5)
    theirs = make_listing(db_session, other_employer, title="Machine operator", positions=5)
    as_officer, as_employer = bearer(officer), bearer(employer)

    created = client.post(
        "/api/v1/referrals",
        json={"returnee_id": survivor.id, "listing_id": ours.id, "note": "strong welder"},
        headers=as_officer,
    )
    assert created.status_code == 201, created.json
    assert created.json["status"] == "referred" and created.json["placement_id"] is None
    referral_id = created.json["id"]
    for returnee, listing in ((private, ours), (survivor, theirs)):
        response = client.post(
            "/api/v1/referrals",
            json={"returnee_id": returnee.id, "listing_id": listing.id},
            headers=as_officer,
        )
        assert response.status_code == 201, response.json

    listed = client.get("/api/v1/referrals", headers=as_employer)
    assert listed.status_code == 200
    assert listed.json["total"] == 2
    items = {item["id"]: item for item in listed.json["items"]}
    assert {item["listing_id"] for item in items.values()} == {ours.id}
    assert all(set(item) == EMPLOYER_FIELDS for item in items.values())
    text = listed.get_data(as_text=True)
    for secret in (survivor.case_number, private.case_number, "survivor", "strong welder"):
        assert secret not in text
    shared = items[referral_id]
    assert shared["shared"] is True
    assert (shared["name"], shared["phone"]) == ("Sreymom Pich", "012 999 111")
    hidden = next(item for item in items.values() if item["id"] != referral_id)
    assert hidden["shared"] is False
    assert (hidden["name"], hidden["phone"], hidden["sex"], hidden["age"]) == (None,) * 4
    assert "Vichet" not in text and "011 222 333" not in text
    assert hidden["skills"] == ["bricklaying", "ជាងឈើ"]

    interview = client.patch(
        f"/api/v1/referrals/{referral_id}", json={"status": "interview"}, headers=as_employer
    )
    assert interview.status_code == 200, interview.json
    assert interview.json["status"] == "interview" and set(interview.json) == EMPLOYER_FIELDS

    start = _today() - timedelta(days=35)
    hire = client.patch(
        f"/api/v1/referrals/{referral_id}",
        json={"status": "hired", "start_date": start.isoformat()},
        headers=as_employer,
    )
    assert hire.status_code == 200, hire.json
    assert hire.json["status"] == "hired"

    officer_view = client.get(
        "/api/v1/referrals", query_string={"returnee_id": survivor.id}, headers=as_officer
    ).json
    placement_id = next(i for i in officer_view["items"] if i["id"] == referral_id)["placement_id"]
    assert placement_id is not None

    placement = client.get(f"/api/v1/placements/{placement_id}", headers=as_officer)
    assert placement.status_code == 200
    body = placement.json
    assert (body["returnee_id"], body["listing_id"], body["referral_id"]) == (
        survivor.id,
        ours.id,
        referral_id,
    )
    assert (body["kind"], body["status"], body["start_date"]) == (
        "job",
        "active",
        start.isoformat(),
    )
    assert [(f["sequence"], f["months_after"], f["due_date"]) for f in body["follow_ups"]] == [
        (i + 1, months, add_months(start, months).isoformat())
        for i, months in enumerate((1, 3, 6, 12))
    ]
    assert [f["status"] for f in body["follow_ups"]] == [
        "due",
        "scheduled",
        "scheduled",
        "scheduled",
    ]
    first = body["follow_ups"][0]["id"]

    work = client.get(
        "/api/v1/followups", query_string={"status": "due,overdue"}, headers=as_officer
    )
    assert work.status_code == 200
    assert [(f["id"], f["status"]) for f in work.json] == [(first, "due")]
    assert work.json[0]["phone"] == "012 999 111"
    assert work.json[0]["case_number"] == survivor.case_number

    outcome = client.post(
        f"/api/v1/followups/{first}/outcome",
        json={
            "contacted_on": _today().isoformat(),
            "status": "employed_same",
            "monthly_income_usd": 320.5,
            "intends_to_remigrate": False,
            "notes": "likes the job",
        },
        headers=as_officer,
    )
    assert outcome.status_code == 201, outcome.json
    assert outcome.json["status"] == "completed"
    assert outcome.json["completed_on"] == _today().isoformat()
    assert [(o["status"], o["monthly_income_usd"]) for o in outcome.json["outcomes"]] == [
        ("employed_same", 320.5)
    ]
    assert client.get("/api/v1/followups", headers=as_officer).json == []


def test_followups_list_is_oldest_due_first_and_filters_by_status_and_province(
    client: FlaskClient, db_session: Session, officer: User, employer: User, bearer: Bearer
) -> None:
    recent = make_placement(
        db_session, officer, employer, _today() - timedelta(days=33), return_date=_long_ago()
    )
    older = make_placement(
        db_session, officer, employer, _today() - timedelta(days=50), return_date=_long_ago()
    )
    elsewhere = make_placement(
        db_session,
        officer,
        employer,
        _today() - timedelta(days=40),
        return_date=_long_ago(),
        home_province="01",
    )
    headers = bearer(officer)
    due = client.get("/api/v1/followups", headers=headers).json
    assert [f["placement_id"] for f in due] == [older.id, elsewhere.id, recent.id]
    assert [f["status"] for f in due] == ["overdue", "due", "due"]
    only_due = client.get("/api/v1/followups", query_string={"status": "due"}, headers=headers)
    assert [f["placement_id"] for f in only_due.json] == [elsewhere.id, recent.id]
    in_02 = client.get("/api/v1/followups", query_string={"province": "02"}, headers=headers)
    assert [f["placement_id"] for f in in_02.json] == [older.id, recent.id]
    scheduled = client.get(
        "/api/v1/followups", query_string={"status": "scheduled"}, headers=headers
    ).json
    assert len(scheduled) == 9
    bad = client.get("/api/v1/followups", query_string={"status": "late"}, headers=headers)
    assert bad.status_code == 422


def test_an_officer_outside_the_province_does_not_see_the_follow_ups(
    client: FlaskClient, db_session: Session, hired: Placement, bearer: Bearer
) -> None:
    stranger = make_user(db_session, provinces=["17"])
    headers = bearer(stranger)
    assert client.get("/api/v1/followups", headers=headers).json == []
    assert client.get(f"/api/v1/placements/{hired.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/referrals", headers=headers).json["total"] == 0


def test_enrolment_in_an_eligible_incentive_makes_a_placement_with_follow_ups(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    returnee = make_returnee(db_session, officer, return_date=_today() - timedelta(days=60))
    grant = make_incentive(db_session, officer)
    start = _today() - timedelta(days=3)
    response = client.post(
        "/api/v1/enrolments",
        json={"returnee_id": returnee.id, "listing_id": grant.id, "start_date": start.isoformat()},
        headers=bearer(officer),
    )
    assert response.status_code == 201, response.json
    assert (response.json["kind"], response.json["programme"]) == (
        "incentive",
        "Livelihoods for returnees",
    )
    assert [f["months_after"] for f in response.json["follow_ups"]] == [1, 3, 6, 12]


# Refusals: each answers with its status and writes nothing.


def _refused(
    client: FlaskClient,
    db_session: Session,
    method: str,
    url: str,
    status: int,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    before = _state(db_session)
    response = client.open(url, method=method, json=body, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    assert _state(db_session) == before
    return response.json


def test_referral_without_consent_is_409(
    client: FlaskClient, db_session: Session, officer: User, employer: User, bearer: Bearer
) -> None:
    returnee = make_returnee(
        db_session,
        officer,
        consent=Consent(referral=False, share_with_employers=True, research=True),
    )
    listing = make_listing(db_session, employer)
    body = {"returnee_id": returnee.id, "listing_id": listing.id}
    _refused(client, db_session, "POST", "/api/v1/referrals", 409, bearer(officer), body)


def test_referral_to_a_closed_listing_is_409(
    client: FlaskClient, db_session: Session, officer: User, employer: User, bearer: Bearer
) -> None:
    returnee = make_returnee(db_session, officer)
    listing = make_listing(db_session, employer)
    listing.status = "closed"
    db_session.commit()
    body = {"returnee_id": returnee.id, "listing_id": listing.id}
    _refused(client, db_session, "POST", "/api/v1/referrals", 409, bearer(officer), body)


def test_referring_twice_is_409(
    client: FlaskClient, db_session: Session, officer: User, employer: User, bearer: Bearer
) -> None:
    returnee = make_returnee(db_session, officer)
    listing = make_listing(db_session, employer)
    body = {"returnee_id": returnee.id, "listing_id": listing.id}
    headers = bearer(officer)
    assert client.post("/api/v1/referrals", json=body, headers=headers).status_code == 201
    _refused(client, db_session, "POST", "/api/v1/referrals", 409, headers, body)


def test_referral_to_an_incentive_is_409(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    returnee = make_returnee(db_session, officer)
    grant = make_incentive(db_session, officer)
    body = {"returnee_id": returnee.id, "listing_id": grant.id}
    _refused(client, db_session, "POST", "/api/v1/referrals", 409, bearer(officer), body)


def test_referral_of_a_returnee_outside_scope_is_404(
    client: FlaskClient, db_session: Session, officer: User, employer: User, bearer: Bearer
) -> None:
    elsewhere = make_user(db_session, provinces=["17"])
    returnee = make_returnee(db_session, elsewhere, home_province="17")
    listing = make_listing(db_session, employer)
    body = {"returnee_id": returnee.id, "listing_id": listing.id}
    _refused(client, db_session, "POST", "/api/v1/referrals", 404, bearer(officer), body)


@pytest.fixture
def referral(db_session: Session, officer: User, employer: User) -> Referral:
    returnee = make_returnee(db_session, officer, return_date=_long_ago())
    listing = make_listing(db_session, employer)
    made = referrals.refer(db_session, Actor.of(officer), returnee.id, listing.id)
    db_session.commit()
    return made


def test_an_employer_acting_on_another_employers_referral_gets_404(
    client: FlaskClient,
    db_session: Session,
    referral: Referral,
    other_employer: User,
    bearer: Bearer,
) -> None:
    url = f"/api/v1/referrals/{referral.id}"
    headers = bearer(other_employer)
    _refused(client, db_session, "PATCH", url, 404, headers, {"status": "interview"})
    start = (_today() - timedelta(days=1)).isoformat()
    _refused(
        client, db_session, "PATCH", url, 404, headers, {"status": "hired", "start_date": start}
    )
    assert client.get("/api/v1/referrals", headers=headers).json["total"] == 0


def test_an_employer_cannot_withdraw_a_referral(
    client: FlaskClient, db_session: Session, referral: Referral, employer: User, bearer: Bearer
) -> None:
    url = f"/api/v1/referrals/{referral.id}"
    _refused(client, db_session, "PATCH", url, 403, bearer(employer), {"status": "withdrawn"})


def test_the_officer_withdraws_a_referral(
    client: FlaskClient, db_session: Session, referral: Referral, officer: User, bearer: Bearer
) -> None:
    response = client.patch(
        f"/api/v1/referrals/{referral.id}", json={"status": "withdrawn"}, headers=bearer(officer)
    )
    assert response.status_code == 200 and response.json["status"] == "withdrawn"
    db_session.expire_all()
    assert db_session.get(Returnee, referral.returnee_id).status == "seeking"


def test_hired_after_rejected_is_409(
    client: FlaskClient, db_session: Session, referral: Referral, employer: User, bearer: Bearer
) -> None:
    url = f"/api/v1/referrals/{referral.id}"
    headers = bearer(employer)
    assert client.patch(url, json={"status": "rejected"}, headers=headers).status_code == 200
    start = (_today() - timedelta(days=1)).isoformat()
    _refused(
        client, db_session, "PATCH", url, 409, headers, {"status": "hired", "start_date": start}
    )


def test_hired_without_a_start_date_is_422(
    client: FlaskClient, db_session: Session, referral: Referral, employer: User, bearer: Bearer
) -> None:
    url = f"/api/v1/referrals/{referral.id}"
    body = _refused(client, db_session, "PATCH", url, 422, bearer(employer), {"status": "hired"})
    assert "start_date" in body["errors"]["json"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "hired", "start_date": "1999-01-01"}, "start_date"),
        ({"status": "hired", "start_date": "2200-01-01"}, "start_date"),
        ({"status": "hired", "start_date": "yesterday"}, "start_date"),
        ({"status": "interview", "start_date": "2026-01-01"}, "start_date"),
        ({"status": "referred"}, "status"),
        ({"status": "promoted"}, "status"),
    ],
    ids=["before-return", "far-future", "not-a-date", "date-without-hire", "referred", "unknown"],
)
def test_a_bad_answer_to_a_referral_is_422(
    client: FlaskClient,
    db_session: Session,
    referral: Referral,
    employer: User,
    bearer: Bearer,
    change: dict[str, str],
    field: str,
) -> None:
    url = f"/api/v1/referrals/{referral.id}"
    body = _refused(client, db_session, "PATCH", url, 422, bearer(employer), change)
    assert field in body["errors"]["json"]


def _outcome(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contacted_on": _today().isoformat(),
        "status": "employed_same",
    }
    body.update(overrides)
    return body


def test_outcome_on_a_completed_follow_up_is_409(
    client: FlaskClient, db_session: Session, hired: Placement, officer: User, bearer: Bearer
) -> None:
    first = _follow_ups(db_session, hired.id)[0]
    url = f"/api/v1/followups/{first.id}/outcome"
    headers = bearer(officer)
    assert client.post(url, json=_outcome(), headers=headers).status_code == 201
    _refused(client, db_session, "POST", url, 409, headers, _outcome(status="unemployed"))


def test_remigration_ends_the_placement_and_an_outcome_on_a_cancelled_follow_up_is_409(
    client: FlaskClient, db_session: Session, hired: Placement, officer: User, bearer: Bearer
) -> None:
    first, second, *_ = _follow_ups(db_session, hired.id)
    headers = bearer(officer)
    gone = client.post(
        f"/api/v1/followups/{first.id}/outcome",
        json=_outcome(status="remigrated", remigration_country="TH"),
        headers=headers,
    )
    assert gone.status_code == 201, gone.json
    assert gone.json["outcomes"][0]["remigration_channel"] == "unknown"
    placement = client.get(f"/api/v1/placements/{hired.id}", headers=headers).json
    assert (placement["status"], placement["ended_on"], placement["end_reason"]) == (
        "ended",
        _today().isoformat(),
        "remigrated",
    )
    assert [f["status"] for f in placement["follow_ups"]] == [
        "completed",
        "cancelled",
        "cancelled",
        "cancelled",
    ]
    url = f"/api/v1/followups/{second.id}/outcome"
    _refused(client, db_session, "POST", url, 409, headers, _outcome())


def test_outcome_out_of_scope_is_404(
    client: FlaskClient, db_session: Session, hired: Placement, bearer: Bearer
) -> None:
    stranger = make_user(db_session, provinces=["17"])
    first = _follow_ups(db_session, hired.id)[0]
    url = f"/api/v1/followups/{first.id}/outcome"
    _refused(client, db_session, "POST", url, 404, bearer(stranger), _outcome())
    _refused(
        client,
        db_session,
        "POST",
        "/api/v1/followups/999999/outcome",
        404,
        bearer(stranger),
        _outcome(),
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contacted_on": "before-start"}, "contacted_on"),
        ({"contacted_on": "tomorrow"}, "contacted_on"),
        ({"contacted_on": "2026-02-30"}, "contacted_on"),
        ({"monthly_income_usd": -1}, "monthly_income_usd"),
        ({"monthly_income_usd": 10_000.01}, "monthly_income_usd"),
        ({"monthly_income_usd": 1e9}, "monthly_income_usd"),
        ({"monthly_income_usd": "NaN"}, "monthly_income_usd"),
        ({"status": "retired"}, "status"),
        ({"status": None}, "status"),
        ({"status": "remigrated"}, "remigration_country"),
        ({"status": "remigrated", "remigration_country": "KH"}, "remigration_country"),
        ({"status": "remigrated", "remigration_country": "XX"}, "remigration_country"),
        (
            {"status": "remigrated", "remigration_country": "TH", "remigration_channel": "boat"},
            "remigration_channel",
        ),
        ({"status": "unemployed", "remigration_country": "TH"}, "remigration_country"),
    ],
    ids=[
        "before-start",
        "future",
        "not-a-date",
        "negative-income",
        "income-over-10000",
        "absurd-income",
        "nan-income",
        "unknown-status",
        "null-status",
        "remigrated-without-country",
        "remigrated-to-cambodia",
        "unknown-country",
        "unknown-channel",
        "country-without-remigration",
    ],
)
def test_an_invalid_outcome_is_422_naming_the_field(
    client: FlaskClient,
    db_session: Session,
    hired: Placement,
    officer: User,
    bearer: Bearer,
    overrides: dict[str, Any],
    field: str,
) -> None:
    first = _follow_ups(db_session, hired.id)[0]
    body = _outcome(**overrides)
    if body["contacted_on"] == "before-start":
        body["contacted_on"] = (hired.start_date - timedelta(days=1)).isoformat()
    if body["contacted_on"] == "tomorrow":
        body["contacted_on"] = (_today() + timedelta(days=1)).isoformat()
    url = f"/api/v1/followups/{first.id}/outcome"
    answer = _refused(client, db_session, "POST", url, 422, bearer(officer), body)
    assert field in answer["errors"]["json"], answer


def test_enrolment_in_an_incentive_the_returnee_is_not_eligible_for_is_409(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    returnee = make_returnee(db_session, officer, return_date=_today() - timedelta(days=60))
    young_only = make_incentive(db_session, officer, eligibility=Eligibility(max_age=25))
    body = {
        "returnee_id": returnee.id,
        "listing_id": young_only.id,
        "start_date": _today().isoformat(),
    }
    _refused(client, db_session, "POST", "/api/v1/enrolments", 409, bearer(officer), body)


def test_enrolment_in_a_job_is_409(
    client: FlaskClient, db_session: Session, officer: User, employer: User, bearer: Bearer
) -> None:
    returnee = make_returnee(db_session, officer)
    job = make_listing(db_session, employer)
    body = {"returnee_id": returnee.id, "listing_id": job.id, "start_date": _today().isoformat()}
    _refused(client, db_session, "POST", "/api/v1/enrolments", 409, bearer(officer), body)


def _every_endpoint(
    placement: Placement, referral_id: int, follow_up_id: int
) -> list[tuple[str, str, Any]]:
    return [
        ("GET", "/api/v1/referrals", None),
        (
            "POST",
            "/api/v1/referrals",
            {"returnee_id": placement.returnee_id, "listing_id": placement.listing_id},
        ),
        ("PATCH", f"/api/v1/referrals/{referral_id}", {"status": "interview"}),
        (
            "POST",
            "/api/v1/enrolments",
            {
                "returnee_id": placement.returnee_id,
                "listing_id": placement.listing_id,
                "start_date": "2026-01-01",
            },
        ),
        ("GET", f"/api/v1/placements/{placement.id}", None),
        ("GET", "/api/v1/followups", None),
        ("POST", f"/api/v1/followups/{follow_up_id}/outcome", _outcome()),
    ]


def test_without_a_token_every_endpoint_is_401(
    client: FlaskClient, db_session: Session, hired: Placement, referral: Referral
) -> None:
    first = _follow_ups(db_session, hired.id)[0]
    for method, url, body in _every_endpoint(hired, referral.id, first.id):
        _refused(client, db_session, method, url, 401, {}, body)
        _refused(client, db_session, method, url, 401, {"Authorization": "Bearer rit_forged"}, body)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_get_403_everywhere(
    client: FlaskClient,
    db_session: Session,
    hired: Placement,
    referral: Referral,
    bearer: Bearer,
    role: str,
) -> None:
    headers = bearer(make_user(db_session, role))
    first = _follow_ups(db_session, hired.id)[0]
    for method, url, body in _every_endpoint(hired, referral.id, first.id):
        _refused(client, db_session, method, url, 403, headers, body)


def test_employers_get_403_on_officer_endpoints(
    client: FlaskClient, db_session: Session, hired: Placement, employer: User, bearer: Bearer
) -> None:
    headers = bearer(employer)
    first = _follow_ups(db_session, hired.id)[0]
    body = {"returnee_id": hired.returnee_id, "listing_id": hired.listing_id}
    _refused(client, db_session, "POST", "/api/v1/referrals", 403, headers, body)
    _refused(client, db_session, "GET", f"/api/v1/placements/{hired.id}", 403, headers)
    _refused(client, db_session, "GET", "/api/v1/followups", 403, headers)
    url = f"/api/v1/followups/{first.id}/outcome"
    _refused(client, db_session, "POST", url, 403, headers, _outcome())


def test_the_employer_sees_the_referral_date_in_phnom_penh(
    client: FlaskClient, db_session: Session, referral: Referral, employer: User, bearer: Bearer
) -> None:
    from datetime import UTC, datetime, time

    local_morning = datetime.combine(_today(), time(1, 30), tzinfo=LOCAL_ZONE)
    referral.created_at = local_morning.astimezone(UTC)
    db_session.commit()
    item = client.get("/api/v1/referrals", headers=bearer(employer)).json["items"][0]
    assert item["referred_on"] == _today().isoformat()


def test_remigration_cancels_only_the_follow_ups_after_it(
    client: FlaskClient, db_session: Session, officer: User, employer: User, bearer: Bearer
) -> None:
    placement = make_placement(
        db_session, officer, employer, _today() - timedelta(days=100), return_date=_long_ago()
    )
    first, second, *_ = _follow_ups(db_session, placement.id)
    assert (first.status, second.status) == ("missed", "due")
    headers = bearer(officer)
    response = client.post(
        f"/api/v1/followups/{second.id}/outcome",
        json=_outcome(status="remigrated", remigration_country="KR"),
        headers=headers,
    )
    assert response.status_code == 201, response.json
    body = client.get(f"/api/v1/placements/{placement.id}", headers=headers).json
    assert [f["status"] for f in body["follow_ups"]] == [
        "missed",
        "completed",
        "cancelled",
        "cancelled",
    ]


def test_an_employer_is_told_only_that_a_start_date_before_the_return_is_not_possible(
    client: FlaskClient, db_session: Session, referral: Referral, employer: User, bearer: Bearer
) -> None:
    returned = db_session.get(Returnee, referral.returnee_id).return_date
    start = (returned - timedelta(days=1)).isoformat()
    response = client.patch(
        f"/api/v1/referrals/{referral.id}",
        json={"status": "hired", "start_date": start},
        headers=bearer(employer),
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"]["start_date"] == ["This date is not possible."]
    assert "returned" not in response.get_data(as_text=True)
