"""Ranked, explained matches: listings for a returnee and returnees for a listing."""

from __future__ import annotations

import ctypes
import gc
import threading
import time
from array import array
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload, lazyload

from matching.index import ListingIndex, PersonIndex
from matching.scoring import Eligibility, Match, Person
from matching.scoring import Listing as Opening
from reintegrate.errors import N_, NotReady
from reintegrate.models import Listing, ListingProvince, ListingSkill, Returnee, ReturneeSkill
from reintegrate.models.listing import ListingStatus
from reintegrate.models.returnee import ReturneeStatus
from reintegrate.reference import gazetteer
from reintegrate.services import audit, listings, registry, safeguarding, screening
from reintegrate.services.access import Actor
from reintegrate.services.offers import referred_listing_ids
from reintegrate.services.policy import authorize
from reintegrate.services.skills import current_vocabulary
from reintegrate.services.table_watch import TableWatch
from reintegrate.timeutil import local_today

MAX_LIMIT = 50
CANDIDATE_STATUSES = (ReturneeStatus.SEEKING.value, ReturneeStatus.REFERRED.value)


@dataclass(frozen=True)
class ListingMatch:
    """One listing for a returnee: the listing, its 0-100 score and why."""

    listing: Listing
    match: Match


@dataclass(frozen=True)
class CandidateMatch:
    """One returnee for a listing."""

    returnee: Returnee
    match: Match


class _Background:
    """Where a process builds its indexes: in a background thread when a worker gave a session
    factory (`start_upkeep`), in the asking request otherwise (tests, the command line)."""

    sessions: Callable[[], Session] | None = None

    @classmethod
    def run(cls, building: threading.Lock, work: Callable[[Session], None], name: str) -> bool:
        """Start `work` in a thread with a session of its own unless one holds `building`
        already; the thread releases it. Whether a build is now under way."""
        sessions = cls.sessions
        if sessions is None:
            return False
        if building.acquire(blocking=False):

            def target() -> None:
                try:
                    with sessions() as session:
                        work(session)
                finally:
                    building.release()

            threading.Thread(target=target, name=name, daemon=True).start()
        return True


class _Listings:
    """The process's listing index, for the listing tables as they are, the day and the
    vocabulary. A worker builds a changed one in the background and answers meanwhile from the
    one it has, a few seconds behind, as one process already is behind another (closed
    listings are dropped when read, so none is offered)."""

    def __init__(self) -> None:
        self.key: Any = None
        self.index: ListingIndex | None = None
        self.building = threading.Lock()

    def get(self, session: Session, today: date) -> ListingIndex:
        key = (listings_watch.state(session), today, current_vocabulary(session).version)
        index = self.index
        if self.key == key and index is not None:
            return index
        if index is not None and _Background.run(self.building, self._build, "listing-index"):
            return index
        return self._build(session, key)

    def _build(self, session: Session, key: Any = None) -> ListingIndex:
        today = local_today() if key is None else key[1]
        if key is None:
            key = (listings_watch.state(session), today, current_vocabulary(session).version)
        index = _build_listing_index(session, today)
        self.key, self.index = key, index
        return index


def _is_open(today: date) -> Any:
    return and_(
        Listing.status == ListingStatus.OPEN,
        Listing.duplicate_of_id.is_(None),
        or_(Listing.valid_through.is_(None), Listing.valid_through >= today),
    )


def _open_listings(today: date) -> Any:
    return select(Listing.id).where(_is_open(today))


def _codes_by_owner(
    session: Session, column: Any, owner_ids: Any, code: Any
) -> dict[int, set[str]]:
    codes: dict[int, set[str]] = {}
    for owner, value in session.execute(
        select(column, code).where(column.in_(owner_ids), code.is_not(None))
    ):
        codes.setdefault(owner, set()).add(value)
    return codes


def _build_listing_index(session: Session, today: date) -> ListingIndex:
    """Every open listing as the engine sees it, from three queries (no per-listing queries)."""
    open_ids = _open_listings(today).scalar_subquery()
    skills = _codes_by_owner(session, ListingSkill.listing_id, open_ids, ListingSkill.code)
    provinces = _codes_by_owner(
        session, ListingProvince.listing_id, open_ids, ListingProvince.province_code
    )
    rows = session.execute(
        select(
            Listing.id,
            Listing.kind,
            Listing.title,
            Listing.languages,
            Listing.returned_within_months,
            Listing.min_age,
            Listing.max_age,
            Listing.eligible_sex,
            Listing.survivors_priority,
            Listing.hazardous,
        ).where(Listing.id.in_(open_ids))
    )
    openings = []
    for row in rows:
        eligibility = None
        if row.kind == "incentive":
            eligibility = Eligibility(
                returned_within_months=row.returned_within_months,
                min_age=row.min_age,
                max_age=row.max_age,
                sex=row.eligible_sex,
                survivors_priority=row.survivors_priority,
            )
        openings.append(
            Opening(
                id=row.id,
                kind=row.kind,
                title=row.title,
                provinces=frozenset(provinces.get(row.id, ())),
                skills=frozenset(skills.get(row.id, ())),
                languages=frozenset(row.languages or ()),
                eligibility=eligibility,
                min_worker_age=safeguarding.minimum_age_for(row.kind, row.hazardous),
            )
        )
    index = ListingIndex(openings, gazetteer=gazetteer(), vocabulary=current_vocabulary(session))
    # The index is long-lived and never mutated: move it out of the collector's generations,
    # so full collections stop rescanning hundreds of thousands of objects mid-request.
    gc.freeze()
    return index


listings_watch = TableWatch(
    "listings",
    (Listing, ListingSkill, ListingProvince),
    lambda session: tuple(
        session.execute(select(func.count(Listing.id), func.max(Listing.updated_at))).one()
    ),
)


_listings = _Listings()


def listing_index(session: Session, today: date) -> ListingIndex:
    return _listings.get(session, today)


def person_of(returnee: Returnee) -> Person:
    """The matcher's view of a person; a year-only birth date is read as the age rules read it
    (`safeguarding.youngest_birth`), so no child is ranked for a job on a guessed birthday."""
    return Person(
        id=returnee.id,
        skills=frozenset(skill.code for skill in returnee.skills if skill.code),
        home_province=returnee.home_province,
        willing_to_relocate=returnee.willing_to_relocate,
        preferred_provinces=frozenset(returnee.preferred_provinces or ()),
        languages=frozenset(returnee.languages or ()),
        sex=returnee.sex,
        date_of_birth=safeguarding.youngest_birth(
            returnee.date_of_birth, returnee.date_of_birth_approximate
        ),
        return_date=returnee.return_date,
        trafficking_survivor=returnee.trafficking_survivor,
        interests=frozenset(returnee.interests or ()),
    )


def opening_of(listing: Listing) -> Opening:
    eligibility = None
    if listing.kind == "incentive":
        eligibility = Eligibility(
            returned_within_months=listing.returned_within_months,
            min_age=listing.min_age,
            max_age=listing.max_age,
            sex=listing.eligible_sex,
            survivors_priority=listing.survivors_priority,
        )
    return Opening(
        id=listing.id,
        kind=listing.kind,
        title=listing.title,
        provinces=frozenset(listing.provinces),
        skills=frozenset(skill.code for skill in listing.skills if skill.code),
        languages=frozenset(listing.languages or ()),
        eligibility=eligibility,
        min_worker_age=safeguarding.minimum_age_for(listing.kind, listing.hazardous),
    )


def matches_for_returnee(
    session: Session,
    actor: Actor,
    returnee_id: int,
    *,
    kind: str = "all",
    limit: int = 10,
    exclude: Collection[int] = (),
) -> list[ListingMatch]:
    """The best open listings for a returnee in the officer's provinces, best first.

    A survivor of trafficking is never shown a flagged listing (screening.require_safe_for).
    """
    returnee = registry.get(session, actor, returnee_id, audited=False)
    audit.record(session, actor, "view", "returnee", returnee.id, detail={"what": "matches"})
    today = local_today()
    excluded = set(exclude) | set(referred_listing_ids(session, returnee.id))
    if returnee.trafficking_survivor:
        excluded |= screening.flagged_open_listing_ids(session)
    found = listing_index(session, today).top_for(
        person_of(returnee),
        k=min(limit, MAX_LIMIT),
        kind=kind,  # type: ignore[arg-type]
        exclude=excluded,
        today=today,
    )
    by_id = {
        row.id: row
        for row in session.scalars(
            select(Listing)
            .where(Listing.id.in_([m.listing_id for m in found]), _is_open(today))
            .options(joinedload(Listing.province_links), lazyload(Listing.skills))
        ).unique()
    }
    return [ListingMatch(by_id[m.listing_id], m) for m in found if m.listing_id in by_id]


_CANDIDATE_COLUMNS = (
    Returnee.id,
    Returnee.status,
    Returnee.updated_at,
    Returnee.home_province,
    Returnee.willing_to_relocate,
    Returnee.preferred_provinces,
    Returnee.languages,
    Returnee.sex,
    Returnee.date_of_birth,
    Returnee.date_of_birth_approximate,
    Returnee.return_date,
    Returnee.trafficking_survivor,
    Returnee.interests,
    Returnee.merged_into_id,
)
IS_CANDIDATE = and_(Returnee.status.in_(CANDIDATE_STATUSES), Returnee.merged_into_id.is_(None))
WATERMARK_SLACK = timedelta(minutes=5)
"""Rows are stamped before their transaction commits: changes this much older than the newest
seen are read again, so a slow transaction's rows are not missed (re-reading is idempotent)."""
SLACK_READ_EVERY = 30.0
"""Seconds between reads of the slack: a late commit is seen within this (the table watch
already allows a few seconds between processes); the reads in between start at the watermark."""
REBUILD_AT = 5_000
"""Changed people kept beside the base index before a fresh base is built (in the background
where the process allows it): the small index of changed people is rebuilt on every change,
so it must stay small."""
STREAM_ROWS = 10_000


def _persons(session: Session, where: Any) -> Iterator[tuple[Any, Person]]:
    """(row, Person) for returnees matching `where`, by id, read as a stream: a million people
    never sit in memory at once, as rows or as objects. Equal sets are shared between people."""
    shared: dict[frozenset[str], frozenset[str]] = {}

    def one(values: Any) -> frozenset[str]:
        key = frozenset(values or ())
        return shared.setdefault(key, key)

    streamed = {"yield_per": STREAM_ROWS}
    rows = session.execute(
        select(*_CANDIDATE_COLUMNS).where(where).order_by(Returnee.id),
        execution_options=streamed,
    )
    skills = iter(
        session.execute(
            select(ReturneeSkill.returnee_id, ReturneeSkill.code)
            .join(Returnee, Returnee.id == ReturneeSkill.returnee_id)
            .where(where, ReturneeSkill.code.is_not(None))
            .order_by(ReturneeSkill.returnee_id),
            execution_options=streamed,
        )
    )
    pending = next(skills, None)
    for row in rows:
        codes = []
        while pending is not None and pending[0] <= row.id:
            if pending[0] == row.id:
                codes.append(pending[1])
            pending = next(skills, None)
        yield (
            row,
            Person(
                id=row.id,
                skills=one(codes),
                home_province=row.home_province,
                willing_to_relocate=row.willing_to_relocate,
                preferred_provinces=one(row.preferred_provinces),
                languages=one(row.languages),
                sex=row.sex,
                date_of_birth=safeguarding.youngest_birth(
                    row.date_of_birth, row.date_of_birth_approximate
                ),
                return_date=row.return_date,
                trafficking_survivor=row.trafficking_survivor,
                interests=one(row.interests),
            ),
        )


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


class _CandidateIndex:
    """Every candidate in the country: a base index, and the people changed since it was built.

    One per process, whatever the officer's scope (scope is a filter at ranking time), held as
    columns. A registration or an edit costs reading the rows stamped after the watermark (an
    index range scan) and re-indexing those few, never rebuilding the million: changed people
    are hidden in the base and ranked from a small index of their own, and the two rankings
    are merged.
    """

    def __init__(self, session: Session) -> None:
        self.vocabulary = current_vocabulary(session)
        self.lock = threading.Lock()
        # The watermark is read before the rows, so nothing stamped in between is skipped.
        self.watermark: datetime | None = session.scalar(select(func.max(Returnee.updated_at)))
        ids, stamps = array("q"), array("q")

        def stamped(rows: Iterator[tuple[Any, Person]]) -> Iterator[Person]:
            for row, person in rows:
                ids.append(row.id)
                stamps.append(_stamp(row.updated_at))
                yield person

        self.base = PersonIndex(
            stamped(_persons(session, IS_CANDIDATE)),
            gazetteer=gazetteer(),
            vocabulary=self.vocabulary,
        )
        self._base_ids = np.frombuffer(ids, np.int64)
        self._base_stamps = np.frombuffer(stamps, np.int64)
        self.changed: dict[int, Person | None] = {}
        self._changed_stamps: dict[int, int] = {}
        self._slack_read_at = time.monotonic()
        self.overlay = self._index_of_changed()

    def _index_of_changed(self) -> PersonIndex:
        return PersonIndex(
            (p for p in self.changed.values() if p is not None),
            gazetteer=gazetteer(),
            vocabulary=self.vocabulary,
        )

    def _known(self, person_id: int, stamp: int) -> bool:
        """Whether this version of the person is already in the index (a re-read in the slack)."""
        if person_id in self._changed_stamps:
            return self._changed_stamps[person_id] == stamp
        at = int(np.searchsorted(self._base_ids, person_id))
        return (
            at < len(self._base_ids)
            and self._base_ids[at] == person_id
            and self._base_stamps[at] == stamp
        )

    def catch_up(self, session: Session) -> None:
        """Take in the people stamped since the watermark; every SLACK_READ_EVERY seconds also
        those within the slack before it (late commits). Versions already held are skipped, so
        re-reading costs a range scan and never grows the small index."""
        now = time.monotonic()
        if self.watermark is None:
            where = Returnee.id.is_not(None)
        elif now - self._slack_read_at >= SLACK_READ_EVERY:
            where = Returnee.updated_at >= self.watermark - WATERMARK_SLACK
            self._slack_read_at = now
        else:
            where = Returnee.updated_at >= self.watermark
        seen = list(_persons(session, where))
        with self.lock:
            grown = False
            for row, person in seen:
                stamp = _stamp(row.updated_at)
                if self.watermark is None or row.updated_at > self.watermark:
                    self.watermark = row.updated_at
                if self._known(row.id, stamp):
                    continue
                wanted = row.status in CANDIDATE_STATUSES and row.merged_into_id is None
                self.changed[row.id] = person if wanted else None
                self._changed_stamps[row.id] = stamp
                grown = True
            if grown:
                self.overlay = self._index_of_changed()

    def forget(self, person_ids: Collection[int]) -> None:
        """People found gone (a record erased): never ranked again."""
        with self.lock:
            self.changed.update(dict.fromkeys(person_ids))
            self._changed_stamps.update(dict.fromkeys(person_ids, -1))
            self.overlay = self._index_of_changed()

    def top_for(
        self,
        listing: Opening,
        *,
        k: int,
        exclude: set[int],
        provinces: Sequence[str],
        survivors: bool,
    ) -> list[Match]:
        with self.lock:
            changed, overlay = set(self.changed), self.overlay
        today = local_today()
        ask = {"k": k, "today": today, "provinces": provinces, "survivors": survivors}
        found = self.base.top_for(listing, exclude=exclude | changed, **ask) + overlay.top_for(
            listing, exclude=exclude, **ask
        )
        return sorted(found, key=lambda m: (-m.score, m.person_id))[:k]


def _give_back_memory() -> None:
    """Hand the heap a replaced index leaves free back to the system: glibc keeps it otherwise,
    and a worker would carry two indexes' worth of memory after its first rebuild."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to ask
        return
    libc.malloc_trim(0)


class _Candidates:
    """The process's candidate index: built once, caught up per request, rebuilt when many
    people have changed. A worker (`start_upkeep`) builds it in the background, at start and
    later, and requests go on with the index they have meanwhile."""

    def __init__(self) -> None:
        self.index: _CandidateIndex | None = None
        self.building = threading.Lock()
        self.ready = threading.Event()

    def get(self, session: Session) -> _CandidateIndex:
        """The index, caught up with every change committed so far."""
        version = current_vocabulary(session).version
        if self.index is None and _Background.sessions is not None:
            if not self.ready.wait(WARM_UP_WAIT):
                raise NotReady(
                    RETRY_AFTER_SECONDS,
                    N_(
                        "The list of candidates is still being prepared after a restart."
                        " Please try again in a minute."
                    ),
                )
        index = self.index
        stale = index is None or index.vocabulary.version != version
        if index is None or (stale and _Background.sessions is None):
            with self.building:
                index = self.index
                if index is None or index.vocabulary.version != version:
                    index = self.index = _CandidateIndex(session)
            stale = False
        index.catch_up(session)
        if stale or len(index.changed) > REBUILD_AT:
            if not _Background.run(self.building, self._build, "candidate-index"):
                with self.building:
                    self._build(session)
        return self.index or index

    def _build(self, session: Session) -> None:
        fresh = _CandidateIndex(session)
        fresh.catch_up(session)
        self.index = fresh
        gc.collect()
        _give_back_memory()

    def warm_up(self, session: Session) -> None:
        """A worker's start: the listing index, then the candidates; a failure is logged by the
        thread and the first request that needs the index is told to come back."""
        try:
            listing_index(session, local_today())
            self._build(session)
        finally:
            self.ready.set()


WARM_UP_WAIT = 10.0
"""How long a request waits for the index a worker builds at start before it is told to come
back (a worker builds one index, never a second one in a request beside it)."""
RETRY_AFTER_SECONDS = 60
_candidates = _Candidates()


def start_upkeep(sessions: Callable[[], Session]) -> None:
    """Build a web worker's match indexes at start, and rebuild them later, in the background,
    so no officer's request pays for it (the first request after a restart included)."""
    _Background.sessions = sessions
    _candidates.ready.clear()
    _Background.run(_candidates.building, _candidates.warm_up, "match-indexes")


def wait_until_ready(timeout: float) -> bool:
    """Whether the start-up build has finished within `timeout` seconds (benchmarks, probes)."""
    return _candidates.ready.wait(timeout)


def candidates_for_listing(
    session: Session,
    actor: Actor,
    listing_id: int,
    *,
    limit: int = 10,
    exclude: Collection[int] = (),
) -> list[CandidateMatch]:
    """The returnees in the officer's provinces who fit a listing best. Officers only.

    Survivors of trafficking are left out of a flagged listing's candidates.
    """
    authorize(actor, "listings.candidates")
    listing = listings.get_listing(session, actor, listing_id)
    provinces = sorted(actor.provinces)
    index = _candidates.get(session)
    survivors = screening.survivor_rule_broken(listing) is None
    while True:
        found = index.top_for(
            opening_of(listing),
            k=min(limit, MAX_LIMIT),
            exclude=set(exclude),
            provinces=provinces,
            survivors=survivors,
        )
        by_id = {
            row.id: row
            for row in session.scalars(
                select(Returnee).where(Returnee.id.in_([m.person_id for m in found]))
            )
        }
        gone = [m.person_id for m in found if m.person_id not in by_id]
        if not gone:
            break
        index.forget(gone)
    audit.record_shown(
        session,
        actor,
        "returnee",
        (m.person_id for m in found),
        detail={"what": "candidate", "listing_id": listing.id},
    )
    return [CandidateMatch(by_id[m.person_id], m) for m in found]


def is_eligible(session: Session, returnee: Returnee, listing: Listing) -> bool:
    """Whether the engine's hard filters let this returnee take this listing today."""
    from matching.scoring import score

    result = score(
        person_of(returnee),
        opening_of(listing),
        gazetteer=gazetteer(),
        vocabulary=current_vocabulary(session),
        today=local_today(),
    )
    return result is not None
