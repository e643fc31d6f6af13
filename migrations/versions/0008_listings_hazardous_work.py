"""listings say whether they are hazardous work, and why

Cambodia's Labour Law forbids hazardous work under 18; a listing now carries the flag and the
reason (the entry of the list of hazardous work for children it matched, or who set it). Jobs
already stored get their default from the list now, not at their next edit or import, so no
existing brick-kiln job stays open to 16-year-olds.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 07:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, not batch mode: on SQLite a batch copy of "listings" would cascade-
    # delete every listing's skills through their ON DELETE CASCADE foreign key.
    op.add_column(
        "listings", sa.Column("hazardous", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("listings", sa.Column("hazardous_reason", sa.String(length=200), nullable=True))
    _defaults_from_the_list()


def _defaults_from_the_list() -> None:
    """The same rule new listings follow (the data file and the pure matcher, no models)."""
    from matching.vocabulary import Vocabulary
    from reintegrate.reference import REFERENCE_DIR
    from reintegrate.services.safeguarding import find_hazardous_work, reason_of

    isco = {
        code: skill.isco08
        for code, skill in Vocabulary.from_csv(REFERENCE_DIR / "skills.csv").skills.items()
    }
    listings = sa.table(
        "listings",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String(16)),
        sa.column("title", sa.String(200)),
        sa.column("description", sa.Text()),
        sa.column("sector", sa.String(100)),
        sa.column("hazardous", sa.Boolean()),
        sa.column("hazardous_reason", sa.String(200)),
    )
    skills = sa.table(
        "listing_skills",
        sa.column("listing_id", sa.Integer()),
        sa.column("raw_text", sa.String(200)),
        sa.column("code", sa.String(64)),
    )
    bind = op.get_bind()
    by_listing: dict[int, list[tuple[str, str | None]]] = {}
    for listing_id, raw_text, code in bind.execute(
        sa.select(skills.c.listing_id, skills.c.raw_text, skills.c.code)
    ):
        by_listing.setdefault(listing_id, []).append((raw_text, code))
    rows = bind.execute(
        sa.select(listings.c.id, listings.c.title, listings.c.description, listings.c.sector).where(
            listings.c.kind == "job"
        )
    ).all()
    for listing_id, title, description, sector in rows:
        own = by_listing.get(listing_id, [])
        entry = find_hazardous_work(
            (title, description, sector, *(text for text, _ in own)),
            [isco[code] for _, code in own if code in isco],
        )
        if entry is not None:
            bind.execute(
                listings.update()
                .where(listings.c.id == listing_id)
                .values(hazardous=True, hazardous_reason=reason_of(entry))
            )


def downgrade() -> None:
    op.execute("ALTER TABLE listings DROP COLUMN hazardous_reason")
    op.execute("ALTER TABLE listings DROP COLUMN hazardous")
