"""Passwords: length over rules, passphrases welcome, common ones refused; login throttling."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from reintegrate.errors import InvalidInput
from reintegrate.services import users
from reintegrate.services.access import Actor
from tests.builders import PASSWORD, make_user
from tests.conftest import CSRF, csrf_token


def _create(session: Session, password: str, email: str = "pw.check@example.org") -> None:
    users.create_user(session, Actor.system("test"), email=email, role="manager", password=password)


@pytest.mark.parametrize("length", [1, 8, 11])
def test_passwords_under_12_characters_are_refused(db_session: Session, length: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        _create(db_session, "Zq7!vB2#xK9m"[:length])
    assert "password" in caught.value.errors


@pytest.mark.parametrize("password", ["Zq7!vB2#xK9m", "lowercaseonlyhere", "ស្រូវ ដំណាំ ទឹក ភ្លៀង"])
def test_12_characters_of_any_kind_are_enough(db_session: Session, password: str) -> None:
    """No composition rules (ASVS 6.2.5): lowercase only, or Khmer, is fine if long enough."""
    _create(db_session, password)


def test_a_200_character_passphrase_is_accepted_and_logs_in(
    client: FlaskClient, db_session: Session
) -> None:
    phrase = ("rice fields near battambang turn gold in november " * 5)[:200]
    assert len(phrase) == 200
    _create(db_session, phrase, email="long.phrase@example.org")
    db_session.commit()
    response = client.post(
        "/login",
        data={
            "email": "long.phrase@example.org",
            "password": phrase,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 302


def test_a_passphrase_over_the_maximum_is_refused(db_session: Session) -> None:
    with pytest.raises(InvalidInput):
        _create(db_session, "word " * 60)


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "123456789012",
        "qwertyuiopas",
        "iloveyou1234",
        "PASSWORD1234",
        "zzzzzzzzzzzzzz",
    ],
)
def test_common_or_trivial_passwords_are_refused(db_session: Session, password: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _create(db_session, password)
    assert "password" in caught.value.errors


def _attempt(client: FlaskClient, email: str, password: str, ip: str) -> int:
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
    )
    return response.status_code


def test_five_failures_block_that_account_from_that_address_only(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    other = make_user(db_session)
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert limit == 5
    for _ in range(limit):
        assert _attempt(client, officer.email, "not the password", "203.0.113.9") == 401
    # Now even the right password is refused from that address...
    assert _attempt(client, officer.email, PASSWORD, "203.0.113.9") == 429
    # ...but the real user, elsewhere, still gets in, and other accounts from there are fine.
    assert _attempt(app.test_client(), officer.email, PASSWORD, "198.51.100.7") == 302
    assert _attempt(app.test_client(), other.email, PASSWORD, "203.0.113.9") == 302


def test_the_throttle_response_says_when_to_retry_in_json_too(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    for _ in range(5):
        _attempt(client, officer.email, "not the password", "203.0.113.10")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": officer.email.upper(), "password": PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "203.0.113.10"},
    )
    assert response.status_code == 429  # the email's case does not reset the count


def test_twenty_failures_across_accounts_block_the_address(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    ip = "203.0.113.20"
    for n in range(20):
        assert _attempt(client, f"sprayed{n % 10}@example.org", "Spring2026!!", ip) == 401
    assert _attempt(client, officer.email, PASSWORD, ip) == 429
    assert _attempt(app.test_client(), officer.email, PASSWORD, "198.51.100.8") == 302


def test_unknown_and_known_accounts_get_the_same_answer(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    disabled = make_user(db_session)
    users.set_active(db_session, Actor.system("test"), disabled.email, False)
    db_session.commit()
    answers = []
    for email, password in (
        (officer.email, "not the password"),
        ("nobody.here@example.org", "not the password"),
        (disabled.email, PASSWORD),
    ):
        token = csrf_token(client)
        response = client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token},
            environ_base={"REMOTE_ADDR": "192.0.2.50"},
        )
        body = response.get_data(as_text=True)
        body = body.replace(email, "EMAIL")
        body = CSRF.sub("CSRF", body)  # signed with a timestamp: differs from second to second
        answers.append((response.status_code, body))
    assert answers[0][0] == 401
    assert answers[0] == answers[1] == answers[2]


def test_unknown_accounts_cost_a_password_check_too(
    client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hash is checked (against a dummy) even when no account has that email."""
    checked = []
    real = users.check_password_hash
    monkeypatch.setattr(users, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    _attempt(client, "nobody.at.all@example.org", "whatever password", "192.0.2.51")
    assert checked == [users._DUMMY_HASH]


def test_thirty_parallel_wrong_passwords_get_at_most_five_password_checks(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: tries counted before any of them committed all saw the same count."""
    import threading

    from reintegrate import create_app
    from reintegrate.db import db, make_engine
    from reintegrate.migrate import upgrade

    upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        officer = make_user(session, email="raced@example.org")
        email = officer.email
    engine.dispose()
    app = create_app(
        {"DATABASE_URL": fresh_database_url, "TESTING": True, "WTF_CSRF_ENABLED": False}
    )
    checked: list[str] = []
    real = users.check_password_hash
    monkeypatch.setattr(users, "check_password_hash", lambda h, p: checked.append(p) or real(h, p))
    start = threading.Barrier(30)
    answers: list[int] = []

    def attempt() -> None:
        client = app.test_client()
        start.wait()
        response = client.post(
            "/login",
            data={"email": email, "password": "not the password at all"},
            environ_base={"REMOTE_ADDR": "203.0.113.77"},
        )
        answers.append(response.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        db.engine(app).dispose()
    assert sorted(set(answers)) == [401, 429]
    assert answers.count(401) == 5 and len(checked) == 5
