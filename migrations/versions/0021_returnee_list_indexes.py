"""indexes for the officer's list at any depth

At 1,000,000 returnees a middle page of the officer's list read half a million rows to skip
them. The list now reads its ids from a covering index per province and counts from a small
one; both leave merged records out, as the list does.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_ACTIVE = "merged_into_id IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.create_index(
            "ix_returnees_province_created_active",
            ["home_province", "created_at", "id"],
            unique=False,
            postgresql_where=sa.text(_ACTIVE),
            sqlite_where=sa.text(_ACTIVE),
        )
        batch_op.create_index(
            "ix_returnees_province_status_active",
            ["home_province", "status"],
            unique=False,
            postgresql_where=sa.text(_ACTIVE),
            sqlite_where=sa.text(_ACTIVE),
        )


def downgrade() -> None:
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.drop_index("ix_returnees_province_status_active")
        batch_op.drop_index("ix_returnees_province_created_active")
