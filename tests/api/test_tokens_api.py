"""API tokens: they expire, admins list and revoke them, and they die with a password change
or a disabled account (and stay dead when the account is enabled again)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reintegrate.db import utcnow
from reintegrate.models import ApiToken, AuditEntry, User
from reintegrate.services import users
from reintegrate.services.access import Actor
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token, log_in

Bearer = Callable[[User], dict[str, str]]
RETURNEES = "/api/v1/returnees"


def _token(session: Session, user: User, **kwargs: int) -> dict[str, str]:
    value = users.create_token(session, Actor.system("test"), user.email, **kwargs)
    session.commit()
    return {"Authorization": f"Bearer {value}"}


def test_a_token_expires_after_ninety_days_by_default(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    headers = _token(db_session, officer)
    row = db_session.scalars(select(ApiToken).where(ApiToken.user_id == officer.id)).one()
    assert timedelta(days=89, hours=23) < row.expires_at - utcnow() <= timedelta(days=90)
    assert client.get(RETURNEES, headers=headers).status_code == 200
    db_session.execute(update(ApiToken).where(ApiToken.id == row.id).values(expires_at=utcnow()))
    db_session.commit()
    assert client.get(RETURNEES, headers=headers).status_code == 401


def test_the_lifetime_is_configurable_and_bounded(db_session: Session) -> None:
    import pytest

    from reintegrate.errors import InvalidInput

    officer = make_user(db_session)
    _token(db_session, officer, days=7)
    row = db_session.scalars(select(ApiToken).where(ApiToken.user_id == officer.id)).one()
    assert row.expires_at - utcnow() <= timedelta(days=7)
    with pytest.raises(InvalidInput) as caught:
        users.create_token(db_session, Actor.system("test"), officer.email, days=0)
    assert list(caught.value.errors) == ["days"]


def test_admins_list_tokens_without_the_secret_and_revoke_one(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    admin, officer = make_user(db_session, "admin"), make_user(db_session)
    officer_headers = _token(db_session, officer)
    secret = officer_headers["Authorization"][7:]
    admin_headers = bearer(admin)
    listed = client.get("/api/v1/tokens", headers=admin_headers)
    assert listed.status_code == 200
    mine = [t for t in listed.json if t["email"] == officer.email]
    assert len(mine) == 1 and mine[0]["state"] == "active" and mine[0]["role"] == "officer"
    assert secret not in listed.get_data(as_text=True)
    assert mine[0]["prefix"] == secret[:10]
    revoked = client.delete(f"/api/v1/tokens/{mine[0]['id']}", headers=admin_headers)
    assert revoked.status_code == 204
    assert client.get(RETURNEES, headers=officer_headers).status_code == 401
    again = client.get(
        "/api/v1/tokens", headers=admin_headers, query_string={"email": officer.email}
    )
    assert [t["state"] for t in again.json] == ["revoked"]
    assert client.delete("/api/v1/tokens/2000000000", headers=admin_headers).status_code == 404
    audited = db_session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity_type == "api_token", AuditEntry.entity_id == mine[0]["id"]
        )
    ).all()
    assert "update" in audited


def test_only_admins_list_or_revoke_tokens(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    admin = make_user(db_session, "admin")
    admin_headers = _token(db_session, admin)
    admin_token_id = db_session.scalar(select(ApiToken.id).where(ApiToken.user_id == admin.id))
    for role in ("officer", "employer", "manager"):
        headers = bearer(make_user(db_session, role))
        assert client.get("/api/v1/tokens", headers=headers).status_code == 403
        assert client.delete(f"/api/v1/tokens/{admin_token_id}", headers=headers).status_code == 403
    assert client.get(RETURNEES, headers=admin_headers).status_code == 403  # alive: not revoked


def test_a_password_change_kills_every_token(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    headers = _token(db_session, officer)
    log_in(client, officer.email, PASSWORD)
    changed = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase for the api",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert changed.status_code == 302
    assert app.test_client().get(RETURNEES, headers=headers).status_code == 401


def test_tokens_die_with_a_disabled_account_and_stay_dead_when_enabled_again(
    client: FlaskClient, db_session: Session
) -> None:
    admin, officer = make_user(db_session, "admin"), make_user(db_session)
    headers = _token(db_session, officer)
    users.set_active(db_session, Actor.of(admin), officer.email, False)
    db_session.commit()
    assert client.get(RETURNEES, headers=headers).status_code == 401
    users.set_active(db_session, Actor.of(admin), officer.email, True)
    db_session.commit()
    assert client.get(RETURNEES, headers=headers).status_code == 401
    fresh = _token(db_session, officer)
    assert client.get(RETURNEES, headers=fresh).status_code == 200
