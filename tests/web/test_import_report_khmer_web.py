"""An import report reads in the admin's language, and names provinces rather than codes."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token, log_in

DATA = Path(__file__).resolve().parents[1] / "data"
KHMER = re.compile(r"[\u1780-\u17ff]")


def _report(client: FlaskClient, db_session: Session, filename: str, lang: str = "en") -> str:
    log_in(client, make_user(db_session, "admin").email, PASSWORD)
    if lang != "en":
        client.post("/language", data={"lang": lang, "csrf_token": csrf_token(client, "/imports")})
    response = client.post(
        "/imports",
        data={
            "source": "samples",
            "kind": "job",
            "csrf_token": csrf_token(client, "/imports"),
            "file": (io.BytesIO((DATA / filename).read_bytes()), filename),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _problems(page: str) -> list[str]:
    return [
        cells[2]
        for cells in re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>(.*?)</td></tr>", page)
    ]


def test_a_province_in_a_warning_is_named_not_coded(
    client: FlaskClient, db_session: Session
) -> None:
    page = _report(client, db_session, "jobposting.jsonld.html")
    warnings = [p for p in _problems(page) if "several provinces" in p]
    assert warnings == ["the location names several provinces; used Banteay Meanchey"]


def test_the_rejected_rows_read_in_khmer(client: FlaskClient, db_session: Session) -> None:
    page = _report(client, db_session, "bad_rows.csv", "km")
    problems = _problems(page)
    assert len(problems) >= 14
    for problem in problems:
        assert KHMER.search(problem), problem
        assert "unknown province" not in problem and "is negative" not in problem
    assert any("មិនស្គាល់ខេត្ត" in p and "Bangkok" in p for p in problems)
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>(.*?)</td>", page)
    fields = [field for _, field, _ in rows]
    assert fields and all(KHMER.search(f) for f in fields if f), fields


def test_a_province_is_named_in_khmer_too(client: FlaskClient, db_session: Session) -> None:
    page = _report(client, db_session, "jobposting.jsonld.html", "km")
    assert any("បន្ទាយមានជ័យ" in p for p in _problems(page))


def _upload(client: FlaskClient, content: bytes, filename: str) -> str:
    response = client.post(
        "/imports",
        data={
            "source": "lists",
            "kind": "job",
            "csrf_token": csrf_token(client, "/imports"),
            "file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_why_a_whole_file_was_refused_reads_in_khmer(
    client: FlaskClient, db_session: Session
) -> None:
    log_in(client, make_user(db_session, "admin").email, PASSWORD)
    english = _upload(client, b"id,title,company,location\n", "header_only.csv")
    assert "the file has a header but no data rows" in english
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/imports")})
    header_only = _upload(client, b"id,title,company,location\n", "header_only.csv")
    assert "ឯកសារមានជួរក្បាល ប៉ុន្តែគ្មានជួរទិន្នន័យទេ" in header_only
    assert "header but no data rows" not in header_only
    unknown = _upload(client, b"colour,size\nred,9\n", "unknown.csv")
    assert "គ្មានជួរឈរដែលស្គាល់នៅក្នុងជួរក្បាលទេ" in unknown
    assert '"colour", "size"' in unknown.replace("&#34;", '"')
