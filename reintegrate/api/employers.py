"""/api/v1/employers: admins see employers and verify them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from reintegrate.api import ApiBlueprint
from reintegrate.api.schemas import EmployerOut
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.schemas.employers import EmployerUpdateSchema
from reintegrate.services import employers

blp = ApiBlueprint(
    "employers_api",
    __name__,
    url_prefix="/api/v1/employers",
    description="Employers and their verification by admins.",
)


@blp.route("")
class Employers(MethodView):
    @blp.response(200, EmployerOut(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """Every employer, unverified first (admins only)."""
        with db.transaction() as session:
            return employers.list_employers(session, current_actor())


@blp.route("/<int(max=2147483647):employer_id>")
class EmployerById(MethodView):
    @blp.arguments(EmployerUpdateSchema)
    @blp.response(200, EmployerOut)
    def patch(self, changes: dict[str, Any], employer_id: int):  # type: ignore[no-untyped-def]
        """Verify an employer: `verified`, `registration_number`, `contact`, `note` (admins; an
        employer's own account is refused with rule `employer_self_verification`)."""
        with db.transaction() as session:
            return employers.update_employer(session, current_actor(), employer_id, changes)
