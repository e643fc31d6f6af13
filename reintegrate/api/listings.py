"""/api/v1/listings: jobs and incentive programmes (employers: their own)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from jobs_import import ListingRecord
from reintegrate.api import ApiBlueprint
from reintegrate.api.schemas import ListingOut, ListingPageOut
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.schemas.listings import ListingCreateSchema, ListingListArgs, ListingUpdateSchema
from reintegrate.services import listings

blp = ApiBlueprint(
    "listings_api",
    __name__,
    url_prefix="/api/v1/listings",
    description="Job openings and incentive programmes.",
)


@blp.route("")
class Listings(MethodView):
    @blp.arguments(ListingListArgs, location="query")
    @blp.response(200, ListingPageOut)
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Open listings by kind, province and skill; employers see their own, any status."""
        page, page_size = args.pop("page"), args.pop("page_size")
        status = args.pop("status")
        filters = listings.ListingFilters(status=None if status == "all" else status, **args)
        with db.transaction() as session:
            return listings.search_listings(
                session, current_actor(), filters, page=page, page_size=page_size
            )

    @blp.arguments(ListingCreateSchema)
    @blp.response(201, ListingOut)
    def post(self, record: ListingRecord):  # type: ignore[no-untyped-def]
        """Post a job (employers: for themselves) or an incentive programme (officers, admins)."""
        with db.transaction() as session:
            return listings.create_listing(session, current_actor(), record)


@blp.route("/<int(max=2147483647):listing_id>")
class ListingById(MethodView):
    @blp.response(200, ListingOut)
    def get(self, listing_id: int):  # type: ignore[no-untyped-def]
        """One listing (another employer's is 404)."""
        with db.transaction() as session:
            return listings.get_listing(session, current_actor(), listing_id)

    @blp.arguments(ListingUpdateSchema(partial=True))
    @blp.response(200, ListingOut)
    def patch(self, changes: dict[str, Any], listing_id: int):  # type: ignore[no-untyped-def]
        """Change fields, or close with {"status": "closed"} (imported listings: close only)."""
        with db.transaction() as session:
            return listings.update_listing(session, current_actor(), listing_id, changes)
