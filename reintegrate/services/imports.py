"""Importing a feed: one transaction per run, idempotent re-imports, linked duplicates, a report."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, BinaryIO

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from jobs_import import FeedError, ListingRecord, RowIssue, parse_feed
from jobs_import.dedupe import TITLE_THRESHOLD, employer_key, title_similarity
from jobs_import.records import N_, Message, reason
from reintegrate.db import utcnow
from reintegrate.errors import InvalidInput, NotFound
from reintegrate.models import Employer, ImportRun, Listing, ListingProvince, ListingSkill
from reintegrate.models.listing import POSTED_SOURCE, ListingStatus
from reintegrate.reference import gazetteer
from reintegrate.services import audit, bulk, screening
from reintegrate.services.access import Actor
from reintegrate.services.listings import NewListing, apply_record, new_listing
from reintegrate.services.policy import authorize, can
from reintegrate.timeutil import local_today

CHUNK = 500
ANALYSE_AFTER = 2000
MAX_KEPT_ISSUES = 1000
SOURCE_MAX = 100


class StrictImportRefused(Exception):
    """--strict and at least one bad row: nothing is imported (the issues are kept)."""

    def __init__(self, rows: int, rejected: int, errors: list[dict[str, object]]) -> None:
        super().__init__("strict import refused")
        self.rows, self.rejected, self.errors = rows, rejected, errors


class NothingImported(StrictImportRefused):
    """Every row was rejected: the run fails like an unreadable file (the issues are kept)."""


@dataclass(frozen=True)
class ImportOptions:
    source: str
    kind: str
    filename: str
    strict: bool = False
    full: bool = False
    employer: str | None = None


def exit_code(run: ImportRun) -> int:
    """0 everything imported, 1 some rows rejected (the rest imported), 2 nothing imported."""
    if run.status == "succeeded":
        return 0
    if run.status == "partial":
        return 1
    return 2


def validate_options(options: ImportOptions) -> None:
    errors: dict[str, list[str]] = {}
    if (
        not options.source.strip()
        or len(options.source) > SOURCE_MAX
        or options.source == POSTED_SOURCE
    ):
        errors["source"] = [N_("Give the feed a name of at most 100 characters (not 'posted').")]
    if options.kind not in ("job", "incentive"):
        errors["kind"] = [N_("Must be job or incentive.")]
    if errors:
        raise InvalidInput(errors)


def issue_data(issue: RowIssue) -> dict[str, object]:
    """A row issue as stored: the English message, plus its template and values when the
    parser gave them, so the report can be shown in the reader's language."""
    stored: dict[str, object] = {"row": issue.row, "field": issue.field, "message": issue.message}
    if isinstance(issue.message, Message):
        stored.update(issue.message.as_data())
    return stored


def upload_too_large(stream: BinaryIO, max_bytes: int) -> bool:
    """True if an uploaded (seekable) file is over the import limit; leaves it at the start."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size > max_bytes


def _missing_incentive_field(record: ListingRecord) -> str | None:
    if record.kind != "incentive":
        return None
    return next((name for name in ("programme", "benefit") if not getattr(record, name)), None)


def _insert_listings(session: Session, listings: list[NewListing]) -> list[int]:
    """Insert new listings with their provinces and skills; their ids, in order.

    As rows, not objects (see `NewListing`), and on PostgreSQL by COPY: INSERT ... RETURNING
    over hundreds of rows made the driver parse a new statement of tens of thousands of
    placeholders in Python for every chunk.
    """
    now = utcnow()
    ids = bulk.insert_rows(
        session,
        Listing.__table__,
        [{**listing.values, "created_at": now, "updated_at": now} for listing in listings],
    )
    bulk.insert_rows(
        session,
        ListingProvince.__table__,
        [
            {"listing_id": i, "province_code": code}
            for i, listing in zip(ids, listings, strict=True)
            for code in listing.provinces
        ],
    )
    bulk.insert_rows(
        session,
        ListingSkill.__table__,
        [
            {"listing_id": i, **skill}
            for i, listing in zip(ids, listings, strict=True)
            for skill in listing.skills
        ],
    )
    return ids


def _chunks(items: Iterable[ListingRecord | RowIssue]) -> Iterator[list[ListingRecord | RowIssue]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


class _Importer:
    """Writes one run's records inside the caller's transaction, a chunk of rows at a time."""

    def __init__(self, session: Session, run: ImportRun, options: ImportOptions) -> None:
        self.session = session
        self.run = run
        self.options = options
        self.owner_key = employer_key(options.employer) if options.employer else None
        self.today = local_today()
        self.analysed_at = 0

    def _reject(self, issue: RowIssue) -> None:
        self.run.rejected += 1
        if len(self.run.errors) < MAX_KEPT_ISSUES:
            self.run.errors = [*self.run.errors, issue_data(issue)]

    def _warn(self, issues: Iterable[RowIssue]) -> None:
        for issue in issues:
            if len(self.run.warnings) < MAX_KEPT_ISSUES:
                self.run.warnings = [*self.run.warnings, issue_data(issue)]

    def consume(self, items: Iterable[ListingRecord | RowIssue]) -> None:
        for chunk in _chunks(items):
            records = []
            for item in chunk:
                self.run.rows += 1
                if isinstance(item, RowIssue):
                    self._reject(item)
                elif self.owner_key and employer_key(item.employer) != self.owner_key:
                    self._reject(
                        RowIssue(
                            item.row, "employer", f"this feed belongs to {self.options.employer}"
                        )
                    )
                elif item.kind != self.options.kind:
                    self._reject(RowIssue(item.row, "kind", f"expected a {self.options.kind}"))
                elif missing := _missing_incentive_field(item):
                    # As for a programme posted in the app: no programme or benefit, no offer
                    # (a job feed imported as incentives would otherwise become "programmes").
                    self._reject(RowIssue(item.row, missing, f"{missing} is empty"))
                else:
                    records.append(item)
            if self.options.strict and self.run.rejected:
                raise StrictImportRefused(self.run.rows, self.run.rejected, list(self.run.errors))
            self._write(records)
            self.session.flush()
            self._keep_statistics()
            self.session.expunge_all()
            self.session.add(self.run)

    def _keep_statistics(self) -> None:
        """Tell PostgreSQL's planner the listings table grew, each time this run has doubled it.

        Autovacuum never sees an open transaction's rows: without this, a first import into an
        empty table is planned as if the table stayed empty, and each chunk's lookup of known
        listings scans every listing of the source, so the run slows down as it grows. ANALYZE
        counts this transaction's own rows and blocks no writer.
        """
        if self.session.get_bind().dialect.name != "postgresql":
            return
        if self.run.created >= max(ANALYSE_AFTER, 2 * self.analysed_at):
            self.session.execute(text("ANALYZE listings"))
            self.analysed_at = self.run.created

    def _employer_ids(self, records: list[ListingRecord]) -> None:
        """Look up (or create) a chunk's employers at once, filling the cache apply_record uses.

        Otherwise each new employer name costs a query and an autoflush of every listing
        pending in the chunk, one INSERT at a time: a feed of many employers crawls.
        """
        cache: dict[str, int] = self.session.info.setdefault("employer_ids", {})
        verified: dict[int, bool] = self.session.info.setdefault(screening.EMPLOYERS_VERIFIED, {})
        names = {" ".join(r.employer.split()) for r in records if r.employer} - cache.keys()
        if not names:
            return
        with self.session.no_autoflush:
            for name, employer_id, is_verified in self.session.execute(
                select(Employer.name, Employer.id, Employer.verified).where(
                    Employer.name.in_(names)
                )
            ):
                cache[name] = employer_id
                verified[employer_id] = is_verified
        new = [Employer(name=name) for name in sorted(names - cache.keys())]
        if new:
            self.session.add_all(new)
            self.session.flush()
            cache.update((employer.name, employer.id) for employer in new)
            verified.update((employer.id, False) for employer in new)

    def _write(self, records: list[ListingRecord]) -> None:
        self._employer_ids(records)
        keys = {self._identity(r): r for r in records}
        existing = {
            listing.identity_key: listing
            for listing in self.session.scalars(
                select(Listing).where(
                    Listing.source == self.options.source, Listing.identity_key.in_(keys)
                )
            )
        }
        created: list[NewListing] = []
        seen_unchanged: list[int] = []
        seen_in_chunk: dict[str, int] = {}
        for record in records:
            key = self._identity(record)
            self._warn(record.warnings)
            listing = existing.get(key)
            if key in seen_in_chunk or (
                listing is not None and listing.last_import_run_id == self.run.id
            ):
                first = seen_in_chunk.get(key)
                self._warn(
                    [
                        RowIssue(
                            record.row,
                            None,
                            f"same listing as row {first}; skipped"
                            if first
                            else "same listing as an earlier row; skipped",
                        )
                    ]
                )
                continue
            seen_in_chunk[key] = record.row
            if listing is None:
                created.append(self._new(record, key))
                continue
            if listing.fingerprint == record.fingerprint() and not self._reopens(listing):
                self.run.unchanged += 1
                if not self._expires(listing):
                    seen_unchanged.append(listing.id)
                    self._count_flags(listing.flags)
                    continue
            else:
                apply_record(self.session, listing, record)
                if (
                    listing.status == ListingStatus.CLOSED
                    and listing.closed_reason != "closed_by_user"
                ):
                    listing.status, listing.closed_reason, listing.closed_at = (
                        ListingStatus.OPEN.value,
                        None,
                        None,
                    )
                self.run.updated += 1
            listing.last_import_run_id = self.run.id
            self._count_flags(listing.flags)
            if self._expires(listing):
                listing.status, listing.closed_reason, listing.closed_at = (
                    ListingStatus.CLOSED.value,
                    "expired",
                    utcnow(),
                )
        self.session.flush()
        if created:
            ids = _insert_listings(self.session, created)
            self._link_duplicates(list(zip(ids, created, strict=True)))
        if seen_unchanged:
            # Mark them seen by this run (for --full) without touching updated_at.
            self.session.execute(
                update(Listing)
                .where(Listing.id.in_(seen_unchanged))
                .values(last_import_run_id=self.run.id, updated_at=Listing.updated_at)
                .execution_options(synchronize_session=False)
            )

    def _new(self, record: ListingRecord, key: str) -> NewListing:
        """A new listing's rows; one whose closing date has passed arrives closed."""
        expired = bool(record.valid_through and record.valid_through < self.today)
        listing = new_listing(
            self.session,
            record,
            source=self.options.source,
            identity_key=key,
            last_import_run_id=self.run.id,
            status=(ListingStatus.CLOSED if expired else ListingStatus.OPEN).value,
            closed_reason="expired" if expired else None,
            closed_at=utcnow() if expired else None,
        )
        self.run.created += 1
        self._count_flags(listing.values["flags"])
        return listing

    def _count_flags(self, flags: list[dict[str, Any]] | None) -> None:
        """The report counts the feed's flagged listings and each flag, changed or not."""
        if flags:
            self.run.flagged += 1
            counts = dict(self.run.flag_counts or {})
            for code in {flag["code"] for flag in flags}:
                counts[code] = counts.get(code, 0) + 1
            self.run.flag_counts = dict(sorted(counts.items()))

    def _expires(self, listing: Listing) -> bool:
        return bool(
            listing.status == ListingStatus.OPEN
            and listing.valid_through
            and listing.valid_through < self.today
        )

    def _reopens(self, listing: Listing) -> bool:
        return (
            listing.status == ListingStatus.CLOSED and listing.closed_reason == "removed_from_feed"
        )

    def _identity(self, record: ListingRecord) -> str:
        return f"id:{record.external_id}" if record.external_id else f"hash:{record.content_hash()}"

    def _link_duplicates(self, created: list[tuple[int, NewListing]]) -> None:
        """Link each new listing to an open listing of another source for the same opening."""
        blocks = {new.values["dedupe_key"] for _, new in created if new.values["dedupe_key"]}
        if not blocks:
            return
        candidates: dict[str, list[tuple[int, str]]] = {}
        for other_id, dedupe_key, title in self.session.execute(
            select(Listing.id, Listing.dedupe_key, Listing.title)
            .where(
                Listing.dedupe_key.in_(blocks),
                Listing.source != self.options.source,
                Listing.status == ListingStatus.OPEN,
                Listing.duplicate_of_id.is_(None),
            )
            .order_by(Listing.id)
        ):
            candidates.setdefault(dedupe_key, []).append((other_id, title))
        links = []
        for listing_id, new in created:
            for other_id, title in candidates.get(new.values["dedupe_key"] or "", []):
                if title_similarity(new.values["title"], title) >= TITLE_THRESHOLD:
                    links.append({"id": listing_id, "duplicate_of_id": other_id})
                    self.run.linked += 1
                    break
        if links:
            self.session.execute(update(Listing), links)

    def close_missing(self) -> None:
        """A full feed lists everything open at the source: what it no longer lists has closed."""
        result = self.session.execute(
            update(Listing)
            .where(
                Listing.source == self.options.source,
                Listing.status == ListingStatus.OPEN,
                or_(
                    Listing.last_import_run_id.is_(None), Listing.last_import_run_id != self.run.id
                ),
            )
            .values(
                status=ListingStatus.CLOSED.value,
                closed_reason="removed_from_feed",
                closed_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        self.run.closed = result.rowcount or 0


def open_run(
    sessions: sessionmaker[Session], actor: Actor, *, source: str, filename: str, **columns: Any
) -> int:
    """Record a run as running, committed at once, so that a failure (or a killed process)
    still leaves its report; the source's run left running before it is marked interrupted."""
    with sessions() as session, session.begin():
        fail_interrupted(session, source)
        run = ImportRun(
            source=source,
            filename=filename[:300],
            started_by=actor.email,
            errors=[],
            warnings=[],
            **columns,
        )
        session.add(run)
    return run.id


def fail_interrupted(session: Session, source: str) -> None:
    """A run of this source still 'running' when another starts was killed mid-file."""
    interrupted = N_("interrupted: the import stopped before finishing; nothing from it was kept")
    session.execute(
        update(ImportRun)
        .where(and_(ImportRun.source == source, ImportRun.status == "running"))
        .values(
            status="failed",
            message=str(interrupted),
            message_detail=interrupted.as_data(),
            finished_at=utcnow(),
        )
    )


def import_feed(
    sessions: sessionmaker[Session],
    actor: Actor,
    stream: BinaryIO,
    options: ImportOptions,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> ImportRun:
    """Import one feed in one transaction and keep its report, whether it succeeds or fails.

    The run row is committed first in its own transaction so that a failure (or a killed
    process) still leaves a report; the listings are written in a second transaction that
    either commits whole or leaves the database as it was.
    """
    authorize(actor, "imports.feeds")
    validate_options(options)
    run_id = open_run(
        sessions,
        actor,
        source=options.source,
        kind=options.kind,
        filename=options.filename,
        full=options.full,
        strict=options.strict,
    )
    try:
        with sessions() as session, session.begin():
            run = session.get_one(ImportRun, run_id)
            importer = _Importer(session, run, options)
            reader = CountingStream(stream, on_progress) if on_progress else stream
            importer.consume(
                parse_feed(
                    reader,
                    filename=options.filename,
                    kind=options.kind,
                    resolve_province=gazetteer().resolve,
                )
            )
            if run.rows == 0:
                raise FeedError(N_("the file has a header but no data rows"))
            if run.rejected == run.rows:
                # Nothing to import: fail rather than report "partial" (and never let a
                # --full feed whose every row is bad close all of this source's listings).
                raise NothingImported(run.rows, run.rejected, list(run.errors))
            if options.full:
                importer.close_missing()
            run.status = "partial" if run.rejected else "succeeded"
            run.finished_at = utcnow()
            audit.record(
                session,
                actor,
                "import",
                "import_run",
                run.id,
                detail={"source": options.source, "created": run.created, "updated": run.updated},
            )
    except Exception as exc:
        return fail_run(sessions, run_id, exc)
    return run


def fail_run(sessions: sessionmaker[Session], run_id: int, exc: Exception) -> ImportRun:
    """Keep the report of an import that was refused (every row bad, --strict, an unreadable
    file) and return it; an unexpected error is recorded too, then raised again."""
    errors: list[dict[str, object]] = []
    rejected = rows = 0
    if isinstance(exc, NothingImported):
        failure = N_("all {rows} row(s) were rejected, so nothing was imported", rows=exc.rows)
        errors, rejected, rows = exc.errors, exc.rejected, exc.rows
    elif isinstance(exc, StrictImportRefused):
        failure = N_(
            "--strict: {rejected} row(s) rejected, so nothing was imported", rejected=exc.rejected
        )
        errors, rejected, rows = exc.errors, exc.rejected, exc.rows
    elif isinstance(exc, FeedError):
        failure = reason(exc)
        if hasattr(exc, "column"):  # a bad header: the report names the column, as row 1
            errors = [issue_data(RowIssue(1, exc.column, failure))]
    else:
        internal = N_("internal error ({error}); nothing was kept", error=type(exc).__name__)
        record_failure(sessions, run_id, internal, [], 0, 0)
        raise exc
    return record_failure(sessions, run_id, failure, errors, rejected, rows)


def record_failure(
    sessions: sessionmaker[Session],
    run_id: int,
    failure: str,
    errors: list[dict[str, object]],
    rejected: int,
    rows: int,
) -> ImportRun:
    with sessions() as session, session.begin():
        run = session.get_one(ImportRun, run_id)
        run.status, run.message, run.finished_at = "failed", str(failure), utcnow()
        run.message_detail = failure.as_data() if isinstance(failure, Message) else None
        run.errors, run.rejected, run.rows = errors, rejected, rows
    return run


class CountingStream:
    """A read-only stream that reports how many bytes have been read (for progress bars)."""

    def __init__(self, stream: BinaryIO, on_progress: Callable[[int], None]) -> None:
        self._stream = stream
        self._on_progress = on_progress

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._on_progress(len(data))
        return data

    def readinto(self, buffer: bytearray) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def recent_runs(session: Session, actor: Actor, limit: int = 100) -> list[ImportRun]:
    authorize(actor, "imports.feeds")
    return list(session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))


def get_run(session: Session, actor: Actor, run_id: int) -> ImportRun:
    """Any report for an admin; an officer reads only the returnee lists imported for them."""
    authorize(actor, "imports.read")
    run = session.get(ImportRun, run_id)
    if run is None or (not can(actor, "imports.read_all") and run.officer_id != actor.user_id):
        raise NotFound("import run not found")
    return run
