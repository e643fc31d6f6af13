"""/api/v1/tokens: admins list API tokens and revoke them (never see the tokens themselves)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from reintegrate.api import ApiBlueprint
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.services import users

blp = ApiBlueprint(
    "tokens_api",
    __name__,
    url_prefix="/api/v1/tokens",
    description="API tokens (admins): who holds one, until when; revoke one at once.",
)


class TokenListArgs(Schema):
    email = fields.String(validate=validate.Length(max=254))


class TokenOut(Schema):
    id = fields.Integer()
    prefix = fields.String(metadata={"description": "The token's first characters, to tell it"})
    email = fields.Function(lambda token: token.user.email)
    role = fields.Function(lambda token: token.user.role)
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    state = fields.Function(users.token_state, metadata={"enum": ["active", "expired", "revoked"]})


@blp.route("")
class Tokens(MethodView):
    @blp.arguments(TokenListArgs, location="query")
    @blp.response(200, TokenOut(many=True))
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Every API token, newest first, with its holder and state."""
        with db.transaction() as session:
            return users.list_tokens(session, current_actor(), email=args.get("email"))


@blp.route("/<int(max=2147483647):token_id>")
class TokenById(MethodView):
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke a token: it stops working at once (revoking twice is harmless)."""
        with db.transaction() as session:
            users.revoke_token(session, current_actor(), token_id)
