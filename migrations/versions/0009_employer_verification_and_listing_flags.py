"""employers verified by admins; listings carry screening flags; import runs count them;
safe-migration options and briefings

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("registration_number", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("verification_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("contact", sa.String(length=300), nullable=True))
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

    op.create_table(
        "safe_migration_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=True),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("example", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('recruitment_agency', 'resource_centre', 'hotline')",
            name=op.f("ck_safe_migration_options_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safe_migration_options")),
    )
    op.create_table(
        "safe_migration_briefings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("returnee_id", sa.Integer(), nullable=False),
        sa.Column("informed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_safe_migration_briefings_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["returnee_id"],
            ["returnees.id"],
            name=op.f("fk_safe_migration_briefings_returnee_id_returnees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safe_migration_briefings")),
    )
    with op.batch_alter_table("safe_migration_briefings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safe_migration_briefings_returnee_id"), ["returnee_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("safe_migration_briefings")
    op.drop_table("safe_migration_options")
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
        batch_op.drop_column("contact")
        batch_op.drop_column("verification_note")
        batch_op.drop_column("registration_number")
        batch_op.drop_column("verified")
