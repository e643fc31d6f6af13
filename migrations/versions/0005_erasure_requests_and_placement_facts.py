"""erasure requests and placement facts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 09:17:25.563251
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("returnee_id", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("ck_erasure_requests_status")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_erasure_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_erasure_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["returnee_id"],
            ["returnees.id"],
            name=op.f("fk_erasure_requests_returnee_id_returnees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erasure_requests_returnee_id"), ["returnee_id"], unique=False
        )

    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.create_index("ix_outcomes_status", ["status"], unique=False)

    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("contacted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("contacted_3m", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("contacted_6m", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("contacted_12m", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("retained_3m", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("retained_6m", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("retained_12m", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("remigrated", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("lost_to_follow_up", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("first_remigrated", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("first_out_of_work", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_at_home", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_in_work", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("facts_updated_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.drop_column("erased_at")

    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_column("facts_updated_at")
        batch_op.drop_column("last_in_work")
        batch_op.drop_column("last_at_home")
        batch_op.drop_column("first_out_of_work")
        batch_op.drop_column("first_remigrated")
        batch_op.drop_column("lost_to_follow_up")
        batch_op.drop_column("remigrated")
        batch_op.drop_column("retained_12m")
        batch_op.drop_column("retained_6m")
        batch_op.drop_column("retained_3m")
        batch_op.drop_column("contacted_12m")
        batch_op.drop_column("contacted_6m")
        batch_op.drop_column("contacted_3m")
        batch_op.drop_column("contacted")

    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_index("ix_outcomes_status")

    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasure_requests_returnee_id"))

    op.drop_table("erasure_requests")
