"""Listings screened for exploitation through the API and imports: flags with reasons, in
English and Khmer, recomputed when the listing or its employer's verification changes."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from reintegrate.models import User
from tests.builders import job_board_csv, job_board_row, listing_json, make_user

Bearer = Callable[[User], dict[str, str]]


def _codes(body: dict) -> list[str]:
    return [flag["code"] for flag in body["flags"]]


def test_a_posted_listing_carries_its_flags_with_reasons(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    officer = make_user(db_session, provinces=["02"])
    body = listing_json(
        employer="Golden Needle Garments",
        wage_min_usd=150,
        wage_max_usd=180,
        description="Sewing line work. Workers pay a deposit of $50 and we keep your passport.",
    )
    created = client.post("/api/v1/listings", json=body, headers=bearer(officer))
    assert created.status_code == 201, created.json
    assert _codes(created.json) == [
        "below_minimum_wage",
        "worker_fee",
        "documents_held",
        "employer_unverified",
    ]
    wage = created.json["flags"][0]["reason"]
    assert "USD 150.00" in wage and "USD 210.00" in wage
    assert '"deposit"' in created.json["flags"][1]["reason"]
    khmer = client.get(
        f"/api/v1/listings/{created.json['id']}",
        headers={**bearer(officer), "Accept-Language": "km"},
    ).json
    assert _codes(khmer) == _codes(created.json)
    assert khmer["flags"][3]["reason"] != created.json["flags"][3]["reason"]

    fixed = client.patch(
        f"/api/v1/listings/{created.json['id']}",
        json={"wage_min_usd": 250, "wage_max_usd": 300, "description": "Sewing line work."},
        headers=bearer(officer),
    )
    assert _codes(fixed.json) == ["employer_unverified"]


def test_verifying_the_employer_clears_its_listings_flag(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    employer_user = make_user(
        db_session, "employer", employer="Angkor Garments", employer_verified=False
    )
    posted = client.post(
        "/api/v1/listings", json=listing_json(), headers=bearer(employer_user)
    ).json
    assert posted["flags"] == [], "the employer is not told which words were flagged"
    admin = make_user(db_session, "admin")
    seen = client.get(f"/api/v1/listings/{posted['id']}", headers=bearer(admin)).json
    assert _codes(seen) == ["employer_unverified"]
    verified = client.patch(
        f"/api/v1/employers/{employer_user.employer_id}",
        json={"verified": True, "registration_number": "MOC-9"},
        headers=bearer(admin),
    )
    assert verified.status_code == 200
    again = client.get(f"/api/v1/listings/{posted['id']}", headers=bearer(admin)).json
    assert again["flags"] == []
    client.patch(
        f"/api/v1/employers/{employer_user.employer_id}",
        json={"verified": False},
        headers=bearer(admin),
    )
    again = client.get(f"/api/v1/listings/{posted['id']}", headers=bearer(admin)).json
    assert _codes(again) == ["employer_unverified"]


def test_imported_feeds_are_screened_and_the_report_counts_the_flags(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    admin = make_user(db_session, "admin")
    feed = job_board_csv(
        [
            job_board_row(1),
            job_board_row(2, description="Construction work in Malaysia, visa arranged."),
            job_board_row(3, description="Recruitment fee $200, paid from wages."),
            job_board_row(
                4, title="Sewer", industry="Garment", salary="$150", description="Sewing."
            ),
        ]
    )
    answer = client.post(
        "/api/v1/imports",
        data={"source": "jobs-board", "file": (io.BytesIO(feed), "feed.csv")},
        headers=bearer(admin),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201, answer.json
    report = answer.json
    assert report["flagged"] == 4  # the feed's employer is not verified: every row
    assert report["flag_counts"] == {
        "below_minimum_wage": 1,
        "employer_unverified": 4,
        "work_abroad": 1,
        "worker_fee": 1,
    }
    listed = client.get("/api/v1/listings", headers=bearer(admin)).json["items"]
    by_title = {item["title"]: _codes(item) for item in listed}
    assert by_title["Sewer"] == ["below_minimum_wage", "employer_unverified"]
    again = client.post(
        "/api/v1/imports",
        data={"source": "jobs-board", "file": (io.BytesIO(feed), "feed.csv")},
        headers=bearer(admin),
        content_type="multipart/form-data",
    ).json
    assert again["unchanged"] == 4 and again["flagged"] == 4
