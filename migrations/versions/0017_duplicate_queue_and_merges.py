"""one duplicate queue with evidence, and merges that can be undone

The cross-province review list becomes the one duplicate queue: each pair carries a score and
its reasons and is open, merged or dismissed (a dismissed pair is never proposed again). Pairs
are stored lower id first so either order finds the same row. A merge moves one case's rows to
the other and records what it moved, so that undo gives back exactly what was there.

Existing decisions: "different" becomes dismissed; "same" (the later record was only linked)
and undecided pairs are open, as are records linked to another by "register and link", so the
officer can now merge them.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

reviews = sa.table(
    "duplicate_reviews",
    sa.column("id", sa.Integer),
    sa.column("returnee_id", sa.Integer),
    sa.column("other_id", sa.Integer),
    sa.column("decision", sa.String),
    sa.column("status", sa.String),
    sa.column("score", sa.Integer),
    sa.column("reasons", sa.JSON),
    sa.column("created_at", sa.DateTime),
)
returnees = sa.table(
    "returnees",
    sa.column("id", sa.Integer),
    sa.column("linked_to_id", sa.Integer),
    sa.column("registered_by_id", sa.Integer),
    sa.column("created_at", sa.DateTime),
)


def upgrade() -> None:
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_returnees_merged_into_id_returnees"),
            "returnees",
            ["merged_into_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_returnees_merged_into_id"), ["merged_into_id"])
    with op.batch_alter_table("duplicate_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("reasons", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="open", nullable=False)
        )
    connection = op.get_bind()
    connection.execute(
        reviews.update().where(reviews.c.decision == "different").values(status="dismissed")
    )
    connection.execute(reviews.update().values(reasons=[]))
    # Lower id first; a pair proposed in both orders keeps its older row.
    rows = connection.execute(
        sa.select(reviews.c.id, reviews.c.returnee_id, reviews.c.other_id).order_by(reviews.c.id)
    ).all()
    seen: set[tuple[int, int]] = set()
    for row in rows:
        pair = (min(row.returnee_id, row.other_id), max(row.returnee_id, row.other_id))
        if pair in seen:
            connection.execute(reviews.delete().where(reviews.c.id == row.id))
        seen.add(pair)
    connection.execute(
        reviews.update()
        .where(reviews.c.returnee_id > reviews.c.other_id)
        .values(returnee_id=reviews.c.other_id, other_id=reviews.c.returnee_id)
    )
    linked = connection.execute(
        sa.select(returnees.c.id, returnees.c.linked_to_id, returnees.c.created_at).where(
            returnees.c.linked_to_id.is_not(None)
        )
    ).all()
    for row in linked:
        pair = (min(row.id, row.linked_to_id), max(row.id, row.linked_to_id))
        if pair not in seen and row.id != row.linked_to_id:
            seen.add(pair)
            connection.execute(
                reviews.insert().values(
                    returnee_id=pair[0],
                    other_id=pair[1],
                    score=100,
                    reasons=["linked"],
                    status="open",
                    created_at=row.created_at,
                )
            )
    with op.batch_alter_table("duplicate_reviews", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_duplicate_reviews_decision"), type_="check")
        batch_op.drop_column("decision")
        batch_op.alter_column("reasons", existing_type=sa.JSON(), nullable=False)
        batch_op.create_check_constraint(
            op.f("ck_duplicate_reviews_status"), "status IN ('open', 'merged', 'dismissed')"
        )
        batch_op.create_check_constraint(
            op.f("ck_duplicate_reviews_score"), "score BETWEEN 0 AND 100"
        )
        batch_op.create_index("ix_duplicate_reviews_status_score", ["status", "score"])
    op.create_table(
        "merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_merges_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["kept_id"],
            ["returnees.id"],
            name=op.f("fk_merges_kept_id_returnees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"],
            ["returnees.id"],
            name=op.f("fk_merges_merged_id_returnees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["duplicate_reviews.id"],
            name=op.f("fk_merges_review_id_duplicate_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"],
            ["users.id"],
            name=op.f("fk_merges_undone_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merges")),
    )
    with op.batch_alter_table("merges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merges_kept_id"), ["kept_id"])
        batch_op.create_index(batch_op.f("ix_merges_merged_id"), ["merged_id"])
        batch_op.create_index(batch_op.f("ix_merges_review_id"), ["review_id"])


def downgrade() -> None:
    """Merges cannot be expressed before 0017: merged cases are given back as linked records."""
    with op.batch_alter_table("merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merges_review_id"))
        batch_op.drop_index(batch_op.f("ix_merges_merged_id"))
        batch_op.drop_index(batch_op.f("ix_merges_kept_id"))
    op.drop_table("merges")
    with op.batch_alter_table("duplicate_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision", sa.String(length=16), nullable=True))
    connection = op.get_bind()
    connection.execute(
        reviews.update().where(reviews.c.status == "dismissed").values(decision="different")
    )
    connection.execute(reviews.update().where(reviews.c.status == "merged").values(decision="same"))
    with op.batch_alter_table("duplicate_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_duplicate_reviews_status_score")
        batch_op.drop_constraint(op.f("ck_duplicate_reviews_score"), type_="check")
        batch_op.drop_constraint(op.f("ck_duplicate_reviews_status"), type_="check")
        batch_op.drop_column("status")
        batch_op.drop_column("reasons")
        batch_op.drop_column("score")
        batch_op.create_check_constraint(
            op.f("ck_duplicate_reviews_decision"), "decision IN ('same', 'different')"
        )
    connection.execute(
        sa.text(
            "UPDATE returnees SET linked_to_id = merged_into_id "
            "WHERE merged_into_id IS NOT NULL AND linked_to_id IS NULL"
        )
    )
    with op.batch_alter_table("returnees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_returnees_merged_into_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_returnees_merged_into_id_returnees"), type_="foreignkey"
        )
        batch_op.drop_column("merged_into_id")
