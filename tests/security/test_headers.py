"""Response headers on every kind of answer: CSP, framing, sniffing, referrer, caching, HSTS."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.security.conftest import World

PAGES = [
    ("anonymous", "/login"),
    ("anonymous", "/returnees"),
    ("officer02", "/returnees"),
    ("officer02", "/returnees/{r02}"),
    ("officer02", "/returnees/{r02}/edit"),
    ("officer02", "/returnees/{r02}/matches"),
    ("officer02", "/returnees/{r02}/export.json"),
    ("officer02", "/work"),
    ("officer02", "/followups/{fu02}"),
    ("officer02", "/placements/{p02}"),
    ("employer_a", "/referrals"),
    ("employer_a", "/listings/{la}"),
    ("manager", "/dashboard"),
    ("manager", "/dashboard/export/outcomes.csv"),
    ("manager", "/erasures"),
    ("admin", "/admin/audit"),
    ("admin", "/imports"),
    ("anonymous", "/api/docs"),
    ("anonymous", "/api/docs/explorer"),
    ("anonymous", "/api/v1/openapi.json"),
    ("anonymous", "/api/v1/returnees"),  # 401
    ("officer02", "/api/v1/returnees"),
    ("officer02", "/api/v1/returnees/{r02}"),
    ("officer02", "/api/v1/returnees/{r17}"),  # 404
    ("officer02", "/api/v1/placements/{p02}"),
    ("employer_a", "/api/v1/referrals"),
    ("manager", "/api/v1/stats/outcomes"),
    ("employer_a", "/returnees/{r02}"),  # 403 page
    ("officer02", "/no/such/page"),  # 404 page
    ("anonymous", "/static/css/app.css"),
    ("anonymous", "/api/docs/assets/swagger-ui-bundle.js"),
]
PERSONAL = {
    "/returnees",
    "/returnees/{r02}",
    "/returnees/{r02}/edit",
    "/returnees/{r02}/matches",
    "/returnees/{r02}/export.json",
    "/work",
    "/followups/{fu02}",
    "/placements/{p02}",
    "/referrals",
    "/dashboard/export/outcomes.csv",
    "/api/v1/returnees",
    "/api/v1/returnees/{r02}",
    "/api/v1/placements/{p02}",
    "/api/v1/referrals",
    "/admin/audit",
}


def _get(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    role: str,
    pattern: str,
    **kwargs: object,
):  # type: ignore[no-untyped-def]
    url = pattern.format(
        r02=world.r02.id,
        r17=world.r17.id,
        fu02=world.follow_up_02.id,
        p02=world.placement_02.id,
        la=world.listing_a.id,
    )
    if url.startswith("/api/v1/"):
        response = browsers["anonymous"].get(url, headers=tokens[role], **kwargs)
    else:
        response = browsers[role].get(url, **kwargs)
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize(("role", "pattern"), PAGES, ids=[f"{r}:{p}" for r, p in PAGES])
def test_every_answer_carries_the_protective_headers(
    role: str,
    pattern: str,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    response = _get(world, browsers, tokens, role, pattern)
    assert response.status_code != 500
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part
    }
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives.get("default-src") == ["'self'"]
    assert directives.get("script-src") == ["'self'"]
    assert directives.get("style-src") == ["'self'"]
    assert directives.get("object-src") == ["'none'"]
    assert directives.get("frame-ancestors") == ["'none'"]
    assert directives.get("base-uri") == ["'none'"]
    assert directives.get("form-action") == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
    assert "Strict-Transport-Security" not in response.headers  # plain http: no HSTS
    if pattern in PERSONAL or not pattern.startswith("/static/"):
        if not pattern.startswith("/api/docs/assets/"):
            assert response.headers.get("Cache-Control") == "no-store", pattern


@pytest.mark.parametrize("pattern", sorted(PERSONAL))
def test_personal_data_is_never_cached(
    pattern: str,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    role = (
        "manager"
        if "dashboard" in pattern
        else "admin"
        if "audit" in pattern
        else "employer_a"
        if "referrals" in pattern
        else "officer02"
    )
    response = _get(world, browsers, tokens, role, pattern)
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") == "no-store"


def test_downloads_are_attachments(
    world: World, browsers: dict[str, FlaskClient], tokens: dict[str, dict[str, str]]
) -> None:
    export = _get(world, browsers, tokens, "officer02", "/returnees/{r02}/export.json")
    assert export.headers["Content-Disposition"].startswith("attachment;")
    assert export.mimetype == "application/json"
    stats = _get(world, browsers, tokens, "manager", "/dashboard/export/outcomes.csv")
    assert stats.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("role", "pattern"),
    [
        ("anonymous", "/login"),
        ("officer02", "/api/v1/returnees"),
        ("anonymous", "/static/css/app.css"),
    ],
)
def test_hsts_over_https(
    role: str,
    pattern: str,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    response = _get(world, browsers, tokens, role, pattern, base_url="https://localhost")
    hsts = response.headers.get("Strict-Transport-Security", "")
    assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    assert "includeSubDomains" in hsts


def test_no_inline_script_or_style_in_the_pages(
    world: World, browsers: dict[str, FlaskClient], tokens: dict[str, dict[str, str]]
) -> None:
    """The CSP forbids inline code; the pages must not need it (or they would break)."""
    import re

    for role, pattern in PAGES:
        page = _get(world, browsers, tokens, role, pattern)
        if page.mimetype != "text/html":
            continue
        html = page.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), pattern
        assert "<style" not in html and not re.search(r"\son[a-z]+\s*=", html), pattern
        assert not re.search(r'\sstyle\s*=\s*"', html), pattern


def test_errors_do_not_leak_internals(
    world: World, browsers: dict[str, FlaskClient], tokens: dict[str, dict[str, str]]
) -> None:
    api = _get(world, browsers, tokens, "officer02", "/api/v1/returnees/{r17}")
    assert api.status_code == 404 and api.is_json
    assert set(api.get_json()) <= {"code", "status", "message", "errors"}
    assert "Traceback" not in api.get_data(as_text=True)
    page = _get(world, browsers, tokens, "officer02", "/no/such/page")
    assert page.status_code == 404 and "Traceback" not in page.get_data(as_text=True)
    assert "Server" not in page.headers or "Werkzeug" not in page.headers.get("Server", "")


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With TRUST_PROXY_HOPS=1, throttling and the audit trail see the client, not the proxy."""
    from flask import request

    from reintegrate import create_app

    app = create_app({"DATABASE_URL": database_url, "TRUST_PROXY_HOPS": 1})
    seen: list[str | None] = []
    app.before_request(lambda: seen.append(request.remote_addr))
    with app.test_client() as client:
        client.get(
            "/login",
            headers={"X-Forwarded-For": "203.0.113.9"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
    from reintegrate.db import db

    db.engine(app).dispose()
    assert seen == ["203.0.113.9"]
