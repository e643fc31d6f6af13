"""Reintegrate: registry, matching and follow-up service for returning migrants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from reintegrate.config import INSTANCE_DIR, PROJECT_ROOT, Settings

TRANSLATIONS_DIR = PROJECT_ROOT / "reintegrate" / "translations"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app; `config` overrides settings read from the environment (tests)."""
    from pathlib import Path

    from reintegrate import api, web
    from reintegrate.assets import init_assets
    from reintegrate.auth import init_auth
    from reintegrate.db import db
    from reintegrate.errors_web import init_error_handlers
    from reintegrate.extensions import babel, csrf
    from reintegrate.i18n import select_locale
    from reintegrate.security import init_security

    settings = Settings.from_env()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.update(settings.flask_config())
    app.config.update(api.API_CONFIG)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    if config:
        app.config.update(config)
    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    init_auth(app)
    init_security(app)
    init_assets(
        app, {"static": Path(str(app.static_folder)), "api_docs.docs_asset": api.SWAGGER_DIR}
    )
    init_error_handlers(app)
    api.init_api(app)
    web.init_web(app)
    hops = app.config.get("TRUST_PROXY_HOPS", 0)
    if hops:
        # Behind a reverse proxy every request comes from the proxy: trust its
        # X-Forwarded-For/-Proto (that many hops) so throttling and audit see the real client.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def create_web_worker(config: Mapping[str, Any] | None = None) -> Flask:
    """The app as a serving process runs it: its match indexes are built in the background
    from the start and its templates compiled, so no officer's request waits for them (the
    first after a restart included)."""
    from reintegrate.db import db
    from reintegrate.services import matching

    app = create_app(config)
    with app.app_context():
        matching.start_upkeep(db.sessions())
        for name in app.jinja_env.list_templates(extensions=["html", "txt", "csv"]):
            app.jinja_env.get_template(name)  # compiled once here, not in someone's request
    return app
