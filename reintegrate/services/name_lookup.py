"""Finding people by name with the database's help, so the cost stays flat as the registry grows.

On PostgreSQL the stored name keys (see `Returnee.name_key`) carry pg_trgm GiST indexes. A
search walks the index nearest-first (`<->>`, word-similarity distance) and stops after a few
hundred people, so a name shared by tens of thousands costs no more than a rare one; Python ranks
that short list with the same scorer as before. The duplicate check asks for whole names that
are alike (`%`) among people born the same year. SQLite (the embedded default,
for an office-sized registry) has no trigram index: every row in scope is a candidate, read as
a few narrow columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Date,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import Session

from reintegrate.models import Returnee

# At most this many people are ranked in Python per query: the strongest come first from the
# index, so the cap never hides the best match behind older namesakes.
CANDIDATE_LIMIT = 500
# pg_trgm's threshold for the duplicate check, kept below what the Python scorer accepts so the
# index loses no pair the scorer would have kept.
SIMILARITY = 0.25


def uses_trigrams(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _set_threshold(session: Session) -> None:
    session.execute(select(func.set_config("pg_trgm.similarity_threshold", str(SIMILARITY), True)))


def _column(khmer: bool) -> ColumnElement[str | None]:
    return Returnee.name_key_km if khmer else Returnee.name_key  # type: ignore[return-value]


def nearest_first(session: Session, key: str, *, khmer: bool) -> ColumnElement[float] | None:
    """An ORDER BY for names that contain something close to `key` (a search box query),
    nearest first through the index, or None where the database cannot judge it (SQLite: the
    caller scores every row in scope)."""
    if not uses_trigrams(session):
        return None
    return _column(khmer).op("<->>", return_type=Float)(key)


def like_name(session: Session, key: str, *, khmer: bool) -> ColumnElement[bool] | None:
    """A condition for whole names close to `key` (the duplicate check), or None on SQLite."""
    if not uses_trigrams(session):
        return None
    _set_threshold(session)
    return _column(khmer).op("%")(key)


def born_same_day_alike(
    session: Session, wanted: Sequence[tuple[int, date, str]], *columns: Any
) -> list[tuple[int, Any]]:
    """For many people at once (number, birth date, name key): those registered with that
    birth date, and on PostgreSQL only those whose name is alike (one index walk per person,
    in one statement). A bulk import asks this once per chunk instead of once per row."""
    if not wanted:
        return []
    if not uses_trigrams(session):
        by_day: dict[date, list[int]] = {}
        for number, born, _key in wanted:
            by_day.setdefault(born, []).append(number)
        rows = session.execute(select(*columns).where(Returnee.date_of_birth.in_(by_day)))
        return [(n, row) for row in rows for n in by_day[row.date_of_birth]]
    _set_threshold(session)
    # Three array parameters rather than a VALUES list of thousands of bound values: the
    # statement stays small to compile, send and parse.
    probe = (
        select(
            func.unnest(bindparam("ns", [n for n, _, _ in wanted], ARRAY(Integer))).label("n"),
            func.unnest(bindparam("borns", [b for _, b, _ in wanted], ARRAY(Date))).label("born"),
            func.unnest(bindparam("keys", [k for _, _, k in wanted], ARRAY(String))).label("key"),
        )
    ).subquery("wanted")
    query = select(probe.c.n, *columns).join(
        probe,
        and_(Returnee.date_of_birth == probe.c.born, Returnee.name_key.op("%")(probe.c.key)),
    )
    return [(row[0], row) for row in session.execute(query)]


def any_of(session: Session, column_: Any, items: Iterable[Any], item_type: Any) -> Any:
    """`column IN items`, sent on PostgreSQL as one array parameter (`= ANY(:items)`) so a
    chunk's thousand keys do not make a statement of a thousand bound values."""
    listed = list(items)
    if not uses_trigrams(session):
        return column_.in_(listed)
    return column_ == func.any(bindparam(None, listed, ARRAY(item_type)))
