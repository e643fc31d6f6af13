"""Officers and admins see why a listing is flagged, on the listing and next to matches."""

from __future__ import annotations

from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.builders import PASSWORD, make_listing, make_returnee, make_user
from tests.conftest import log_in

FEE = "Workers pay a deposit of $50 before the first shift."


def test_officer_sees_the_reasons_on_the_listing_and_next_to_the_match(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"])
    listing = make_listing(
        db_session,
        officer,
        title="Welder",
        description=FEE,
        wage_min_usd=Decimal("300"),
    )
    returnee = make_returnee(db_session, officer, skills=("welding",))
    log_in(client, officer.email, PASSWORD)
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert 'data-flag="worker_fee"' in page and "pay a fee or a deposit" in page
    assert 'data-flag="employer_unverified"' in page
    matches = client.get(f"/returnees/{returnee.id}/matches").get_data(as_text=True)
    assert "Welder" in matches and 'data-flag="worker_fee"' in matches
    client.post("/language", data={"lang": "km", "csrf_token": _token(client)})
    khmer = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert 'data-flag="worker_fee"' in khmer and "pay a fee or a deposit" not in khmer


def test_the_employer_does_not_see_the_screening(client: FlaskClient, db_session: Session) -> None:
    employer = make_user(
        db_session, "employer", employer="Angkor Garments", employer_verified=False
    )
    listing = make_listing(db_session, employer, description=FEE)
    log_in(client, employer.email, PASSWORD)
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "data-flag" not in page


def _token(client: FlaskClient) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/account/password")


def test_referring_a_survivor_from_the_page_is_refused_naming_the_rule(
    client: FlaskClient, db_session: Session
) -> None:
    from sqlalchemy import func, select

    from reintegrate.models import Referral

    officer = make_user(db_session, provinces=["02"])
    listing = make_listing(db_session, officer, title="Welder", description=FEE)
    survivor = make_returnee(db_session, officer, skills=("welding",), trafficking_survivor=True)
    log_in(client, officer.email, PASSWORD)
    matches_url = f"/returnees/{survivor.id}/matches"
    assert "Welder" not in client.get(matches_url).get_data(as_text=True)
    answer = client.post(
        f"/returnees/{survivor.id}/referrals",
        data={"listing_id": listing.id, "next": matches_url, "csrf_token": _token(client)},
    )
    assert answer.status_code == 302
    page = client.get(matches_url).get_data(as_text=True)
    assert "Not referred: A survivor of trafficking is never referred to a listing flagged" in page
    assert db_session.scalar(select(func.count()).select_from(Referral)) == 0


def test_the_import_report_page_counts_the_flags(client: FlaskClient, db_session: Session) -> None:
    import io

    from tests.builders import job_board_csv, job_board_row

    admin = make_user(db_session, "admin")
    log_in(client, admin.email, PASSWORD)
    feed = job_board_csv(
        [job_board_row(1), job_board_row(2, description="Keep your passport with us.")]
    )
    answer = client.post(
        "/imports",
        data={
            "source": "jobs-board",
            "kind": "job",
            "csrf_token": _token(client),
            "file": (io.BytesIO(feed), "feed.csv"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Flagged listings</dt><dd>2 (" in page
    assert "Employer keeps documents: 1" in page and "Employer not verified: 2" in page
