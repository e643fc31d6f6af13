"""The duplicate queue page: merge with confirmation, dismiss, and undo."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import DuplicateReview, Merge, Returnee
from tests.builders import PASSWORD, make_returnee, make_user
from tests.conftest import csrf_token, log_in


def _queue(
    client: FlaskClient, db_session: Session, locale: str = "en"
) -> tuple[Returnee, Returnee, DuplicateReview]:
    officer = make_user(db_session, provinces=["02"])
    officer.locale = locale
    db_session.commit()
    first = make_returnee(db_session, officer, phone=None)
    later = make_returnee(db_session, officer, phone=None, return_date=date(2026, 6, 1))
    log_in(client, officer.email, PASSWORD)
    return first, later, db_session.scalars(select(DuplicateReview)).one()


def test_the_queue_merges_after_confirmation_and_undoes(
    client: FlaskClient, db_session: Session
) -> None:
    first, later, review = _queue(client, db_session)
    page = client.get("/returnees/reviews")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert first.case_number in text and later.case_number in text and "similar name" in text
    confirm = client.get(f"/returnees/reviews/{review.id}/merge")
    assert confirm.status_code == 200 and 'name="keep"' in confirm.get_data(as_text=True)
    token = csrf_token(client, "/returnees/reviews")
    merged = client.post(
        f"/returnees/reviews/{review.id}/merge", data={"keep": later.id, "csrf_token": token}
    )
    assert merged.status_code == 302 and merged.location.endswith(f"/returnees/{later.id}")
    db_session.expire_all()
    assert db_session.get(Returnee, first.id).merged_into_id == later.id
    survivor = client.get(f"/returnees/{later.id}").get_data(as_text=True)
    assert "Undo merge" in survivor and first.case_number in survivor
    listed = client.get(f"/returnees?q={first.case_number}").get_data(as_text=True)
    assert f"/returnees/{later.id}" in listed and f'"/returnees/{first.id}"' not in listed
    history = client.get("/returnees/reviews?status=merged").get_data(as_text=True)
    assert "Undo merge" in history
    record = db_session.scalars(select(Merge)).one()
    undone = client.post(f"/returnees/merges/{record.id}/undo", data={"csrf_token": token})
    assert undone.status_code == 302
    db_session.expire_all()
    assert db_session.get(Returnee, first.id).merged_into_id is None
    assert db_session.get(Merge, record.id).undone_at is not None


def test_a_merge_refused_says_why(client: FlaskClient, db_session: Session) -> None:
    first, _later, review = _queue(client, db_session)
    token = csrf_token(client, "/returnees/reviews")
    client.post(f"/returnees/reviews/{review.id}/dismiss", data={"csrf_token": token})
    refused = client.post(
        f"/returnees/reviews/{review.id}/merge",
        data={"keep": first.id, "csrf_token": token},
        follow_redirects=True,
    )
    assert "marked as different people" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(DuplicateReview, review.id).status == "dismissed"
    assert client.get("/returnees/reviews").get_data(as_text=True).count("Merge…") == 0


def test_the_queue_page_speaks_khmer(client: FlaskClient, db_session: Session) -> None:
    _queue(client, db_session, locale="km")
    text = client.get("/returnees/reviews").get_data(as_text=True)
    assert "Not the same person" not in text and "មិនមែនជាមនុស្សតែមួយ" in text
