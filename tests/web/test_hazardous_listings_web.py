"""Hazardous listings on the pages: employers choose, officers see the flag and why."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import Listing
from tests.builders import in_days, make_returnee
from tests.conftest import AuthActions, csrf_token


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Brick kiln loader",
        "province": "02",
        "skills": "loading bricks",
        "positions": "4",
        "valid_through": in_days(30).isoformat(),
    }
    data.update(overrides)
    return data


def _post(client: FlaskClient, path: str, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_officers_see_that_a_listing_is_hazardous_and_why(
    auth: AuthActions, app: Flask, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new("employer", employer="Angkor Bricks")
    assert 'name="hazardous"' in client.get("/listings/new").get_data(as_text=True)
    created = _post(client, "/listings/new", _form())
    assert created.status_code == 302
    listing = db_session.scalars(select(Listing)).one()
    assert listing.hazardous is True

    officer_browser = app.test_client()
    officer = auth.as_new("officer", client=officer_browser, provinces=["02"])
    adult = make_returnee(db_session, officer, skills=("bricklaying",))
    matches = officer_browser.get(f"/returnees/{adult.id}/matches").get_data(as_text=True)
    assert "Brick kiln loader" in matches and ">Hazardous</span>" in matches
    detail = officer_browser.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "Hazardous work: 18 and over only" in detail
    assert "It mentions “brick kiln” (Brick and tile kilns)" in detail
    assert "Hazardous" in officer_browser.get("/listings").get_data(as_text=True)
    assert 'name="hazardous"' not in officer_browser.get("/listings/new").get_data(as_text=True)


def test_an_employer_marks_work_hazardous_but_cannot_clear_a_listed_one(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new("employer", employer="Angkor Roofing")
    roofer = _post(client, "/listings/new", _form(title="Roofer", skills="", hazardous="yes"))
    assert roofer.status_code == 302
    listing = db_session.scalars(select(Listing).where(Listing.title == "Roofer")).one()
    assert (listing.hazardous, listing.hazardous_reason) == (True, "set:employer")
    assert "Set by the employer" in client.get(roofer.headers["Location"]).get_data(as_text=True)

    refused = _post(client, "/listings/new", _form(hazardous="no"))
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "only an administrator can clear it" in page and "Nothing was saved" in page
    assert (
        db_session.scalars(select(Listing).where(Listing.title == "Brick kiln loader")).all() == []
    )
