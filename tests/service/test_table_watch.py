"""A process's brief trust in its last look at a table: own writes seen at once, others' soon."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reintegrate.models import Listing, ListingProvince, ListingSkill, SkillMapping
from reintegrate.services import listings, skills, table_watch
from reintegrate.services.access import Actor
from reintegrate.services.table_watch import TableWatch
from tests.builders import listing_record, make_listing, make_user


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(table_watch.time, "monotonic", clock)
    return clock


@pytest.fixture
def watch() -> Iterator[tuple[TableWatch, list[int]]]:
    """A watch on the listings table that counts how often it really looks."""
    looks: list[int] = []

    def look(session: Session) -> int:
        count = session.scalar(select(func.count(Listing.id))) or 0
        looks.append(count)
        return count

    watch = TableWatch("test_listings", (Listing,), look)
    yield watch, looks
    table_watch._watches.remove(watch)


def test_repeated_requests_within_the_interval_do_not_query_again(
    db_session: Session, watch: tuple[TableWatch, list[int]], clock: Clock
) -> None:
    tables, looks = watch
    assert tables.state(db_session) == 0
    clock.now += 1.0
    assert tables.state(db_session) == 0
    assert looks == [0]
    clock.now += 1.5
    assert tables.state(db_session) == 0
    assert looks == [0, 0]


def test_a_listing_committed_in_this_process_is_seen_at_once(
    db_session: Session, watch: tuple[TableWatch, list[int]], clock: Clock
) -> None:
    tables, _looks = watch
    officer = make_user(db_session, "officer", provinces=["02"])
    assert tables.state(db_session) == 0
    make_listing(db_session, officer)  # commits
    assert tables.state(db_session) == 1


def test_another_process_s_write_is_seen_once_the_interval_has_passed(
    db_session: Session, watch: tuple[TableWatch, list[int]], clock: Clock
) -> None:
    tables, _looks = watch
    officer = make_user(db_session, "officer", provinces=["02"])
    make_listing(db_session, officer)
    assert tables.state(db_session) == 1
    # A statement on the connection passes no session event: to this process it is a write
    # made elsewhere.
    connection = db_session.connection()
    for model in (ListingProvince, ListingSkill, Listing):
        connection.execute(delete(model.__table__))  # type: ignore[arg-type]
    db_session.commit()
    assert tables.state(db_session) == 1
    clock.now += table_watch.RECHECK_SECONDS
    assert tables.state(db_session) == 0


def test_uncommitted_rows_are_seen_by_their_session_and_never_cached(
    db_session: Session, watch: tuple[TableWatch, list[int]], clock: Clock
) -> None:
    tables, looks = watch
    officer = make_user(db_session, "officer", provinces=["02"])
    db_session.commit()
    assert tables.state(db_session) == 0

    listings.create_listing(db_session, Actor.of(officer), listing_record())
    db_session.flush()
    assert tables.state(db_session) == 1
    db_session.rollback()
    assert tables.state(db_session) == 0
    assert looks == [0, 1]


def test_a_mapping_saved_by_an_admin_reaches_the_vocabulary_at_once(
    db_session: Session, clock: Clock
) -> None:

    admin = make_user(db_session, "admin")
    db_session.commit()
    before = skills.current_vocabulary(db_session)
    db_session.commit()
    skills.map_phrase(db_session, Actor.of(admin), "durian orchard keeping", "fruit_growing")
    db_session.commit()
    assert db_session.scalar(select(func.count(SkillMapping.id))) == 1
    after = skills.current_vocabulary(db_session)
    assert after.version != before.version
    assert after.normalise_phrase("durian orchard keeping").code == "fruit_growing"
