"""The officer's work list: filters (province, status, due before), sorting, and a way back
from the follow-up form to the list as the officer left it (a safe `next`, never elsewhere)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import FollowUp, Placement, User
from reintegrate.timeutil import local_today
from tests.builders import PASSWORD, make_placement, make_user
from tests.conftest import csrf_token, log_in


def _today() -> date:
    return local_today()


def _placed(
    db_session: Session, officer: User, days_ago: int, name: str, family: str, province: str
) -> Placement:
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    return make_placement(
        db_session,
        officer,
        employer,
        _today() - timedelta(days=days_ago),
        return_date=_today() - timedelta(days=400),
        given_name=name,
        family_name=family,
        home_province=province,
        phone=None,
    )


@pytest.fixture
def officer(client: FlaskClient, db_session: Session) -> User:
    officer = make_user(db_session, provinces=["01", "02"])
    _placed(db_session, officer, 40, "Dara", "Sok", "02")
    _placed(db_session, officer, 70, "Bopha", "Keo", "01")
    _placed(db_session, officer, 33, "Chan", "Mao", "02")
    log_in(client, officer.email, PASSWORD)
    return officer


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/returnees/\d+">([^<]+)</a><br><span class="muted">KH', page)


def test_the_list_filters_by_province_status_and_due_date_and_sorts(
    client: FlaskClient, officer: User
) -> None:
    everyone = client.get("/work").get_data(as_text=True)
    assert _names(everyone) == ["Bopha Keo", "Dara Sok", "Chan Mao"]
    newest = client.get("/work", query_string={"sort": "-due"}).get_data(as_text=True)
    assert _names(newest) == ["Chan Mao", "Dara Sok", "Bopha Keo"]
    by_name = client.get("/work", query_string={"sort": "name"}).get_data(as_text=True)
    assert _names(by_name) == ["Bopha Keo", "Chan Mao", "Dara Sok"]
    in_02 = client.get("/work", query_string={"province": "02"}).get_data(as_text=True)
    assert _names(in_02) == ["Dara Sok", "Chan Mao"]
    overdue = client.get("/work", query_string={"status": "overdue"}).get_data(as_text=True)
    assert _names(overdue) == ["Bopha Keo"]
    cutoff = (_today() - timedelta(days=5)).isoformat()
    early = client.get("/work", query_string={"due_before": cutoff}).get_data(as_text=True)
    assert _names(early) == ["Bopha Keo", "Dara Sok"]
    assert f'value="{cutoff}"' in early


def test_bad_filters_are_named_by_their_field(client: FlaskClient, officer: User) -> None:
    response = client.get("/work", query_string={"due_before": "soon", "sort": "random"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="due_before-error"' in page and 'id="sort-error"' in page
    assert _names(page) == ["Bopha Keo", "Dara Sok", "Chan Mao"]


def test_the_follow_up_form_leads_back_to_the_filtered_list(
    client: FlaskClient, db_session: Session, officer: User
) -> None:
    page = client.get("/work", query_string={"province": "02", "sort": "name"}).get_data(
        as_text=True
    )
    links = re.findall(r'href="(/followups/\d+\?next=[^"]+)"', page)
    assert links and "province%3D02" in links[0] and "sort%3Dname" in links[0]
    form = client.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert 'href="/work?province=02&amp;sort=name">Back to the list' in form
    follow_up_id = int(re.search(r"/followups/(\d+)", links[0]).group(1))
    saved = client.post(
        f"/followups/{follow_up_id}",
        data={
            "contacted_on": _today().isoformat(),
            "status": "employed_same",
            "next": "/work?province=02&sort=name",
            "csrf_token": csrf_token(client, f"/followups/{follow_up_id}"),
        },
    )
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/work?province=02&sort=name"
    assert db_session.get(FollowUp, follow_up_id) is not None


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_next_never_leaves_the_site(
    client: FlaskClient, db_session: Session, officer: User, target: str
) -> None:
    follow_up_id = db_session.scalars(
        select(FollowUp.id).where(FollowUp.status == "due").order_by(FollowUp.id)
    ).first()
    form = client.get(f"/followups/{follow_up_id}?next={quote(target)}").get_data(as_text=True)
    assert (
        'href="/work">Back to the list' in form
        and '<input type="hidden" name="next" value="/work">' in form
    )
    saved = client.post(
        f"/followups/{follow_up_id}",
        data={
            "contacted_on": _today().isoformat(),
            "status": "employed_same",
            "next": target,
            "csrf_token": csrf_token(client, f"/followups/{follow_up_id}"),
        },
    )
    assert saved.status_code == 302 and saved.headers["Location"] == "/work"


def test_the_filters_read_in_khmer(client: FlaskClient, officer: User) -> None:
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/work")})
    page = client.get("/work").get_data(as_text=True)
    assert "តម្រៀបតាម" in page and "ត្រូវធ្វើមុនថ្ងៃ" in page
