"""Returnees: the people officers register, with their skills as typed and their consent."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    false,
    func,
    insert,
    inspect,
    literal_column,
    or_,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matching.names import stored_keys, swapped_key
from reintegrate.db import Base, utcnow
from reintegrate.models.skill import SkillLine
from reintegrate.models.values import one_of


class ReturneeStatus(StrEnum):
    SEEKING = "seeking"
    REFERRED = "referred"
    PLACED = "placed"
    REMIGRATED = "remigrated"
    CLOSED = "closed"


class NameScript(StrEnum):
    LATIN = "latin"
    KHMER = "khmer"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


def year_start(born: date) -> date:
    """How a birth date known only by its year is stored: 1 January of that year."""
    return date(born.year, 1, 1)


class Returnee(Base):
    __tablename__ = "returnees"
    __table_args__ = (
        one_of("sex", Sex, name="sex"),
        one_of("status", ReturneeStatus, name="status"),
        Index("ix_returnees_province_status", "home_province", "status"),
        Index("ix_returnees_created_at_id", "created_at", "id"),
        # The officer's list at any depth: its ids newest first per province from the index
        # alone, and its total counted from a small one.
        Index(
            "ix_returnees_province_created_active",
            "home_province",
            "created_at",
            "id",
            postgresql_where=literal_column("merged_into_id IS NULL"),
            sqlite_where=literal_column("merged_into_id IS NULL"),
        ),
        Index(
            "ix_returnees_province_status_active",
            "home_province",
            "status",
            postgresql_where=literal_column("merged_into_id IS NULL"),
            sqlite_where=literal_column("merged_into_id IS NULL"),
        ),
        # The retention review (oldest untouched first) and the person index's watermark.
        Index("ix_returnees_updated_at_id", "updated_at", "id"),
        # People by name key: a search or a duplicate check first finds the alike keys in the
        # small `name_keys` dictionary, then the people holding them through these btrees (no
        # trigram index on this table: each GiST insertion cost more than the rest of the row).
        Index(
            "ix_returnees_province_name_key",
            "home_province",
            "name_key",
            "id",
            postgresql_where=literal_column("merged_into_id IS NULL"),
            sqlite_where=literal_column("merged_into_id IS NULL"),
        ),
        Index(
            "ix_returnees_province_name_key_km",
            "home_province",
            "name_key_km",
            "id",
            postgresql_where=literal_column("merged_into_id IS NULL"),
            sqlite_where=literal_column("merged_into_id IS NULL"),
        ),
        Index("ix_returnees_name_key_birth", "name_key", "date_of_birth"),
        Index("ix_returnees_name_key_km_birth", "name_key_km", "date_of_birth"),
        # "KH01-2025-" prefix search: a plain btree cannot serve LIKE under a non-C collation.
        Index(
            "ix_returnees_case_number_prefix",
            "case_number",
            postgresql_ops={"case_number": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    name_km: Mapped[str | None] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(210), default="", server_default="")
    name_key_km: Mapped[str | None] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(8))
    date_of_birth: Mapped[date] = mapped_column(index=True)
    # Only the year is known: date_of_birth is 1 January of it (see services/safeguarding.py
    # for how the age rules read such a date).
    date_of_birth_approximate: Mapped[bool] = mapped_column(default=False, server_default=false())
    phone: Mapped[str | None] = mapped_column(String(32))
    phone_key: Mapped[str | None] = mapped_column(String(20), index=True)
    home_province: Mapped[str] = mapped_column(String(2))
    district: Mapped[str | None] = mapped_column(String(100))
    return_date: Mapped[date] = mapped_column(index=True)
    destination_country: Mapped[str] = mapped_column(String(2))
    sector_abroad: Mapped[str | None] = mapped_column(String(32))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    trafficking_survivor: Mapped[bool] = mapped_column(default=False)
    willing_to_relocate: Mapped[bool] = mapped_column(default=False)
    preferred_provinces: Mapped[list[str]] = mapped_column(JSON, default=list)
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    consent_referral: Mapped[bool] = mapped_column(default=False)
    consent_share_with_employers: Mapped[bool] = mapped_column(default=False)
    consent_research: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=ReturneeStatus.SEEKING.value)
    notes: Mapped[str | None] = mapped_column(Text)
    erased_at: Mapped[datetime | None]
    at_risk_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    unreachable: Mapped[bool] = mapped_column(default=False)
    linked_to_id: Mapped[int | None] = mapped_column(ForeignKey("returnees.id"))
    # Set when this record was merged into another case (services/merges.py): the record
    # leaves lists, search and statistics, and its case number leads to the survivor.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("returnees.id"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    skills: Mapped[list[ReturneeSkill]] = relationship(
        cascade="all, delete-orphan", order_by="ReturneeSkill.position", lazy="selectin"
    )
    linked_to: Mapped[Returnee | None] = relationship(remote_side=[id], foreign_keys=[linked_to_id])
    external_ids: Mapped[list[ReturneeExternalId]] = relationship(
        cascade="all, delete-orphan", order_by="ReturneeExternalId.id", lazy="selectin"
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def skill_texts(self) -> list[str]:
        return [skill.raw_text for skill in self.skills]

    @property
    def consent(self) -> dict[str, bool]:
        return {
            "referral": self.consent_referral,
            "share_with_employers": self.consent_share_with_employers,
            "research": self.consent_research,
        }


AT_RISK = and_(
    Returnee.status == literal_column("'placed'"),
    or_(
        Returnee.unreachable,
        func.json_array_length(Returnee.at_risk_reasons) > literal_column("0"),
    ),
)
"""A placed person flagged at risk or unreachable. Written with constants, not parameters, so
the partial index below (the few flagged people, newest change first) matches the query."""
Index("ix_returnees_at_risk", Returnee.updated_at, postgresql_where=AT_RISK, sqlite_where=AT_RISK)


class ErasureRequest(Base):
    """An officer's request to erase a person's data, carried out only once a manager approves."""

    __tablename__ = "erasure_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    returnee_id: Mapped[int] = mapped_column(
        ForeignKey("returnees.id", ondelete="CASCADE"), index=True
    )
    province: Mapped[str] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]


class ReturneeSkill(SkillLine, Base):
    """One skill line as the officer typed it (Khmer or English)."""

    __tablename__ = "returnee_skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    returnee_id: Mapped[int] = mapped_column(
        ForeignKey("returnees.id", ondelete="CASCADE"), index=True
    )


class ReturneeExternalId(Base):
    """The number another list (a border post, a job fair) gave the person: a re-import of
    that list finds the case instead of registering the person again."""

    __tablename__ = "returnee_external_ids"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_returnee_external_ids_source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    returnee_id: Mapped[int] = mapped_column(
        ForeignKey("returnees.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseCounter(Base):
    """The last case-number sequence used per province and year."""

    __tablename__ = "case_counters"

    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class ReviewStatus(StrEnum):
    OPEN = "open"
    MERGED = "merged"
    DISMISSED = "dismissed"


class DuplicateReview(Base):
    """A pair of cases that may be one person, with the evidence, waiting for an officer.

    The pair is stored lower id first so that it is one row whichever order it was proposed
    in; a dismissed pair stays, so it is never proposed again. A cross-province pair is seen
    only by an officer scoped to both provinces, or an admin.
    """

    __tablename__ = "duplicate_reviews"
    __table_args__ = (
        UniqueConstraint("returnee_id", "other_id", name="uq_duplicate_reviews_pair"),
        one_of("status", ReviewStatus, name="status"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score"),
        Index("ix_duplicate_reviews_status_score", "status", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    returnee_id: Mapped[int] = mapped_column(
        ForeignKey("returnees.id", ondelete="CASCADE"), index=True
    )
    other_id: Mapped[int] = mapped_column(
        ForeignKey("returnees.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int] = mapped_column(default=0, server_default="0")
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(
        String(16), default=ReviewStatus.OPEN.value, server_default="open"
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    returnee: Mapped[Returnee] = relationship(foreign_keys=[returnee_id], lazy="joined")
    other: Mapped[Returnee] = relationship(foreign_keys=[other_id], lazy="joined")

    merges: Mapped[list[Merge]] = relationship(lazy="selectin", order_by="Merge.id", viewonly=True)

    @property
    def returnee_ids(self) -> list[int]:
        return [self.returnee_id, self.other_id]

    @property
    def active_merge(self) -> Merge | None:
        """The merge that settled this pair, while it is not undone."""
        return next((m for m in reversed(self.merges) if m.undone_at is None), None)


class Merge(Base):
    """One merge of a review's pair, with what it moved, so that undo restores it exactly.

    `moved` is {table: {column: [row ids re-pointed from the merged to the kept case]}}, plus
    the rows whose other columns changed (skill positions) and `kept_before`: the surviving
    case's fields the merge filled in, as they were.
    """

    __tablename__ = "merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("duplicate_reviews.id", ondelete="CASCADE"), index=True
    )
    kept_id: Mapped[int] = mapped_column(ForeignKey("returnees.id", ondelete="CASCADE"), index=True)
    merged_id: Mapped[int] = mapped_column(
        ForeignKey("returnees.id", ondelete="CASCADE"), index=True
    )
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    kept: Mapped[Returnee] = relationship(foreign_keys=[kept_id], lazy="joined")
    merged: Mapped[Returnee] = relationship(foreign_keys=[merged_id], lazy="joined")


class NameKey(Base):
    """Every distinct name key the registry holds, once: the dictionary a name search or a
    duplicate check reads first.

    Names repeat: a million people share perhaps a few tens of thousands of keys. Finding the
    keys alike to a query here (pg_trgm, nearest first) and then the people holding them by
    btree keeps both costs flat as the registry grows, where a trigram index over every
    person's row grew with it and made each registration pay for a GiST insertion. `swapped`
    is the Latin key with the family name first, so a search ranks either order alike; it
    is empty for Khmer keys. An erasure or a corrected name drops a key no one else bears
    (`name_lookup.forget_unheld`).
    """

    __tablename__ = "name_keys"
    __table_args__ = (
        Index("ix_name_keys_script_key", "script", "key"),
        one_of("script", NameScript, name="script"),
        Index(
            "ix_name_keys_key_trgm",
            "key",
            postgresql_using="gist",
            postgresql_ops={"key": "gist_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    script: Mapped[str] = mapped_column(String(5))
    key: Mapped[str] = mapped_column(String(210))
    swapped: Mapped[str] = mapped_column(String(210), default="", server_default="")


def name_key_rows(given: str, family: str, name_km: str | None) -> list[dict[str, str]]:
    """The dictionary rows one person's names need (`NameKey`)."""
    key, key_km = stored_keys(given, family, name_km)
    rows = [{"script": NameScript.LATIN.value, "key": key, "swapped": swapped_key(given, family)}]
    if key_km:
        rows.append({"script": NameScript.KHMER.value, "key": key_km, "swapped": ""})
    return rows


def remember_name_keys(connection: Connection, rows: list[dict[str, str]]) -> None:
    """Add the keys the dictionary does not hold yet.

    Deliberately without a unique constraint: an insertion that conflicted with a key another
    transaction has just added would wait for that transaction, and a bulk intake holds its
    own for minutes; a rare race leaves a key twice, which every reader takes once.
    """
    wanted = {(row["script"], row["key"], row["swapped"]) for row in rows}
    if not wanted:
        return
    held = connection.execute(
        select(NameKey.script, NameKey.key, NameKey.swapped).where(
            NameKey.key.in_(sorted({key for _script, key, _swapped in wanted}))
        )
    )
    missing = wanted - {tuple(row) for row in held}
    if missing:
        connection.execute(
            insert(NameKey),
            [{"script": a, "key": b, "swapped": c} for a, b, c in sorted(missing)],
        )


@event.listens_for(Returnee, "before_insert")
@event.listens_for(Returnee, "before_update")
def _keep_name_keys(_mapper: object, _connection: object, returnee: Returnee) -> None:
    """Name keys follow the names whichever door changed them (form, API, import, merge)."""
    returnee.name_key, returnee.name_key_km = stored_keys(
        returnee.given_name or "", returnee.family_name or "", returnee.name_km
    )


# The fields a person's name keys are made from.
NAME_FIELDS = ("given_name", "family_name", "name_km")


@event.listens_for(Returnee, "after_insert")
def _add_to_name_dictionary(_mapper: object, connection: Connection, returnee: Returnee) -> None:
    """The dictionary holds every key a person has (see `NameKey`)."""
    _remember(connection, returnee)


@event.listens_for(Returnee, "after_update")
def _keep_name_dictionary(_mapper: object, connection: Connection, returnee: Returnee) -> None:
    state = inspect(returnee)
    if any(state.attrs[name].history.has_changes() for name in NAME_FIELDS):
        _remember(connection, returnee)


def _remember(connection: Connection, returnee: Returnee) -> None:
    remember_name_keys(
        connection,
        name_key_rows(returnee.given_name or "", returnee.family_name or "", returnee.name_km),
    )
