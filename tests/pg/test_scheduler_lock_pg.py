"""PostgreSQL only: the scheduler's advisory lock is per database and dies with its holder."""

from __future__ import annotations

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
        with scheduler_lock(pg_app) as acquired:
            assert acquired is True
    finally:
        holder.dispose()
