"""/api/v1 referrals, enrolments, placements, follow-ups and outcomes."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from reintegrate.api import ApiBlueprint
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.schemas.fields import page_field, page_size_field, province_field, query_id
from reintegrate.schemas.placements import (
    EnrolmentSchema,
    OutcomeAmendmentSchema,
    OutcomeSchema,
    ReferralCreateSchema,
    ReferralUpdateSchema,
)
from reintegrate.services import followups, placements, referrals
from reintegrate.services.followups import OutcomeInput

blp = ApiBlueprint(
    "placements_api",
    __name__,
    url_prefix="/api/v1",
    description="From referral to placement, and the follow-ups that tell whether people stay.",
)


class ReferralOut(Schema):
    id = fields.Integer()
    returnee_id = fields.Integer()
    case_number = fields.String(attribute="returnee.case_number")
    listing_id = fields.Integer()
    listing_title = fields.String(attribute="listing.title")
    status = fields.String()
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    placement_id = fields.Method("_placement_id", allow_none=True)

    def _placement_id(self, referral: Any) -> int | None:
        return referral.placement.id if getattr(referral, "placement", None) else None


class EmployerReferralOut(Schema):
    """What an employer sees: only what the returnee agreed to share."""

    id = fields.Integer()
    listing_id = fields.Integer()
    listing_title = fields.String()
    status = fields.String()
    referred_on = fields.Date()
    shared = fields.Boolean(
        metadata={"description": "whether the returnee agreed to share contact details"}
    )
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    sex = fields.String(allow_none=True)
    age = fields.Integer(allow_none=True)
    skills = fields.List(fields.String())
    languages = fields.List(fields.String())


class ReferralArgs(Schema):
    status = fields.String(
        validate=validate.OneOf(["referred", "interview", "hired", "rejected", "withdrawn"])
    )
    listing_id = query_id()
    returnee_id = query_id()
    page = page_field()
    page_size = page_size_field()


class AmendmentOut(Schema):
    reason = fields.String()
    old_values = fields.Dict(keys=fields.String())
    new_values = fields.Dict(keys=fields.String())
    amended_at = fields.DateTime()


class OutcomeOut(Schema):
    id = fields.Integer()
    follow_up_id = fields.Integer()
    contacted_on = fields.Date()
    status = fields.String()
    monthly_income_usd = fields.Float(allow_none=True)
    remigration_country = fields.String(allow_none=True)
    remigration_channel = fields.String(allow_none=True)
    intends_to_remigrate = fields.Boolean(allow_none=True)
    notes = fields.String(allow_none=True)
    recorded_at = fields.DateTime()
    amendments = fields.List(fields.Nested(AmendmentOut))


class FollowUpOut(Schema):
    id = fields.Integer()
    placement_id = fields.Integer()
    sequence = fields.Integer()
    months_after = fields.Integer()
    due_date = fields.Date()
    status = fields.String()
    completed_on = fields.Date(allow_none=True)
    unreachable_attempts = fields.Integer()
    outcomes = fields.List(fields.Nested(OutcomeOut))


class FollowUpListOut(FollowUpOut):
    returnee_id = fields.Integer(attribute="placement.returnee_id")
    case_number = fields.String(attribute="placement.returnee.case_number")
    name = fields.String(attribute="placement.returnee.full_name")
    phone = fields.String(attribute="placement.returnee.phone", allow_none=True)
    province = fields.String(attribute="placement.province")


class PlacementOut(Schema):
    id = fields.Integer()
    returnee_id = fields.Integer()
    listing_id = fields.Integer()
    referral_id = fields.Integer(allow_none=True)
    kind = fields.String()
    start_date = fields.Date()
    status = fields.String()
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)
    province = fields.String()
    programme = fields.String()
    follow_ups = fields.List(fields.Nested(FollowUpOut))


class FollowUpArgs(Schema):
    status = fields.String(
        load_default="due,overdue",
        validate=validate.Regexp(
            r"^(scheduled|due|overdue|completed|missed|cancelled)(,(scheduled|due|overdue|completed|missed|cancelled))*$"
        ),
        metadata={"description": "one status or several separated by commas"},
    )
    province = province_field()


@blp.route("/referrals")
class Referrals(MethodView):
    @blp.arguments(ReferralArgs, location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Officers: referrals of returnees in their provinces. Employers: referrals to their
        listings, with only what each returnee agreed to share (EmployerReferralOut)."""
        page, page_size = args.pop("page"), args.pop("page_size")
        actor = current_actor()
        with db.transaction() as session:
            result = referrals.list_referrals(
                session, actor, referrals.ReferralFilters(**args), page=page, page_size=page_size
            )
            out = EmployerReferralOut if referrals.shared_fields_only(actor) else ReferralOut
            items = out(many=True).dump(result.items)
            return {
                "items": items,
                "total": result.total,
                "page": result.page,
                "page_size": result.page_size,
            }

    @blp.arguments(ReferralCreateSchema)
    @blp.response(201, ReferralOut)
    def post(self, data: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Refer a returnee (with consent to referral) to an open job."""
        with db.transaction() as session:
            return referrals.refer(
                session, current_actor(), data["returnee_id"], data["listing_id"], data.get("note")
            )


@blp.route("/referrals/<int(max=2147483647):referral_id>")
class ReferralById(MethodView):
    @blp.arguments(ReferralUpdateSchema)
    @blp.response(200)
    def patch(self, data: dict[str, Any], referral_id: int):  # type: ignore[no-untyped-def]
        """interview, hired (with start_date: creates the placement and its follow-ups),
        rejected (employers, for their listings), or withdrawn (officers)."""
        actor = current_actor()
        with db.transaction() as session:
            referral = referrals.change_status(
                session,
                actor,
                referral_id,
                data["status"],
                start_date=data.get("start_date"),
                note=data.get("note"),
            )
            out = EmployerReferralOut if referrals.shared_fields_only(actor) else ReferralOut
            return out().dump(referrals.shaped(actor, referral))


@blp.route("/enrolments")
class Enrolments(MethodView):
    @blp.arguments(EnrolmentSchema)
    @blp.response(201, PlacementOut)
    def post(self, data: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Record an eligible returnee's enrolment in an incentive programme (a placement)."""
        with db.transaction() as session:
            return placements.enrol(
                session,
                current_actor(),
                data["returnee_id"],
                data["listing_id"],
                data["start_date"],
            )


@blp.route("/placements/<int(max=2147483647):placement_id>")
class PlacementById(MethodView):
    @blp.response(200, PlacementOut)
    def get(self, placement_id: int):  # type: ignore[no-untyped-def]
        """A placement with its follow-ups and their outcomes."""
        with db.transaction() as session:
            return placements.get_placement(session, current_actor(), placement_id)


@blp.route("/followups")
class FollowUps(MethodView):
    @blp.arguments(FollowUpArgs, location="query")
    @blp.response(200, FollowUpListOut(many=True))
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Follow-ups in your provinces by status (default due and overdue), oldest first."""
        with db.transaction() as session:
            rows = followups.list_follow_ups(
                session,
                current_actor(),
                statuses=tuple(args["status"].split(",")),
                province=args.get("province"),
            )
            return [row.follow_up for row in rows]


@blp.route("/followups/<int(max=2147483647):follow_up_id>/outcome")
class FollowUpOutcome(MethodView):
    @blp.arguments(OutcomeSchema)
    @blp.response(201, FollowUpOut)
    def post(self, data: dict[str, Any], follow_up_id: int):  # type: ignore[no-untyped-def]
        """Record a contact; re-migrated ends the placement, 3 times unreachable marks it missed."""
        with db.transaction() as session:
            outcome = followups.record_outcome(
                session, current_actor(), follow_up_id, OutcomeInput(**data)
            )
            session.refresh(outcome)
            return followups.get_follow_up(session, current_actor(), outcome.follow_up_id)


@blp.route("/outcomes/<int(max=2147483647):outcome_id>")
class OutcomeById(MethodView):
    @blp.arguments(OutcomeAmendmentSchema)
    @blp.response(200, OutcomeOut)
    def patch(self, data: dict[str, Any], outcome_id: int):  # type: ignore[no-untyped-def]
        """Correct a saved outcome with a reason; the old values stay in `amendments`."""
        with db.transaction() as session:
            return followups.amend_outcome(
                session,
                current_actor(),
                outcome_id,
                OutcomeInput(**data["outcome"]),
                data["reason"],
            )
