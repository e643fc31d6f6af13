"""name keys for people registered with their name only in Khmer

Some people are registered with the Khmer name typed in the given and family name fields and no
romanisation. Their Latin name key held Khmer text, so a record of the same person with only a
Latin name never found them, nor did a search in Khmer. Their Latin key is now the
transducer's romanisation and their Khmer key what was written (`matching.names.stored_keys`);
this recomputes both for the people already registered, and keeps the name dictionary in step.

Downgrade leaves the keys as they are: they are derived, and the earlier code reads them.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from matching.names import stored_keys, swapped_key
from matching.text import has_khmer

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_KHMER = "[\u1780-\u17ff]"

returnees = sa.table(
    "returnees",
    sa.column("id", sa.Integer),
    sa.column("given_name", sa.String),
    sa.column("family_name", sa.String),
    sa.column("name_km", sa.String),
    sa.column("name_key", sa.String),
    sa.column("name_key_km", sa.String),
)
name_keys = sa.table(
    "name_keys",
    sa.column("script", sa.String),
    sa.column("key", sa.String),
    sa.column("swapped", sa.String),
)


def upgrade() -> None:
    connection = op.get_bind()
    query = sa.select(returnees)
    if connection.dialect.name == "postgresql":  # elsewhere every name is read and checked
        query = query.where(
            sa.or_(returnees.c.given_name.op("~")(_KHMER), returnees.c.family_name.op("~")(_KHMER))
        )
    people = [
        row for row in connection.execute(query) if has_khmer(f"{row.given_name} {row.family_name}")
    ]
    old_keys = set()
    wanted = set()
    for row in people:
        key, key_km = stored_keys(row.given_name, row.family_name, row.name_km)
        old_keys.add(row.name_key)
        wanted.add(("latin", key, swapped_key(row.given_name, row.family_name)))
        if key_km:
            wanted.add(("khmer", key_km, ""))
        connection.execute(
            returnees.update()
            .where(returnees.c.id == row.id)
            .values(name_key=key, name_key_km=key_km)
        )
    held = {
        tuple(row)
        for row in connection.execute(
            sa.select(name_keys.c.script, name_keys.c.key, name_keys.c.swapped).where(
                name_keys.c.key.in_(sorted({key for _script, key, _swapped in wanted}))
            )
        )
    }
    missing = sorted(wanted - held)
    if missing:
        connection.execute(
            name_keys.insert(), [{"script": a, "key": b, "swapped": c} for a, b, c in missing]
        )
    for key in sorted(old_keys):
        if (
            connection.execute(
                sa.select(returnees.c.id).where(returnees.c.name_key == key).limit(1)
            ).first()
            is None
        ):
            connection.execute(
                name_keys.delete().where(name_keys.c.script == "latin", name_keys.c.key == key)
            )


def downgrade() -> None:
    """Nothing to undo (see the module docstring)."""
