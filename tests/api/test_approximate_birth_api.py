"""/api/v1/returnees with a date of birth known only by its year."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import Returnee, User
from reintegrate.timeutil import local_today
from tests.builders import returnee_json

URL = "/api/v1/returnees"
Bearer = Callable[[User], dict[str, str]]


def test_a_year_alone_registers_201_marked_approximate_and_reads_back(
    client: FlaskClient, officer: User, bearer: Bearer
) -> None:
    headers = bearer(officer)
    created = client.post(URL, json=returnee_json(date_of_birth="1985"), headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["date_of_birth"] == "1985-01-01"
    assert created.json["date_of_birth_approximate"] is True
    read = client.get(f"{URL}/{created.json['id']}", headers=headers).json
    assert (read["date_of_birth"], read["date_of_birth_approximate"]) == ("1985-01-01", True)
    listed = client.get(URL, query_string={"q": "dara keo"}, headers=headers).json
    assert [item["date_of_birth_approximate"] for item in listed["items"]] == [True]
    exact = client.patch(
        f"{URL}/{created.json['id']}", json={"date_of_birth": "1985-06-02"}, headers=headers
    ).json
    assert (exact["date_of_birth"], exact["date_of_birth_approximate"]) == ("1985-06-02", False)


def test_a_full_date_may_be_marked_approximate_explicitly(
    client: FlaskClient, officer: User, bearer: Bearer
) -> None:
    created = client.post(
        URL,
        json=returnee_json(date_of_birth="1990-07-01", date_of_birth_approximate=True),
        headers=bearer(officer),
    ).json
    assert (created["date_of_birth"], created["date_of_birth_approximate"]) == (
        "1990-01-01",
        True,
    )
    exact = client.post(
        URL, json=returnee_json(given_name="Vanna", phone=None), headers=bearer(officer)
    ).json
    assert exact["date_of_birth_approximate"] is False


def test_a_year_out_of_range_is_422_naming_date_of_birth_and_writes_nothing(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    before = db_session.scalar(select(func.count()).select_from(Returnee))
    last = local_today().year
    for year in ("1899", str(last + 1)):
        response = client.post(URL, json=returnee_json(date_of_birth=year), headers=bearer(officer))
        assert response.status_code == 422
        assert response.json["errors"]["json"]["date_of_birth"] == [
            f"The year of birth must be between 1900 and {last}."
        ]
    khmer = client.post(
        URL,
        json=returnee_json(date_of_birth="1899"),
        headers={**bearer(officer), "Accept-Language": "km"},
    )
    assert khmer.json["errors"]["json"]["date_of_birth"] == [f"ឆ្នាំកំណើតត្រូវនៅចន្លោះពី 1900 ដល់ {last}។"]
    assert db_session.scalar(select(func.count()).select_from(Returnee)) == before


def test_the_openapi_document_describes_the_flag_in_and_out(client: FlaskClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    with_flag = [
        name
        for name, schema in schemas.items()
        if "date_of_birth_approximate" in schema.get("properties", {})
    ]
    assert {"ReturneeOut", "ReturneeCreate"} <= set(with_flag), with_flag
    assert schemas["ReturneeOut"]["properties"]["date_of_birth_approximate"]["type"] == "boolean"
