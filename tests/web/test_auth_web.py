"""Logging in and out, throttling, CSRF, security headers and the language switch."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from reintegrate.models import User
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token, log_in


def test_passwords_are_stored_as_scrypt_hashes(db_session: Session) -> None:
    user = make_user(db_session)
    assert user.password_hash and user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    assert check_password_hash(user.password_hash, PASSWORD)


def test_pages_need_a_login(client: FlaskClient) -> None:
    response = client.get("/returnees")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_then_logout_ends_the_session_even_for_a_replayed_cookie(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    log_in(client, officer.email, PASSWORD)
    assert client.get("/returnees").status_code == 200
    stolen = client.get_cookie("reintegrate_session")
    assert stolen is not None
    client.post("/logout", data={"csrf_token": csrf_token(client, "/returnees")})
    assert client.get("/returnees").status_code == 302
    client.set_cookie("reintegrate_session", stolen.value)
    assert client.get("/returnees").status_code == 302


def test_disabled_account_loses_its_session(client: FlaskClient, db_session: Session) -> None:
    officer = make_user(db_session)
    log_in(client, officer.email, PASSWORD)
    officer.active = False
    db_session.commit()
    assert client.get("/returnees").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    for email in (officer.email, "nobody@example.org"):
        response = client.post(
            "/login",
            data={"email": email, "password": "wrong password!", "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 401
        assert "Wrong email or password" in response.get_data(as_text=True)


def test_login_is_rate_limited_per_account_and_address(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    token = csrf_token(client)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post(
            "/login",
            data={"email": officer.email, "password": "not it at all", "csrf_token": token},
        )
    blocked = client.post(
        "/login", data={"email": officer.email, "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
    elsewhere = app.test_client()
    response = elsewhere.post(
        "/login",
        data={"email": officer.email, "password": PASSWORD, "csrf_token": csrf_token(elsewhere)},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 302


def test_post_without_csrf_token_is_refused(client: FlaskClient, db_session: Session) -> None:
    officer = make_user(db_session)
    assert (
        client.post("/login", data={"email": officer.email, "password": PASSWORD}).status_code
        == 400
    )
    log_in(client, officer.email, PASSWORD)
    assert client.post("/returnees/new", data={"given_name": "X"}).status_code == 400
    assert client.post("/logout").status_code == 400


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert (
        "frame-ancestors 'none'" in csp
        and "base-uri 'none'" in csp
        and "'unsafe-inline'" not in csp
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_language_switch_persists_on_the_account(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    log_in(client, officer.email, PASSWORD)
    client.post(
        "/language",
        data={"lang": "km", "next": "/returnees", "csrf_token": csrf_token(client, "/returnees")},
    )
    page = client.get("/returnees").get_data(as_text=True)
    assert 'lang="km"' in page and "ចាកចេញ" in page
    db_session.expire_all()
    assert db_session.get(User, officer.id).locale == "km"
    other_browser = app.test_client()
    log_in(other_browser, officer.email, PASSWORD)
    assert "ចាកចេញ" in other_browser.get("/returnees").get_data(as_text=True)


def test_language_switch_works_before_login(client: FlaskClient) -> None:
    client.post(
        "/language", data={"lang": "km", "next": "/login", "csrf_token": csrf_token(client)}
    )
    assert "ចូល" in client.get("/login").get_data(as_text=True)


def test_open_redirects_are_refused(client: FlaskClient, db_session: Session) -> None:
    officer = make_user(db_session)
    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": officer.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/"
