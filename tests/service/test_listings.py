"""The listings service: employers' own openings, officers' browsing, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs_import import Eligibility
from reintegrate.errors import Conflict, Forbidden, InvalidInput, NotFound
from reintegrate.models import AuditEntry, Listing
from reintegrate.services import listings
from reintegrate.services.access import Actor
from tests.builders import in_days, job_board_csv, listing_record, make_listing, make_user
from tests.service.conftest import Importer


def test_employer_posts_for_itself_whatever_employer_is_named_in_its_case(
    db_session: Session,
) -> None:
    employer = make_user(db_session, "employer", employer="Angkor Garments")
    listing = make_listing(db_session, employer, employer="  angkor   GARMENTS ")
    assert listing.employer_name == "Angkor Garments"
    assert listing.employer_id == employer.employer_id
    assert listing.source == "posted" and listing.status == "open"
    assert listing.skill_texts == ["welding", "grinding"]
    actions = db_session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity_type == "listing", AuditEntry.entity_id == listing.id
        )
    ).all()
    assert actions == ["create"]


def test_employer_cannot_post_for_another_employer_nor_an_incentive(
    db_session: Session,
) -> None:
    actor = Actor.of(make_user(db_session, "employer"))
    with pytest.raises(InvalidInput) as caught:
        listings.create_listing(db_session, actor, listing_record(employer="Bayon Builders"))
    assert list(caught.value.errors) == ["employer"]
    with pytest.raises(Forbidden):
        listings.create_listing(
            db_session,
            actor,
            listing_record(kind="incentive", employer=None, programme="P", benefit="B"),
        )
    assert db_session.scalar(select(func.count()).select_from(Listing)) == 0


def test_another_employers_listing_is_not_found_for_read_edit_and_close(
    db_session: Session,
) -> None:
    owner = make_user(db_session, "employer", employer="Angkor Garments")
    other = Actor.of(make_user(db_session, "employer", employer="Bayon Builders"))
    listing = make_listing(db_session, owner)
    with pytest.raises(NotFound):
        listings.get_listing(db_session, other, listing.id)
    with pytest.raises(NotFound):
        listings.update_listing(db_session, other, listing.id, {"title": "Mine now"})
    with pytest.raises(NotFound):
        listings.update_listing(db_session, other, listing.id, {"status": "closed"})
    assert listings.search_listings(db_session, other, listings.ListingFilters()).total == 0


def test_employer_edits_and_closes_its_listing_and_sees_it_in_any_status(
    db_session: Session,
) -> None:
    employer = make_user(db_session, "employer")
    actor = Actor.of(employer)
    listing = make_listing(db_session, employer)
    listings.update_listing(db_session, actor, listing.id, {"title": "Senior Welder"})
    listings.update_listing(db_session, actor, listing.id, {"status": "closed"})
    db_session.commit()
    assert (listing.title, listing.status, listing.closed_reason) == (
        "Senior Welder",
        "closed",
        "closed_by_user",
    )
    mine = listings.search_listings(db_session, actor, listings.ListingFilters(status=None))
    assert [item.id for item in mine.items] == [listing.id]


def test_imported_listings_can_be_closed_but_not_edited(
    db_session: Session, import_bytes: Importer
) -> None:
    import_bytes(job_board_csv(1))
    officer = Actor.of(make_user(db_session))
    listing = db_session.scalars(select(Listing)).one()
    with pytest.raises(Conflict):
        listings.update_listing(db_session, officer, listing.id, {"title": "Changed"})
    listings.update_listing(db_session, officer, listing.id, {"status": "closed"})
    assert listing.status == "closed"


def test_closing_date_in_the_past_is_refused(db_session: Session) -> None:
    officer = Actor.of(make_user(db_session))
    with pytest.raises(InvalidInput) as caught:
        listings.create_listing(db_session, officer, listing_record(valid_through=in_days(-1)))
    assert "valid_through" in caught.value.errors


def test_officers_browse_open_listings_by_kind_province_and_skill(db_session: Session) -> None:
    officer = make_user(db_session)
    welder = make_listing(db_session, officer)
    cook = make_listing(db_session, officer, title="Cook", provinces=("07",), skills=("cooking",))
    grant = make_listing(
        db_session,
        officer,
        kind="incentive",
        title="Chicken raising grant",
        employer=None,
        programme="Border Livelihoods",
        benefit="50 chicks",
        provinces=(),
        skills=("chicken raising",),
        positions=None,
        wage_min_usd=None,
        wage_max_usd=None,
        employment_type=None,
        eligibility=Eligibility(),
    )
    closed = make_listing(db_session, officer, title="Closed Welder")
    listings.update_listing(db_session, Actor.of(officer), closed.id, {"status": "closed"})
    db_session.commit()
    actor = Actor.of(officer)

    def ids(**filters: str) -> set[int]:
        page = listings.search_listings(db_session, actor, listings.ListingFilters(**filters))
        return {item.id for item in page.items}

    assert ids() == {welder.id, cook.id, grant.id}
    assert ids(kind="job") == {welder.id, cook.id}
    assert ids(kind="incentive") == {grant.id}
    assert ids(province="07") == {cook.id, grant.id}  # a nationwide programme is everywhere
    assert ids(skill="WELD") == {welder.id}
    assert ids(status="closed") == {closed.id}


def test_managers_are_refused_listings(db_session: Session) -> None:
    manager = Actor.of(make_user(db_session, "manager"))
    with pytest.raises(Forbidden):
        listings.search_listings(db_session, manager, listings.ListingFilters())
    with pytest.raises(Forbidden):
        listings.create_listing(db_session, manager, listing_record())


def test_editing_the_closing_date_into_the_past_is_refused(db_session: Session) -> None:
    employer = make_user(db_session, "employer")
    listing = make_listing(db_session, employer)
    with pytest.raises(InvalidInput) as caught:
        listings.update_listing(
            db_session, Actor.of(employer), listing.id, {"valid_through": in_days(-3)}
        )
    assert "valid_through" in caught.value.errors


def test_a_skill_search_for_a_wildcard_matches_only_that_character(db_session: Session) -> None:
    actor = Actor.of(make_user(db_session, provinces=["02"]))
    listings.create_listing(db_session, actor, listing_record(title="Cook", skills=("cooking",)))
    found = listings.search_listings(db_session, actor, listings.ListingFilters(skill="%"))
    assert found.total == 0


def test_staff_cannot_edit_or_reopen_an_employers_listing_but_may_close_it(
    db_session: Session,
) -> None:
    employer = make_user(db_session, "employer", employer="Angkor Garments")
    listing = make_listing(db_session, employer, title="Sewer", description="Day shift.")
    for role in ("officer", "admin"):
        staff = Actor.of(make_user(db_session, role))
        for changes in ({"title": "Scam"}, {"description": "Call me"}, {"employer": "Bayon"}):
            with pytest.raises(Forbidden):
                listings.update_listing(db_session, staff, listing.id, changes)
        with pytest.raises(Forbidden):
            listings.get_listing_to_edit(db_session, staff, listing.id)
        assert not listings.may_edit(db_session, staff, listing)
    officer = Actor.of(make_user(db_session))
    listings.update_listing(db_session, officer, listing.id, {"status": "closed"})
    with pytest.raises(Forbidden):
        listings.update_listing(db_session, officer, listing.id, {"status": "open"})
    db_session.expire_all()
    assert (listing.title, listing.description, listing.employer_name, listing.status) == (
        "Sewer",
        "Day shift.",
        "Angkor Garments",
        "closed",
    )
    listings.update_listing(db_session, Actor.of(employer), listing.id, {"status": "open"})
    assert listing.status == "open"


def test_the_employer_of_a_listing_never_changes_after_it_is_posted(
    db_session: Session,
) -> None:
    officer = Actor.of(make_user(db_session))
    listing = listings.create_listing(db_session, officer, listing_record(employer="Mekong Steel"))
    with pytest.raises(InvalidInput) as caught:
        listings.update_listing(db_session, officer, listing.id, {"employer": "Bayon Builders"})
    assert list(caught.value.errors) == ["employer"]
    listings.update_listing(
        db_session, officer, listing.id, {"employer": " mekong  STEEL ", "title": "Welder II"}
    )
    assert (listing.employer_name, listing.title) == ("Mekong Steel", "Welder II")
    employer = make_user(db_session, "employer", employer="Angkor Garments")
    own = make_listing(db_session, employer)
    with pytest.raises(InvalidInput) as caught:
        listings.update_listing(
            db_session, Actor.of(employer), own.id, {"employer": "Bayon Builders"}
        )
    assert list(caught.value.errors) == ["employer"]
    assert own.employer_name == "Angkor Garments"


def test_officers_and_admins_edit_the_listings_staff_posted(db_session: Session) -> None:
    officer = make_user(db_session)
    grant = make_listing(
        db_session,
        officer,
        kind="incentive",
        title="Chicken raising grant",
        employer=None,
        programme="Border Livelihoods",
        benefit="50 chicks",
        provinces=(),
        positions=None,
        wage_min_usd=None,
        wage_max_usd=None,
        employment_type=None,
        eligibility=Eligibility(),
    )
    admin = Actor.of(make_user(db_session, "admin"))
    listings.update_listing(db_session, admin, grant.id, {"benefit": "60 chicks"})
    assert grant.benefit == "60 chicks"
    employer = make_user(db_session, "employer", employer="Mekong Steel Works")
    job_for_them = make_listing(db_session, officer)  # posted by staff for the employer
    assert not listings.may_edit(db_session, Actor.of(employer), job_for_them)
    with pytest.raises(Forbidden):
        listings.update_listing(db_session, Actor.of(employer), job_for_them.id, {"title": "X"})
