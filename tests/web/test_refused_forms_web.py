"""The case page's small forms, the enrolment, erasure decisions, unmapped skill answers and
feed imports: a refusal comes back on the same page (422) with every error beside its field,
in the page's language, what was typed kept, and nothing saved."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import (
    ErasureRequest,
    FollowUp,
    ImportRun,
    Listing,
    Outcome,
    Placement,
    Referral,
    SafeMigrationBriefing,
    SkillPhraseDecision,
    User,
)
from reintegrate.services import privacy, referrals
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today
from tests.builders import (
    PASSWORD,
    job_board_csv,
    make_incentive,
    make_listing,
    make_placement,
    make_returnee,
    make_user,
)
from tests.conftest import csrf_token, log_in

KHMER = re.compile(r"[\u1780-\u17ff]")


def _switch(client: FlaskClient, lang: str, page: str) -> None:
    if lang != "en":
        client.post("/language", data={"lang": lang, "csrf_token": csrf_token(client, page)})


def _error(page: str, error_id: str) -> str:
    """The message of the error span with this id (the id ties it to its field)."""
    match = re.search(rf'class="field-error" id="{re.escape(error_id)}"[^>]*>([^<]*)<', page)
    assert match, f"no error {error_id}"
    return match.group(1)


def _in_language(message: str, lang: str, english: str) -> None:
    if lang == "en":
        assert english in message, message
    else:
        assert KHMER.search(message) and english not in message, message


def _count(db_session: Session, model: type) -> int:
    return db_session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("lang", ["en", "km"])
def test_a_refused_withdrawal_stays_on_the_case_page_beside_its_referral(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    officer = make_user(db_session, provinces=["02"])
    person = make_returnee(db_session, officer)
    listing = make_listing(db_session, make_user(db_session, "employer"))
    referral = referrals.refer(db_session, Actor.of(officer), person.id, listing.id)
    db_session.commit()
    log_in(client, officer.email, PASSWORD)
    case = f"/returnees/{person.id}"
    _switch(client, lang, case)
    response = client.post(
        f"/referrals/{referral.id}/status",
        data={
            "status": "cancelled",
            "note": "N" * 1001,
            "next": case,
            "csrf_token": csrf_token(client, case),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    _in_language(_error(page, f"status-{referral.id}-error"), lang, "Unknown value.")
    _in_language(
        _error(page, f"note-{referral.id}-error"), lang, "Must be between 0 and 1000 characters."
    )
    assert (
        f'id="note-{referral.id}" name="note" type="text" maxlength="1000" value="{"N" * 1001}"'
        in page
    )
    db_session.expire_all()
    assert db_session.get(Referral, referral.id).status == "referred"


def _leaving(db_session: Session, officer: User) -> int:
    """A person whose follow-up says they mean to migrate again: the page asks for a briefing."""
    employer = make_user(db_session, "employer", employer="Angkor Garments")
    start = local_today() - timedelta(days=200)
    placement = make_placement(db_session, officer, employer, start)
    follow_up = db_session.scalars(
        select(FollowUp).where(FollowUp.placement_id == placement.id).order_by(FollowUp.sequence)
    ).first()
    assert follow_up is not None
    db_session.add(
        Outcome(
            follow_up_id=follow_up.id,
            contacted_on=start + timedelta(days=95),
            status="unemployed",
            intends_to_remigrate=True,
        )
    )
    db_session.commit()
    return placement.returnee_id


@pytest.mark.parametrize("lang", ["en", "km"])
def test_a_refused_briefing_date_is_named_beside_it_and_kept(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    officer = make_user(db_session, provinces=["02"])
    returnee_id = _leaving(db_session, officer)
    log_in(client, officer.email, PASSWORD)
    case = f"/returnees/{returnee_id}"
    _switch(client, lang, case)
    for typed, english in (
        ("last Tuesday", "Not a valid date."),
        ((local_today() + timedelta(days=3)).isoformat(), "The date is in the future."),
    ):
        response = client.post(
            f"{case}/safe-migration-briefings",
            data={"informed_on": typed, "csrf_token": csrf_token(client, case)},
        )
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        _in_language(_error(page, "informed_on-error"), lang, english)
        assert f'name="informed_on" type="date" value="{typed}"' in page
    assert _count(db_session, SafeMigrationBriefing) == 0


@pytest.mark.parametrize("lang", ["en", "km"])
def test_a_refused_erasure_reason_is_named_beside_the_list(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    officer = make_user(db_session, provinces=["02"])
    person = make_returnee(db_session, officer)
    log_in(client, officer.email, PASSWORD)
    case = f"/returnees/{person.id}"
    _switch(client, lang, case)
    response = client.post(
        f"{case}/erasure", data={"reason": "because", "csrf_token": csrf_token(client, case)}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    _in_language(_error(page, "reason-error"), lang, "Choose one of the listed reasons.")
    assert _count(db_session, ErasureRequest) == 0


@pytest.mark.parametrize("lang", ["en", "km"])
def test_a_refused_enrolment_comes_back_on_the_programmes_row(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    officer = make_user(db_session, provinces=["02"])
    person = make_returnee(db_session, officer)
    grant = make_incentive(db_session, officer)
    log_in(client, officer.email, PASSWORD)
    matches = f"/returnees/{person.id}/matches"
    _switch(client, lang, matches)
    response = client.post(
        f"/returnees/{person.id}/enrolments",
        data={
            "listing_id": str(grant.id),
            "start_date": "next month",
            "next": matches,
            "csrf_token": csrf_token(client, matches),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    _in_language(_error(page, f"start-{grant.id}-error"), lang, "Not a valid date.")
    assert f'id="start-{grant.id}" type="date" name="start_date" value="next month"' in page
    both = client.post(
        f"/returnees/{person.id}/enrolments",
        data={
            "listing_id": "-3",
            "start_date": "soon",
            "csrf_token": csrf_token(client, matches),
        },
    )
    assert both.status_code == 422
    page = both.get_data(as_text=True)
    _in_language(_error(page, "listing_id-error"), lang, "Must be between 1 and")
    _in_language(_error(page, "start_date-error"), lang, "Not a valid date.")
    assert _count(db_session, Placement) == 0


def _pending_request(db_session: Session) -> ErasureRequest:
    officer = make_user(db_session, provinces=["02"])
    person = make_returnee(db_session, officer)
    request = privacy.request_erasure(db_session, Actor.of(officer), person.id, "person_asked")
    db_session.commit()
    return request


@pytest.mark.parametrize("lang", ["en", "km"])
def test_an_unknown_erasure_decision_is_refused_not_read_as_a_rejection(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    request = _pending_request(db_session)
    log_in(client, make_user(db_session, "manager").email, PASSWORD)
    _switch(client, lang, "/erasures")
    on_row = client.post(
        "/erasures",
        data={
            "request_id": str(request.id),
            "decision": "maybe",
            "csrf_token": csrf_token(client, "/erasures"),
        },
    )
    assert on_row.status_code == 422
    _in_language(
        _error(on_row.get_data(as_text=True), f"decision-{request.id}-error"),
        lang,
        "Unknown value.",
    )
    both = client.post(
        "/erasures",
        data={"request_id": "x", "decision": "", "csrf_token": csrf_token(client, "/erasures")},
    )
    assert both.status_code == 422
    page = both.get_data(as_text=True)
    _in_language(_error(page, "request_id-error"), lang, "Not a valid integer.")
    _in_language(_error(page, "decision-error"), lang, "Missing data for required field.")
    db_session.expire_all()
    assert db_session.get(ErasureRequest, request.id).status == "pending"


@pytest.mark.parametrize("lang", ["en", "km"])
def test_both_bad_fields_of_an_unmapped_skill_answer_are_named_on_its_row(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    make_returnee(db_session, make_user(db_session), skills=("pond digging",))
    log_in(client, make_user(db_session, "admin").email, PASSWORD)
    url = "/skills/unmapped"
    _switch(client, lang, url)
    long_name = "Pond digging " * 16
    response = client.post(
        url,
        data={
            "phrase": "pond digging",
            "answer": "",
            "name": long_name,
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    _in_language(_error(page, "answer-1-error"), lang, "Choose what this phrase is.")
    _in_language(
        _error(page, "name-1-error"), lang, "Name the new skill in 200 characters or fewer."
    )
    assert f'value="{long_name}"' in page
    assert _count(db_session, SkillPhraseDecision) == 0


@pytest.mark.parametrize("lang", ["en", "km"])
def test_every_bad_field_of_an_import_is_named_at_once(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    log_in(client, make_user(db_session, "admin").email, PASSWORD)
    _switch(client, lang, "/imports")
    response = client.post(
        "/imports",
        data={
            "source": "posted",
            "kind": "jobs",
            "employer": "Angkor Garments",
            "csrf_token": csrf_token(client, "/imports"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    _in_language(_error(page, "file-error"), lang, "Choose a file to import.")
    _in_language(_error(page, "source-error"), lang, "Give the feed a name")
    _in_language(_error(page, "kind-error"), lang, "Unknown value.")
    assert 'value="posted"' in page and 'value="Angkor Garments"' in page
    refused = client.post(
        "/imports",
        data={
            "source": "posted",
            "csrf_token": csrf_token(client, "/imports"),
            "file": (io.BytesIO(job_board_csv(1)), "a.csv"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert _count(db_session, ImportRun) == 0


@pytest.mark.parametrize("lang", ["en", "km"])
def test_a_refused_reopen_says_why_beside_the_button(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    employer = make_user(db_session, "employer")
    listing = make_listing(db_session, employer)
    listing.status, listing.closed_reason = "closed", "expired"
    listing.valid_through = local_today() - timedelta(days=2)
    db_session.commit()
    log_in(client, employer.email, PASSWORD)
    url = f"/listings/{listing.id}"
    _switch(client, lang, url)
    response = client.post(
        f"{url}/status", data={"status": "open", "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 422
    _in_language(
        _error(response.get_data(as_text=True), "status-error"),
        lang,
        "Set a closing date in the future before reopening.",
    )
    db_session.expire_all()
    assert db_session.get(Listing, listing.id).status == "closed"
