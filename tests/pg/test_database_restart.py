"""PostgreSQL only: the database restarts under the running app, which recovers, losing nothing."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from reintegrate import create_app
from reintegrate.db import db
from reintegrate.migrate import upgrade
from reintegrate.models import Returnee
from reintegrate.services import users
from reintegrate.services.access import Actor
from tests.builders import PASSWORD, returnee_json
from tests.conftest import on_postgresql

pytestmark = [
    pytest.mark.skipif(not on_postgresql(), reason="needs TEST_DATABASE_URL on PostgreSQL"),
    pytest.mark.skipif(
        shutil.which("pg_ctlcluster") is None, reason="needs the Debian cluster tools"
    ),
]


def _restart_postgresql() -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    for _ in range(60):
        ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False, timeout=10)
        if ready.returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("PostgreSQL did not come back within 30 s")


@pytest.fixture
def served(fresh_database_url: str) -> Iterator[tuple[Flask, str, str]]:
    upgrade(fresh_database_url)
    app = create_app({"DATABASE_URL": fresh_database_url})
    with app.app_context(), db.standalone() as session:
        users.create_user(
            session,
            Actor.system("test"),
            email="officer@restart.test",
            role="officer",
            password=PASSWORD,
            provinces=["02"],
        )
        token = users.create_token(session, Actor.system("test"), "officer@restart.test")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", token
    server.shutdown()
    thread.join(timeout=5)
    db.engine(app).dispose()


def _count(url: str) -> int:
    engine = create_engine(url)
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(Returnee)) or 0
    engine.dispose()
    return count


def test_the_app_recovers_after_a_database_restart_without_losing_or_doubling(
    served: tuple[Flask, str, str], fresh_database_url: str
) -> None:
    import json
    import urllib.request

    _app, base, token = served
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(method: str, path: str, body: dict | None = None) -> int:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310  (loopback)
            base + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  (loopback)
                return response.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code

    assert call("POST", "/api/v1/returnees", returnee_json(given_name="Before")) == 201
    _restart_postgresql()
    statuses = [call("GET", "/api/v1/returnees") for _ in range(3)]
    assert statuses[-1] == 200, statuses
    assert call("POST", "/api/v1/returnees", returnee_json(given_name="After", phone=None)) == 201
    assert _count(fresh_database_url) == 2
