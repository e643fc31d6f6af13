"""A live server on a fresh database and a headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from reintegrate import create_app
from reintegrate.db import db
from reintegrate.demo import load_demo
from reintegrate.migrate import upgrade
from reintegrate.services import users
from reintegrate.services.access import Actor
from tests.builders import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LOCAL_SCHEMES = ("data:", "blob:", "about:")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class LiveServer:
    url: str
    officer_email: str


@dataclass(frozen=True)
class DemoServer:
    """A live server on the demo data set: every role has accounts and work to do."""

    url: str
    logins: dict[str, tuple[str, str]]
    """Email -> (role, password), as `load_demo` generated them."""
    app: Flask

    def login_for(self, email: str) -> tuple[str, str]:
        role, password = self.logins[email]
        return email, password

    def first_of(self, role: str) -> tuple[str, str]:
        return next((e, p) for e, (r, p) in self.logins.items() if r == role)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url})
    with app.app_context(), db.standalone() as session:
        officer = users.create_user(
            session,
            Actor.system("test"),
            email="officer@browser.test",
            role="officer",
            password=PASSWORD,
            provinces=["02", "01"],
        )
        email = officer.email
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", email)
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine(app).dispose()


def _serve(app: Flask) -> tuple[object, threading.Thread]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """One live server per session, loaded with `reintegrate.demo.load_demo`."""
    directory = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{directory / 'demo.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        logins = load_demo(db.sessions(), logins_file=directory / "demo-logins.txt")
    server, thread = _serve(app)
    yield DemoServer(
        f"http://127.0.0.1:{server.server_port}",  # type: ignore[attr-defined]
        {email: (role, password) for role, email, password in logins},
        app,
    )
    server.shutdown()  # type: ignore[attr-defined]
    thread.join(timeout=5)
    with app.app_context():
        db.engine(app).dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REINTEGRATE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser context per test; a screenshot is saved whatever the outcome."""
    context = browser.new_context(locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.console_errors = errors
    # What the journeys check besides the console: nothing leaves 127.0.0.1, nothing fails.
    external: list[str] = []
    failed: list[str] = []

    def on_request(request) -> None:  # type: ignore[no-untyped-def]
        url = request.url
        if urlsplit(url).hostname != "127.0.0.1" and not url.startswith(LOCAL_SCHEMES):
            external.append(url)

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        if response.status >= 400:
            failed.append(f"{response.url} {response.status}")

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", lambda request: failed.append(f"{request.url} {request.failure}"))
    page.external_requests = external
    page.failed_requests = failed
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
