"""indexes for the officer list and the matching index freshness check

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 10:16:47.866935
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index("ix_listings_updated_at", ["updated_at"], unique=False)

    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.create_index("ix_returnees_created_at_id", ["created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.drop_index("ix_returnees_created_at_id")

    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index("ix_listings_updated_at")
