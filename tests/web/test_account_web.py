"""Changing a password: needs a fresh login and the current password; ends other sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from reintegrate.db import utcnow
from reintegrate.errors import InvalidInput
from reintegrate.models import LoginSession
from reintegrate.services import users
from reintegrate.services.access import Actor
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token, log_in

NEW = "four unrelated words here"


def _change(client: FlaskClient, current: str, new: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/account/password")
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "csrf_token": token},
    )


def test_password_change_ends_every_other_session(client: FlaskClient, db_session: Session) -> None:
    officer = make_user(db_session)
    other_device = client.application.test_client()
    log_in(other_device, officer.email, PASSWORD)
    log_in(client, officer.email, PASSWORD)
    assert _change(client, PASSWORD, NEW).status_code == 302
    assert client.get("/returnees").status_code == 200
    assert other_device.get("/returnees").status_code == 302
    fresh = client.application.test_client()
    log_in(fresh, officer.email, NEW)


def test_a_stale_login_must_log_in_again_first(client: FlaskClient, db_session: Session) -> None:
    officer = make_user(db_session)
    log_in(client, officer.email, PASSWORD)
    db_session.execute(update(LoginSession).values(created_at=utcnow() - timedelta(minutes=20)))
    db_session.commit()
    response = _change(client, PASSWORD, NEW)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [
        ("wrong password!", NEW, "current_password"),
        (PASSWORD, "short", "new_password"),
        (PASSWORD, "password1234", "new_password"),
    ],
)
def test_wrong_current_or_weak_new_password_is_refused(
    client: FlaskClient, db_session: Session, current: str, new: str, field: str
) -> None:
    officer = make_user(db_session)
    log_in(client, officer.email, PASSWORD)
    response = _change(client, current, new)
    assert response.status_code == 422 and f'id="{field}-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "password", ["password1234", "qwertyuiopas", "aaaaaaaaaaaaaaaa", "maria.officer-2026"]
)
def test_common_or_guessable_passwords_are_refused(db_session: Session, password: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        users.create_user(
            db_session,
            Actor.system("test"),
            email="maria.officer@example.org",
            role="manager",
            password=password,
        )
    assert "password" in caught.value.errors


def test_a_long_passphrase_is_welcome(db_session: Session) -> None:
    long_phrase = "the river at kampot runs slow in the dry season " * 4
    user = users.create_user(
        db_session,
        Actor.system("test"),
        email="p@example.org",
        role="manager",
        password=long_phrase.strip(),
    )
    assert user.password_hash


def test_disabling_an_account_ends_its_sessions_and_tokens(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    token = users.create_token(db_session, Actor.system("test"), officer.email)
    db_session.commit()
    log_in(client, officer.email, PASSWORD)
    users.set_active(db_session, Actor.system("test"), officer.email, False)
    db_session.commit()
    assert client.get("/returnees").status_code == 302
    assert (
        client.get("/api/v1/returnees", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
