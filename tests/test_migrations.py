"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select, update

from reintegrate import create_app
from reintegrate.db import Base, db
from reintegrate.migrate import upgrade
from reintegrate.models import ErasureRequest
from reintegrate.services import privacy
from reintegrate.services.access import Actor
from tests.builders import make_returnee, make_user


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
