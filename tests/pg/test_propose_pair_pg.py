"""PostgreSQL only: two transactions proposing one pair at once leave one queue row."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from reintegrate import create_app
from reintegrate.db import db
from reintegrate.migrate import upgrade
from reintegrate.models import DuplicateReview
from reintegrate.services import reviews
from reintegrate.services.access import Actor
from tests.builders import make_returnee, make_user
from tests.conftest import on_postgresql

pytestmark = pytest.mark.skipif(not on_postgresql(), reason="needs TEST_DATABASE_URL on PostgreSQL")


@pytest.fixture
def pg_app(fresh_database_url: str) -> Iterator[Flask]:
    upgrade(fresh_database_url)
    app = create_app({"DATABASE_URL": fresh_database_url})
    yield app
    db.engine(app).dispose()


def test_parallel_proposals_of_one_pair_make_one_row(pg_app: Flask) -> None:
    with pg_app.app_context(), db.sessions()() as session:
        officer = make_user(session)
        one, two = (
            make_returnee(
                session, officer, given_name=given, family_name=family, name_km=None, phone=None
            )
            for given, family in (("Dara", "Keo"), ("Vanna", "Sok"))
        )
        actor = Actor.of(officer)
        ids = (one.id, two.id)
    first_proposed = threading.Event()
    found: list[int] = []
    errors: list[BaseException] = []

    def second() -> None:
        first_proposed.wait(10)
        try:
            with pg_app.app_context(), db.standalone() as other:
                found.append(reviews.propose_pair(other, actor, ids[1], ids[0], 60, ["x"]).id)
        except BaseException as exc:  # noqa: BLE001  (reported by the test thread below)
            errors.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    with pg_app.app_context(), db.standalone() as session:
        found.append(reviews.propose_pair(session, actor, ids[0], ids[1], 50, ["y"]).id)
        first_proposed.set()
        thread.join(0.5)  # the second waits on the pair's unique index until this commits
        alive = thread.is_alive()
    thread.join(10)
    assert errors == [] and alive
    assert len(found) == 2 and found[0] == found[1]
    with pg_app.app_context(), db.standalone() as session:
        assert session.scalar(select(func.count()).select_from(DuplicateReview)) == 1
        assert session.get(DuplicateReview, found[0]).score == 60
