"""listings and import runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:39:08.453136
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("strict", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("linked", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("started_by", sa.String(length=254), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'partial', 'failed')",
            name=op.f("ck_import_runs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_runs_source"), ["source"], unique=False)

    op.create_table(
        "listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("programme", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("district", sa.String(length=100), nullable=True),
        sa.Column("nationwide", sa.Boolean(), nullable=False),
        sa.Column("positions", sa.Integer(), nullable=True),
        sa.Column("wage_min_usd", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("wage_max_usd", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("employment_type", sa.String(length=32), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("valid_through", sa.Date(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("sector", sa.String(length=100), nullable=True),
        sa.Column("benefit", sa.Text(), nullable=True),
        sa.Column("returned_within_months", sa.Integer(), nullable=True),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("eligible_sex", sa.String(length=8), nullable=True),
        sa.Column("survivors_priority", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("closed_reason", sa.String(length=32), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("identity_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("dedupe_key", sa.String(length=300), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("last_import_run_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('job', 'incentive')", name=op.f("ck_listings_kind")),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_listings_status")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_listings_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"], ["listings.id"], name=op.f("fk_listings_duplicate_of_id_listings")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_listings_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["last_import_run_id"],
            ["import_runs.id"],
            name=op.f("fk_listings_last_import_run_id_import_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
        sa.UniqueConstraint("source", "identity_key", name="uq_listings_source_identity"),
    )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listings_dedupe_key"), ["dedupe_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_listings_duplicate_of_id"), ["duplicate_of_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_listings_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index("ix_listings_status_kind", ["status", "kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_listings_valid_through"), ["valid_through"], unique=False
        )

    op.create_table(
        "listing_provinces",
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_listing_provinces_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("listing_id", "province_code", name=op.f("pk_listing_provinces")),
    )
    with op.batch_alter_table("listing_provinces", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_provinces_province_code"), ["province_code"], unique=False
        )

    op.create_table(
        "listing_skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("raw_text", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_listing_skills_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_skills")),
    )
    with op.batch_alter_table("listing_skills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_skills_listing_id"), ["listing_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("listing_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_skills_listing_id"))

    op.drop_table("listing_skills")
    with op.batch_alter_table("listing_provinces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_provinces_province_code"))

    op.drop_table("listing_provinces")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listings_valid_through"))
        batch_op.drop_index("ix_listings_status_kind")
        batch_op.drop_index(batch_op.f("ix_listings_employer_id"))
        batch_op.drop_index(batch_op.f("ix_listings_duplicate_of_id"))
        batch_op.drop_index(batch_op.f("ix_listings_dedupe_key"))

    op.drop_table("listings")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_runs_source"))

    op.drop_table("import_runs")
