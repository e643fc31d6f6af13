"""The country lists: usual destinations first, then every other country by name, in the
officer's language; neither Cambodia nor Antarctica offered as a country abroad."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from reintegrate.timeutil import local_today
from tests.builders import PASSWORD, make_placement, make_user
from tests.conftest import csrf_token, log_in


def _countries(page: str, name: str) -> list[tuple[str, str]]:
    select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return [
        (code, text.strip())
        for code, text in re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]*)</option>', select)
    ]


def _latin_key(name: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", name) if not "\u0300" <= c <= "\u036f"
    ).casefold()


def test_the_registration_form_offers_likely_countries_first_then_by_name(
    client: FlaskClient, db_session: Session
) -> None:
    log_in(client, make_user(db_session, provinces=["02"]).email, PASSWORD)
    options = _countries(client.get("/returnees/new").get_data(as_text=True), "destination_country")
    codes = [code for code, _ in options]
    assert codes[:4] == ["TH", "MY", "KR", "JP"]
    assert options[2][1] == "South Korea"
    assert "KH" not in codes and "AQ" not in codes
    rest = [name for code, name in options[14:]]
    assert rest == sorted(rest, key=_latin_key)
    assert rest[0].startswith("A") and len(codes) > 200


def test_the_country_list_is_in_khmer_and_sorted_in_khmer(
    client: FlaskClient, db_session: Session
) -> None:
    log_in(client, make_user(db_session, provinces=["02"]).email, PASSWORD)
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/returnees")})
    options = _countries(client.get("/returnees/new").get_data(as_text=True), "destination_country")
    assert options[0] == ("TH", "ថៃ")
    rest = [name for code, name in options[14:]]
    assert rest == sorted(rest, key=_latin_key)
    assert all(re.search(r"[\u1780-\u17ff]", name) for name in rest[-20:])


def test_the_re_migration_country_list_is_the_same_list(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    placement = make_placement(db_session, officer, employer, local_today() - timedelta(days=40))
    log_in(client, officer.email, PASSWORD)
    follow_up = placement.follow_ups[0]
    page = client.get(f"/followups/{follow_up.id}").get_data(as_text=True)
    codes = [code for code, _ in _countries(page, "remigration_country")]
    assert codes[:4] == ["TH", "MY", "KR", "JP"] and "KH" not in codes and "GB" in codes
