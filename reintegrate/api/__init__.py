"""JSON API under /api/v1: flask-smorest blueprints, bearer or session auth, OpenAPI."""

from __future__ import annotations

from pathlib import Path

import flask_smorest
import swagger_ui_bundle
from flask import Blueprint, Flask, Response, abort, g, render_template, request
from flask_login import current_user
from marshmallow import ValidationError, missing
from webargs.flaskparser import FlaskParser

from reintegrate.assets import send_asset
from reintegrate.extensions import api, csrf

API_CONFIG = {
    "API_TITLE": "Reintegrate API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "Registry, matching and follow-up of returning migrants. Authenticate with "
                "`Authorization: Bearer <token>` (see `reintegrate token create`). Dates are "
                "ISO 8601, provinces two-digit codes, countries ISO 3166-1 alpha-2, languages "
                "ISO 639-1. Errors are JSON with `code`, `status`, `message` and field `errors`; "
                "a referral or hire refused by a safeguarding rule is 409 with the rule's code in "
                "`rule` (`under_minimum_age`, `hazardous_under_18`)."
            )
        },
        "security": [{"bearerAuth": []}],
    },
}
PUBLIC_PATHS = {"/api/v1/openapi.json", "/api/docs"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)

docs = Blueprint("api_docs", __name__)


class _BodyRequiredParser(FlaskParser):
    """A request without a JSON body is 422, as the OpenAPI document says (bodies are
    required); an empty object ``{}`` is still a valid PATCH."""

    def load_json(self, req, schema):  # type: ignore[no-untyped-def]
        data = super().load_json(req, schema)
        if data is missing:
            raise ValidationError("Missing data for required field.")
        return data


class ApiBlueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = _BodyRequiredParser()


@docs.get("/api/docs")
def docs_page() -> str:
    """A light index of the endpoints; Swagger UI (about 1.3 MB) only when asked for."""
    spec = api.spec.to_dict()
    operations = [
        (method.upper(), path, operation.get("summary", ""))
        for path, methods in sorted(spec.get("paths", {}).items())
        for method, operation in methods.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    return render_template("api/index.html", operations=operations, info=spec.get("info", {}))


@docs.get("/api/docs/explorer")
def docs_explorer() -> str:
    return render_template("api/docs.html")


@docs.get("/api/docs/assets/<path:filename>")
def docs_asset(filename: str) -> Response:
    return send_asset(SWAGGER_DIR, filename)


def _require_api_user() -> None:
    """Every API call needs a user; a cookie-authenticated write also needs the CSRF header."""
    path = request.path
    if not path.startswith("/api/") or path in PUBLIC_PATHS or path.startswith("/api/docs/"):
        return
    if not current_user.is_authenticated:
        abort(401)
    if request.method not in SAFE_METHODS and not g.get("authenticated_by_token"):
        csrf.protect()


def init_api(app: Flask) -> None:
    from reintegrate.api import (
        duplicates,
        employers,
        imports,
        listings,
        matching,
        placements,
        returnees,
        safe_migration,
        stats,
        tokens,
    )

    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "token"}
    )
    for blueprint in (
        returnees.blp,
        duplicates.blp,
        listings.blp,
        imports.blp,
        matching.blp,
        placements.blp,
        stats.blp,
        employers.blp,
        safe_migration.blp,
        tokens.blp,
    ):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(docs)
    app.before_request(_require_api_user)
