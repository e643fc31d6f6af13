"""Finding people by name with the database's help, so the cost stays flat as the registry grows.

On PostgreSQL the stored name keys (see `Returnee.name_key`) carry pg_trgm GIN indexes: the
database returns only people whose names share enough trigrams with the query, closest first,
and Python ranks that short list with the same scorer as before. SQLite (the embedded default,
for an office-sized registry) has no trigram index: every row in scope is a candidate, read as
a few narrow columns.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from reintegrate.models import Returnee

# At most this many people are ranked in Python per query: the strongest come first from the
# index, so the cap never hides the best match behind older namesakes.
CANDIDATE_LIMIT = 500
# pg_trgm thresholds, kept below what the Python scorer accepts so the index loses no match
# the scorer would have kept (a one-letter typo in a four-letter word shares 2 of 5 trigrams).
WORD_SIMILARITY = 0.3
SIMILARITY = 0.25


def uses_trigrams(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _set_thresholds(session: Session) -> None:
    session.execute(
        select(
            func.set_config("pg_trgm.word_similarity_threshold", str(WORD_SIMILARITY), True),
            func.set_config("pg_trgm.similarity_threshold", str(SIMILARITY), True),
        )
    )


def _column(khmer: bool) -> ColumnElement[str | None]:
    return Returnee.name_key_km if khmer else Returnee.name_key  # type: ignore[return-value]


def contains_name(session: Session, key: str, *, khmer: bool) -> ColumnElement[bool] | None:
    """A condition for names containing something close to `key` (a search box query), or
    None where the database cannot judge it (SQLite: the caller scores every row)."""
    if not uses_trigrams(session):
        return None
    _set_thresholds(session)
    return _column(khmer).op("%>")(key)


def containment(key: str, *, khmer: bool) -> ColumnElement[float]:
    """How well `key` fits inside a stored name, 0..1, for ordering candidates (PostgreSQL)."""
    return func.word_similarity(key, _column(khmer))


def like_name(session: Session, key: str, *, khmer: bool) -> ColumnElement[bool] | None:
    """A condition for whole names close to `key` (the duplicate check), or None on SQLite."""
    if not uses_trigrams(session):
        return None
    _set_thresholds(session)
    return _column(khmer).op("%")(key)
