"""Matching through the app: normalised skills, ranked explained matches, candidates, mappings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jobs_import import Eligibility, ListingRecord
from reintegrate.errors import Forbidden, InvalidInput, NotFound
from reintegrate.models import Listing, ListingSkill, ReturneeSkill
from reintegrate.services import listings, matching, registry, skills
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today
from tests.builders import make_returnee, make_user


def _job(session: Session, actor: Actor, **overrides: Any) -> Listing:
    values: dict[str, Any] = {
        "row": 0,
        "kind": "job",
        "external_id": None,
        "title": "Welder",
        "employer": "Angkor Steel",
        "provinces": ("02",),
        "skills": ("welding",),
        "positions": 2,
        "valid_through": local_today() + timedelta(days=30),
    }
    values.update(overrides)
    listing = listings.create_listing(session, actor, ListingRecord(**values))
    session.commit()
    return listing


def _incentive(session: Session, actor: Actor, **overrides: Any) -> Listing:
    values: dict[str, Any] = {
        "title": "Chicken raising grant",
        "programme": "MRD border pilot",
        "employer": None,
        "provinces": ("02", "01"),
        "skills": ("chicken raising",),
        "benefit": "$300 in kind",
        "eligibility": Eligibility(returned_within_months=12, min_age=18, max_age=55),
        "kind": "incentive",
        "positions": None,
    }
    values.update(overrides)
    return _job(session, actor, **values)


@pytest.fixture
def officer(db_session: Session):  # type: ignore[no-untyped-def]
    return make_user(db_session, provinces=["02", "01"])


@pytest.fixture
def actor(officer) -> Actor:  # type: ignore[no-untyped-def]
    return Actor.of(officer)


def test_skills_are_normalised_at_write_time_and_the_raw_text_kept(
    db_session: Session, officer
) -> None:  # type: ignore[no-untyped-def]
    returnee = make_returnee(
        db_session, officer, skills=("Weldng, brick layer", "ជាងឥដ្ឋ", "fixing everything")
    )
    rows = {row.raw_text: row for row in returnee.skills}
    assert rows["Weldng"].code == "welding" and rows["Weldng"].confidence >= 0.8
    assert rows["brick layer"].code == "bricklaying" and rows["brick layer"].confidence == 1.0
    assert rows["ជាងឥដ្ឋ"].code == "bricklaying"
    assert rows["fixing everything"].code is None and rows["fixing everything"].confidence is None


def test_a_listing_without_skills_takes_them_from_its_title(
    db_session: Session, actor: Actor
) -> None:
    listing = _job(db_session, actor, title="Truck Driver", skills=())
    assert [s.code for s in listing.skills] == ["heavy_truck_driving"]


def test_matches_rank_the_fitting_job_first_and_explain_every_component(
    db_session: Session, officer, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    welder = make_returnee(db_session, officer, skills=("welding",), home_province="02")
    near = _job(db_session, actor)
    _job(db_session, actor, title="Cook", skills=("cooking",))
    far = _job(db_session, actor, title="Welder (Koh Kong)", provinces=("09",))
    found = matching.matches_for_returnee(db_session, actor, welder.id, kind="job")
    ids = [m.listing.id for m in found]
    assert ids[0] == near.id and ids.index(far.id) < len(ids)
    best = found[0].match
    assert 0 <= best.score <= 100
    assert {c.name for c in best.components} == {
        "skills",
        "location",
        "languages",
        "eligibility",
        "interests",
    }
    assert all(c.reasons for c in best.components)


def test_closed_expired_and_duplicate_listings_are_never_offered(
    db_session: Session, officer, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    welder = make_returnee(db_session, officer, skills=("welding",))
    closed = _job(db_session, actor, title="Closed welder")
    listings.update_listing(db_session, actor, closed.id, {"status": "closed"})
    expired = _job(db_session, actor, title="Expired welder")
    db_session.execute(
        update(Listing)
        .where(Listing.id == expired.id)
        .values(valid_through=local_today() - timedelta(days=1))
    )
    original = _job(db_session, actor, title="Original welder")
    twin = _job(db_session, actor, title="Twin welder")
    db_session.execute(
        update(Listing).where(Listing.id == twin.id).values(duplicate_of_id=original.id)
    )
    db_session.commit()
    ids = {
        m.listing.id for m in matching.matches_for_returnee(db_session, actor, welder.id, limit=50)
    }
    assert original.id in ids
    assert not ids & {closed.id, expired.id, twin.id}


def test_ineligible_incentives_are_hidden(db_session: Session, officer, actor: Actor) -> None:  # type: ignore[no-untyped-def]
    recent = make_returnee(
        db_session,
        officer,
        return_date=local_today() - timedelta(days=100),
        skills=("chicken raising",),
    )
    old = make_returnee(
        db_session,
        officer,
        return_date=local_today() - timedelta(days=800),
        given_name="Dara",
        phone=None,
    )
    women_only = _incentive(
        db_session, actor, title="Women's shop grant", eligibility=Eligibility(sex="female")
    )
    chickens = _incentive(db_session, actor)
    for_recent = {
        m.listing.id
        for m in matching.matches_for_returnee(db_session, actor, recent.id, kind="incentive")
    }
    for_old = {
        m.listing.id
        for m in matching.matches_for_returnee(db_session, actor, old.id, kind="incentive")
    }
    assert chickens.id in for_recent and chickens.id not in for_old
    man = make_returnee(
        db_session,
        officer,
        sex="male",
        given_name="Vuthy",
        phone=None,
        date_of_birth=date(1980, 5, 5),
    )
    assert women_only.id not in {
        m.listing.id
        for m in matching.matches_for_returnee(db_session, actor, man.id, kind="incentive")
    }


def test_matches_respect_scope_and_roles(db_session: Session, officer) -> None:  # type: ignore[no-untyped-def]
    returnee = make_returnee(db_session, officer)
    with pytest.raises(NotFound):
        matching.matches_for_returnee(
            db_session, Actor.of(make_user(db_session, provinces=["17"])), returnee.id
        )
    for role in ("employer", "manager"):
        with pytest.raises(Forbidden):
            matching.matches_for_returnee(
                db_session, Actor.of(make_user(db_session, role)), returnee.id
            )


def test_candidates_come_only_from_the_officers_provinces(
    db_session: Session, officer, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    mine = make_returnee(db_session, officer, skills=("welding",))
    other_officer = make_user(db_session, provinces=["17"])
    theirs = make_returnee(
        db_session,
        other_officer,
        home_province="17",
        skills=("welding",),
        given_name="Other",
        phone=None,
    )
    listing = _job(db_session, actor)
    found = [c.returnee.id for c in matching.candidates_for_listing(db_session, actor, listing.id)]
    assert mine.id in found and theirs.id not in found
    with pytest.raises(Forbidden):
        matching.candidates_for_listing(
            db_session, Actor.of(make_user(db_session, "employer")), listing.id
        )


def test_index_sees_new_listings_at_once(db_session: Session, officer, actor: Actor) -> None:  # type: ignore[no-untyped-def]
    welder = make_returnee(db_session, officer, skills=("welding",))
    before = {m.listing.id for m in matching.matches_for_returnee(db_session, actor, welder.id)}
    listing = _job(db_session, actor, title="Fresh welder job")
    assert listing.id not in before
    assert listing.id in {
        m.listing.id for m in matching.matches_for_returnee(db_session, actor, welder.id)
    }


def test_an_admin_mapping_applies_to_existing_and_future_records(
    db_session: Session, officer
) -> None:  # type: ignore[no-untyped-def]
    admin = Actor.of(make_user(db_session, "admin"))
    existing = make_returnee(db_session, officer, skills=("moto fixing",))
    unmapped = {p.phrase_key: p for p in skills.unmapped_phrases(db_session, admin)}
    assert "moto fixing" in unmapped and unmapped["moto fixing"].returnees == 1
    assert skills.map_phrase(db_session, admin, "Moto fixing", "motorbike_repair") == 1
    db_session.commit()
    db_session.refresh(existing)
    assert [s.code for s in existing.skills] == ["motorbike_repair"]
    later = make_returnee(
        db_session, officer, skills=("moto fixing",), given_name="Later", phone=None
    )
    assert [s.code for s in later.skills] == ["motorbike_repair"]
    assert "moto fixing" not in {p.phrase_key for p in skills.unmapped_phrases(db_session, admin)}


def test_mapping_needs_a_known_skill_and_an_admin(db_session: Session, officer) -> None:  # type: ignore[no-untyped-def]
    admin = Actor.of(make_user(db_session, "admin"))
    with pytest.raises(InvalidInput) as caught:
        skills.map_phrase(db_session, admin, "moto fixing", "no_such_skill")
    assert "code" in caught.value.errors
    with pytest.raises(Forbidden):
        skills.map_phrase(db_session, Actor.of(officer), "moto fixing", "motorbike_repair")


def test_rows_from_an_older_vocabulary_are_normalised_again(db_session: Session, officer) -> None:  # type: ignore[no-untyped-def]
    returnee = make_returnee(db_session, officer, skills=("welding",))
    db_session.execute(update(ReturneeSkill).values(code=None, vocabulary_version="old"))
    db_session.execute(update(ListingSkill).values(vocabulary_version="old"))
    assert skills.renormalise_stale(db_session) >= 1
    code = db_session.scalar(
        select(ReturneeSkill.code).where(ReturneeSkill.returnee_id == returnee.id)
    )
    assert code == "welding"
    assert skills.renormalise_stale(db_session) == 0


def test_editing_skills_normalises_the_new_text(db_session: Session, officer, actor: Actor) -> None:  # type: ignore[no-untyped-def]
    returnee = make_returnee(db_session, officer, skills=("welding",))
    registry.update_returnee(db_session, actor, returnee.id, {"skills": ["cooking", "ធ្វើម្ហូប"]})
    assert [(s.raw_text, s.code) for s in returnee.skills] == [
        ("cooking", "cooking"),
        ("ធ្វើម្ហូប", "cooking"),
    ]
