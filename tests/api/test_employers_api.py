"""/api/v1/employers: admins verify employers; an employer never verifies itself."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import AuditEntry, Employer, User
from tests.builders import make_user

URL = "/api/v1/employers"
Bearer = Callable[[User], dict[str, str]]


def test_admin_lists_and_verifies_an_employer(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    employer_user = make_user(
        db_session, "employer", employer="Angkor Garments", employer_verified=False
    )
    admin = make_user(db_session, "admin", email="checker@example.org")
    headers = bearer(admin)
    listed = client.get(URL, headers=headers)
    assert listed.status_code == 200
    row = next(e for e in listed.json if e["name"] == "Angkor Garments")
    assert row["verified"] is False and row["verified_by"] is None

    answer = client.patch(
        f"{URL}/{employer_user.employer_id}",
        json={
            "verified": True,
            "registration_number": "MOC-2024-0173",
            "contact": "HR office, 012 000 555",
            "note": "Seen licence",
        },
        headers=headers,
    )
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["verified"] is True
    assert body["registration_number"] == "MOC-2024-0173"
    assert body["note"] == "Seen licence" and body["contact"] == "HR office, 012 000 555"
    assert body["verified_by"] == "checker@example.org" and body["verified_at"]
    audited = db_session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "employer", AuditEntry.entity_id == employer_user.employer_id
        )
    ).all()
    assert [(a.action, a.actor) for a in audited] == [("update", "checker@example.org")]

    undone = client.patch(
        f"{URL}/{employer_user.employer_id}", json={"verified": False}, headers=headers
    )
    assert undone.json["verified"] is False and undone.json["verified_by"] is None


def test_an_employer_account_cannot_verify_itself_and_nothing_is_written(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    employer_user = make_user(
        db_session, "employer", employer="Angkor Garments", employer_verified=False
    )
    answer = client.patch(
        f"{URL}/{employer_user.employer_id}",
        json={"verified": True, "registration_number": "MOC-1"},
        headers={**bearer(employer_user), "Accept-Language": "km"},
    )
    assert answer.status_code == 409
    assert answer.json["rule"] == "employer_self_verification"
    assert answer.json["message"] != "An employer's own account cannot verify that employer."
    db_session.expire_all()
    employer = db_session.get(Employer, employer_user.employer_id)
    assert employer is not None and not employer.verified and employer.registration_number is None
    english = client.patch(
        f"{URL}/{employer_user.employer_id}",
        json={"verified": True},
        headers={**bearer(employer_user), "Accept-Language": "en"},
    )
    assert english.json["message"] == "An employer's own account cannot verify that employer."


def test_other_roles_are_refused_and_verifying_needs_a_registration_number(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    employer_user = make_user(
        db_session, "employer", employer="Angkor Garments", employer_verified=False
    )
    for role in ("officer", "manager"):
        other = make_user(db_session, role)
        assert client.get(URL, headers=bearer(other)).status_code == 403
        assert (
            client.patch(
                f"{URL}/{employer_user.employer_id}", json={"verified": True}, headers=bearer(other)
            ).status_code
            == 403
        )
    another = make_user(db_session, "employer", employer="Bayon Builders", employer_verified=False)
    assert (
        client.patch(
            f"{URL}/{employer_user.employer_id}", json={"verified": True}, headers=bearer(another)
        ).status_code
        == 403
    )
    admin = make_user(db_session, "admin")
    missing = client.patch(
        f"{URL}/{employer_user.employer_id}", json={"verified": True}, headers=bearer(admin)
    )
    assert missing.status_code == 422
    assert "registration_number" in missing.json["errors"]["json"]
    assert (
        client.patch(f"{URL}/999999", json={"verified": False}, headers=bearer(admin)).status_code
        == 404
    )
    db_session.expire_all()
    employer = db_session.get(Employer, employer_user.employer_id)
    assert employer is not None and not employer.verified


def test_verified_takes_true_or_false_only(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    """A 0 or "yes" is a wrong type, not a quiet "not verified" (found by API fuzzing)."""
    employer_user = make_user(db_session, "employer", employer="Mekong Bricks")
    admin = make_user(db_session, "admin")
    for wrong in (0, 1, "yes", ""):
        answer = client.patch(
            f"{URL}/{employer_user.employer_id}", json={"verified": wrong}, headers=bearer(admin)
        )
        assert answer.status_code == 422, (wrong, answer.json)
        assert "verified" in answer.json["errors"]["json"]
