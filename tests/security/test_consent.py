"""Consent decides: no referral without it, what employers see, and who statistics count."""

from __future__ import annotations

import json
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import Referral, Returnee
from reintegrate.services import outcomes, referrals
from reintegrate.services.access import Actor
from reintegrate.services.outcomes import Event, ExportTable, GroupBy, Period
from reintegrate.services.registry import Consent
from reintegrate.timeutil import local_today
from tests.builders import make_listing, make_returnee, make_user
from tests.outcome_builders import Contact, Owners, add_placement
from tests.security.conftest import SECRET_02, World, fingerprint, form_token

NO_CONSENT = Consent(referral=False, share_with_employers=False, research=False)


def test_no_referral_or_enrolment_without_consent(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    person = make_returnee(
        db_session, world.users["officer02"], given_name="Noconsent", consent=NO_CONSENT
    )
    before = fingerprint(db_session)
    api = browsers["anonymous"]
    headers = tokens["officer02"]
    refer = api.post(
        "/api/v1/referrals",
        json={"returnee_id": person.id, "listing_id": world.listing_a.id},
        headers=headers,
    )
    assert refer.status_code == 409
    enrol = api.post(
        "/api/v1/enrolments",
        json={
            "returnee_id": person.id,
            "listing_id": world.incentive.id,
            "start_date": local_today().isoformat(),
        },
        headers=headers,
    )
    assert enrol.status_code == 409
    page = browsers["officer02"]
    token = form_token(page)
    response = page.post(
        f"/returnees/{person.id}/referrals",
        data={"listing_id": str(world.listing_a.id), "csrf_token": token},
    )
    assert response.status_code == 302
    response = page.post(
        f"/returnees/{person.id}/enrolments",
        data={
            "listing_id": str(world.incentive.id),
            "start_date": local_today().isoformat(),
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert fingerprint(db_session) == before
    count = select(func.count()).select_from(Referral).where(Referral.returnee_id == person.id)
    assert db_session.scalar(count) == 0


def _sensitive(returnee: Returnee, *, shared: bool) -> list[str]:
    """What an employer must never read about this person (name and phone unless shared)."""
    values = [returnee.case_number, returnee.notes or "", "Malaysia", "Saudi Arabia"]
    values += ["survivor", "Survivor", "trafficking", "Trafficking", "fishing"]
    if not shared:
        values += [returnee.given_name, returnee.family_name, returnee.name_km or ""]
        values += [returnee.phone or "", (returnee.phone or "").replace(" ", "")]
    return [v for v in values if v]


def _employer_bodies(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    referral_id: int,
) -> dict[str, str]:
    client, api, headers = browsers["employer_a"], browsers["anonymous"], tokens["employer_a"]
    listing = world.listing_a.id
    bodies = {}
    for url in (
        "/",
        "/referrals",
        "/referrals?status=interview",
        "/listings",
        f"/listings/{listing}",
        f"/listings/{listing}/edit",
        "/inbox",
        "/account/password",
    ):
        response = client.get(url, follow_redirects=True)
        bodies[url] = response.get_data(as_text=True)
    for url in (
        "/api/v1/referrals",
        f"/api/v1/referrals?listing_id={listing}",
        "/api/v1/listings?status=all",
        f"/api/v1/listings/{listing}",
    ):
        bodies[url] = api.get(url, headers=headers).get_data(as_text=True)
    answer = api.patch(
        f"/api/v1/referrals/{referral_id}", json={"status": "interview"}, headers=headers
    )
    assert answer.status_code == 200
    bodies["PATCH referral"] = answer.get_data(as_text=True)
    return bodies


def _contains(body: str, value: str) -> bool:
    """Plain text, HTML-escaped, or JSON-escaped (Khmer as \\u escapes)."""
    escaped = json.dumps(value)[1:-1]
    return value in body or escaped in body


def test_employers_see_what_was_shared_and_never_survivor_status_or_history(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    """r02 consented to sharing: name and phone may show, the rest never."""
    bodies = _employer_bodies(world, browsers, tokens, world.referral_a.id)
    assert any(SECRET_02["given_name"] in body for body in bodies.values())
    for where, body in bodies.items():
        for value in _sensitive(world.r02, shared=True):
            assert not _contains(body, value), (where, value)


def test_without_consent_to_share_employers_get_no_name_or_phone(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    private = make_returnee(
        db_session,
        world.users["officer02"],
        given_name="Rachanakrom",
        family_name="Sothearith",
        name_km="សុធារិទ្ធ រចនាក្រម",
        phone="015 246 8024",
        notes="Private-case-note",
        destination_country="MY",
        sector_abroad="fishing",
        trafficking_survivor=True,
        consent=Consent(referral=True, share_with_employers=False, research=True),
    )
    referral = referrals.refer(
        db_session, Actor.of(world.users["officer02"]), private.id, world.listing_a.id
    )
    db_session.commit()
    bodies = _employer_bodies(world, browsers, tokens, referral.id)
    api = json.loads(bodies["/api/v1/referrals"])
    mine = next(item for item in api["items"] if item["id"] == referral.id)
    assert mine["shared"] is False and mine["name"] is None and mine["phone"] is None
    for where, body in bodies.items():
        for value in _sensitive(private, shared=False):
            assert not _contains(body, value), (where, value)


def test_managers_and_admins_never_see_names(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    pages = {
        "manager": ["/dashboard", "/dashboard/export/outcomes.csv", "/erasures", "/inbox"],
        "admin": ["/admin/audit", "/listings", "/imports", "/skills/unmapped"],
    }
    for role, urls in pages.items():
        for url in urls:
            body = browsers[role].get(url).get_data(as_text=True)
            for returnee in (world.r02, world.r17):
                for value in (returnee.given_name, returnee.phone, returnee.case_number):
                    assert value not in body, (role, url, value)
    for url in ("/api/v1/stats/outcomes", "/api/v1/stats/retention?group_by=province"):
        body = browsers["anonymous"].get(url, headers=tokens["manager"]).get_data(as_text=True)
        assert "Sreymom" not in body and world.r02.case_number not in body


# --- Research consent: statistics count only people who agreed ----------------------------

PERIOD = Period(date(2024, 6, 1), date(2026, 6, 30))
MANAGER = Actor(user_id=None, email="manager@example.org", role="manager")
TODAY = date(2026, 6, 1)


def _owners(session: Session, research: bool) -> Owners:
    officer = make_user(session, provinces=["02"])
    returnee = make_returnee(
        session,
        officer,
        given_name="Research" if research else "Noresearch",
        consent=Consent(referral=True, share_with_employers=True, research=research),
    )
    listing = make_listing(session, officer)
    return Owners(returnee.id, listing.id)


def _everything(session: Session) -> tuple[object, ...]:
    """Every figure, but for the count of placements left out (which says how many)."""
    table = outcomes.outcomes_table(session, MANAGER, PERIOD, GroupBy.PROVINCE, threshold=1)
    home = outcomes.retention(session, MANAGER, PERIOD, Event.REMIGRATION, GroupBy.SEX, threshold=1)
    work = outcomes.retention(session, MANAGER, PERIOD, Event.OUT_OF_WORK, None, threshold=1)
    return (
        (table.period, table.group_by, table.table),
        (home.overall, home.groups),
        (work.overall, work.groups),
        outcomes.remigration(session, MANAGER, PERIOD, threshold=1),
        outcomes.coverage(session, MANAGER, PERIOD, today=TODAY, threshold=1),
        outcomes.export(
            session, MANAGER, ExportTable.CHANNELS, PERIOD, GroupBy.PROVINCE, threshold=1
        ),
    )


def _add_people(session: Session, owners: Owners, province: str) -> None:
    add_placement(
        session,
        owners,
        province=province,
        contacts=[Contact(1), Contact(3, outcome="remigrated", channel="irregular", country="TH")],
    )
    add_placement(session, owners, province=province, contacts=[Contact(1), Contact(3)])
    add_placement(
        session, owners, province=province, sex="male", contacts=[Contact(1, outcome="unemployed")]
    )
    session.commit()


def test_statistics_leave_out_people_who_did_not_consent_to_research(
    db_session: Session,
) -> None:
    consenting = _owners(db_session, research=True)
    _add_people(db_session, consenting, "02")
    only_consenting = _everything(db_session)
    placed = only_consenting[0][2].total.cells["placed"].value  # type: ignore[index]
    assert placed == 3
    refusing = _owners(db_session, research=False)
    _add_people(db_session, refusing, "02")
    _add_people(db_session, refusing, "17")
    assert _everything(db_session) == only_consenting


def test_withdrawing_research_consent_takes_a_person_out_of_the_figures(
    db_session: Session,
) -> None:
    consenting = _owners(db_session, research=True)
    _add_people(db_session, consenting, "02")
    table = outcomes.outcomes_table(db_session, MANAGER, PERIOD, GroupBy.PROVINCE, threshold=1)
    assert table.table.total.cells["placed"].value == 3
    person = db_session.get(Returnee, consenting.returnee_id)
    person.consent_research = False
    db_session.commit()
    table = outcomes.outcomes_table(db_session, MANAGER, PERIOD, GroupBy.PROVINCE, threshold=1)
    assert table.table.total.cells["placed"].value in (0, None)
