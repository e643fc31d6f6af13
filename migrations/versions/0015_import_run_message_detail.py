"""an import's whole-file message keeps its template and values

The report page showed why a whole file was refused ("the file is empty", "binary data") in
English in the Khmer interface; with the template and values kept it is said in the reader's
language, as row messages already are.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_runs", sa.Column("message_detail", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_column("message_detail")
