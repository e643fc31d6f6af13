"""/api/v1/returnees: register, list, read and update returnees (officers only)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from reintegrate.api import ApiBlueprint
from reintegrate.api.schemas import RegistrationOut, ReturneeOut, ReturneePageOut
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.schemas.returnees import (
    ReturneeCreateSchema,
    ReturneeListArgs,
    ReturneeUpdateSchema,
)
from reintegrate.services import registry

blp = ApiBlueprint(
    "returnees_api", __name__, url_prefix="/api/v1/returnees", description="The returnee registry."
)


@blp.route("")
class Returnees(MethodView):
    @blp.arguments(ReturneeListArgs, location="query")
    @blp.response(200, ReturneePageOut)
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Returnees in your provinces, newest first, or closest first for a name query `q`."""
        page, page_size = args.pop("page"), args.pop("page_size")
        with db.transaction() as session:
            return registry.search(
                session,
                current_actor(),
                registry.ReturneeFilters(**args),
                page=page,
                page_size=page_size,
            )

    @blp.arguments(ReturneeCreateSchema)
    @blp.response(201, RegistrationOut)
    @blp.alt_response(422, description="Invalid field values; nothing was written.")
    def post(self, data: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Register a returnee; the answer lists possible duplicates already registered."""
        with db.transaction() as session:
            return registry.register(
                session,
                current_actor(),
                registry.ReturneeInput.of(data),
                check_limit=current_app.config["DUPLICATE_CHECKS_PER_HOUR"],
            )


@blp.route("/<int(max=2147483647):returnee_id>")
class ReturneeById(MethodView):
    @blp.response(200, ReturneeOut)
    def get(self, returnee_id: int):  # type: ignore[no-untyped-def]
        """One returnee in your provinces (404 otherwise). Every read is audited."""
        with db.transaction() as session:
            return registry.get(session, current_actor(), returnee_id)

    @blp.arguments(ReturneeUpdateSchema(partial=True))
    @blp.response(200, ReturneeOut)
    def patch(self, changes: dict[str, Any], returnee_id: int):  # type: ignore[no-untyped-def]
        """Change some fields; the audit trail records which."""
        with db.transaction() as session:
            return registry.update_returnee(session, current_actor(), returnee_id, changes)


@blp.route("/case/<string(maxlength=20):case_number>")
class ReturneeByCaseNumber(MethodView):
    @blp.response(200, ReturneeOut)
    def get(self, case_number: str):  # type: ignore[no-untyped-def]
        """The case with this number in your provinces (404 otherwise); the number of a merged
        record answers with the case it was merged into."""
        with db.transaction() as session:
            return registry.get_by_case_number(session, current_actor(), case_number)
