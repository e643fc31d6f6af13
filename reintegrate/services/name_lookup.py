"""Finding people by name through the dictionary of name keys, so the cost stays flat as the
registry grows.

A million people share a few tens of thousands of distinct name keys (`NameKey`). A search or a
duplicate check first finds the keys alike to what was typed in that dictionary (on PostgreSQL
nearest first through a pg_trgm index; SQLite, the embedded default for an office, compares its
keys in Python), then the people holding those keys through btree indexes on the person's row.
A search ranks the keys, not the people, so a name shared by tens of thousands costs about what
a rare one does, and every holder of the best key comes before the holders of a weaker one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Date,
    Integer,
    String,
    bindparam,
    delete,
    func,
    lateral,
    select,
    true,
)
from sqlalchemy.orm import Session

from matching.names import key_score
from reintegrate.models import NameKey, Returnee
from reintegrate.models.returnee import NameScript

# At most this many dictionary keys are ranked per search on PostgreSQL, nearest first.
SEARCH_KEYS = 300
# A duplicate check considers this many keys alike to the new person's name: pg_trgm's
# similarity threshold and a loose Python prefilter, both below what `duplicates.compare`
# accepts, so no pair the comparison would keep is lost at retrieval.
ALIKE_KEYS = 50
SIMILARITY = 0.25
_PREFILTER = 50.0
# A bulk intake looks only at people born the same day, for whom `duplicates.compare` wants a
# name at least 80 alike word by word: keys under 75 alike as a whole are not worth an index
# probe each.
_SAME_DAY_PREFILTER = 75.0


def uses_trigrams(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _script(khmer: bool) -> str:
    return NameScript.KHMER.value if khmer else NameScript.LATIN.value


def key_column(khmer: bool) -> ColumnElement[str | None]:
    """The person's column that holds keys of that script."""
    return Returnee.name_key_km if khmer else Returnee.name_key  # type: ignore[return-value]


def search_keys(
    session: Session, query: str, key: str, *, khmer: bool, threshold: float
) -> dict[str, float]:
    """The dictionary's keys that fit a search box query, with their `key_score` (at least
    `threshold`): on PostgreSQL among the `SEARCH_KEYS` nearest by word similarity."""
    rows = select(NameKey.key, NameKey.swapped).where(NameKey.script == _script(khmer))
    if uses_trigrams(session):
        rows = rows.order_by(NameKey.key.op("<->>")(key)).limit(SEARCH_KEYS)
    scores: dict[str, float] = {}
    for row in session.execute(rows):
        score = key_score(query, row.key, row.swapped)
        if score >= threshold and score > scores.get(row.key, -1.0):
            scores[row.key] = score
    return scores


def alike_keys(session: Session, key: str, *, khmer: bool) -> list[str]:
    """Keys close enough to `key` for a duplicate check to look at their holders (either name
    order: trigrams and the token-sorted prefilter ignore word order)."""
    if not key:
        return []
    script = _script(khmer)
    if uses_trigrams(session):
        _set_threshold(session)
        return list(
            session.scalars(
                select(NameKey.key)
                .where(NameKey.script == script, NameKey.key.op("%")(key))
                .group_by(NameKey.key)
                .order_by(func.min(NameKey.key.op("<->")(key)))
                .limit(ALIKE_KEYS)
            )
        )
    return _closest(key, _dictionary(session, script))


def _dictionary(session: Session, script: str) -> set[str]:
    """Every key of a script (SQLite: an office's dictionary is compared in Python)."""
    return set(session.scalars(select(NameKey.key).where(NameKey.script == script)))


def _closest(key: str, keys: set[str]) -> list[str]:
    found = process.extract(
        key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=_PREFILTER, limit=ALIKE_KEYS
    )
    return [match for match, _score, _ in found]


def keys_of(returnee: Returnee) -> list[tuple[bool, str | None]]:
    """A person's keys as `forget_unheld` takes them, read before a name changes."""
    return [(False, returnee.name_key), (True, returnee.name_key_km)]


def forget_unheld(session: Session, keys: Iterable[tuple[bool, str | None]]) -> None:
    """Drop from the dictionary the keys (khmer?, key) that no record holds any more: after an
    erasure a name must not outlive the person in the dictionary either."""
    for khmer, key in keys:
        if not key:
            continue
        held = session.scalar(select(Returnee.id).where(key_column(khmer) == key).limit(1))
        if held is None:
            session.execute(
                delete(NameKey).where(NameKey.script == _script(khmer), NameKey.key == key)
            )


def _set_threshold(session: Session) -> None:
    session.execute(select(func.set_config("pg_trgm.similarity_threshold", str(SIMILARITY), True)))


def born_same_day_alike(
    session: Session, wanted: Sequence[tuple[int, date, str]], *columns: Any
) -> list[tuple[int, Any]]:
    """For many people at once (number, birth date, name key): those registered with that
    birth date and an alike name key, in two statements per chunk instead of two per row.

    The alike keys of all the chunk's names come from the dictionary in one statement (on
    PostgreSQL a lateral nearest-first walk per distinct key), the people from the btree on
    (name key, birth date)."""
    if not wanted:
        return []
    distinct = sorted({key for _n, _born, key in wanted if key})
    latin = NameScript.LATIN.value
    if uses_trigrams(session):
        _set_threshold(session)
        probe = select(
            func.unnest(bindparam("keys", distinct, ARRAY(String))).label("key")
        ).subquery("probe")
        near = lateral(
            select(NameKey.key.label("alike"))
            .where(NameKey.script == latin, NameKey.key.op("%")(probe.c.key))
            .order_by(NameKey.key.op("<->")(probe.c.key))
            .limit(ALIKE_KEYS)
        )
        pairs = list(session.execute(select(probe.c.key, near.c.alike).join(near, true())))
    else:
        keys = _dictionary(session, latin)
        pairs = [(key, other) for key in distinct for other in _closest(key, keys)]
    alike: dict[str, list[str]] = {}
    for key, other in pairs:
        if fuzz.token_sort_ratio(key, other) >= _SAME_DAY_PREFILTER:
            alike.setdefault(key, []).append(other)
    if not uses_trigrams(session):
        by_day: dict[date, list[tuple[int, set[str]]]] = {}
        for number, born, key in wanted:
            by_day.setdefault(born, []).append((number, set(alike.get(key, ()))))
        rows = session.execute(
            select(*columns, Returnee.name_key.label("held_key")).where(
                Returnee.date_of_birth.in_(by_day)
            )
        )
        return [
            (number, row)
            for row in rows
            for number, keys_held in by_day[row.date_of_birth]
            if row.held_key in keys_held
        ]
    triples = [
        (number, born, other)
        for number, born, key in wanted
        for other in dict.fromkeys(alike.get(key, ()))
    ]
    if not triples:
        return []
    # Three array parameters rather than a VALUES list of thousands of bound values: the
    # statement stays small to compile, send and parse.
    table = select(
        func.unnest(bindparam("ns", [n for n, _, _ in triples], ARRAY(Integer))).label("n"),
        func.unnest(bindparam("borns", [b for _, b, _ in triples], ARRAY(Date))).label("born"),
        func.unnest(bindparam("ks", [k for _, _, k in triples], ARRAY(String))).label("key"),
    ).subquery("wanted")
    query = select(table.c.n, *columns).join(
        table, (Returnee.name_key == table.c.key) & (Returnee.date_of_birth == table.c.born)
    )
    return [(row[0], row) for row in session.execute(query)]


def any_of(session: Session, column_: Any, items: Iterable[Any], item_type: Any) -> Any:
    """`column IN items`, sent on PostgreSQL as one array parameter (`= ANY(:items)`) so a
    chunk's thousand keys do not make a statement of a thousand bound values."""
    listed = list(items)
    if not uses_trigrams(session):
        return column_.in_(listed)
    return column_ == func.any(bindparam(None, listed, ARRAY(item_type)))
