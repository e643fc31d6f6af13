"""Shared fixtures: a migrated database, an app bound to a per-test rolled-back transaction."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from reintegrate.models import User

os.environ["REINTEGRATE_ENV"] = "testing"
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")

from reintegrate import create_app  # noqa: E402
from reintegrate.db import db, make_engine  # noqa: E402
from reintegrate.migrate import upgrade  # noqa: E402
from reintegrate.services import table_watch  # noqa: E402

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def on_postgresql() -> bool:
    return bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)  # pre-pings: survives the database restart test
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(engine: Engine, database_url: str) -> Flask:
    return create_app({"DATABASE_URL": database_url, "TESTING": True})


@pytest.fixture
def db_session(app: Flask, engine: Engine) -> Iterator[Session]:
    """Everything a test and the app under test write is rolled back afterwards.

    No app context stays pushed during the test, so each request gets its own `g` (and
    session), as in production.
    """
    connection = engine.connect()
    outer = connection.begin()
    db.bind(app, connection)
    with app.app_context():
        session = db.new_session()
    yield session
    session.close()
    outer.rollback()
    connection.close()
    table_watch.look_again()  # what the test wrote is gone; no process cache may still hold it


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's engine, for tests of real commits across processes."""
    if not on_postgresql():
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    assert TEST_DATABASE_URL is not None
    name = f"reintegrate_fresh_{uuid.uuid4().hex[:10]}"
    admin_url = make_url(TEST_DATABASE_URL).set(database="postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    match = CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(client: FlaskClient, email: str, password: str) -> None:
    """The one way a web test logs in: the login form, with its CSRF token (see `auth`)."""
    token = csrf_token(client)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


class AuthActions:
    """Logging test clients in, as the Flask tutorial's `auth` fixture does: a new account of
    a role (`make_user`'s arguments) signed in on the test's client or a browser of its own."""

    def __init__(self, app: Flask, client: FlaskClient, session: Session) -> None:
        self.app, self.client, self.session = app, client, session

    def as_new(
        self,
        role: str = "officer",
        *,
        client: FlaskClient | None = None,
        lang: str = "en",
        **account: Any,
    ) -> User:
        """A new account of this role, logged in, its pages in ``lang``."""
        from tests.builders import PASSWORD, make_user

        browser = client or self.client
        user = make_user(self.session, role, **account)
        log_in(browser, user.email, PASSWORD)
        if lang != "en":
            token = csrf_token(browser, "/account/password")
            browser.post("/language", data={"lang": lang, "csrf_token": token})
        return user

    def browser_as_new(self, role: str = "officer", **account: Any) -> tuple[User, FlaskClient]:
        """A second person at a browser of their own: a new account logged in on a new client."""
        browser = self.app.test_client()
        return self.as_new(role, client=browser, **account), browser


@pytest.fixture
def auth(app: Flask, client: FlaskClient, db_session: Session) -> AuthActions:
    return AuthActions(app, client, db_session)
