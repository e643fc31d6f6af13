"""/api/v1/stats: managers only, suppressed small cells, validated arguments, KM end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from reintegrate.models import Placement, Returnee, User
from reintegrate.services.registry import Consent
from reintegrate.stats.periods import month_end, month_start, whole_months
from reintegrate.stats.survival import kaplan_meier
from reintegrate.timeutil import add_months, local_today
from tests.builders import make_returnee, make_user
from tests.outcome_builders import Contact, Owners, add_placement, in_work, make_owners

Bearer = Callable[[User], dict[str, str]]
RECENT = local_today() - timedelta(days=400)


@pytest.fixture
def owners(db_session: Session) -> Owners:
    return make_owners(db_session)


@pytest.fixture
def manager(db_session: Session) -> User:
    return make_user(db_session, "manager")


def _three_provinces(session: Session, owners: Owners) -> None:
    for province, n in (("01", 3), ("02", 6), ("17", 8)):
        for i in range(n):
            add_placement(
                session,
                owners,
                start=RECENT,
                province=province,
                contacts=[
                    Contact(1),
                    Contact(3, outcome="remigrated" if i == 0 else "employed_same"),
                ],
            )


def test_outcomes_by_province_hide_a_group_of_three_and_a_second_group(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User, bearer: Bearer
) -> None:
    _three_provinces(db_session, owners)
    response = client.get("/api/v1/stats/outcomes?group_by=province", headers=bearer(manager))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    rows = {row["group"]: row for row in body["rows"]}
    assert set(rows) == {"01", "02", "17"}
    assert rows["01"]["label"] == "Banteay Meanchey"
    assert rows["01"]["placed"] is None
    assert set(rows["01"]["suppressed"]) >= {"placed", "contacted", "remigrated"}
    assert rows["02"]["placed"] is None
    assert "placed" in rows["02"]["suppressed"]
    assert rows["17"]["placed"] == 8
    assert rows["17"]["retained_3m"] == 7
    assert body["total"]["placed"] == 17
    assert body["total"]["label"] == "total"
    assert body["min_cell"] == 5
    assert 3 not in [row["placed"] for row in body["rows"]]
    assert 6 not in [row["placed"] for row in body["rows"]]


def test_no_names_or_case_numbers_in_manager_output(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User, bearer: Bearer
) -> None:
    _three_provinces(db_session, owners)
    returnee = db_session.get(Returnee, owners.returnee_id)
    assert returnee is not None
    headers = bearer(manager)
    for path in (
        "/api/v1/stats/outcomes?group_by=programme",
        "/api/v1/stats/retention?group_by=sex",
        "/api/v1/stats/retention?event=out_of_work&group_by=province",
    ):
        text = client.get(path, headers=headers).get_data(as_text=True)
        for secret in (returnee.case_number, returnee.given_name, returnee.family_name):
            assert secret not in text


def test_retention_points_equal_kaplan_meier_on_the_same_durations(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    owners: Owners,
    manager: User,
    bearer: Bearer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "STATS_MIN_CELL", 1)
    durations = []
    for i in range(12):
        if i % 4 == 0:
            day = 60 + 10 * i
            contacts = [Contact(1), Contact(3, outcome="remigrated", day=day, country="TH")]
            durations.append((day, True))
        else:
            contacts = in_work(*[1, 3, 6, 12][: 1 + i % 4])
            durations.append(([1, 3, 6, 12][i % 4] * 30, False))
        add_placement(db_session, owners, start=RECENT, contacts=contacts)
    response = client.get("/api/v1/stats/retention?event=remigration", headers=bearer(manager))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    expected = [
        {
            "time_months": p.time,
            "survival": pytest.approx(p.survival, abs=1e-12),
            "at_risk": p.at_risk,
            "events": p.events,
            "ci_lower": pytest.approx(p.ci_lower, abs=1e-12),
            "ci_upper": pytest.approx(p.ci_upper, abs=1e-12),
        }
        for p in kaplan_meier([(whole_months(d), event) for d, event in durations])
    ]
    assert body["overall"] == expected
    assert body["groups"] == []


def test_retention_by_group_hides_small_groups_and_cuts_tails(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User, bearer: Bearer
) -> None:
    _three_provinces(db_session, owners)
    response = client.get(
        "/api/v1/stats/retention?event=out_of_work&group_by=province", headers=bearer(manager)
    )
    body = response.get_json()
    groups = {g["group"]: g for g in body["groups"]}
    assert groups["01"] == {
        "group": "01",
        "label": "Banteay Meanchey",
        "suppressed": True,
        "points": [],
    }
    assert groups["02"]["suppressed"] is True
    assert groups["17"]["points"]
    for curve in (body["overall"], groups["17"]["points"]):
        assert all(point["at_risk"] >= 5 for point in curve)
    assert body["overall"][0]["at_risk"] == 17


def test_default_period_is_the_last_24_months(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User, bearer: Bearer
) -> None:
    today = local_today()
    for days_ago in (10, 300, 700):
        for _ in range(5):
            add_placement(db_session, owners, start=today - timedelta(days=days_ago))
    for _ in range(5):
        add_placement(db_session, owners, start=today - timedelta(days=760))
    body = client.get("/api/v1/stats/outcomes?group_by=sex", headers=bearer(manager)).get_json()
    assert body["total"]["placed"] == 15
    assert body["to"] == month_end(today).isoformat()
    assert body["from"] == month_start(add_months(today, -23)).isoformat()
    chosen = client.get(
        f"/api/v1/stats/outcomes?from={add_months(today, -24):%Y-%m}"
        f"&to={add_months(today, -7):%Y-%m}",
        headers=bearer(manager),
    ).get_json()
    assert chosen["total"]["placed"] == 10
    assert chosen["group_by"] == "province"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-01-02", "from"),
        ("from=2026-01-01&to=2026-01-30", "to"),
        ("from=2026-01-15&to=2026-02-14", "from"),
        ("from=2026-Q5", "from"),
        ("to=2026-W03", "to"),
    ],
)
def test_windows_that_are_not_whole_months_are_422_naming_the_field(
    client: FlaskClient, manager: User, bearer: Bearer, query: str, field: str
) -> None:
    for path in ("/api/v1/stats/outcomes", "/api/v1/stats/retention"):
        response = client.get(f"{path}?{query}", headers=bearer(manager))
        assert response.status_code == 422, response.get_data(as_text=True)
        assert field in json.dumps(response.get_json())


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("from=2025-02&to=2025-02", "2025-02-01", "2025-02-28"),
        ("from=2025-Q2&to=2025-Q3", "2025-04-01", "2025-09-30"),
        ("from=2024&to=2024", "2024-01-01", "2024-12-31"),
        ("from=2025-03-01&to=2025-04-30", "2025-03-01", "2025-04-30"),
    ],
)
def test_months_quarters_and_years_are_accepted(
    client: FlaskClient, manager: User, bearer: Bearer, query: str, start: str, end: str
) -> None:
    body = client.get(f"/api/v1/stats/outcomes?{query}", headers=bearer(manager)).get_json()
    assert (body["from"], body["to"]) == (start, end)


@pytest.mark.parametrize("role", ["officer", "employer", "admin"])
def test_other_roles_are_forbidden(
    client: FlaskClient, db_session: Session, bearer: Bearer, role: str
) -> None:
    user = make_user(db_session, role)
    for path in ("/api/v1/stats/outcomes", "/api/v1/stats/retention"):
        response = client.get(path, headers=bearer(user))
        assert response.status_code == 403
        assert response.get_json()["code"] == 403


def test_no_token_is_401(client: FlaskClient) -> None:
    for path in ("/api/v1/stats/outcomes", "/api/v1/stats/retention"):
        assert client.get(path).status_code == 401


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/stats/outcomes?group_by=name",
        "/api/v1/stats/outcomes?from=yesterday",
        "/api/v1/stats/outcomes?from=2026-02-01&to=2026-01-31",
        "/api/v1/stats/outcomes?from=2026-02&to=2026-01",
        "/api/v1/stats/retention?event=death",
        "/api/v1/stats/retention?group_by=district",
        "/api/v1/stats/retention?to=2026-13-01",
    ],
)
def test_bad_arguments_are_422(
    client: FlaskClient, manager: User, bearer: Bearer, query: str
) -> None:
    response = client.get(query, headers=bearer(manager))
    assert response.status_code == 422, query
    assert response.get_json()["errors"]


def test_openapi_documents_the_stats_endpoints(client: FlaskClient) -> None:
    spec = json.loads(client.get("/api/v1/openapi.json").get_data(as_text=True))
    assert "/api/v1/stats/outcomes" in spec["paths"]
    assert "/api/v1/stats/retention" in spec["paths"]


def test_past_the_hourly_limit_queries_are_429_in_english_and_khmer(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    manager: User,
    bearer: Bearer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "STATS_QUERIES_PER_HOUR", 2)
    headers = bearer(manager)
    assert client.get("/api/v1/stats/outcomes", headers=headers).status_code == 200
    assert client.get("/api/v1/stats/retention", headers=headers).status_code == 200
    response = client.get("/api/v1/stats/outcomes", headers=headers)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "too often" in response.get_json()["message"]
    khmer = client.get(
        "/api/v1/stats/retention", headers={**headers, "Accept-Language": "km"}
    ).get_json()
    assert khmer["code"] == 429
    assert "ញឹកញាប់ពេក" in khmer["message"]
    other = make_user(db_session, "manager")
    assert client.get("/api/v1/stats/outcomes", headers=bearer(other)).status_code == 200


def test_outcomes_and_curves_say_how_many_placements_are_left_out_for_lack_of_consent(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User, bearer: Bearer
) -> None:
    _three_provinces(db_session, owners)
    officer = make_user(db_session, provinces=["02"])
    no_research = Consent(referral=True, share_with_employers=False, research=False)
    refused = make_returnee(db_session, officer, consent=no_research)
    for _ in range(7):
        add_placement(db_session, Owners(refused.id, owners.listing_id), start=RECENT)
    headers = bearer(manager)
    body = client.get("/api/v1/stats/outcomes", headers=headers).get_json()
    assert (body["total"]["placed"], body["left_out_no_consent"]) == (17, 7)
    body = client.get("/api/v1/stats/retention", headers=headers).get_json()
    assert body["left_out_no_consent"] == 7
    refused_few = make_returnee(db_session, officer, consent=no_research, phone=None)
    db_session.query(Placement).filter(Placement.returnee_id == refused.id).delete()
    for _ in range(2):
        add_placement(db_session, Owners(refused_few.id, owners.listing_id), start=RECENT)
    body = client.get("/api/v1/stats/outcomes", headers=headers).get_json()
    assert body["left_out_no_consent"] is None
