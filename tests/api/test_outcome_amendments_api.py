"""PATCH /api/v1/outcomes/{id}: correcting a saved outcome, and what follows from the change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import AuditEntry, FollowUp, Outcome, Placement, Returnee, User
from reintegrate.timeutil import local_today
from tests.builders import make_placement, make_user

Bearer = Callable[[User], dict[str, str]]


def _today() -> date:
    return local_today()


@pytest.fixture
def employer(db_session: Session) -> User:
    return make_user(db_session, "employer", employer="Angkor Steel")


@pytest.fixture
def hired(db_session: Session, officer: User, employer: User) -> Placement:
    """A placement whose first follow-up (at +1 month) is due now."""
    return make_placement(
        db_session,
        officer,
        employer,
        _today() - timedelta(days=35),
        return_date=_today() - timedelta(days=300),
    )


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"contacted_on": _today().isoformat(), "status": "employed_same"}
    body.update(overrides)
    return body


def _first_outcome(
    client: FlaskClient,
    db_session: Session,
    placement: Placement,
    headers: dict[str, str],
    **kw: Any,
) -> int:
    first = db_session.scalars(
        select(FollowUp).where(FollowUp.placement_id == placement.id).order_by(FollowUp.sequence)
    ).first()
    assert first is not None
    response = client.post(
        f"/api/v1/followups/{first.id}/outcome", json=_body(**kw), headers=headers
    )
    assert response.status_code == 201, response.json
    return int(response.json["outcomes"][-1]["id"])


def test_a_mistaken_remigration_corrected_reopens_the_placement_and_its_follow_ups(
    client: FlaskClient, db_session: Session, hired: Placement, officer: User, bearer: Bearer
) -> None:
    headers = bearer(officer)
    outcome_id = _first_outcome(
        client, db_session, hired, headers, status="remigrated", remigration_country="TH"
    )
    ended = client.get(f"/api/v1/placements/{hired.id}", headers=headers).json
    assert ended["status"] == "ended"
    assert [f["status"] for f in ended["follow_ups"]][1:] == ["cancelled"] * 3

    response = client.patch(
        f"/api/v1/outcomes/{outcome_id}",
        json=_body(status="employed_same", reason="Typed in the wrong row"),
        headers=headers,
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "employed_same"
    assert response.json["remigration_country"] is None
    [amendment] = response.json["amendments"]
    assert amendment["reason"] == "Typed in the wrong row"
    assert amendment["old_values"]["status"] == "remigrated"
    assert amendment["old_values"]["remigration_country"] == "TH"
    assert amendment["new_values"]["status"] == "employed_same"

    placement = client.get(f"/api/v1/placements/{hired.id}", headers=headers).json
    assert (placement["status"], placement["ended_on"], placement["end_reason"]) == (
        "active",
        None,
        None,
    )
    assert [f["status"] for f in placement["follow_ups"]] == [
        "completed",
        "scheduled",
        "scheduled",
        "scheduled",
    ]
    assert placement["follow_ups"][0]["outcomes"][0]["amendments"][0]["old_values"]["status"] == (
        "remigrated"
    )
    db_session.expire_all()
    stored = db_session.get(Placement, hired.id)
    assert stored is not None
    assert stored.remigrated is False and stored.first_remigrated is None
    assert stored.last_in_work == _today()
    returnee = db_session.get(Returnee, hired.returnee_id)
    assert returnee is not None and returnee.status == "placed"
    audit = db_session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "outcome",
            AuditEntry.entity_id == outcome_id,
            AuditEntry.action == "update",
        )
    ).one()
    assert audit.detail == {
        "follow_up_id": placement["follow_ups"][0]["id"],
        "from": "remigrated",
        "status": "employed_same",
    }


def test_correcting_into_a_remigration_ends_the_placement_and_clears_the_risk_flags(
    client: FlaskClient, db_session: Session, hired: Placement, officer: User, bearer: Bearer
) -> None:
    headers = bearer(officer)
    outcome_id = _first_outcome(client, db_session, hired, headers, status="unemployed")
    db_session.expire_all()
    returnee = db_session.get(Returnee, hired.returnee_id)
    assert returnee is not None and returnee.at_risk_reasons == ["unemployed"]
    response = client.patch(
        f"/api/v1/outcomes/{outcome_id}",
        json=_body(status="remigrated", remigration_country="KR", reason="He had left already"),
        headers=headers,
    )
    assert response.status_code == 200, response.json
    db_session.expire_all()
    returnee = db_session.get(Returnee, hired.returnee_id)
    placement = db_session.get(Placement, hired.id)
    assert returnee is not None and placement is not None
    assert returnee.at_risk_reasons == [] and returnee.status == "remigrated"
    assert placement.status == "ended" and placement.remigrated is True
    statuses = db_session.scalars(
        select(FollowUp.status).where(FollowUp.placement_id == hired.id).order_by(FollowUp.sequence)
    ).all()
    assert statuses == ["completed", "cancelled", "cancelled", "cancelled"]


def test_correcting_the_status_updates_the_at_risk_flag(
    client: FlaskClient, db_session: Session, hired: Placement, officer: User, bearer: Bearer
) -> None:
    headers = bearer(officer)
    outcome_id = _first_outcome(client, db_session, hired, headers, status="unemployed")
    response = client.patch(
        f"/api/v1/outcomes/{outcome_id}",
        json=_body(status="self_employed", reason="She runs a stall now"),
        headers=headers,
    )
    assert response.status_code == 200, response.json
    db_session.expire_all()
    returnee = db_session.get(Returnee, hired.returnee_id)
    assert returnee is not None and returnee.at_risk_reasons == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_body(status="unemployed"), "reason"),
        (_body(status="unemployed", reason="   "), "reason"),
        (_body(status="employed_same", reason="no change"), "status"),
        (_body(status="unreachable", reason="no answer"), "status"),
        (_body(status="unemployed", reason="x", contacted_on="2000-01-01"), "contacted_on"),
        (_body(status="remigrated", reason="x"), "remigration_country"),
    ],
)
def test_a_bad_correction_is_422_naming_the_field_and_changes_nothing(
    client: FlaskClient,
    db_session: Session,
    hired: Placement,
    officer: User,
    bearer: Bearer,
    body: dict[str, Any],
    field: str,
) -> None:
    headers = bearer(officer)
    outcome_id = _first_outcome(client, db_session, hired, headers)
    response = client.patch(f"/api/v1/outcomes/{outcome_id}", json=body, headers=headers)
    assert response.status_code == 422, response.json
    errors = response.json["errors"]
    assert field in errors.get("json", errors), response.json
    db_session.expire_all()
    outcome = db_session.get(Outcome, outcome_id)
    assert outcome is not None and outcome.status == "employed_same" and not outcome.amendments


def test_an_outcome_outside_the_officers_provinces_is_404_like_a_missing_one(
    client: FlaskClient, db_session: Session, hired: Placement, officer: User, bearer: Bearer
) -> None:
    outcome_id = _first_outcome(client, db_session, hired, bearer(officer))
    stranger = make_user(db_session, provinces=["17"])
    body = _body(status="unemployed", reason="x")
    outside = client.patch(f"/api/v1/outcomes/{outcome_id}", json=body, headers=bearer(stranger))
    missing = client.patch("/api/v1/outcomes/999999", json=body, headers=bearer(officer))
    assert outside.status_code == missing.status_code == 404
    manager = make_user(db_session, "manager", provinces=[])
    assert (
        client.patch(
            f"/api/v1/outcomes/{outcome_id}", json=body, headers=bearer(manager)
        ).status_code
        == 403
    )
