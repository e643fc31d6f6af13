"""indexes for the work list, the inbox and the person index; research consent on placements

At 1,000,000 returnees and 300,000 placements the officer's work list scanned every placed
person for risk flags and every record for the retention review, and sorted all of an
officer's reminders; statistics joined every returnee to check research consent. These
indexes let each read walk only what it shows, and the consent copied onto the placement
lets statistics read placements alone.

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_AT_RISK = {
    "postgresql": "status = 'placed' AND (unreachable OR json_array_length(at_risk_reasons) > 0)",
    "sqlite": "status = 'placed' AND (unreachable = 1 OR json_array_length(at_risk_reasons) > 0)",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_index("ix_returnees_updated_at_id", "returnees", ["updated_at", "id"])
    op.create_index(
        "ix_returnees_at_risk",
        "returnees",
        ["updated_at"],
        postgresql_where=sa.text(_AT_RISK["postgresql"]),
        sqlite_where=sa.text(_AT_RISK["sqlite"]),
    )
    op.create_index(
        "ix_notifications_user_read_created",
        "notifications",
        ["user_id", "read_at", "created_at", "id"],
    )
    op.create_index(
        "ix_notifications_user_created", "notifications", ["user_id", "created_at", "id"]
    )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("consent_research", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    consenting = sa.text(
        "UPDATE placements SET consent_research = true WHERE returnee_id IN "
        "(SELECT id FROM returnees WHERE consent_research)"
        if dialect == "postgresql"
        else "UPDATE placements SET consent_research = 1 WHERE returnee_id IN "
        "(SELECT id FROM returnees WHERE consent_research = 1)"
    )
    op.execute(consenting)
    op.create_index(
        "ix_placements_consent_start_date", "placements", ["consent_research", "start_date"]
    )


def downgrade() -> None:
    op.drop_index("ix_placements_consent_start_date", table_name="placements")
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_column("consent_research")
    op.drop_index("ix_notifications_user_created", table_name="notifications")
    op.drop_index("ix_notifications_user_read_created", table_name="notifications")
    op.drop_index("ix_returnees_at_risk", table_name="returnees")
    op.drop_index("ix_returnees_updated_at_id", table_name="returnees")
