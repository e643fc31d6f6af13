"""Hostile input answers 4xx, never 500: huge or foreign page numbers, ids past the integer
range, NUL bytes in query strings, forms and JSON, CR/LF in redirect targets.

Every route of the URL map is walked, so a new route is covered without being listed here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.builders import PASSWORD
from tests.security.conftest import World, form_token

HUGE_IDS = ("2147483648", "99999999999999999999999")
PAGES = ("99999999999999999999999", "١٢", "²", "1e9", "-0", "0x10", " 3", "５")
NUL_QUERIES = (
    "q=a%00b",
    "status=open%00",
    "kind=%00",
    "province=0%002",
    "skill=we%00ld",
    "from=2026-01-01%00",
    "next=/%00",
)
HUGE_QUERY_IDS = tuple(
    f"{name}={value}"
    for name in ("listing_id", "returnee_id", "entity_id", "employer_id", "id")
    for value in ("2147483648", "١٢", "99999999999999999999999")
)
ROLES_TO_TRY = ("officer02", "employer_a", "manager", "admin")


def _get_rules(app: Flask, *, with_int: bool) -> list[str]:
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        if "<path:" in rule.rule or "<name>" in rule.rule:
            continue
        if ("<int:" in rule.rule) == with_int:
            rules.append(rule.rule)
    return sorted(rules)


def _with(rule: str, value: str) -> str:
    return re.sub(r"<int(\([^)]*\))?:\w+>", value, rule)


def _api_or_page(
    browsers: dict[str, FlaskClient], tokens: dict[str, dict[str, str]], role: str, url: str
) -> Any:
    if url.startswith("/api/"):
        return browsers["anonymous"].get(url, headers=tokens[role])
    return browsers[role].get(url)


def test_ids_past_the_integer_range_are_404_on_every_route(
    app: Flask,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    failures = []
    for rule in _get_rules(app, with_int=True):
        for value in HUGE_IDS:
            for role in ROLES_TO_TRY:
                url = _with(rule, value)
                status = _api_or_page(browsers, tokens, role, url).status_code
                if status >= 500 or status < 400:
                    failures.append((role, url, status))
        for value in HUGE_IDS:  # writes too
            url = _with(rule, value)
            client = browsers["officer02"]
            status = client.post(url, data={"csrf_token": form_token(client)}).status_code
            if status >= 500:
                failures.append(("officer02", f"POST {url}", status))
    assert not failures


def test_odd_page_numbers_and_nul_bytes_in_query_strings_are_4xx_or_ignored(
    app: Flask,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    failures = []
    queries = [
        *(f"page={p}" for p in PAGES),
        *(f"page_size={p}" for p in PAGES),
        *NUL_QUERIES,
        *HUGE_QUERY_IDS,
    ]
    for rule in _get_rules(app, with_int=False):
        for query in queries:
            for role in ROLES_TO_TRY:
                url = f"{rule}?{query}"
                status = _api_or_page(browsers, tokens, role, url).status_code
                if status >= 500:
                    failures.append((role, url, status))
    assert not failures


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/\nx", "/\\evil.example"])
def test_cr_lf_in_a_redirect_target_never_reaches_a_header(
    browsers: dict[str, FlaskClient], world: World, target: str
) -> None:
    client = browsers["anonymous"]
    response = client.post(
        "/language", data={"lang": "km", "next": target, "csrf_token": form_token(client)}
    )
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")
    assert "x=1" not in response.headers.get("Set-Cookie", "")
    login = client.post(
        "/login",
        query_string={"next": target},
        data={
            "email": world.users["officer02"].email,
            "password": PASSWORD,
            "csrf_token": form_token(client),
        },
    )
    assert login.status_code == 302
    assert login.headers["Location"] in ("/", "http://localhost/")


def test_nul_bytes_in_form_fields_are_refused_naming_the_field(
    browsers: dict[str, FlaskClient], world: World
) -> None:
    client = browsers["officer02"]
    form = {
        "given_name": "Chan\x00thou",
        "family_name": "Mealea",
        "sex": "female",
        "date_of_birth": "1992-02-02",
        "home_province": "02",
        "return_date": "2026-04-01",
        "destination_country": "TH",
        "skills": "sew\x00ing",
        "languages": ["km"],
        "interests": ["job"],
        "consent_referral": "yes",
        "decision": "new",
        "csrf_token": form_token(client),
    }
    response = client.post("/returnees/new", data=form)
    assert response.status_code == 400
    assert "given_name: Must not contain NUL characters." in response.get_data(as_text=True)
    search = client.get("/returnees", query_string={"q": "So\x00kha"})
    assert search.status_code < 500
    login = browsers["anonymous"].post(
        "/login",
        data={
            "email": "officer02@example.org\x00",
            "password": "x\x00y",
            "csrf_token": form_token(browsers["anonymous"]),
        },
    )
    assert login.status_code in (400, 401, 422)


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/listings", {"title": "Sew\x00er"}, "title"),
        ("/api/v1/returnees", {"given_name": "Da\x00ra"}, "given_name"),
        ("/api/v1/returnees", {"skills": ["weld\x00ing"]}, "skills"),
    ],
)
def test_nul_bytes_in_json_strings_are_422_naming_the_field(
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    world: World,
    url: str,
    body: dict[str, Any],
    field: str,
) -> None:
    from tests.builders import listing_json, returnee_json

    base = listing_json(employer="Angkor Garments") if "listings" in url else returnee_json()
    response = browsers["anonymous"].post(url, json={**base, **body}, headers=tokens["officer02"])
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.json["errors"]["json"]


@pytest.mark.parametrize("page", ["١٢", "²", "100001", "99999999999999999999999"])
def test_a_page_number_that_is_not_plain_digits_in_range_is_422_naming_it(
    browsers: dict[str, FlaskClient], tokens: dict[str, dict[str, str]], world: World, page: str
) -> None:
    api = browsers["anonymous"].get(
        "/api/v1/returnees", query_string={"page": page}, headers=tokens["officer02"]
    )
    assert api.status_code == 422
    assert "page" in api.json["errors"]["query"]
    web = browsers["officer02"].get("/returnees", query_string={"page": page})
    assert web.status_code == 422
