"""A web worker's candidate index: built in the background at start, caught up per request,
rebuilt in the background after many changes, and never losing anyone on the way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import update

from jobs_import import ListingRecord
from reintegrate import create_app
from reintegrate.db import db
from reintegrate.migrate import upgrade
from reintegrate.models import Listing, User
from reintegrate.models.listing import ListingStatus
from reintegrate.services import listings, matching
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today
from tests.builders import make_returnee, make_user


@pytest.fixture
def worker(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app on committed data, with a process index of its own (restored afterwards)."""
    upgrade(fresh_database_url)
    app = create_app({"DATABASE_URL": fresh_database_url})
    monkeypatch.setattr(matching, "_candidates", matching._Candidates())
    monkeypatch.setattr(matching, "_listings", matching._Listings())
    monkeypatch.setattr(matching._Background, "sessions", None)
    yield app
    for building in (matching._candidates.building, matching._listings.building):
        with building:  # a background build finishes before the database goes
            pass
    db.engine(app).dispose()


def _welder(app: Flask, officer_id: int, given_name: str) -> int:
    with app.app_context(), db.new_session() as session:
        officer = session.get(User, officer_id)
        return make_returnee(
            session, officer, given_name=given_name, skills=("welding",), phone=None
        ).id


def _candidates(app: Flask, officer_id: int, listing_id: int) -> set[int]:
    with app.app_context(), db.standalone() as session:
        actor = Actor.of(session.get(User, officer_id))
        found = matching.candidates_for_listing(session, actor, listing_id, limit=50)
        return {c.returnee.id for c in found}


def _setting_up(app: Flask) -> tuple[int, int]:
    with app.app_context(), db.new_session() as session:
        officer = make_user(session, provinces=["02"])
        listing = listings.create_listing(
            session,
            Actor.of(officer),
            ListingRecord(
                row=0,
                kind="job",
                external_id=None,
                title="Welder",
                employer="Angkor Steel",
                provinces=("02",),
                skills=("welding",),
                positions=2,
                valid_through=local_today() + timedelta(days=30),
            ),
        )
        session.commit()
        return officer.id, listing.id


def test_a_worker_builds_its_index_at_start_and_sees_every_later_registration(
    worker: Flask,
) -> None:
    officer_id, listing_id = _setting_up(worker)
    first = _welder(worker, officer_id, "Dara")
    with worker.app_context():
        matching.start_upkeep(db.sessions())
    assert matching.wait_until_ready(60)
    assert matching._candidates.index is not None and len(matching._candidates.index.base) == 1
    assert _candidates(worker, officer_id, listing_id) == {first}
    second = _welder(worker, officer_id, "Sokha")
    assert _candidates(worker, officer_id, listing_id) == {first, second}


def test_many_changes_are_folded_into_a_fresh_index_built_in_the_background(
    worker: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer_id, listing_id = _setting_up(worker)
    with worker.app_context():
        matching.start_upkeep(db.sessions())
    assert matching.wait_until_ready(60)
    started_with = matching._candidates.index
    monkeypatch.setattr(matching, "REBUILD_AT", 2)
    people = {_welder(worker, officer_id, name) for name in ("Dara", "Sokha", "Vanna", "Chenda")}
    assert _candidates(worker, officer_id, listing_id) == people  # served while it rebuilds
    with matching._candidates.building:
        rebuilt = matching._candidates.index
    assert rebuilt is not started_with and rebuilt is not None
    assert len(rebuilt.base) == 4 and not rebuilt.changed
    assert _candidates(worker, officer_id, listing_id) == people


def test_a_worker_answers_matches_from_the_listings_it_has_while_it_builds_the_new_ones(
    worker: Flask,
) -> None:
    officer_id, listing_id = _setting_up(worker)
    person = _welder(worker, officer_id, "Dara")
    with worker.app_context():
        matching.start_upkeep(db.sessions())
    assert matching.wait_until_ready(60)

    def offered() -> set[int]:
        with worker.app_context(), db.standalone() as session:
            actor = Actor.of(session.get(User, officer_id))
            return {m.listing.id for m in matching.matches_for_returnee(session, actor, person)}

    assert offered() == {listing_id}
    with worker.app_context(), db.new_session() as session:
        second = listings.create_listing(
            session,
            Actor.of(session.get(User, officer_id)),
            ListingRecord(
                row=0,
                kind="job",
                external_id=None,
                title="Steel fixer",
                employer="Angkor Steel",
                provinces=("02",),
                skills=("welding",),
                positions=1,
                valid_through=local_today() + timedelta(days=30),
            ),
        ).id
        session.commit()
    offered()  # answered from the index it had; the new one is built in the background
    with matching._listings.building:
        pass
    assert offered() == {listing_id, second}
    with worker.app_context(), db.new_session() as session:
        session.execute(
            update(Listing).where(Listing.id == second).values(status=ListingStatus.CLOSED.value)
        )
        session.commit()
    assert offered() == {listing_id}  # closed: never offered, even by an index seconds behind
