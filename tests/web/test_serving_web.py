"""How answers travel: gzipped pages and JSON, long-cached fingerprinted files, light API docs."""

from __future__ import annotations

import gzip
import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.builders import PASSWORD, make_returnee, make_user
from tests.conftest import log_in

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def _without_csrf_tokens(body: bytes) -> bytes:
    """A CSRF token carries the second it was signed, so two requests may differ there alone."""
    return re.sub(rb'name="csrf_token" value="[^"]+"', b'name="csrf_token" value=""', body)


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/(?:static|api/docs/assets)/[^"]+)"', html)


def test_pages_and_json_are_gzipped_for_clients_that_accept_it(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"])
    for _ in range(3):
        make_returnee(db_session, officer)
    log_in(client, officer.email, PASSWORD)
    for url in ("/returnees", "/api/v1/returnees"):
        plain = client.get(url)
        packed = client.get(url, headers=GZIP)
        assert plain.status_code == packed.status_code == 200
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert _without_csrf_tokens(gzip.decompress(packed.data)) == _without_csrf_tokens(
            plain.data
        )
        assert len(packed.data) < len(plain.data) / 2
        assert packed.headers["Cache-Control"] == "no-store"


def test_a_small_answer_is_sent_as_it_is(client: FlaskClient) -> None:
    answer = client.get("/api/v1/returnees", headers=GZIP)  # 401, a few bytes of JSON
    assert answer.status_code == 401 and "Content-Encoding" not in answer.headers


def test_static_files_have_fingerprinted_names_and_are_cached_for_a_year(
    client: FlaskClient,
) -> None:
    page = client.get("/login").get_data(as_text=True)
    assets = _assets(page)
    assert any(re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", url) for url in assets)
    for url in assets:
        answer = client.get(url, headers=GZIP)
        assert answer.status_code == 200, url
        assert "max-age=31536000" in answer.headers["Cache-Control"], url
        assert "immutable" in answer.headers["Cache-Control"], url
    css = next(url for url in assets if url.endswith(".css"))
    packed = client.get(css, headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    plain = client.get("/static/css/app.css")
    assert _without_csrf_tokens(gzip.decompress(packed.data)) == _without_csrf_tokens(plain.data)
    assert plain.headers["Cache-Control"] == "no-cache"  # a name that does not change
    again = client.get(css, headers={**GZIP, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_an_outdated_fingerprint_still_gets_the_file_but_is_not_cached(
    client: FlaskClient,
) -> None:
    answer = client.get("/static/css/app.000000000000.css")
    assert answer.status_code == 200 and b"{" in answer.data
    assert answer.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/css/nothing.000000000000.css").status_code == 404
    assert client.get("/static/../wsgi.py").status_code == 404


def test_the_api_docs_page_is_light_and_loads_swagger_only_when_asked(
    client: FlaskClient,
) -> None:
    index = client.get("/api/docs")
    html = index.get_data(as_text=True)
    assert index.status_code == 200
    assert "swagger-ui-bundle" not in html
    assert "/api/v1/returnees" in html and "/api/v1/openapi.json" in html
    page_weight = len(index.data) + sum(len(client.get(url).data) for url in _assets(html))
    assert page_weight < 100_000
    explorer = client.get("/api/docs/explorer").get_data(as_text=True)
    assert 'href="/api/docs/explorer"' in html
    bundle = next(url for url in _assets(explorer) if "swagger-ui-bundle" in url)
    answer = client.get(bundle, headers=GZIP)
    assert answer.status_code == 200 and "immutable" in answer.headers["Cache-Control"]
    assert len(answer.data) < 600_000  # 1.3 MB on the wire before, compressed now
