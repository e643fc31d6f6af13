"""The data-rights pages: the export download, and erasure decided by two people of two roles."""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import ErasureRequest, Returnee
from tests.security.conftest import SECRET_02, World, fingerprint, form_token


def test_the_export_is_a_no_store_attachment_with_the_persons_data(
    world: World, browsers: dict[str, FlaskClient]
) -> None:
    response = browsers["officer02"].get(f"/returnees/{world.r02.id}/export.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="{world.r02.case_number}.json"'
    data = json.loads(response.get_data(as_text=True))
    assert data["given_name"] == SECRET_02["given_name"] and data["phone"] == SECRET_02["phone"]
    assert data["referrals"] and data["consent"]["research"] is True


def test_only_the_officer_in_scope_may_export(
    world: World, browsers: dict[str, FlaskClient]
) -> None:
    url = f"/returnees/{world.r02.id}/export.json"
    assert browsers["officer17"].get(url).status_code == 404
    for role in ("employer_a", "manager", "admin"):
        assert browsers[role].get(url).status_code == 403
    assert browsers["anonymous"].get(url).status_code == 302


def _pending(session: Session, returnee_id: int) -> ErasureRequest | None:
    session.expire_all()
    return session.scalar(
        select(ErasureRequest).where(
            ErasureRequest.returnee_id == returnee_id, ErasureRequest.status == "pending"
        )
    )


def test_officer_requests_manager_approves_through_the_pages(
    world: World, browsers: dict[str, FlaskClient], db_session: Session
) -> None:
    officer, manager = browsers["officer02"], browsers["manager"]
    # Out of scope and other roles may not even ask.
    before = fingerprint(db_session)
    assert (
        browsers["officer17"]
        .post(
            f"/returnees/{world.r02.id}/erasure",
            data={"reason": "person_asked", "csrf_token": form_token(browsers["officer17"])},
        )
        .status_code
        == 404
    )
    assert (
        manager.post(
            f"/returnees/{world.r02.id}/erasure",
            data={"reason": "person_asked", "csrf_token": form_token(manager)},
        ).status_code
        == 403
    )
    assert fingerprint(db_session) == before
    # A reason is chosen from the list: free text, which could carry the name, is refused.
    typed = officer.post(
        f"/returnees/{world.r02.id}/erasure",
        data={"reason": f"{SECRET_02['given_name']} asked", "csrf_token": form_token(officer)},
    )
    assert typed.status_code == 422
    assert '<span class="field-error" id="reason-error">Choose one of the listed reasons.' in (
        typed.get_data(as_text=True)
    )
    assert _pending(db_session, world.r02.id) is None
    response = officer.post(
        f"/returnees/{world.r02.id}/erasure",
        data={"reason": "person_asked", "csrf_token": form_token(officer)},
    )
    assert response.status_code == 302
    request = _pending(db_session, world.r02.id)
    assert request is not None
    # The manager's list names no one.
    listing = manager.get("/erasures").get_data(as_text=True)
    assert "The person asked for their data to be erased" in listing
    for value in (SECRET_02["given_name"], SECRET_02["phone"], world.r02.case_number):
        assert value not in listing
    # The officer who asked cannot approve, nor can anyone else but a manager.
    for role in ("officer02", "officer17", "employer_a", "admin"):
        client = browsers[role]
        decided = client.post(
            "/erasures",
            data={
                "request_id": str(request.id),
                "decision": "approve",
                "csrf_token": form_token(client),
            },
        )
        assert decided.status_code == 403, role
    assert _pending(db_session, world.r02.id) is not None
    assert db_session.get(Returnee, world.r02.id).given_name == SECRET_02["given_name"]
    # The manager approves, yet still cannot read the record.
    decided = manager.post(
        "/erasures",
        data={
            "request_id": str(request.id),
            "decision": "approve",
            "csrf_token": form_token(manager),
        },
    )
    assert decided.status_code == 302
    db_session.expire_all()
    erased = db_session.get(Returnee, world.r02.id)
    assert erased.given_name == "[erased]" and erased.phone is None and erased.notes is None
    assert erased.trafficking_survivor is False
    assert manager.get(f"/returnees/{world.r02.id}").status_code == 403
    assert manager.get(f"/returnees/{world.r02.id}/export.json").status_code == 403
    page = officer.get(f"/returnees/{world.r02.id}").get_data(as_text=True)
    assert SECRET_02["given_name"] not in page and SECRET_02["phone"] not in page


def test_a_manager_can_reject_and_nothing_is_erased(
    world: World, browsers: dict[str, FlaskClient], db_session: Session
) -> None:
    manager = browsers["manager"]
    response = manager.post(
        "/erasures",
        data={
            "request_id": str(world.erasure_02.id),
            "decision": "reject",
            "csrf_token": form_token(manager),
        },
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(ErasureRequest, world.erasure_02.id).status == "rejected"
    assert db_session.get(Returnee, world.placement_02.returnee_id).given_name == "Placed"
