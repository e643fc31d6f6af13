"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, column, insert, select, table, update

from reintegrate import create_app
from reintegrate.db import Base, db
from reintegrate.migrate import alembic_config, upgrade
from reintegrate.models import ErasureRequest, Placement, Returnee
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
    """Rows are made with today's models, then the schema goes back to 0006 (every later
    downgrade runs on data), free text is typed in as it could be then, and 0007 replaces it."""
    upgrade(fresh_database_url)
    app = create_app({"DATABASE_URL": fresh_database_url})
    with app.app_context(), db.sessions()() as session:
        officer = make_user(session)
        kept = privacy.request_erasure(
            session, Actor.of(officer), make_returnee(session, officer).id, "duplicate"
        )
        typed = privacy.request_erasure(
            session, Actor.of(officer), make_returnee(session, officer, phone=None).id, "duplicate"
        )
        session.commit()
    db.engine(app).dispose()
    command.downgrade(alembic_config(fresh_database_url), "0006")
    with app.app_context(), db.standalone() as session:
        session.execute(
            update(ErasureRequest)
            .where(ErasureRequest.id == typed.id)
            .values(reason="Sokha Chhay asked at the Poipet office")
        )
    db.engine(app).dispose()
    upgrade(fresh_database_url)
    with app.app_context(), db.standalone() as session:
        reasons = dict(session.execute(select(ErasureRequest.id, ErasureRequest.reason)).all())
    db.engine(app).dispose()
    assert reasons == {kept.id: "duplicate", typed.id: "unlisted"}


def test_placements_made_before_revision_0010_get_distinct_random_record_keys(
    fresh_database_url: str,
) -> None:
    """The cell-key method needs a secret random key on every placement, old ones included.

    The person and listing are made with today's models; the schema then goes back to the
    revision before 0010 and placements are written as they were then."""
    upgrade(fresh_database_url)
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
        returnee_id, listing_id = returnee.id, listing.id
        session.commit()
    db.engine(app).dispose()
    command.downgrade(alembic_config(fresh_database_url), "0009")
    with app.app_context(), db.standalone() as session:
        session.execute(
            insert(placements),
            [
                {
                    "returnee_id": returnee_id,
                    "listing_id": listing_id,
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
    db.engine(app).dispose()
    upgrade(fresh_database_url)
    with app.app_context(), db.standalone() as session:
        keys = session.scalars(select(Placement.record_key)).all()
    db.engine(app).dispose()
    assert len(keys) == 20
    assert all(0 <= key < KEY_RANGE for key in keys)
    assert len(set(keys)) > 15


def test_people_registered_before_revision_0014_get_their_name_keys(
    fresh_database_url: str,
) -> None:
    upgrade(fresh_database_url)
    app = create_app({"DATABASE_URL": fresh_database_url})
    with app.app_context(), db.sessions()() as session:
        person = make_returnee(session, make_user(session))
        expected = (person.name_key, person.name_key_km)
        session.commit()
    db.engine(app).dispose()
    command.downgrade(alembic_config(fresh_database_url), "-1")
    upgrade(fresh_database_url)
    with app.app_context(), db.standalone() as session:
        stored = session.execute(select(Returnee.name_key, Returnee.name_key_km)).one()
    db.engine(app).dispose()
    assert tuple(stored) == expected != ("", None)


def test_the_duplicate_queue_and_merges_go_down_to_0015_and_back(
    fresh_database_url: str,
) -> None:
    """Before 0017 a merge is a link and a dismissal is "different"; back up, they return."""
    from reintegrate.models import DuplicateReview
    from reintegrate.services import merges, reviews

    upgrade(fresh_database_url)
    app = create_app({"DATABASE_URL": fresh_database_url})
    with app.app_context(), db.sessions()() as session:
        officer = make_user(session)
        actor = Actor.of(officer)
        kept = make_returnee(session, officer, phone=None)
        merged = make_returnee(session, officer, phone=None, return_date=date(2026, 6, 1))
        other = make_returnee(session, officer, phone=None, return_date=date(2026, 7, 1))
        pairs = {tuple(r.returnee_ids): r.id for r in session.scalars(select(DuplicateReview))}
        merges.merge(session, actor, pairs[(kept.id, merged.id)], keep=kept.id)
        reviews.dismiss(session, actor, pairs[(kept.id, other.id)])
        session.commit()
    db.engine(app).dispose()
    command.downgrade(alembic_config(fresh_database_url), "0015")
    with app.app_context(), db.standalone() as session:
        reviews_table = table("duplicate_reviews", column("id"), column("decision"))
        decisions = dict(
            session.execute(select(reviews_table.c.id, reviews_table.c.decision)).all()
        )
        links = dict(session.execute(select(Returnee.id, Returnee.linked_to_id)).all())
    db.engine(app).dispose()
    assert decisions[pairs[(kept.id, merged.id)]] == "same"
    assert decisions[pairs[(kept.id, other.id)]] == "different"
    assert links[merged.id] == kept.id
    upgrade(fresh_database_url)
    with app.app_context(), db.standalone() as session:
        statuses = dict(session.execute(select(DuplicateReview.id, DuplicateReview.status)).all())
    db.engine(app).dispose()
    assert statuses[pairs[(kept.id, other.id)]] == "dismissed"
    assert statuses[pairs[(kept.id, merged.id)]] == "open"


def test_birth_dates_before_revision_0019_are_exact_and_the_flag_goes_down_and_back(
    fresh_database_url: str,
) -> None:
    """Down to 0018 the flag is gone and the people stay; back up, every date reads as exact
    (what every date was before 0019)."""
    upgrade(fresh_database_url)
    app = create_app({"DATABASE_URL": fresh_database_url})
    with app.app_context(), db.sessions()() as session:
        officer = make_user(session)
        year_only = make_returnee(
            session, officer, date_of_birth=date(1985, 1, 1), date_of_birth_approximate=True
        )
        session.commit()
    db.engine(app).dispose()
    command.downgrade(alembic_config(fresh_database_url), "0018")
    with app.app_context(), db.standalone() as session:
        returnees = table("returnees", column("id"), column("given_name"))
        names = dict(session.execute(select(returnees.c.id, returnees.c.given_name)).all())
    db.engine(app).dispose()
    upgrade(fresh_database_url)
    with app.app_context(), db.standalone() as session:
        flags = dict(session.execute(select(Returnee.id, Returnee.date_of_birth_approximate)).all())
    db.engine(app).dispose()
    assert names == {year_only.id: "Sokha"}
    assert flags == {year_only.id: False}


def test_people_registered_in_khmer_only_before_revision_0022_get_a_romanised_key(
    fresh_database_url: str,
) -> None:
    upgrade(fresh_database_url, "0021")
    app = create_app({"DATABASE_URL": fresh_database_url})
    with app.app_context(), db.standalone() as session:
        session.execute(
            insert(table("name_keys", column("script"), column("key"), column("swapped"))).values(
                script="latin", key="សុភាលឹម", swapped="លឹមសុភា"
            )
        )
    engine = db.engine(app)
    people = table(
        "returnees",
        column("id"),
        column("given_name"),
        column("family_name"),
        column("name_key"),
        column("name_key_km"),
    )
    with app.app_context(), db.sessions()() as session:
        person = make_returnee(
            session, make_user(session), given_name="សុភា", family_name="លឹម", name_km=None
        )
        session.execute(  # the keys as the code before 0022 stored them
            update(people)
            .where(people.c.id == person.id)
            .values(name_key="សុភាលឹម", name_key_km=None)
        )
        session.commit()
    engine.dispose()
    upgrade(fresh_database_url)
    with app.app_context(), db.standalone() as session:
        stored = session.execute(select(people.c.name_key, people.c.name_key_km)).one()
        keys = set(
            session.execute(
                select(column("script"), column("key")).select_from(table("name_keys"))
            ).all()
        )
    db.engine(app).dispose()
    assert tuple(stored) == ("sope lim", "សុភាលឹម")
    assert ("latin", "sope lim") in keys and ("khmer", "សុភាលឹម") in keys
    assert ("latin", "សុភាលឹម") not in keys
