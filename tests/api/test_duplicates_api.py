"""/api/v1/duplicates and /api/v1/merges: the queue, merge, dismiss and undo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import DuplicateReview, Returnee, User
from tests.builders import make_placement, make_returnee, make_user

Bearer = Callable[[User], dict[str, str]]


def _pair(session: Session, officer: User) -> tuple[Returnee, Returnee, DuplicateReview]:
    first = make_returnee(session, officer, phone=None)
    later = make_returnee(session, officer, phone=None, return_date=date(2026, 6, 1))
    review = session.scalars(select(DuplicateReview)).one()
    return first, later, review


def test_the_queue_lists_pairs_with_their_evidence(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    first, later, review = _pair(db_session, officer)
    response = client.get("/api/v1/duplicates", headers=bearer(officer))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["total"] == 1 and body["page"] == 1 and body["pages"] == 1
    item = body["items"][0]
    assert item["id"] == review.id and item["returnee_ids"] == [first.id, later.id]
    assert 0 <= item["score"] <= 100 and "similar_name" in item["reasons"]
    assert item["status"] == "open" and item["merge_id"] is None
    other = make_user(db_session, provinces=["17"])
    assert client.get("/api/v1/duplicates", headers=bearer(other)).json["items"] == []
    employer = make_user(db_session, "employer")
    assert client.get("/api/v1/duplicates", headers=bearer(employer)).status_code == 403
    assert client.get("/api/v1/duplicates?status=nope", headers=bearer(officer)).status_code == 422


def test_merge_then_undo(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    first, later, review = _pair(db_session, officer)
    url = f"/api/v1/duplicates/{review.id}/merge"
    assert client.post(url, json={"keep": 999}, headers=bearer(officer)).status_code == 422
    assert client.post(url, json={}, headers=bearer(officer)).status_code == 422
    merged = client.post(url, json={"keep": later.id}, headers=bearer(officer))
    assert merged.status_code == 200, merged.json
    assert merged.json["id"] == later.id and merged.json["case_number"] == later.case_number
    again = client.post(url, json={"keep": later.id}, headers=bearer(officer))
    assert again.status_code == 409 and again.json["rule"] == "pair_settled"
    gone = client.get(f"/api/v1/returnees/{first.id}", headers=bearer(officer)).json
    assert gone["merged_into_id"] == later.id
    found = client.get(f"/api/v1/returnees?q={first.case_number}", headers=bearer(officer)).json[
        "items"
    ]
    assert [r["id"] for r in found] == [later.id]
    by_number = client.get(f"/api/v1/returnees/case/{first.case_number}", headers=bearer(officer))
    assert by_number.status_code == 200 and by_number.json["id"] == later.id
    history = client.get("/api/v1/duplicates?status=merged", headers=bearer(officer)).json
    assert history["items"][0]["merge_id"] == merged.json["merge_id"]
    undo = f"/api/v1/merges/{merged.json['merge_id']}/undo"
    undone = client.post(undo, headers=bearer(officer))
    assert undone.status_code == 200 and undone.json["undone_at"]
    assert client.post(undo, headers=bearer(officer)).json["rule"] == "already_undone"
    assert client.post("/api/v1/merges/2000000000/undo", headers=bearer(officer)).status_code == 404


def test_dismiss_takes_the_pair_out_for_good(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    _first, _later, review = _pair(db_session, officer)
    url = f"/api/v1/duplicates/{review.id}/dismiss"
    response = client.post(url, headers=bearer(officer))
    assert response.status_code == 200 and response.json["status"] == "dismissed"
    assert client.get("/api/v1/duplicates", headers=bearer(officer)).json["items"] == []
    assert client.post(url, headers=bearer(officer)).status_code == 409


def test_cross_province_pairs_need_both_provinces(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    battambang = make_user(db_session, provinces=["02"])
    siem_reap = make_user(db_session, provinces=["17"])
    desk = make_user(db_session, provinces=["02", "17"])
    first = make_returnee(db_session, battambang)
    make_returnee(db_session, siem_reap, home_province="17", return_date=date(2026, 6, 1))
    review = db_session.scalars(select(DuplicateReview)).one()
    url = f"/api/v1/duplicates/{review.id}/merge"
    for officer in (battambang, siem_reap):
        refused = client.post(url, json={"keep": first.id}, headers=bearer(officer))
        assert refused.status_code == 404
    assert client.post(url, json={"keep": first.id}, headers=bearer(desk)).status_code == 200


def test_two_open_placements_with_one_employer_answer_409(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    employer = make_user(db_session, "employer")
    one = make_placement(db_session, officer, employer, date(2026, 7, 1), phone=None)
    make_placement(
        db_session, officer, employer, date(2026, 7, 2), phone=None, return_date=date(2026, 6, 1)
    )
    review = db_session.scalars(select(DuplicateReview)).one()
    response = client.post(
        f"/api/v1/duplicates/{review.id}/merge",
        json={"keep": one.returnee_id},
        headers=bearer(officer),
    )
    assert response.status_code == 409
    assert response.json["rule"] == "same_employer" and "employer" in response.json["message"]
