"""Flask extensions, created unbound and initialised in the app factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect


class JsonApi(Api):
    """flask-smorest's Api, minus its app-wide JSON error handler: web pages keep HTML errors."""

    def _register_error_handlers(self) -> None:
        return None


babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
api = JsonApi()
