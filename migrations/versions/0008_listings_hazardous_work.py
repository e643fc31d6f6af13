"""listings say whether they are hazardous work, and why

Cambodia's Labour Law forbids hazardous work under 18; a listing now carries the flag and the
reason (the hazardous-work list entry it matched, or who set it). Existing listings start as not
hazardous; the next import or edit fills in the default from the list.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 07:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        batch.add_column(
            sa.Column("hazardous", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("hazardous_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        batch.drop_column("hazardous_reason")
        batch.drop_column("hazardous")
