"""Revision 0008: jobs stored before it get their hazardous default from the list at once."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import create_engine

from reintegrate.migrate import upgrade


def test_jobs_stored_before_revision_0008_get_their_default_from_the_list(
    fresh_database_url: str,
) -> None:
    upgrade(fresh_database_url, "0007")
    engine = create_engine(fresh_database_url)
    now = datetime.now(UTC)
    common = {
        "nationwide": False,
        "languages": [],
        "survivors_priority": False,
        "status": "open",
        "source": "posted",
        "created_at": now,
        "updated_at": now,
    }
    listings = sa.table(
        "listings",
        sa.column("languages", sa.JSON()),
        *(
            sa.column(name)
            for name in ("id", "kind", "title", "identity_key", *common)
            if name != "languages"
        ),
    )
    skills = sa.table(
        "listing_skills", *(sa.column(n) for n in ("listing_id", "position", "raw_text", "code"))
    )
    rows = [
        (1, "job", "Brick kiln loader"),
        (2, "job", "Deckhand"),
        (3, "job", "Sewing Machine Operator"),
        (4, "incentive", "Karaoke bar start-up grant"),
    ]
    with engine.begin() as connection:
        for listing_id, kind, title in rows:
            connection.execute(
                listings.insert().values(
                    id=listing_id, kind=kind, title=title, identity_key=f"k{listing_id}", **common
                )
            )
        connection.execute(
            skills.insert().values(
                listing_id=2, position=0, raw_text="deep sea fishing", code="fishing_marine"
            )
        )
    upgrade(fresh_database_url)
    with engine.connect() as connection:
        found = connection.execute(
            sa.text("SELECT id, hazardous, hazardous_reason FROM listings ORDER BY id")
        ).all()
    engine.dispose()
    assert [tuple(row) for row in found] == [
        (1, True, "keyword:brick kiln"),
        (2, True, "isco:6223"),
        (3, False, None),
        (4, False, None),
    ]
