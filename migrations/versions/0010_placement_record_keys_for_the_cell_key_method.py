"""a permanent random key on each placement, for the cell-key method of the statistics

Every published count is perturbed by a noise fixed by the sum of its records' keys
(reintegrate.stats.cellkey), so existing placements get a random key here, once.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Keys in [0, 2**20 = 1048576): reintegrate.stats.cellkey.KEY_RANGE when this was written.


def upgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_key", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE placements SET record_key = floor(random() * 1048576)::integer")
    else:
        op.execute("UPDATE placements SET record_key = abs(random() % 1048576)")
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.alter_column("record_key", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_column("record_key")
