"""A negative number is refused as "must be positive", by its field, with every other error
shown at once and what was typed kept."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import Listing
from tests.api.conftest import bearer  # noqa: F401  (fixture)
from tests.builders import PASSWORD, in_days, make_user
from tests.conftest import csrf_token, log_in

FORM = {
    "title": "",
    "province": "02",
    "skills": "rice milling",
    "positions": "-3",
    "wage_min_usd": "220",
    "employment_type": "full_time",
    "valid_through": "",
}


def _field(page: str, name: str) -> str:
    match = re.search(rf'<div class="field has-error">\s*<label for="{name}".*?</div>', page, re.S)
    assert match, f"{name} is not marked as invalid"
    return match.group(0)


def _post(client: FlaskClient, lang: str = "en"):  # type: ignore[no-untyped-def]
    if lang != "en":
        client.post(
            "/language", data={"lang": lang, "csrf_token": csrf_token(client, "/listings/new")}
        )
    token = csrf_token(client, "/listings/new")
    return client.post("/listings/new", data={**FORM, "csrf_token": token})


def test_a_negative_number_of_positions_must_be_positive_and_every_error_shows(
    client: FlaskClient, db_session: Session
) -> None:
    log_in(client, make_user(db_session, "employer", employer="Rice Mill").email, PASSWORD)
    response = _post(client)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    positions = _field(page, "positions")
    assert "Must be a positive whole number, at most 10000." in positions
    assert 'value="-3"' in positions
    assert "Not a valid integer" not in page
    for other in ("title", "valid_through"):
        assert "field-error" in _field(page, other)
    assert 'value="rice milling"' in page or "rice milling</textarea>" in page
    assert db_session.scalar(select(func.count()).select_from(Listing)) == 0


def test_the_same_in_khmer(client: FlaskClient, db_session: Session) -> None:
    log_in(client, make_user(db_session, "employer", employer="Rice Mill").email, PASSWORD)
    positions = _field(_post(client, "km").get_data(as_text=True), "positions")
    assert "positive" not in positions and re.search(r"[\u1780-\u17ff]", positions)


def test_the_api_says_the_same(client: FlaskClient, db_session: Session, bearer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    employer = make_user(db_session, "employer", employer="Rice Mill")
    body = {
        "kind": "job",
        "title": "Miller",
        "province": "02",
        "positions": -3,
        "valid_through": in_days(30).isoformat(),
    }
    response = client.post("/api/v1/listings", json=body, headers=bearer(employer))
    assert response.status_code == 422
    assert response.json["errors"]["json"]["positions"] == [
        "Must be a positive whole number, at most 10000."
    ]
