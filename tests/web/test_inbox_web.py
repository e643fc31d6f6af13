"""The inbox: one line per follow-up and reason naming the person, the case and the due date;
opening a line marks it read, recording the outcome clears it, the count is of unread lines."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import FollowUp, Notification, Placement, User
from reintegrate.services import followups, notifications
from reintegrate.services.access import Actor
from reintegrate.services.followups import OutcomeInput
from reintegrate.timeutil import local_today
from tests.builders import PASSWORD, make_placement, make_user
from tests.conftest import csrf_token, log_in


def _today() -> date:
    return local_today()


def _placed(db_session: Session, officer: User, days_ago: int, name: str) -> Placement:
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    return make_placement(
        db_session,
        officer,
        employer,
        _today() - timedelta(days=days_ago),
        return_date=_today() - timedelta(days=400),
        given_name=name,
    )


def _first(db_session: Session, placement: Placement) -> FollowUp:
    db_session.expire_all()
    first = db_session.scalars(
        select(FollowUp).where(FollowUp.placement_id == placement.id).order_by(FollowUp.sequence)
    ).first()
    assert first is not None
    return first


def _lines(page: str) -> list[str]:
    return re.findall(r'<li class="(?:unread)?">\s*<a href="/inbox/\d+">\s*(.*?)</a>', page, re.S)


def test_one_line_per_follow_up_naming_the_person_case_and_due_date(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"])
    overdue = _placed(db_session, officer, 60, "Vibol")
    due = _placed(db_session, officer, 35, "Kanha")
    followups.sweep(db_session, _today() - timedelta(days=20))
    followups.sweep(db_session, _today())
    db_session.commit()
    assert db_session.scalars(select(Notification.kind)).all().count("follow_up_due") == 2
    log_in(client, officer.email, PASSWORD)
    page = client.get("/inbox").get_data(as_text=True)
    lines = [" ".join(line.split()) for line in _lines(page)]
    assert len(lines) == 2 and len(set(lines)) == 2
    late, soon = _first(db_session, overdue), _first(db_session, due)
    assert any(
        line.startswith(
            f"Vibol Chhay ({overdue.returnee.case_number}): the 1-month follow-up is overdue"
        )
        for line in lines
    ), lines
    assert any(
        "Kanha Chhay" in line and due.returnee.case_number in line and "is due on" in line
        for line in lines
    ), lines
    assert late.due_date.strftime("%Y") in page and soon.due_date.day
    assert "Inbox (2)" in client.get("/work").get_data(as_text=True)


def test_opening_a_line_marks_it_read_and_recording_the_outcome_clears_it(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"])
    colleague = make_user(db_session, provinces=["02"])
    first_person = _placed(db_session, officer, 35, "Vibol")
    second_person = _placed(db_session, officer, 36, "Kanha")
    followups.sweep(db_session, _today())
    db_session.commit()
    log_in(client, officer.email, PASSWORD)
    assert "Inbox (2)" in client.get("/work").get_data(as_text=True)
    mine = db_session.scalars(
        select(Notification).where(
            Notification.user_id == officer.id,
            Notification.follow_up_id == _first(db_session, first_person).id,
        )
    ).one()
    opened = client.get(f"/inbox/{mine.id}")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/followups/{mine.follow_up_id}")
    assert "Inbox (1)" in client.get("/work").get_data(as_text=True)
    followups.record_outcome(
        db_session,
        Actor.of(colleague),
        _first(db_session, second_person).id,
        OutcomeInput(contacted_on=_today(), status="employed_same"),
    )
    db_session.commit()
    work = client.get("/work").get_data(as_text=True)
    assert "Inbox (" not in work
    assert 'class="unread"' not in client.get("/inbox").get_data(as_text=True)


def test_another_officers_notice_is_404(client: FlaskClient, db_session: Session) -> None:
    officer = make_user(db_session, provinces=["02"])
    colleague = make_user(db_session, provinces=["02"])
    _placed(db_session, officer, 35, "Vibol")
    followups.sweep(db_session, _today())
    db_session.commit()
    theirs = db_session.scalars(
        select(Notification).where(Notification.user_id == colleague.id)
    ).one()
    log_in(client, officer.email, PASSWORD)
    assert client.get(f"/inbox/{theirs.id}").status_code == 404
    db_session.refresh(theirs)
    assert theirs.read_at is None


def test_the_inbox_names_the_person_in_khmer(client: FlaskClient, db_session: Session) -> None:
    officer = make_user(db_session, provinces=["02"])
    placement = _placed(db_session, officer, 35, "Vibol")
    followups.sweep(db_session, _today())
    db_session.commit()
    log_in(client, officer.email, PASSWORD)
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/inbox")})
    page = client.get("/inbox").get_data(as_text=True)
    assert "Vibol Chhay" in page and placement.returnee.case_number in page
    assert "ការតាមដានក្រោយ 1 ខែ ត្រូវធ្វើនៅ" in page


def test_past_what_is_counted_the_inbox_says_99_plus(
    client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting is capped (a mass return gives an officer hundreds of thousands of reminders);
    the page says so rather than showing a wrong number."""
    monkeypatch.setattr(notifications, "UNREAD_COUNTED_UP_TO", 3)
    officer = make_user(db_session, provinces=["02"])
    for days, name in ((35, "Vibol"), (36, "Kanha"), (37, "Dara"), (38, "Sreyneang")):
        _placed(db_session, officer, days, name)
    followups.sweep(db_session, _today())
    db_session.commit()
    assert notifications.unread_count(db_session, Actor.of(officer)) == 3
    log_in(client, officer.email, PASSWORD)
    assert "Inbox (2+)" in client.get("/work").get_data(as_text=True)
    assert "Inbox (2+)" in client.get("/inbox").get_data(as_text=True)
