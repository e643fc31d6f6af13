"""erasure reasons come from a fixed list; free text typed before it is replaced

Managers read the reason of every erasure request, and a sentence typed by an officer could
name the person whose data is to be erased. Reasons are now codes; any other text already
stored becomes "unlisted" (shown as "Other").

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The codes of reintegrate.services.privacy.ERASURE_REASONS when this revision was written.
REASONS = (
    "person_asked",
    "consent_withdrawn",
    "duplicate",
    "recorded_in_error",
    "retention_passed",
)


def upgrade() -> None:
    requests = sa.table("erasure_requests", sa.column("reason", sa.String(500)))
    op.execute(requests.update().where(requests.c.reason.not_in(REASONS)).values(reason="unlisted"))


def downgrade() -> None:
    """Nothing to restore: the replaced text is gone on purpose."""
