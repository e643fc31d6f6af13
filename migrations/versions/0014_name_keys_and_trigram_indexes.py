"""name keys on returnees, trigram indexes for fuzzy name search, case-number prefix index

Name search and the duplicate check used to load every person in scope (or born in the same
year) and compute their name keys in Python: seconds per request at a million people. The keys
are now stored on the row and, on PostgreSQL, indexed with pg_trgm so the database hands back
only the few hundred people whose names are close.

pg_trgm and btree_gist ship with PostgreSQL (the contrib package); creating them needs the
CREATE privilege on the database (PostgreSQL 13+, both "trusted" extensions). Where the
migration's role may not, a DBA runs `CREATE EXTENSION pg_trgm; CREATE EXTENSION btree_gist;`
in the database once and the migration is run again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from matching.names import stored_keys

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_BATCH = 5_000


def _create_extensions() -> None:
    try:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    except sa.exc.DBAPIError as error:
        raise RuntimeError(
            "The pg_trgm and btree_gist extensions are needed for name search. Ask a database "
            "administrator to run `CREATE EXTENSION pg_trgm; CREATE EXTENSION btree_gist;` in "
            "this database, then run the migration again."
        ) from error


def _backfill() -> None:
    connection = op.get_bind()
    returnees = sa.table(
        "returnees",
        sa.column("id", sa.Integer),
        sa.column("given_name", sa.String),
        sa.column("family_name", sa.String),
        sa.column("name_km", sa.String),
        sa.column("name_key", sa.String),
        sa.column("name_key_km", sa.String),
    )
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(
                returnees.c.id, returnees.c.given_name, returnees.c.family_name, returnees.c.name_km
            )
            .where(returnees.c.id > last_id)
            .order_by(returnees.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        updates = []
        for row in rows:
            key, key_km = stored_keys(row.given_name, row.family_name, row.name_km)
            updates.append({"row_id": row.id, "key": key, "key_km": key_km})
        connection.execute(
            returnees.update()
            .where(returnees.c.id == sa.bindparam("row_id"))
            .values(name_key=sa.bindparam("key"), name_key_km=sa.bindparam("key_km")),
            updates,
        )
        last_id = rows[-1].id


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _create_extensions()
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_key", sa.String(length=210), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("name_key_km", sa.String(length=100), nullable=True))
    _backfill()
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.create_index(
            "ix_returnees_province_name_key_trgm",
            ["home_province", "name_key"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={"name_key": "gist_trgm_ops"},
        )
        batch_op.create_index(
            "ix_returnees_province_name_key_km_trgm",
            ["home_province", "name_key_km"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={"name_key_km": "gist_trgm_ops"},
        )
        batch_op.create_index(
            "ix_returnees_birth_name_key_trgm",
            ["date_of_birth", "name_key"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={"name_key": "gist_trgm_ops"},
        )
        batch_op.create_index(
            "ix_returnees_birth_name_key_km_trgm",
            ["date_of_birth", "name_key_km"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={"name_key_km": "gist_trgm_ops"},
        )
        batch_op.create_index(
            "ix_returnees_case_number_prefix",
            ["case_number"],
            unique=False,
            postgresql_ops={"case_number": "varchar_pattern_ops"},
        )


def downgrade() -> None:
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.drop_index("ix_returnees_case_number_prefix")
        batch_op.drop_index("ix_returnees_birth_name_key_km_trgm")
        batch_op.drop_index("ix_returnees_birth_name_key_trgm")
        batch_op.drop_index("ix_returnees_province_name_key_km_trgm")
        batch_op.drop_index("ix_returnees_province_name_key_trgm")
        batch_op.drop_column("name_key_km")
        batch_op.drop_column("name_key")
