"""skill phrases an admin decided are not a skill, or proposed as a new skill

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skill_phrase_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phrase_key", sa.String(length=200), nullable=False),
        sa.Column("example", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("proposed_name", sa.String(length=200), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('not_a_skill', 'proposed')",
            name=op.f("ck_skill_phrase_decisions_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_skill_phrase_decisions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_phrase_decisions")),
        sa.UniqueConstraint("phrase_key", name=op.f("uq_skill_phrase_decisions_phrase_key")),
    )


def downgrade() -> None:
    op.drop_table("skill_phrase_decisions")
