"""Flask extensions, created unbound and initialised in the app factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_smorest import Api
from flask_smorest.error_handler import ErrorSchema
from flask_wtf.csrf import CSRFProtect
from marshmallow import fields


class RuleErrorSchema(ErrorSchema):
    """The error payload as documented: a refused safeguarding rule also names the rule."""

    rule = fields.String(
        metadata={"description": "The rule that refused the action (409), e.g. under_minimum_age."}
    )


class JsonApi(Api):
    """flask-smorest's Api, minus its app-wide JSON error handler: web pages keep HTML errors."""

    ERROR_SCHEMA = RuleErrorSchema

    def _register_error_handlers(self) -> None:
        return None


babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
api = JsonApi()
