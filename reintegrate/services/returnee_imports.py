"""Bulk intake: a returnee list (CSV or XLSX) registered in chunks, with the listing imports'
report, exit codes and all-or-nothing transaction.

Each row goes through the registration schema (the edge passes its `RowRules`, as this
service imports no schema) and the registry's province rule, so a row is refused exactly as
the form or the API would refuse it. Writes are
set-based per chunk (Core inserts, one duplicate query per kind of evidence) so the cost per
row stays flat and memory does not grow with the file.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import PurePath
from typing import Any, BinaryIO, Protocol, TypeVar

from flask import current_app
from flask_babel import force_locale
from marshmallow import ValidationError
from sqlalchemy import String, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from jobs_import import FeedError, RowIssue
from jobs_import.people import (
    Columns,
    PersonRow,
    read_people,
)
from jobs_import.records import N_, Message
from reintegrate.db import utcnow
from reintegrate.errors import InvalidInput
from reintegrate.models import (
    AuditEntry,
    CaseCounter,
    ImportRun,
    Returnee,
    ReturneeExternalId,
    ReturneeSkill,
    User,
)
from reintegrate.models.returnee import ReturneeStatus, name_key_rows, remember_name_keys
from reintegrate.services import audit, bulk, imports, name_lookup, reviews
from reintegrate.services.access import Actor
from reintegrate.services.duplicates import ELSEWHERE_NOTICE, Evidence, compare, phone_key
from reintegrate.services.policy import authorize, can
from reintegrate.services.registry import ReturneeInput, require_officer_in
from reintegrate.services.skills import file_version, skill_values
from reintegrate.timeutil import local_today

T = TypeVar("T")
KIND = "returnees"
CHUNK = 1000
_CANDIDATE_COLUMNS = (
    Returnee.id,
    Returnee.given_name,
    Returnee.family_name,
    Returnee.name_km,
    Returnee.date_of_birth,
    Returnee.date_of_birth_approximate,
    Returnee.phone_key,
    Returnee.home_province,
    Returnee.merged_into_id,
)


class RowRules(Protocol):
    """The registration schema's view of a list (`schemas.returnees.ReturneeListRows`)."""

    def columns(self) -> Columns:
        """The columns a list may have, and their types."""

    def load(self, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """One row's registration fields, or marshmallow's ValidationError."""


@dataclass(frozen=True)
class ReturneeImportOptions:
    filename: str
    source: str | None = None
    officer: str | None = None
    strict: bool = False

    @property
    def source_name(self) -> str:
        """The list's name: given, or the file's name without extension."""
        return (self.source or PurePath(self.filename).stem or "upload").strip()[:100]


def officer_actor(session: Session, actor: Actor, officer: str | None) -> Actor:
    """Who registers the people: an officer imports as themselves; an admin (or the CLI)
    names an active officer account."""
    if can(actor, "imports.returnee_lists"):
        if officer and officer.strip().lower() != actor.email:
            raise InvalidInput({"officer": [N_("An officer imports as themselves.")]})
        return actor
    authorize(actor, "imports.name_officer")
    if not officer:
        raise InvalidInput({"officer": [N_("Name the officer who registers these people.")]})
    user = session.scalar(select(User).where(User.email == officer.strip().lower()))
    if user is None or not user.active or not can(Actor.of(user), "imports.returnee_lists"):
        raise InvalidInput({"officer": [N_("No active officer account has this e-mail.")]})
    return Actor.of(user, ip=actor.ip)


@dataclass
class _Valid:
    row: int
    data: ReturneeInput
    external_id: str | None
    phone_key: str | None
    keys: tuple[str, str | None]
    names: tuple[tuple[tuple[str, str], ...], ...]
    """The rows its names need in the name dictionary (`name_key_rows`), hashable."""
    target: int | None = None
    """The case this row is linked to, or the index of an earlier new row of the chunk (< 0)."""
    weak: list[tuple[int, Evidence]] = field(default_factory=list)


def _issues(row: int, messages: Mapping[str, Any]) -> Iterator[RowIssue]:
    """Schema errors as row issues: consent purposes named by their column, list items by
    their list."""
    for name, value in messages.items():
        if name == "consent" and isinstance(value, Mapping):
            for purpose, inner in value.items():
                yield from _issues(row, {f"consent_{purpose}": inner})
            continue
        text = next(_texts(value), "Invalid value.")
        yield RowIssue(row, name, Message(text.replace("{", "{{").replace("}", "}}")))


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield str(value)
    elif isinstance(value, Mapping):
        for inner in value.values():
            yield from _texts(inner)
    elif isinstance(value, Iterable):
        for inner in value:
            yield from _texts(inner)


def _check(person: PersonRow, officer: Actor, rules: RowRules) -> _Valid | list[RowIssue]:
    """One row through the registration schema and the registry's province rule."""
    if person.issues:
        return list(person.issues)
    try:
        data = ReturneeInput.of(rules.load(person.payload))
        require_officer_in(officer, data.home_province)
    except ValidationError as error:
        return list(_issues(person.row, error.normalized_messages()))
    except InvalidInput as error:
        return list(_issues(person.row, error.errors))
    names = name_key_rows(data.given_name, data.family_name, data.name_km)
    keys = (names[0]["key"], names[1]["key"] if len(names) > 1 else None)
    return _Valid(
        person.row,
        data,
        person.external_id,
        phone_key(data.phone),
        keys,
        tuple(tuple(name.items()) for name in names),
    )


def _checked_chunks(
    rows: Iterable[PersonRow], officer: Actor, rules: RowRules
) -> Iterator[list[_Valid | list[RowIssue]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        yield [_check(person, officer, rules) for person in chunk]


_DONE = object()


def _ahead(make: Callable[[], Iterator[T]]) -> Iterator[T]:
    """Run a generator one or two items ahead in a thread: the file is read and the rows
    validated while the database writes the previous chunk (it releases the GIL as it
    waits). Its errors are raised here, in order; stopping early stops it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    results: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        with app.app_context(), force_locale("en"):  # reports keep the English msgid
            try:
                for item in make():
                    while not stop.is_set():
                        try:
                            results.put(item, timeout=0.2)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                results.put(_DONE)
            except BaseException as error:  # handed to the consumer, raised there
                results.put(error)

    worker = threading.Thread(target=produce, name="intake-reader", daemon=True)
    worker.start()
    try:
        while (item := results.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


class _Intake:
    """Writes one run's rows inside the caller's transaction, a chunk at a time."""

    def __init__(
        self, session: Session, run: ImportRun, officer: Actor, source: str, strict: bool
    ) -> None:
        self.session, self.run, self.officer = session, run, officer
        self.source, self.strict = source, strict
        self.year = local_today().year
        self.version = file_version()
        self.skill_cache: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        # Name keys this import has put in the dictionary (names repeat down a list).
        self.names_remembered: set[tuple[tuple[str, str], ...]] = set()
        self.errors: list[dict[str, object]] = []
        self.warnings: list[dict[str, object]] = []
        self.known_ids: set[str] = set()
        self.analysed_at = 0

    def _reject(self, issues: Iterable[RowIssue]) -> None:
        self.run.rejected += 1
        for issue in issues:
            if len(self.errors) < imports.MAX_KEPT_ISSUES:
                self.errors.append(imports.issue_data(issue))

    def warn(self, issue: RowIssue) -> None:
        if len(self.warnings) < imports.MAX_KEPT_ISSUES:
            self.warnings.append(imports.issue_data(issue))

    def consume(self, rows: Iterable[PersonRow], rules: RowRules) -> None:
        for chunk in _ahead(lambda: _checked_chunks(rows, self.officer, rules)):
            valid = []
            for checked in chunk:
                self.run.rows += 1
                if isinstance(checked, _Valid):
                    valid.append(checked)
                else:
                    self._reject(checked)
            if self.strict and self.run.rejected:
                raise imports.StrictImportRefused(self.run.rows, self.run.rejected, self.errors)
            self._write(valid)

    def _write(self, rows: list[_Valid]) -> None:
        rows = self._match(rows)
        new = [r for r in rows if r.target is None]
        linked = [r for r in rows if r.target is not None]
        ids = self._insert(new)
        for index, row in enumerate(new):
            row.target = ids[index]
        for row in linked:
            if row.target is not None and row.target < 0:
                row.target = ids[-row.target - 1]
        self._external_ids(rows)
        proposals = [
            (row.target, other_id, evidence.score, list(evidence.reasons))
            for row in new
            for other_id, evidence in row.weak[:1]
            if row.target is not None
        ]
        if proposals:
            reviews.propose_pairs(self.session, self.officer, proposals)
        for row in new:
            if row.weak:
                self.run.flagged += 1
                self.warn(
                    RowIssue(
                        row.row,
                        None,
                        N_(
                            "registered, and put in the duplicate review queue beside a "
                            "similar registered person"
                        ),
                    )
                )
        self._audit(new, linked)
        self.run.created += len(new)
        self.run.linked += len(linked)
        self._keep_statistics()

    def _keep_statistics(self) -> None:
        """Refresh the planner's statistics each time this import has doubled the registry it
        started from: a list loaded into an almost empty registry would otherwise be matched
        with plans made for an empty table (sequential scans, growing with every chunk)."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        written = self.run.created + self.run.linked
        if written < max(self.analysed_at * 2, CHUNK):
            return
        self.analysed_at = written
        for table in ("returnees", "returnee_external_ids", "returnee_skills", "name_keys"):
            self.session.execute(text(f"ANALYZE {table}"))

    def _match(self, rows: list[_Valid]) -> list[_Valid]:
        """Link each row to a known case by its external id or by certain evidence (the
        chunk's earlier new rows included); keep weaker evidence for the review queue.

        A number already given to a case outside the officer's provinces rejects its row with
        the registration form's notice: linking would write onto a case the officer cannot
        see, and registering again would give the number to two people. Returns the rows kept.
        """
        wanted_ids = {r.external_id for r in rows if r.external_id}
        known: dict[str, int] = {}
        elsewhere: set[str] = set()
        if wanted_ids:
            found = self.session.execute(
                select(
                    ReturneeExternalId.external_id,
                    ReturneeExternalId.returnee_id,
                    Returnee.home_province,
                )
                .join(Returnee, Returnee.id == ReturneeExternalId.returnee_id)
                .where(
                    ReturneeExternalId.source == self.source,
                    name_lookup.any_of(
                        self.session, ReturneeExternalId.external_id, wanted_ids, String
                    ),
                )
            )
            for external_id, returnee_id, province in found:
                if province in self.officer.provinces:
                    known[external_id] = returnee_id
                else:
                    elsewhere.add(external_id)
        if elsewhere:
            for row in rows:
                if row.external_id in elsewhere:
                    self._reject([RowIssue(row.row, "external_id", ELSEWHERE_NOTICE)])
            rows = [row for row in rows if row.external_id not in elsewhere]
        self.known_ids = set(known)
        candidates: dict[int, dict[int, Any]] = {}
        # A row whose number is known is linked by it: no need to look for its namesakes.
        unknown = [r.external_id not in known for r in rows]
        phones = {
            r.phone_key for r, look in zip(rows, unknown, strict=True) if look and r.phone_key
        }
        if phones:
            by_phone: dict[str, list[Any]] = {}
            for other in self.session.execute(
                select(*_CANDIDATE_COLUMNS).where(
                    name_lookup.any_of(self.session, Returnee.phone_key, phones, String)
                )
            ):
                by_phone.setdefault(other.phone_key, []).append(other)
            for n, row in enumerate(rows):
                for other in by_phone.get(row.phone_key or "", ()) if unknown[n] else ():
                    if other.merged_into_id is None:
                        candidates.setdefault(n, {})[other.id] = other
        probes = [(n, r.data.date_of_birth, r.keys[0]) for n, r in enumerate(rows) if unknown[n]]
        for n, other in name_lookup.born_same_day_alike(self.session, probes, *_CANDIDATE_COLUMNS):
            if other.merged_into_id is None:  # a merged record lives on as its survivor
                candidates.setdefault(n, {})[other.id] = other
        in_chunk_ids: dict[str, int] = {}
        in_chunk_people: dict[date, list[tuple[int, _Valid]]] = {}
        new_count = 0
        for n, row in enumerate(rows):
            if row.external_id and row.external_id in known:
                row.target = known[row.external_id]
                continue
            if row.external_id and row.external_id in in_chunk_ids:
                row.target = in_chunk_ids[row.external_id]
                continue
            best = self._best(row, candidates.get(n, {}).values())
            if best is None:
                best = self._best_pending(row, in_chunk_people.get(row.data.date_of_birth, ()))
            if best is not None:
                row.target = best
                continue
            new_count += 1
            placeholder = -new_count
            if row.external_id:
                in_chunk_ids[row.external_id] = placeholder
            in_chunk_people.setdefault(row.data.date_of_birth, []).append((placeholder, row))
        return rows

    def _evidence(self, row: _Valid, other: Any) -> Evidence | None:
        data = row.data
        return compare(
            data.given_name,
            data.family_name,
            data.name_km,
            data.date_of_birth,
            row.phone_key,
            other,
            approximate=data.date_of_birth_approximate,
        )

    def _best(self, row: _Valid, others: Iterable[Any]) -> int | None:
        """The case to link to: certain evidence within the officer's provinces. A person
        elsewhere is never linked silently (the officer could not see the case); as at the
        registration form, the pair goes to the review queue instead."""
        found = [(e, o) for o in others if (e := self._evidence(row, o)) is not None]
        found.sort(key=lambda pair: (-pair[0].score, pair[1].id))
        for evidence, other in found:
            if evidence.certain and other.home_province in self.officer.provinces:
                return int(other.id)
        row.weak = [(other.id, evidence) for evidence, other in found[:3]]
        return None

    def _best_pending(self, row: _Valid, pending: Iterable[tuple[int, _Valid]]) -> int | None:
        for placeholder, other in pending:
            evidence = self._evidence(row, _AsPerson(other))
            if evidence is not None and evidence.certain:
                return placeholder
        return None

    def _case_numbers(self, rows: list[_Valid]) -> list[str]:
        """One counter update per province per chunk: a block of case numbers at once."""
        wanted: dict[str, int] = {}
        for row in rows:
            wanted[row.data.home_province] = wanted.get(row.data.home_province, 0) + 1
        dialect = self.session.get_bind().dialect.name
        insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
        next_value: dict[str, int] = {}
        for province, count in sorted(wanted.items()):
            self.session.execute(
                insert_fn(CaseCounter)
                .values(province_code=province, year=self.year, last_value=0)
                .on_conflict_do_nothing()
            )
            last = self.session.scalar(
                update(CaseCounter)
                .where(CaseCounter.province_code == province, CaseCounter.year == self.year)
                .values(last_value=CaseCounter.last_value + count)
                .returning(CaseCounter.last_value)
            )
            next_value[province] = (last or count) - count + 1
        numbers = []
        for row in rows:
            province = row.data.home_province
            numbers.append(f"KH{province}-{self.year}-{next_value[province]:06d}")
            next_value[province] += 1
        return numbers

    def _insert(self, rows: list[_Valid]) -> list[int]:
        if not rows:
            return []
        now = utcnow()
        values = []
        for row, case_number in zip(rows, self._case_numbers(rows), strict=True):
            data = row.data
            values.append(
                {
                    "case_number": case_number,
                    "given_name": data.given_name,
                    "family_name": data.family_name,
                    "name_km": data.name_km,
                    "name_key": row.keys[0],
                    "name_key_km": row.keys[1],
                    "sex": data.sex,
                    "date_of_birth": data.date_of_birth,
                    "date_of_birth_approximate": data.date_of_birth_approximate,
                    "phone": data.phone,
                    "phone_key": row.phone_key,
                    "home_province": data.home_province,
                    "district": data.district,
                    "return_date": data.return_date,
                    "destination_country": data.destination_country,
                    "sector_abroad": data.sector_abroad,
                    "languages": list(data.languages),
                    "trafficking_survivor": data.trafficking_survivor,
                    "willing_to_relocate": data.willing_to_relocate,
                    "preferred_provinces": list(data.preferred_provinces),
                    "interests": list(data.interests),
                    "consent_referral": data.consent.referral,
                    "consent_share_with_employers": data.consent.share_with_employers,
                    "consent_research": data.consent.research,
                    "status": ReturneeStatus.SEEKING.value,
                    "notes": data.notes,
                    "erased_at": None,
                    "at_risk_reasons": [],
                    "unreachable": False,
                    "linked_to_id": None,
                    "registered_by_id": self.officer.user_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        ids = bulk.insert_rows(self.session, Returnee.__table__, values)
        names = {name for row in rows for name in row.names} - self.names_remembered
        remember_name_keys(self.session.connection(), [dict(name) for name in sorted(names)])
        if len(self.names_remembered) > 200_000:
            self.names_remembered.clear()
        self.names_remembered |= names
        skills = [
            {"returnee_id": returnee_id, **skill}
            for returnee_id, row in zip(ids, rows, strict=True)
            for skill in self._skills(row.data.skills)
        ]
        if skills:
            bulk.insert_rows(self.session, ReturneeSkill.__table__, skills)
        return ids

    def _skills(self, texts: tuple[str, ...]) -> list[dict[str, Any]]:
        if not texts:
            return []
        cached = self.skill_cache.get(texts)
        if cached is None:
            if len(self.skill_cache) > 20_000:
                self.skill_cache.clear()
            cached = self.skill_cache[texts] = skill_values(self.session, texts, self.version)
        return cached

    def _external_ids(self, rows: list[_Valid]) -> None:
        """Record each row's number from this list on its case, once."""
        wanted = {r.external_id: r.target for r in rows if r.external_id}
        known = self.known_ids  # what `_match` found for this chunk
        now = utcnow()
        values = [
            {
                "returnee_id": target,
                "source": self.source,
                "external_id": external_id,
                "created_at": now,
            }
            for external_id, target in wanted.items()
            if external_id not in known
        ]
        if values:
            bulk.insert_rows(self.session, ReturneeExternalId.__table__, values)

    def _audit(self, new: list[_Valid], linked: list[_Valid]) -> None:
        """One audit row per person: created, or found already registered and linked."""
        actor = self.officer
        base = {
            "user_id": actor.user_id,
            "actor": actor.email,
            "ip": actor.ip,
            "entity_type": "returnee",
            "detail": {"import_run": self.run.id},
            "at": utcnow(),
        }
        rows = [{**base, "action": "create", "entity_id": r.target, "fields": None} for r in new]
        rows += [
            {**base, "action": "import", "entity_id": r.target, "fields": ["external_ids"]}
            for r in linked
        ]
        if rows:
            bulk.insert_rows(self.session, AuditEntry.__table__, rows)


@dataclass(frozen=True)
class _AsPerson:
    """A new row of the chunk seen as a registered person, for `compare`."""

    row: _Valid

    @property
    def given_name(self) -> str:
        return self.row.data.given_name

    @property
    def family_name(self) -> str:
        return self.row.data.family_name

    @property
    def name_km(self) -> str | None:
        return self.row.data.name_km

    @property
    def date_of_birth(self) -> date:
        return self.row.data.date_of_birth

    @property
    def date_of_birth_approximate(self) -> bool:
        return self.row.data.date_of_birth_approximate

    @property
    def phone_key(self) -> str | None:
        return self.row.phone_key


def import_returnees(
    sessions: sessionmaker[Session],
    actor: Actor,
    stream: BinaryIO,
    options: ReturneeImportOptions,
    *,
    rules: RowRules,
    on_progress: Callable[[int], None] | None = None,
) -> ImportRun:
    """Register a returnee list in one transaction and keep its report either way.

    As for feeds, the run row is committed first so a failure (or a killed process) still
    leaves a report; the people are written in a second transaction that commits whole or not
    at all.
    """
    source = options.source_name
    if not source:
        raise InvalidInput({"source": [N_("Give the list a name of at most 100 characters.")]})
    with sessions() as session, session.begin():
        officer = officer_actor(session, actor, options.officer)
    run_id = imports.open_run(
        sessions,
        actor,
        source=source,
        kind=KIND,
        filename=options.filename,
        strict=options.strict,
        officer_id=officer.user_id,
    )
    try:
        with sessions() as session, session.begin():
            run = session.get_one(ImportRun, run_id)
            intake = _Intake(session, run, officer, source, options.strict)
            reader = imports.CountingStream(stream, on_progress) if on_progress else stream
            people = read_people(reader, filename=options.filename, columns=rules.columns())
            for name in people.unknown_columns[:20]:
                intake.warn(RowIssue(1, name, N_("unknown column, ignored")))
            intake.consume(people.rows, rules)
            if run.rows == 0:
                raise FeedError(N_("the file has a header but no data rows"))
            if run.rejected == run.rows:
                raise imports.NothingImported(run.rows, run.rejected, intake.errors)
            run.errors, run.warnings = intake.errors, intake.warnings
            run.status = "partial" if run.rejected else "succeeded"
            run.finished_at = utcnow()
            audit.record(
                session,
                actor,
                "import",
                "import_run",
                run.id,
                detail={"source": source, "created": run.created, "linked": run.linked},
            )
    except Exception as exc:
        return imports.fail_run(sessions, run_id, exc)
    return run


def officer_runs(session: Session, actor: Actor, limit: int = 100) -> list[ImportRun]:
    """An officer's own returnee imports, newest first."""
    authorize(actor, "imports.returnee_lists")
    return list(
        session.scalars(
            select(ImportRun)
            .where(ImportRun.kind == KIND, ImportRun.officer_id == actor.user_id)
            .order_by(ImportRun.id.desc())
            .limit(limit)
        )
    )
