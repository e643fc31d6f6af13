"""employers verified by admins; listings carry screening flags; import runs count them

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 07:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("registration_number", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("verification_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_employers_verified_by_id_users"),
            "users",
            ["verified_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("flags", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("flagged", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(
            sa.Column("flag_counts", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_column("flag_counts")
        batch_op.drop_column("flagged")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_column("flags")
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_employers_verified_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("verified_at")
        batch_op.drop_column("verified_by_id")
        batch_op.drop_column("verification_note")
        batch_op.drop_column("registration_number")
        batch_op.drop_column("verified")
