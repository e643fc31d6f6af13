"""returnees keep the numbers other lists gave them; a returnee import names its officer

A returnee list imported from a border post or a job fair numbers its people. Kept per
(source, number), a re-import of the list finds the case instead of registering the person
twice, and a search for the number finds the case. An import run of a returnee list records
the officer who registers the people, so that officer may read its report.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "returnee_external_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("returnee_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["returnee_id"],
            ["returnees.id"],
            name=op.f("fk_returnee_external_ids_returnee_id_returnees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returnee_external_ids")),
        sa.UniqueConstraint(
            "source", "external_id", name=op.f("uq_returnee_external_ids_source_id")
        ),
    )
    op.create_index(
        op.f("ix_returnee_external_ids_returnee_id"),
        "returnee_external_ids",
        ["returnee_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_returnee_external_ids_external_id"),
        "returnee_external_ids",
        ["external_id"],
        unique=False,
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("officer_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_import_runs_officer_id"), ["officer_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_import_runs_officer_id_users"),
            "users",
            ["officer_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_import_runs_officer_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_import_runs_officer_id"))
        batch_op.drop_column("officer_id")
    op.drop_index(op.f("ix_returnee_external_ids_external_id"), table_name="returnee_external_ids")
    op.drop_index(op.f("ix_returnee_external_ids_returnee_id"), table_name="returnee_external_ids")
    op.drop_table("returnee_external_ids")
