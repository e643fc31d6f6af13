"""Counts read naturally: "1 month", "returned this month", in English and Khmer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from jobs_import import Eligibility
from reintegrate.timeutil import local_today
from tests.builders import make_incentive, make_placement, make_returnee, make_user
from tests.conftest import AuthActions


@pytest.mark.parametrize(
    ("days_ago", "english"),
    [(3, "returned this month"), (40, "returned 1 month ago"), (100, "returned 3 months ago")],
)
def test_time_since_return_reads_naturally(
    auth: AuthActions, client: FlaskClient, db_session: Session, days_ago: int, english: str
) -> None:
    officer = auth.as_new()
    returnee = make_returnee(
        db_session, officer, return_date=local_today() - timedelta(days=days_ago)
    )
    make_incentive(db_session, officer, eligibility=Eligibility(returned_within_months=24))
    page = client.get(f"/returnees/{returnee.id}/matches").get_data(as_text=True)
    assert english in page
    assert "0 months" not in page and "1 months" not in page


def test_time_since_return_in_khmer(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(lang="km")
    returnee = make_returnee(db_session, officer, return_date=local_today() - timedelta(days=3))
    make_incentive(db_session, officer, eligibility=Eligibility(returned_within_months=24))
    page = client.get(f"/returnees/{returnee.id}/matches").get_data(as_text=True)
    assert "វិលត្រឡប់មកវិញក្នុងខែនេះ" in page and "returned" not in page


def test_the_first_follow_up_is_at_1_month(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new()
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    placement = make_placement(db_session, officer, employer, local_today() - timedelta(days=10))
    page = client.get(f"/returnees/{placement.returnee_id}").get_data(as_text=True)
    assert "at 1 month" in page and "at 1 months" not in page
    assert "at 3 months" in page
