"""The matches page for someone not willing to relocate: a far job comes after every job within
reach, with a reason saying why, in English and Khmer."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from jobs_import import ListingRecord
from reintegrate.services import listings
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today
from tests.builders import PASSWORD, make_returnee, make_user
from tests.conftest import csrf_token, log_in


def _job(db_session: Session, officer, title: str, province: str, skills: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    record = ListingRecord(
        row=0,
        kind="job",
        external_id=None,
        title=title,
        employer="Angkor Build",
        provinces=(province,),
        skills=skills,
        positions=3,
        valid_through=local_today() + timedelta(days=9),
    )
    listings.create_listing(db_session, Actor.of(officer), record)


def test_a_far_job_is_listed_after_the_reachable_ones_with_its_reason(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"])
    _job(db_session, officer, "Bricklayer in Ratanakiri", "16", ("bricklaying",))
    _job(db_session, officer, "Nurse in Battambang", "02", ("nursing",))
    returnee = make_returnee(
        db_session,
        officer,
        skills=("bricklaying",),
        willing_to_relocate=False,
        preferred_provinces=(),
    )
    db_session.commit()
    log_in(client, officer.email, PASSWORD)
    page = client.get(f"/returnees/{returnee.id}/matches").get_data(as_text=True)
    assert page.index("Nurse in Battambang") < page.index("Bricklayer in Ratanakiri")
    assert "too far to travel daily and not willing to relocate" in page
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/returnees")})
    khmer = client.get(f"/returnees/{returnee.id}/matches").get_data(as_text=True)
    assert "ឆ្ងាយពេកសម្រាប់ធ្វើដំណើរទៅមករាល់ថ្ងៃ" in khmer
