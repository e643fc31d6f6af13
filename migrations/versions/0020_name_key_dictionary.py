"""a dictionary of name keys instead of trigram indexes on every person

A million people share a few tens of thousands of name keys. Name search and the duplicate
check now find alike keys in `name_keys` (pg_trgm on PostgreSQL) and the people holding them by
btree, so the four GiST trigram indexes on `returnees`, which cost every registration and every
imported row more than the rest of its insertion, are replaced by btrees. The dictionary is
filled from the names already registered.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from matching.names import stored_keys, swapped_key

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_BATCH = 5_000
_ACTIVE = "merged_into_id IS NULL"
_TRIGRAM = (
    ("ix_returnees_province_name_key_trgm", ["home_province", "name_key"], "name_key"),
    ("ix_returnees_province_name_key_km_trgm", ["home_province", "name_key_km"], "name_key_km"),
    ("ix_returnees_birth_name_key_trgm", ["date_of_birth", "name_key"], "name_key"),
    ("ix_returnees_birth_name_key_km_trgm", ["date_of_birth", "name_key_km"], "name_key_km"),
)

name_keys = sa.table(
    "name_keys",
    sa.column("script", sa.String),
    sa.column("key", sa.String),
    sa.column("swapped", sa.String),
)


def _fill() -> None:
    """Every distinct name already registered (names repeat: a million people hold a few tens
    of thousands), written in batches."""
    connection = op.get_bind()
    returnees = sa.table(
        "returnees",
        sa.column("given_name", sa.String),
        sa.column("family_name", sa.String),
        sa.column("name_km", sa.String),
    )
    names = connection.execute(
        sa.select(returnees.c.given_name, returnees.c.family_name, returnees.c.name_km).distinct()
    ).all()
    rows = set()
    for given, family, name_km in names:
        key, key_km = stored_keys(given, family, name_km)
        rows.add(("latin", key, swapped_key(given, family)))
        if key_km:
            rows.add(("khmer", key_km, ""))
    ordered = sorted(rows)
    for start in range(0, len(ordered), _BATCH):
        connection.execute(
            name_keys.insert(),
            [
                dict(zip(("script", "key", "swapped"), row, strict=True))
                for row in ordered[start : start + _BATCH]
            ],
        )


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "name_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("script", sa.String(length=5), nullable=False),
        sa.Column("key", sa.String(length=210), nullable=False),
        sa.Column("swapped", sa.String(length=210), server_default="", nullable=False),
        sa.CheckConstraint("script IN ('latin', 'khmer')", name=op.f("ck_name_keys_script")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_name_keys")),
    )
    op.create_index("ix_name_keys_script_key", "name_keys", ["script", "key"], unique=False)
    op.create_index(
        "ix_name_keys_key_trgm",
        "name_keys",
        ["key"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={"key": "gist_trgm_ops"},
    )
    _fill()
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        for name, _columns, _key in _TRIGRAM:
            batch_op.drop_index(name)
        batch_op.create_index(
            "ix_returnees_province_name_key",
            ["home_province", "name_key", "id"],
            unique=False,
            postgresql_where=sa.text(_ACTIVE),
            sqlite_where=sa.text(_ACTIVE),
        )
        batch_op.create_index(
            "ix_returnees_province_name_key_km",
            ["home_province", "name_key_km", "id"],
            unique=False,
            postgresql_where=sa.text(_ACTIVE),
            sqlite_where=sa.text(_ACTIVE),
        )
        batch_op.create_index(
            "ix_returnees_name_key_birth", ["name_key", "date_of_birth"], unique=False
        )
        batch_op.create_index(
            "ix_returnees_name_key_km_birth", ["name_key_km", "date_of_birth"], unique=False
        )
    if postgres:
        op.execute("ANALYZE name_keys")


def downgrade() -> None:
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.drop_index("ix_returnees_name_key_km_birth")
        batch_op.drop_index("ix_returnees_name_key_birth")
        batch_op.drop_index("ix_returnees_province_name_key_km")
        batch_op.drop_index("ix_returnees_province_name_key")
        for name, columns, key in _TRIGRAM:
            batch_op.create_index(
                name,
                columns,
                unique=False,
                postgresql_using="gist",
                postgresql_ops={key: "gist_trgm_ops"},
            )
    op.drop_index("ix_name_keys_key_trgm", table_name="name_keys", postgresql_using="gist")
    op.drop_index("ix_name_keys_script_key", table_name="name_keys")
    op.drop_table("name_keys")
