"""Browser sessions: a new id at login, really ended at logout, timeouts, and cookie flags."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reintegrate import create_app
from reintegrate.db import utcnow
from reintegrate.models import LoginSession, User
from reintegrate.services import users
from reintegrate.services.access import Actor
from tests.builders import PASSWORD, make_user, returnee_json
from tests.conftest import csrf_token, log_in

COOKIE = "reintegrate_session"


def _server_token(client: FlaskClient) -> str | None:
    with client.session_transaction() as cookie:
        return cookie.get("_user_id")


def _row(session: Session, token: str) -> LoginSession:
    session.expire_all()
    digest = hashlib.sha256(token.encode()).hexdigest()
    return session.scalars(select(LoginSession).where(LoginSession.token_hash == digest)).one()


def _assert_cookie_refused(app: Flask, cookie: str) -> None:
    """A browser holding only this cookie is sent to the login page and refused by the API."""
    browser = app.test_client()
    browser.set_cookie(COOKIE, cookie)
    assert browser.get("/returnees").status_code == 302
    assert browser.get("/api/v1/returnees").status_code == 401


def test_login_gives_a_new_cookie_and_a_new_server_side_session(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    csrf_token(client)  # an anonymous session exists before login (it holds the CSRF secret)
    before = client.get_cookie(COOKIE)
    assert before is not None and _server_token(client) is None
    log_in(client, officer.email, PASSWORD)
    first = client.get_cookie(COOKIE)
    first_token = _server_token(client)
    assert first is not None and first.value != before.value and first_token
    assert _row(db_session, first_token).user_id == officer.id
    assert first_token not in first.value  # the cookie is signed; the row keeps only a hash
    log_in(client, officer.email, PASSWORD)
    second_token = _server_token(client)
    assert second_token and second_token != first_token
    assert client.get_cookie(COOKIE).value != first.value


def test_logging_in_again_ends_the_browser_s_earlier_session(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    log_in(client, officer.email, PASSWORD)
    first_token = _server_token(client)
    copied = client.get_cookie(COOKIE).value
    log_in(client, officer.email, PASSWORD)
    assert _row(db_session, first_token).ended_at is not None
    assert client.get("/returnees").status_code == 200
    _assert_cookie_refused(app, copied)


def test_a_cookie_from_before_login_is_not_logged_in(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    """Session fixation: a cookie planted before the victim logs in stays anonymous."""
    officer = make_user(db_session)
    csrf_token(client)
    planted = client.get_cookie(COOKIE)
    log_in(client, officer.email, PASSWORD)
    _assert_cookie_refused(app, planted.value)


def test_a_cookie_replayed_after_logout_is_refused_on_pages_and_api(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    log_in(client, officer.email, PASSWORD)
    token = _server_token(client)
    stolen = client.get_cookie(COOKIE).value
    client.post("/logout", data={"csrf_token": csrf_token(client, "/returnees")})
    assert _row(db_session, token).ended_at is not None
    _assert_cookie_refused(app, stolen)


def test_a_cookie_replayed_after_the_account_is_disabled_is_refused(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    admin = make_user(db_session, "admin")
    log_in(client, officer.email, PASSWORD)
    token = _server_token(client)
    stolen = client.get_cookie(COOKIE).value
    users.set_active(db_session, Actor.of(admin), officer.email, False)
    db_session.commit()
    assert _row(db_session, token).ended_at is not None
    _assert_cookie_refused(app, stolen)
    # Re-enabling the account does not bring the old session back.
    users.set_active(db_session, Actor.of(admin), officer.email, True)
    db_session.commit()
    _assert_cookie_refused(app, stolen)


@pytest.mark.parametrize(
    ("idle", "age", "alive"),
    [
        (timedelta(minutes=29), timedelta(hours=1), True),
        (timedelta(minutes=31), timedelta(hours=1), False),
        (timedelta(minutes=0), timedelta(hours=11, minutes=59), True),
        (timedelta(minutes=0), timedelta(hours=12, minutes=1), False),
    ],
    ids=["idle-29m", "idle-31m", "age-11h59", "age-12h01"],
)
def test_idle_and_absolute_timeouts(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    idle: timedelta,
    age: timedelta,
    alive: bool,
) -> None:
    assert app.config["SESSION_IDLE_MINUTES"] == 30
    assert app.config["SESSION_ABSOLUTE_HOURS"] == 12
    officer = make_user(db_session)
    log_in(client, officer.email, PASSWORD)
    token = _server_token(client)
    now = utcnow()
    db_session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == officer.id)
        .values(created_at=now - age, last_seen_at=now - idle)
    )
    db_session.commit()
    page = client.get("/returnees")
    api = client.get("/api/v1/returnees")
    if alive:
        assert page.status_code == 200 and api.status_code == 200
        assert _row(db_session, token).ended_at is None
    else:
        assert page.status_code == 302 and "/login" in page.headers["Location"]
        assert api.status_code == 401
        assert _row(db_session, token).ended_at is not None


def test_activity_keeps_an_idle_session_alive(client: FlaskClient, db_session: Session) -> None:
    officer = make_user(db_session)
    log_in(client, officer.email, PASSWORD)
    token = _server_token(client)
    db_session.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=20)))
    db_session.commit()
    assert client.get("/returnees").status_code == 200
    assert utcnow() - _row(db_session, token).last_seen_at < timedelta(minutes=1)


def _cookie_header(app: Flask, **environ: object) -> str:
    client = app.test_client()
    response = client.get("/login", **environ)  # type: ignore[arg-type]
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie" and COOKIE in v]
    assert cookies, "no session cookie set"
    return cookies[0]


def _app_for(monkeypatch: pytest.MonkeyPatch, database_url: str, environment: str) -> Flask:
    monkeypatch.setenv("REINTEGRATE_ENV", environment)
    monkeypatch.setenv("SECRET_KEY", "a" * 8 + "-production-secret-key-of-enough-length-123")
    monkeypatch.setenv("DATABASE_URL", database_url)
    return create_app()


def test_the_cookie_is_httponly_lax_and_secure_in_production(
    monkeypatch: pytest.MonkeyPatch, database_url: str, engine: object
) -> None:
    app = _app_for(monkeypatch, database_url, "production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    header = _cookie_header(app, base_url="https://localhost")
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" in header
    assert "Expires" not in header and "Max-Age" not in header  # a browser-session cookie


def test_the_cookie_is_not_secure_in_development(
    monkeypatch: pytest.MonkeyPatch, database_url: str, engine: object
) -> None:
    app = _app_for(monkeypatch, database_url, "development")
    header = _cookie_header(app)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header


def test_production_refuses_a_weak_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from reintegrate.config import ConfigError

    monkeypatch.setenv("REINTEGRATE_ENV", "production")
    for weak in ("", "changeme", "short-secret"):
        monkeypatch.setenv("SECRET_KEY", weak)
        with pytest.raises(ConfigError):
            create_app()


def test_cookie_authenticated_api_writes_need_the_csrf_header(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    log_in(client, officer.email, PASSWORD)
    body = returnee_json(given_name="Csrfcheck")
    refused = client.post("/api/v1/returnees", json=body)
    assert refused.status_code == 400
    assert client.get("/api/v1/returnees?q=Csrfcheck").get_json()["total"] == 0
    token = csrf_token(client, "/returnees")
    accepted = client.post("/api/v1/returnees", json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_web_pages_forms_need_the_csrf_token_for_every_write(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    log_in(client, officer.email, PASSWORD)
    for url in ("/inbox", "/language", "/account/password", "/returnees/1/erasure"):
        assert client.post(url, data={"lang": "km"}).status_code == 400, url


def test_a_bearer_token_works_only_on_the_api_and_only_while_valid(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    token = users.create_token(db_session, Actor.system("test"), officer.email)
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/returnees", headers=headers).status_code == 200
    assert client.get("/returnees", headers=headers).status_code == 302
    for bad in (token + "x", token[:-1], "", "rit_" + "A" * 43):
        response = client.get("/api/v1/returnees", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401
    from reintegrate.models import ApiToken

    db_session.execute(update(ApiToken).values(revoked_at=utcnow()))
    db_session.commit()
    assert client.get("/api/v1/returnees", headers=headers).status_code == 401


def test_only_a_hash_of_session_and_api_tokens_is_stored(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    token = users.create_token(db_session, Actor.system("test"), officer.email)
    db_session.commit()
    log_in(client, officer.email, PASSWORD)
    session_token = _server_token(client)
    from reintegrate.models import ApiToken

    stored = [row.token_hash for row in db_session.scalars(select(ApiToken))]
    stored += [row.token_hash for row in db_session.scalars(select(LoginSession))]
    assert token not in stored and session_token not in stored
    assert db_session.get(User, officer.id).password_hash != PASSWORD


def test_redirects_after_login_and_forms_stay_on_this_site(
    client: FlaskClient, db_session: Session
) -> None:
    """A crafted `next` cannot send a user elsewhere (a backslash is encoded, not a slash)."""
    officer = make_user(db_session)
    for target in (
        "//evil.example/x",
        "https://evil.example/",
        "https:evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "%2F%2Fevil.example",
    ):
        response = client.post(
            "/login?next=" + target,
            data={"email": officer.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//"), (target, location)
        assert "\\" not in location and not location.startswith("/%5C%5C"), (target, location)
        language = client.post(
            "/language",
            data={"lang": "en", "next": target, "csrf_token": csrf_token(client, "/returnees")},
        ).headers["Location"]
        assert language.startswith("/") and not language.startswith("//") and "\\" not in language
