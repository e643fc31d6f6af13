"""Writing many rows at once: COPY on PostgreSQL, an executemany INSERT elsewhere.

A bulk import of a million people spends most of its time sending rows; COPY sends them as a
stream with no statement to build or parse, inside the session's own transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, func, insert, select
from sqlalchemy.orm import Session


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def new_ids(session: Session, table: Table, count: int) -> list[int] | None:
    """`count` ids drawn from the table's sequence on PostgreSQL (so COPY can write them);
    None elsewhere, where the insert returns them."""
    if not _postgresql(session) or count == 0:
        return None
    sequence = func.pg_get_serial_sequence(table.name, "id")
    return list(
        session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, count)))
    )


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows (all with the same keys) in the session's transaction; return their ids in
    order when the table generates them (rows without an "id"; none for a table without one).
    Column defaults are not applied on PostgreSQL: give every value."""
    if not rows:
        return []
    names = list(rows[0])
    if "id" not in table.c:
        if _postgresql(session):
            _copy(session, table, names, rows)
        else:
            session.execute(insert(table), list(rows))
        return []
    if not _postgresql(session):
        if "id" in names:
            session.execute(insert(table), list(rows))
            return [row["id"] for row in rows]
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(session.scalars(statement, list(rows)))
    ids: list[int] = []
    if "id" not in names:
        ids = new_ids(session, table, len(rows)) or []
        names = ["id", *names]
        rows = [{"id": new_id, **row} for new_id, row in zip(ids, rows, strict=True)]
    else:
        ids = [row["id"] for row in rows]
    _copy(session, table, names, rows)
    return ids


def _copy(session: Session, table: Table, names: list[str], rows: Sequence[dict[str, Any]]) -> None:
    as_json = {name for name in names if isinstance(table.c[name].type, JSON)}
    columns = ", ".join(f'"{name}"' for name in names)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[name])
                    if name in as_json and row[name] is not None
                    else row[name]
                    for name in names
                ]
            )
