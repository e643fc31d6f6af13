"""returnees may have an approximate date of birth: only the year is known

Many returnees know only their birth year. Such a birth date is stored as 1 January of that
year with this flag set, so age rules, statistics by age group and the indexes keep working on
the one date column, while pages show the year alone and child safeguarding takes the latest
day of that year. Existing rows had full dates: false.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-10 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "date_of_birth_approximate",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.drop_column("date_of_birth_approximate")
