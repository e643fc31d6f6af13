"""/api/v1/safe-migration-options (admins keep them, officers read them) and a returnee's
safe-migration briefings (officers record that the person was informed)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from reintegrate.api import ApiBlueprint
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.schemas.safe_migration import (
    BriefingSchema,
    SafeMigrationOptionChanges,
    SafeMigrationOptionSchema,
)
from reintegrate.services import registry, safe_migration

blp = ApiBlueprint(
    "safe_migration_api",
    __name__,
    url_prefix="/api/v1",
    description="Safer ways to leave: options and who was informed.",
)


class OptionOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "recruitment_agency, resource_centre, hotline"})
    name = fields.String()
    province = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    details = fields.String(allow_none=True)
    example = fields.Boolean(metadata={"description": "The contact is an example, not real."})
    active = fields.Boolean()


class BriefingOut(Schema):
    id = fields.Integer()
    returnee_id = fields.Integer()
    informed_on = fields.Date()
    recorded_at = fields.DateTime()


class BriefingsOut(Schema):
    needs_safer_leaving = fields.Boolean(
        metadata={
            "description": "An outcome said the person intends to migrate again or left "
            "through an irregular channel."
        }
    )
    briefings = fields.List(fields.Nested(BriefingOut))
    options = fields.List(fields.Nested(OptionOut))


@blp.route("/safe-migration-options")
class Options(MethodView):
    @blp.response(200, OptionOut(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """Options (officers: active ones; admins: all)."""
        with db.transaction() as session:
            return safe_migration.list_options(session, current_actor())

    @blp.arguments(SafeMigrationOptionSchema)
    @blp.response(201, OptionOut)
    def post(self, data: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Add an option (admins)."""
        with db.transaction() as session:
            return safe_migration.create_option(session, current_actor(), data)


@blp.route("/safe-migration-options/<int(max=2147483647):option_id>")
class OptionById(MethodView):
    @blp.arguments(SafeMigrationOptionChanges(partial=True))
    @blp.response(200, OptionOut)
    def patch(self, changes: dict[str, Any], option_id: int):  # type: ignore[no-untyped-def]
        """Change an option (admins)."""
        with db.transaction() as session:
            return safe_migration.update_option(session, current_actor(), option_id, changes)

    @blp.response(204)
    def delete(self, option_id: int):  # type: ignore[no-untyped-def]
        """Remove an option (admins)."""
        with db.transaction() as session:
            safe_migration.delete_option(session, current_actor(), option_id)


@blp.route("/returnees/<int(max=2147483647):returnee_id>/safe-migration-briefings")
class Briefings(MethodView):
    @blp.response(200, BriefingsOut)
    def get(self, returnee_id: int):  # type: ignore[no-untyped-def]
        """Whether the person should hear about safer ways to leave, and when they did."""
        actor = current_actor()
        with db.transaction() as session:
            registry.get(session, actor, returnee_id)
            return {
                "needs_safer_leaving": safe_migration.needs_safer_leaving(session, returnee_id),
                "briefings": safe_migration.briefings_of(session, returnee_id),
                "options": safe_migration.list_options(session, actor),
            }

    @blp.arguments(BriefingSchema)
    @blp.response(201, BriefingOut)
    def post(self, data: dict[str, Any], returnee_id: int):  # type: ignore[no-untyped-def]
        """Record that the person was informed of safer ways to leave (officers)."""
        with db.transaction() as session:
            return safe_migration.record_informed(
                session, current_actor(), returnee_id, data["informed_on"]
            )
