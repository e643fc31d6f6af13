"""Pages from referral to follow-up: refer, hire, the officer's work list, outcomes, inbox."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import FollowUp, Outcome, Placement, Referral, User
from reintegrate.services import followups
from reintegrate.services.access import Actor
from reintegrate.services.followups import OutcomeInput
from reintegrate.timeutil import local_today
from tests.builders import PASSWORD, make_listing, make_placement, make_returnee, make_user
from tests.conftest import AuthActions, csrf_token, log_in


def _today() -> date:
    return local_today()


def _long_ago() -> date:
    return _today() - timedelta(days=300)


def _follow_ups(db_session: Session, placement_id: int) -> list[FollowUp]:
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(FollowUp)
            .where(FollowUp.placement_id == placement_id)
            .order_by(FollowUp.sequence)
        )
    )


def _outcomes(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(Outcome)) or 0


def _page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def test_officer_refers_from_the_matches_page_and_the_employer_hires(
    auth: AuthActions, app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    employer, employer_browser = auth.browser_as_new("employer", employer="Angkor Steel")
    returnee = make_returnee(
        db_session,
        officer,
        given_name="Sreymom",
        family_name="Pich",
        phone="012 999 111",
        skills=("welding",),
        trafficking_survivor=True,
        return_date=_long_ago(),
    )
    listing = make_listing(db_session, employer, title="Steel fixer", skills=("welding",))
    matches_url = f"/returnees/{returnee.id}/matches"
    page = _page(client, matches_url)
    assert "Steel fixer" in page and f'action="/returnees/{returnee.id}/referrals"' in page
    token = csrf_token(client, matches_url)
    response = client.post(
        f"/returnees/{returnee.id}/referrals",
        data={"listing_id": listing.id, "next": matches_url, "csrf_token": token},
    )
    assert response.status_code == 302 and response.headers["Location"] == matches_url
    referral = db_session.scalars(select(Referral).where(Referral.returnee_id == returnee.id)).one()
    assert (referral.listing_id, referral.status) == (listing.id, "referred")

    referrals_page = _page(employer_browser, "/referrals")
    assert "Sreymom Pich" in referrals_page and "012 999 111" in referrals_page
    assert "Steel fixer" in referrals_page
    assert returnee.case_number not in referrals_page and "Survivor" not in referrals_page
    start = _today() - timedelta(days=35)
    token = csrf_token(employer_browser, "/referrals")
    hired = employer_browser.post(
        f"/referrals/{referral.id}/status",
        data={"status": "hired", "start_date": start.isoformat(), "csrf_token": token},
    )
    assert hired.status_code == 302
    assert hired.headers["Location"] == f"/referrals#referral-{referral.id}"
    placement = db_session.scalars(
        select(Placement).where(Placement.referral_id == referral.id)
    ).one()
    assert placement.start_date == start
    assert [f.status for f in _follow_ups(db_session, placement.id)] == [
        "due",
        "scheduled",
        "scheduled",
        "scheduled",
    ]
    assert "Hired" in _page(employer_browser, "/referrals")


def test_a_refusal_to_refer_is_flashed_and_writes_nothing(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    returnee = make_returnee(db_session, officer)
    listing = make_listing(db_session, employer)
    listing.status = "closed"
    db_session.commit()
    matches_url = f"/returnees/{returnee.id}/matches"
    token = csrf_token(client, matches_url)
    response = client.post(
        f"/returnees/{returnee.id}/referrals",
        data={"listing_id": listing.id, "next": matches_url, "csrf_token": token},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "This listing is closed." in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Referral)) == 0


def test_the_refer_form_needs_a_csrf_token(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    returnee = make_returnee(db_session, officer)
    listing = make_listing(db_session, employer)
    response = client.post(f"/returnees/{returnee.id}/referrals", data={"listing_id": listing.id})
    assert response.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(Referral)) == 0


def test_a_hire_without_a_start_date_is_refused_with_a_message(
    auth: AuthActions, app: Flask, db_session: Session
) -> None:
    employer, browser = auth.browser_as_new("employer", employer="Angkor Steel")
    officer = make_user(db_session)
    returnee = make_returnee(db_session, officer)
    listing = make_listing(db_session, employer)
    from reintegrate.services import referrals

    referral = referrals.refer(db_session, Actor.of(officer), returnee.id, listing.id)
    db_session.commit()
    token = csrf_token(browser, "/referrals")
    response = browser.post(
        f"/referrals/{referral.id}/status",
        data={"status": "hired", "csrf_token": token},
        follow_redirects=True,
    )
    assert "start_date" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Referral, referral.id).status == "referred"
    assert db_session.scalar(select(func.count()).select_from(Placement)) == 0


def test_the_officers_home_lists_due_follow_ups_oldest_first_with_phone_and_last_outcome(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    recent = make_placement(
        db_session,
        officer,
        employer,
        _today() - timedelta(days=33),
        given_name="Recent",
        family_name="Hire",
        phone="017 000 001",
        return_date=_long_ago(),
    )
    older = make_placement(
        db_session,
        officer,
        employer,
        _today() - timedelta(days=100),
        given_name="Older",
        family_name="Hire",
        phone="017 000 002",
        return_date=_long_ago(),
    )
    missed, second, *_ = _follow_ups(db_session, older.id)
    assert (missed.status, second.status) == ("missed", "due")
    followups.record_outcome(
        db_session,
        Actor.of(officer),
        missed.id,
        OutcomeInput(contacted_on=_today() - timedelta(days=20), status="self_employed"),
    )
    db_session.commit()

    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/work"
    page = _page(client, "/work")
    assert page.index("Older Hire") < page.index("Recent Hire")
    assert "017 000 001" in page and "017 000 002" in page
    older_row = page[page.index("Older Hire") : page.index("Recent Hire")]
    assert "Self-employed" in older_row
    recent_row = page[page.index("Recent Hire") :]
    assert "Self-employed" not in recent_row.split("</tr>")[0]
    assert f'href="/followups/{second.id}?next=/work"' in page
    assert f'href="/followups/{_follow_ups(db_session, recent.id)[0].id}?next=/work"' in page


def test_officer_records_an_outcome_through_the_form(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    placement = make_placement(
        db_session, officer, employer, _today() - timedelta(days=35), return_date=_long_ago()
    )
    first = _follow_ups(db_session, placement.id)[0]
    url = f"/followups/{first.id}"
    page = _page(client, url)
    assert "012 345 678" in page and 'name="contacted_on"' in page
    token = csrf_token(client, url)
    response = client.post(
        url,
        data={
            "contacted_on": _today().isoformat(),
            "status": "employed_other",
            "monthly_income_usd": "280",
            "notes": "moved to a bigger workshop",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/work"
    first = _follow_ups(db_session, placement.id)[0]
    assert first.status == "completed" and first.completed_on == _today()
    assert [(o.status, int(o.monthly_income_usd)) for o in first.outcomes] == [
        ("employed_other", 280)
    ]
    assert "No follow-up is due in your provinces." in _page(client, "/work")
    table = _page(client, f"/placements/{placement.id}")
    assert "Working in another job" in table and "280 USD" in table


def test_outcome_form_errors_are_shown_by_the_fields_with_422_and_nothing_is_written(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    placement = make_placement(
        db_session, officer, employer, _today() - timedelta(days=35), return_date=_long_ago()
    )
    first = _follow_ups(db_session, placement.id)[0]
    url = f"/followups/{first.id}"
    before = _outcomes(db_session)
    response = client.post(
        url,
        data={
            "contacted_on": (_today() + timedelta(days=2)).isoformat(),
            "status": "employed_same",
            "monthly_income_usd": "-5",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="monthly_income_usd"[^>]*aria-invalid="true"', page)
    assert 'id="monthly_income_usd-error"' in page
    assert 'value="-5"' in page

    response = client.post(
        url,
        data={
            "contacted_on": (_today() + timedelta(days=2)).isoformat(),
            "status": "employed_same",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="contacted_on-error"' in page and "Must not be in the future." in page

    response = client.post(
        url,
        data={
            "contacted_on": _today().isoformat(),
            "status": "remigrated",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 422
    assert 'id="remigration_country-error"' in response.get_data(as_text=True)
    assert _outcomes(db_session) == before
    assert _follow_ups(db_session, placement.id)[0].status == "due"


def test_remigration_through_the_form_ends_the_placement_and_cancels_later_follow_ups(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    placement = make_placement(
        db_session, officer, employer, _today() - timedelta(days=35), return_date=_long_ago()
    )
    first = _follow_ups(db_session, placement.id)[0]
    url = f"/followups/{first.id}"
    response = client.post(
        url,
        data={
            "contacted_on": _today().isoformat(),
            "status": "remigrated",
            "remigration_country": "TH",
            "remigration_channel": "irregular",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302
    db_session.expire_all()
    ended = db_session.get(Placement, placement.id)
    assert (ended.status, ended.ended_on, ended.end_reason) == ("ended", _today(), "remigrated")
    page = _page(client, f"/placements/{placement.id}")
    assert page.count(">Cancelled</span>") == 3 and page.count(">Done</span>") == 1
    assert "Re-migrated" in page and "Record the outcome" not in page
    later = _follow_ups(db_session, placement.id)[1]
    after = client.get(f"/followups/{later.id}").get_data(as_text=True)
    assert 'name="contacted_on"' not in after


def _unemployed_and_leaving(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> Placement:
    """A placement whose 1-month follow-up recorded: not working, intends to migrate again."""
    officer = auth.as_new(provinces=["02", "01"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    placement = make_placement(
        db_session,
        officer,
        employer,
        _today() - timedelta(days=35),
        given_name="Bopha",
        family_name="Lim",
        return_date=_long_ago(),
    )
    first = _follow_ups(db_session, placement.id)[0]
    url = f"/followups/{first.id}"
    response = client.post(
        url,
        data={
            "contacted_on": _today().isoformat(),
            "status": "unemployed",
            "intends_to_remigrate": "yes",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302
    return placement


def test_the_returnee_list_and_the_work_page_show_the_risk_flag_with_its_reasons(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    _unemployed_and_leaving(auth, client, db_session)
    listing_page = _page(client, "/returnees")
    row = listing_page[listing_page.index("Bopha Lim") :].split("</tr>")[0]
    assert "at risk" in row and "not working" in row and "intends to migrate again" in row
    work = _page(client, "/work")
    flagged = work[work.index("At risk of re-migration") :]
    assert "Bopha Lim" in flagged and "not working" in flagged


def test_the_returnee_page_shows_the_timeline_and_the_risk_flag(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    placement = _unemployed_and_leaving(auth, client, db_session)
    page = _page(client, f"/returnees/{placement.returnee_id}")
    timeline = page[page.index('<ol class="timeline">') :]
    for kind in (
        "tl-returned",
        "tl-registered",
        "tl-referral_referred",
        "tl-referral_hired",
        "tl-placement_job",
        "tl-outcome",
        "tl-follow_up_scheduled",
    ):
        assert kind in timeline, kind
    assert "Registered" in timeline and "Not working" in timeline
    assert timeline.count("tl-follow_up_scheduled") == 3
    assert "At risk:" in page and "not working" in page and "intends to migrate again" in page


def test_the_inbox_shows_reminders_after_a_sweep(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    colleague = make_user(db_session, provinces=["02"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    assert "Nothing here." in _page(client, "/inbox")
    placement = make_placement(
        db_session, officer, employer, _today() - timedelta(days=35), return_date=_long_ago()
    )
    first = _follow_ups(db_session, placement.id)[0]
    assert first.status == "due"
    followups.sweep(db_session, _today())
    db_session.commit()
    page = _page(client, "/inbox")
    assert "the 1-month follow-up is due on" in page and placement.returnee.case_number in page
    assert 'href="/inbox/' in page and 'class="unread"' in page
    assert "Inbox (1)" in _page(client, "/work")
    response = client.post("/inbox", data={"csrf_token": csrf_token(client, "/inbox")})
    assert response.status_code == 302
    assert 'class="unread"' not in _page(client, "/inbox")
    assert "Inbox (1)" not in _page(client, "/work")
    other = _page_for(client.application, db_session, colleague, "/inbox")
    assert "the 1-month follow-up is due on" in other and 'class="unread"' in other


def _page_for(app: Flask, db_session: Session, user: User, path: str) -> str:
    browser = app.test_client()
    log_in(browser, user.email, PASSWORD)
    return _page(browser, path)


def test_employer_pages_never_show_case_numbers_or_survivor_status(
    auth: AuthActions, app: Flask, db_session: Session
) -> None:
    employer, browser = auth.browser_as_new("employer", employer="Angkor Steel")
    officer = make_user(db_session)
    placement = make_placement(
        db_session,
        officer,
        employer,
        _today() - timedelta(days=35),
        trafficking_survivor=True,
        return_date=_long_ago(),
    )
    db_session.expire_all()
    case_number = db_session.get(Placement, placement.id).returnee.case_number
    for path in (
        "/",
        "/referrals",
        "/referrals?status=hired",
        "/listings",
        f"/listings/{placement.listing_id}",
    ):
        response = browser.get(path, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert case_number not in page, path
        assert "Survivor" not in page and "survivor" not in page.lower(), path
    assert browser.get(f"/placements/{placement.id}").status_code == 403
    assert (
        browser.get(f"/followups/{_follow_ups(db_session, placement.id)[0].id}").status_code == 403
    )
    assert browser.get(f"/returnees/{placement.returnee_id}").status_code in (403, 404)


def test_an_officer_cannot_open_a_follow_up_outside_the_provinces(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new(provinces=["02", "01"])
    elsewhere = make_user(db_session, provinces=["17"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    placement = make_placement(
        db_session,
        elsewhere,
        employer,
        _today() - timedelta(days=35),
        home_province="17",
        return_date=_long_ago(),
    )
    first = _follow_ups(db_session, placement.id)[0]
    assert client.get(f"/followups/{first.id}").status_code == 404
    token = csrf_token(client, "/work")
    response = client.post(
        f"/followups/{first.id}",
        data={"contacted_on": _today().isoformat(), "status": "employed_same", "csrf_token": token},
    )
    assert response.status_code == 404
    assert _outcomes(db_session) == 0
    assert client.get(f"/placements/{placement.id}").status_code == 404


def test_a_missed_follow_up_still_offers_to_record_a_late_outcome(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    placement = make_placement(
        db_session, officer, employer, _today() - timedelta(days=100), return_date=_long_ago()
    )
    missed = _follow_ups(db_session, placement.id)[0]
    assert missed.status == "missed"
    page = _page(client, f"/placements/{placement.id}")
    assert f'href="/followups/{missed.id}"' in page
    url = f"/followups/{missed.id}"
    response = client.post(
        url,
        data={
            "contacted_on": (_today() - timedelta(days=1)).isoformat(),
            "status": "employed_same",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302
    assert _follow_ups(db_session, placement.id)[0].status == "completed"
