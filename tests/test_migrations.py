"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, column, insert, select, table, update

from reintegrate import create_app
from reintegrate.db import Base, db
from reintegrate.migrate import upgrade
from reintegrate.models import ErasureRequest, Placement
from reintegrate.services import privacy
from reintegrate.services.access import Actor
from reintegrate.stats.cellkey import KEY_RANGE
from tests.builders import make_listing, make_returnee, make_user


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_free_text_erasure_reasons_stored_before_revision_0007_are_replaced(
    fresh_database_url: str,
) -> None:
    upgrade(fresh_database_url, "0006")
    app = create_app({"DATABASE_URL": fresh_database_url})
    with app.app_context(), db.sessions()() as session:
        officer = make_user(session)
        kept = privacy.request_erasure(
            session, Actor.of(officer), make_returnee(session, officer).id, "duplicate"
        )
        typed = privacy.request_erasure(
            session, Actor.of(officer), make_returnee(session, officer, phone=None).id, "duplicate"
        )
        session.execute(
            update(ErasureRequest)
            .where(ErasureRequest.id == typed.id)
            .values(reason="Sokha Chhay asked at the Poipet office")
        )
        session.commit()
    upgrade(fresh_database_url)
    with app.app_context(), db.standalone() as session:
        reasons = dict(session.execute(select(ErasureRequest.id, ErasureRequest.reason)).all())
    db.engine(app).dispose()
    assert reasons == {kept.id: "duplicate", typed.id: "unlisted"}


def test_placements_made_before_revision_0010_get_distinct_random_record_keys(
    fresh_database_url: str,
) -> None:
    """The cell-key method needs a secret random key on every placement, old ones included."""
    upgrade(fresh_database_url, "0007")
    app = create_app({"DATABASE_URL": fresh_database_url})
    flags = (
        "contacted contacted_3m contacted_6m contacted_12m retained_3m retained_6m "
        "retained_12m remigrated lost_to_follow_up"
    ).split()
    placements = table(
        "placements",
        *(column(name) for name in ("returnee_id", "listing_id", "kind", "start_date")),
        *(column(name) for name in ("status", "province", "sex", "programme", "created_at")),
        *(column(name) for name in flags),
    )
    with app.app_context(), db.sessions()() as session:
        officer = make_user(session)
        returnee = make_returnee(session, officer)
        listing = make_listing(session, officer)
        session.execute(
            insert(placements),
            [
                {
                    "returnee_id": returnee.id,
                    "listing_id": listing.id,
                    "kind": "job",
                    "start_date": date(2026, 1, 5),
                    "status": "active",
                    "province": "02",
                    "sex": "female",
                    "programme": "Mekong Steel Works",
                    "created_at": datetime(2026, 1, 5, tzinfo=UTC),
                    **dict.fromkeys(flags, False),
                }
                for _ in range(20)
            ],
        )
        session.commit()
    upgrade(fresh_database_url)
    with app.app_context(), db.standalone() as session:
        keys = session.scalars(select(Placement.record_key)).all()
    db.engine(app).dispose()
    assert len(keys) == 20
    assert all(0 <= key < KEY_RANGE for key in keys)
    assert len(set(keys)) > 15
