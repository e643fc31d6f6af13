"""PostgreSQL only: the scheduler's advisory lock is per database and dies with its holder."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from reintegrate import create_app
from reintegrate.db import db
from reintegrate.migrate import upgrade
from reintegrate.scheduler import ADVISORY_LOCK_KEY, scheduler_lock
from tests.conftest import on_postgresql

pytestmark = pytest.mark.skipif(not on_postgresql(), reason="needs TEST_DATABASE_URL on PostgreSQL")


@pytest.fixture
def pg_app(fresh_database_url: str) -> Iterator[Flask]:
    upgrade(fresh_database_url)
    app = create_app({"DATABASE_URL": fresh_database_url})
    yield app
    db.engine(app).dispose()


def test_a_second_scheduler_on_the_same_database_gets_false(
    pg_app: Flask, fresh_database_url: str
) -> None:
    second = create_app({"DATABASE_URL": fresh_database_url})
    try:
        with scheduler_lock(pg_app) as first:
            assert first is True
            with scheduler_lock(second) as other:
                assert other is False
        with scheduler_lock(second) as after:
            assert after is True
    finally:
        db.engine(second).dispose()


def _wait_until_the_server_has_ended_sessions_holding(url: str) -> None:
    """A backend ends a moment after its client hangs up; wait for that, as a restart would."""
    watcher = create_engine(url)
    try:
        with watcher.connect() as connection:
            for _ in range(100):
                held = connection.execute(
                    text(
                        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                        " WHERE l.locktype = 'advisory' AND d.datname = current_database()"
                        " AND l.objid::text::bigint = :k"
                    ),
                    {"k": ADVISORY_LOCK_KEY},
                ).scalar()
                if not held:
                    return
                time.sleep(0.05)
    finally:
        watcher.dispose()


def test_the_lock_is_released_when_its_holder_disconnects(
    pg_app: Flask, fresh_database_url: str
) -> None:
    holder = create_engine(fresh_database_url)
    try:
        connection = holder.connect()
        assert connection.execute(
            text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}
        ).scalar()
        with scheduler_lock(pg_app) as acquired:
            assert acquired is False
        connection.close()
        holder.dispose()  # the server ends the session, as when a process is killed
        _wait_until_the_server_has_ended_sessions_holding(fresh_database_url)
        with scheduler_lock(pg_app) as acquired:
            assert acquired is True
    finally:
        holder.dispose()
