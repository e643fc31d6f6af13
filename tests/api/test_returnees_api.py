"""/api/v1/returnees as the design's contract states it, including every refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import AuditEntry, Returnee, User
from tests.builders import make_returnee, make_user, returnee_json

URL = "/api/v1/returnees"
Bearer = Callable[[User], dict[str, str]]


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Returnee)) or 0


def test_register_returns_201_with_case_number_and_possible_duplicates(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    existing = make_returnee(
        db_session,
        officer,
        given_name="Dara",
        family_name="Keo",
        date_of_birth=date(1990, 7, 1),
        phone=None,
    )
    response = client.post(
        URL, json=returnee_json(given_name="Darah", family_name="Keo"), headers=bearer(officer)
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["case_number"].startswith("KH02-")
    assert body["skills"] == ["welding", "ការផ្សារដែក"]
    assert body["consent"] == {"referral": True, "share_with_employers": False, "research": True}
    assert [d["case_number"] for d in body["possible_duplicates"]] == [existing.case_number]
    assert body["possible_duplicates"][0]["reasons"] == ["same_date_of_birth", "similar_name"]


def test_read_list_and_patch(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    headers = bearer(officer)
    created = client.post(URL, json=returnee_json(), headers=headers).json
    read = client.get(f"{URL}/{created['id']}", headers=headers)
    assert read.status_code == 200 and read.json["given_name"] == "Dara"
    listed = client.get(URL, query_string={"q": "dara keo", "province": "02"}, headers=headers).json
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert listed["total"] == 1
    patched = client.patch(
        f"{URL}/{created['id']}",
        json={"skills": ["driving"], "status": "referred"},
        headers=headers,
    )
    assert patched.status_code == 200
    assert patched.json["skills"] == ["driving"] and patched.json["status"] == "referred"
    trail = db_session.execute(
        select(AuditEntry.action, AuditEntry.detail)
        .where(AuditEntry.entity_id == created["id"], AuditEntry.entity_type == "returnee")
        .order_by(AuditEntry.id)
    ).all()
    assert [tuple(row) for row in trail] == [
        ("create", None),
        ("view", None),
        ("view", {"what": "list"}),
        ("update", None),
    ]


def _future() -> str:
    return (date.today() + timedelta(days=3)).isoformat()


BAD_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown province", {"home_province": "99"}, "home_province"),
    ("province by name", {"home_province": "Nowhere"}, "home_province"),
    ("birth in the future", {"date_of_birth": _future()}, "date_of_birth"),
    ("birth before 1900", {"date_of_birth": "1899-12-31"}, "date_of_birth"),
    ("return in the future", {"return_date": _future()}, "return_date"),
    ("impossible date", {"return_date": "2026-02-30"}, "return_date"),
    (
        "return before birth",
        {"date_of_birth": "2000-01-01", "return_date": "1999-01-01"},
        "return_date",
    ),
    ("empty given name", {"given_name": "   "}, "given_name"),
    ("missing family name", {"family_name": None}, "family_name"),
    ("10,000 characters", {"family_name": "x" * 10_000}, "family_name"),
    ("NUL byte", {"given_name": "So\x00kha"}, "given_name"),
    ("unknown country", {"destination_country": "XX"}, "destination_country"),
    ("unknown language", {"languages": ["km", "zz"]}, "languages"),
    ("wrong type", {"trafficking_survivor": "perhaps"}, "trafficking_survivor"),
    ("skills not a list", {"skills": "welding"}, "skills"),
    ("extra key role", {"role": "admin"}, "role"),
    ("extra key id", {"id": 5}, "id"),
    ("bad phone", {"phone": "call me"}, "phone"),
    ("bad sex", {"sex": "unknown"}, "sex"),
    ("consent missing purpose", {"consent": {"referral": True}}, "consent"),
]


@pytest.mark.parametrize(("case", "changes", "field"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    client: FlaskClient,
    db_session: Session,
    officer: User,
    bearer: Bearer,
    case: str,
    changes: dict[str, Any],
    field: str,
) -> None:
    headers = bearer(officer)
    before = _count(db_session)
    body = returnee_json(**changes)
    if changes.get("family_name", "") is None:
        del body["family_name"]
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 422, (case, response.json)
    assert field in response.json["errors"]["json"], response.json
    assert _count(db_session) == before


def test_non_json_body_is_refused(client: FlaskClient, officer: User, bearer: Bearer) -> None:
    response = client.post(
        URL, data="not json", headers={**bearer(officer), "Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.is_json


def test_patch_validates_too(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    returnee = make_returnee(db_session, officer)
    headers = bearer(officer)
    for body, field in [
        ({"home_province": "17"}, "home_province"),
        ({"case_number": "KH02-1"}, "case_number"),
        ({"date_of_birth": "1800-01-01"}, "date_of_birth"),
    ]:
        response = client.patch(f"{URL}/{returnee.id}", json=body, headers=headers)
        assert response.status_code == 422 and field in response.json["errors"]["json"], (
            response.json
        )
    db_session.refresh(returnee)
    assert returnee.home_province == "02"


def test_no_token_is_401(client: FlaskClient) -> None:
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=returnee_json()).status_code == 401
    assert client.get(URL, headers={"Authorization": "Bearer rit_forged"}).status_code == 401


@pytest.mark.parametrize("role", ["employer", "manager", "admin"])
def test_other_roles_get_403(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer, role: str
) -> None:
    returnee = make_returnee(db_session, officer)
    headers = bearer(make_user(db_session, role))
    assert client.get(URL, headers=headers).status_code == 403
    assert client.post(URL, json=returnee_json(), headers=headers).status_code == 403
    assert client.get(f"{URL}/{returnee.id}", headers=headers).status_code == 403
    assert (
        client.patch(f"{URL}/{returnee.id}", json={"district": "x"}, headers=headers).status_code
        == 403
    )


def test_officer_outside_province_gets_404(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    returnee = make_returnee(db_session, officer)
    other = bearer(make_user(db_session, provinces=["17"]))
    assert client.get(f"{URL}/{returnee.id}", headers=other).status_code == 404
    assert (
        client.patch(f"{URL}/{returnee.id}", json={"district": "x"}, headers=other).status_code
        == 404
    )
    assert client.get(f"{URL}/999999", headers=other).status_code == 404
    assert client.get(URL, headers=other).json["total"] == 0


def test_session_cookie_writes_need_the_csrf_header(client: FlaskClient, officer: User) -> None:
    from tests.conftest import csrf_token, log_in

    log_in(client, officer.email, "correct horse battery staple")
    assert client.post(URL, json=returnee_json()).status_code == 400
    token = csrf_token(client, "/returnees/new")
    response = client.post(URL, json=returnee_json(), headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.json


def test_openapi_describes_every_endpoint(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert set(spec["paths"]) >= {"/api/v1/returnees", "/api/v1/returnees/{returnee_id}"}
    assert set(spec["paths"]["/api/v1/returnees"]) >= {"get", "post"}
    assert set(spec["paths"]["/api/v1/returnees/{returnee_id}"]) >= {"get", "patch"}
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_api_docs_page_uses_only_local_assets(client: FlaskClient) -> None:
    for url in ("/api/docs", "/api/docs/explorer"):
        page = client.get(url).get_data(as_text=True)
        assert "http://" not in page and "https://" not in page
    for asset in ("/api/docs/assets/swagger-ui-bundle.js", "/static/js/api-docs.js"):
        with client.get(asset) as response:
            assert response.status_code == 200


def test_a_cross_province_duplicate_is_a_notice_without_any_detail_in_both_languages(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    battambang = make_user(db_session, provinces=["02"])
    make_returnee(
        db_session, battambang, given_name="Dara", family_name="Keo", date_of_birth=date(1990, 7, 1)
    )
    siem_reap = make_user(db_session, provinces=["17"])
    response = client.post(
        URL, json=returnee_json(home_province="17", phone=None), headers=bearer(siem_reap)
    )
    assert response.status_code == 201, response.json
    assert response.json["possible_duplicates"] == [
        {
            "id": None,
            "case_number": None,
            "in_scope": False,
            "name": None,
            "home_province": None,
            "score": None,
            "reasons": [],
            "message": "A person who may be the same is registered in another province; "
            "ask the national desk.",
        }
    ]
    siem_reap.locale = "km"
    db_session.commit()
    again = client.post(
        URL, json=returnee_json(home_province="17", phone=None), headers=bearer(siem_reap)
    )
    (elsewhere,) = [d for d in again.json["possible_duplicates"] if not d["in_scope"]]
    message = elsewhere["message"]
    assert message and "national desk" not in message and "ខេត្ត" in message


def test_registrations_are_not_held_back_by_the_hourly_limit_on_probing_checks(
    app: Any, client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    """Every check that registers someone leaves a case behind, so only checks that save
    nothing count against DUPLICATE_CHECKS_PER_HOUR (see the web form's test)."""
    headers = bearer(officer)
    limit = app.config["DUPLICATE_CHECKS_PER_HOUR"]
    app.config["DUPLICATE_CHECKS_PER_HOUR"] = 2
    try:
        statuses = [
            client.post(URL, json=returnee_json(), headers=headers).status_code for _ in range(4)
        ]
    finally:
        app.config["DUPLICATE_CHECKS_PER_HOUR"] = limit
    assert statuses == [201, 201, 201, 201]
    assert _count(db_session) == 4


def test_phone_typed_in_khmer_digits_is_accepted_and_stored_in_latin_digits(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    headers = bearer(officer)
    created = client.post(URL, json=returnee_json(phone="០១២ ៣៤៥ ៦៧៨"), headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["phone"] == "012 345 678"
    returnee = db_session.get(Returnee, created.json["id"])
    assert returnee is not None and returnee.phone_key == "12345678"
    patched = client.patch(
        f"{URL}/{returnee.id}", json={"phone": "+៨៥៥ ៩៧ ១១១ ២២២២"}, headers=headers
    )
    assert patched.status_code == 200 and patched.json["phone"] == "+855 97 111 2222"


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("given_name", "Dara 😀"),
        ("family_name", "Keo\u202e"),
        ("name_km", "កែវ🙏"),
        ("given_name", "Dara1"),
    ],
)
def test_names_with_emoji_control_characters_or_digits_are_refused_in_english_and_khmer(
    client: FlaskClient,
    db_session: Session,
    officer: User,
    bearer: Bearer,
    field: str,
    name: str,
) -> None:
    before = _count(db_session)
    english = client.post(URL, json=returnee_json(**{field: name}), headers=bearer(officer))
    assert english.status_code == 422
    assert english.json["errors"]["json"][field] == [
        "A name may contain only letters, spaces, hyphens and apostrophes."
    ]
    khmer = client.post(
        URL,
        json=returnee_json(**{field: name}),
        headers={**bearer(officer), "Accept-Language": "km"},
    )
    assert khmer.status_code == 422
    assert "ឈ្មោះ" in khmer.json["errors"]["json"][field][0]
    assert _count(db_session) == before


def test_khmer_latin_hyphenated_and_apostrophe_names_are_names(
    client: FlaskClient, officer: User, bearer: Bearer
) -> None:
    body = returnee_json(given_name="Sok-Dara", family_name="O’Neil d'Arc", name_km="សុខ ដារ៉ា")
    response = client.post(URL, json=body, headers=bearer(officer))
    assert response.status_code == 201, response.json
    assert response.json["family_name"] == "O’Neil d'Arc"
