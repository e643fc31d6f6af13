"""The registration and outcome forms name every invalid field at once, beside it, keeping
what was typed; a negative amount is told to be positive."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import FollowUp, Outcome, Returnee, SafeMigrationOption, User
from reintegrate.services import followups
from reintegrate.services.access import Actor
from reintegrate.services.followups import OutcomeInput
from reintegrate.timeutil import local_today
from tests.builders import PASSWORD, make_placement, make_user
from tests.conftest import csrf_token, log_in


def test_every_bad_field_of_a_registration_is_named_at_once(
    client: FlaskClient, db_session: Session
) -> None:
    log_in(client, make_user(db_session, provinces=["02"]).email, PASSWORD)
    token = csrf_token(client, "/returnees/new")
    response = client.post(
        "/returnees/new",
        data={
            "given_name": "",
            "family_name": "Sok",
            "sex": "female",
            "date_of_birth": "1990-02-30",
            "phone": "call me",
            "home_province": "02",
            "return_date": "next week",
            "destination_country": "TH",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    named = re.findall(r'class="field-error" id="(\w+)-error"', page)
    assert {"given_name", "date_of_birth", "phone", "return_date"} <= set(named), named
    assert 'value="call me"' in page and 'value="next week"' in page and 'value="Sok"' in page
    assert db_session.scalar(select(func.count()).select_from(Returnee)) == 0


def _follow_up(db_session: Session) -> tuple[str, int]:
    """An officer and the first follow-up of a placement in their province."""
    officer = make_user(db_session, provinces=["02"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    start = local_today() - timedelta(days=35)
    placement = make_placement(
        db_session, officer, employer, start, return_date=start - timedelta(days=200)
    )
    first = db_session.scalars(
        select(FollowUp).where(FollowUp.placement_id == placement.id).order_by(FollowUp.sequence)
    ).first()
    assert first is not None
    return officer.email, first.id


BAD_OUTCOME = {
    "contacted_on": "yesterday",
    "status": "remigrated",
    "remigration_country": "",
    "monthly_income_usd": "-5",
    "notes": "Called twice",
}


def _switch(client: FlaskClient, lang: str, page: str) -> None:
    if lang != "en":
        client.post("/language", data={"lang": lang, "csrf_token": csrf_token(client, page)})


def _named_errors(page: str) -> set[str]:
    return set(re.findall(r'class="field-error" id="(\w+)-error"', page))


def _field(page: str, name: str) -> str:
    match = re.search(rf'<div class="field has-error">\s*<label for="{name}".*?</div>', page, re.S)
    assert match, f"{name} is not marked as invalid"
    return match.group(0)


@pytest.mark.parametrize("lang", ["en", "km"])
def test_every_bad_field_of_a_follow_up_outcome_is_named_at_once(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    email, follow_up_id = _follow_up(db_session)
    log_in(client, email, PASSWORD)
    url = f"/followups/{follow_up_id}"
    _switch(client, lang, url)
    response = client.post(url, data={**BAD_OUTCOME, "csrf_token": csrf_token(client, url)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert {"contacted_on", "monthly_income_usd", "remigration_country"} <= _named_errors(page)
    income = _field(page, "monthly_income_usd")
    assert 'value="-5"' in income and "between" not in income
    if lang == "en":
        assert "Must be a positive amount (0 or more), at most 10000." in income
    else:
        assert "positive" not in income and re.search(r"[\u1780-\u17ff]", income)
    assert 'value="yesterday"' in page and "Called twice</textarea>" in page
    assert db_session.scalar(select(func.count()).select_from(Outcome)) == 0


@pytest.mark.parametrize("lang", ["en", "km"])
def test_every_bad_field_of_an_outcome_correction_is_named_at_once(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    email, follow_up_id = _follow_up(db_session)
    officer = db_session.scalars(select(User).where(User.email == email)).one()
    outcome = followups.record_outcome(
        db_session,
        Actor.of(officer),
        follow_up_id,
        OutcomeInput(contacted_on=local_today(), status="employed_same"),
    )
    db_session.commit()
    log_in(client, email, PASSWORD)
    url = f"/outcomes/{outcome.id}/amend"
    _switch(client, lang, url)
    response = client.post(
        url, data={**BAD_OUTCOME, "reason": "", "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    named = _named_errors(page)
    assert {"contacted_on", "monthly_income_usd", "remigration_country", "reason"} <= named
    income = _field(page, "monthly_income_usd")
    assert 'value="-5"' in income and "between" not in income
    if lang == "en":
        assert "Must be a positive amount (0 or more), at most 10000." in income
    else:
        assert "positive" not in income and re.search(r"[\u1780-\u17ff]", income)
    assert 'value="yesterday"' in page and "Called twice</textarea>" in page
    db_session.expire_all()
    assert db_session.get(Outcome, outcome.id).status == "employed_same"


BAD_OPTION = {
    "kind": "rumour",
    "name": "",
    "province": "99",
    "contact": "012 345 678",
    "details": "Open on weekdays",
}


@pytest.mark.parametrize("lang", ["en", "km"])
def test_every_bad_field_of_a_new_safe_migration_option_is_named_at_once(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    log_in(client, make_user(db_session, "admin").email, PASSWORD)
    url = "/admin/safe-migration-options"
    _switch(client, lang, url)
    response = client.post(url, data={**BAD_OPTION, "csrf_token": csrf_token(client, url)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert {"kind", "name", "province"} <= _named_errors(page)
    assert 'value="012 345 678"' in page and 'value="Open on weekdays"' in page
    if lang == "km":
        errors = re.findall(r'class="field-error" id="\w+-error">([^<]*)<', page)
        assert errors and all(re.search(r"[\u1780-\u17ff]", e) for e in errors), errors
    assert db_session.scalar(select(func.count()).select_from(SafeMigrationOption)) == 0


def test_a_refused_change_to_a_safe_migration_option_is_shown_on_its_row(
    client: FlaskClient, db_session: Session
) -> None:
    log_in(client, make_user(db_session, "admin").email, PASSWORD)
    url = "/admin/safe-migration-options"
    good = {**BAD_OPTION, "kind": "hotline", "name": "Hotline", "province": ""}
    assert client.post(url, data={**good, "csrf_token": csrf_token(client, url)}).status_code == 302
    option = db_session.scalars(select(SafeMigrationOption)).one()
    response = client.post(
        f"{url}/{option.id}",
        data={**BAD_OPTION, "details": "Closed", "csrf_token": csrf_token(client, url)},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert {"kind", "name", "province"} <= _named_errors(page)
    assert 'value="Closed"' in page
    db_session.expire_all()
    assert db_session.get(SafeMigrationOption, option.id).name == "Hotline"


@pytest.mark.parametrize("lang", ["en", "km"])
def test_every_bad_field_of_an_employer_check_is_named_beside_it(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    employer = make_user(
        db_session, "employer", employer="Angkor Garments", employer_verified=False
    )
    log_in(client, make_user(db_session, "admin").email, PASSWORD)
    _switch(client, lang, "/admin/employers")
    response = client.post(
        f"/admin/employers/{employer.employer_id}",
        data={
            "verified": "yes",
            "registration_number": "M" * 101,
            "contact": "HR office 012 000 777",
            "note": "bad\x07bell",
            "csrf_token": csrf_token(client, "/admin/employers"),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert {"registration_number", "note"} <= _named_errors(page)
    assert 'value="HR office 012 000 777"' in page and f'value="{"M" * 101}"' in page
    if lang == "km":
        errors = re.findall(r'class="field-error" id="\w+-error">([^<]*)<', page)
        assert errors and all(re.search(r"[\u1780-\u17ff]", e) for e in errors), errors


@pytest.mark.parametrize("lang", ["en", "km"])
def test_both_bad_fields_of_a_password_change_are_named_in_the_page_language(
    client: FlaskClient, db_session: Session, lang: str
) -> None:
    log_in(client, make_user(db_session).email, PASSWORD)
    url = "/account/password"
    _switch(client, lang, url)
    response = client.post(
        url,
        data={
            "current_password": "wrong one",
            "new_password": "short",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert {"current_password", "new_password"} <= _named_errors(page)
    errors = re.findall(r'class="field-error" id="\w+-error">([^<]*)<', page)
    if lang == "en":
        assert "This is not your current password." in errors
        assert "At least 12 characters, please." in errors
    else:
        assert errors and all(re.search(r"[\u1780-\u17ff]", e) for e in errors), errors
