"""normalised skills and skill mappings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:46:19.123527
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skill_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phrase_key", sa.String(length=200), nullable=False),
        sa.Column("example", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_skill_mappings_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_mappings")),
        sa.UniqueConstraint("phrase_key", name=op.f("uq_skill_mappings_phrase_key")),
    )
    with op.batch_alter_table("listing_skills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phrase_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("confidence", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("vocabulary_version", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_listing_skills_code"), ["code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_listing_skills_phrase_key"), ["phrase_key"], unique=False
        )

    with op.batch_alter_table("returnee_skills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phrase_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("confidence", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("vocabulary_version", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_returnee_skills_code"), ["code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_returnee_skills_phrase_key"), ["phrase_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("returnee_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_returnee_skills_phrase_key"))
        batch_op.drop_index(batch_op.f("ix_returnee_skills_code"))
        batch_op.drop_column("vocabulary_version")
        batch_op.drop_column("confidence")
        batch_op.drop_column("code")
        batch_op.drop_column("phrase_key")

    with op.batch_alter_table("listing_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_skills_phrase_key"))
        batch_op.drop_index(batch_op.f("ix_listing_skills_code"))
        batch_op.drop_column("vocabulary_version")
        batch_op.drop_column("confidence")
        batch_op.drop_column("code")
        batch_op.drop_column("phrase_key")

    op.drop_table("skill_mappings")
