"""Response headers that keep pages out of frames, caches and script injection, and the
checks that turn hostile request bytes into a 4xx before any page or API code sees them."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from reintegrate.schemas.fields import MAX_ID

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)


def _add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if not request.path.startswith(("/static/", "/api/docs/assets/")):
        response.headers["Cache-Control"] = "no-store"
    return response


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ids past the database's integer range match no route (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _nul_in(value: Any) -> list[str] | None:
    """Where in a JSON value a NUL character is (a path of keys and indexes), else None."""
    if isinstance(value, str):
        return [] if "\x00" in value else None
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    for key, item in items:
        if "\x00" in key:
            return [key.replace("\x00", "")]
        found = _nul_in(item)
        if found is not None:
            return [key, *found]
    return None


def _refuse_nul_bytes() -> Any:
    """NUL in a path, query string, form or JSON string is refused, naming where it was.

    No text column can hold it (PostgreSQL refuses it outright), so nothing legitimate is lost.
    """
    where, path = "", None
    if "\x00" in request.path:
        where, path = "path", ["path"]
    for location, values in (("query", request.args), ("form", request.form)):
        if path is None:
            bad = [k for k, v in values.items(multi=True) if "\x00" in k or "\x00" in v]
            where, path = location, ([bad[0].replace("\x00", "")] if bad else None)
    if path is None and request.is_json:
        where, path = "json", _nul_in(request.get_json(silent=True))
    if path is None:
        return None
    message = _("Must not contain NUL characters.")
    if not request.path.startswith("/api/"):
        field = ".".join(path) or where
        return render_template("errors/error.html", status=400, message=f"{field}: {message}"), 400
    errors: Any = [message]
    for key in reversed(path):
        errors = {key: errors}
    if not path:
        errors = {"_schema": errors}
    response = jsonify({"code": 422, "status": "Unprocessable Entity", "errors": {where: errors}})
    response.status_code = 422
    return response


def init_security(app: Flask) -> None:
    """Before any blueprint is registered, so every `<int:...>` route gets the bounded id."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul_bytes)
    app.after_request(_add_headers)
