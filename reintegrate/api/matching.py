"""/api/v1 matches for a returnee, candidates for a listing, and skill phrase mappings."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from reintegrate.api import ApiBlueprint
from reintegrate.api.schemas import listing_flags
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.presenters.reasons import explained
from reintegrate.services import matching, skills
from reintegrate.services.skills import current_vocabulary

blp = ApiBlueprint(
    "matching_api",
    __name__,
    url_prefix="/api/v1",
    description="Ranked, explained matches (officers) and skill vocabulary mappings (admins).",
)


class ReasonOut(Schema):
    code = fields.String()
    params = fields.Dict()
    text = fields.String()


class ComponentOut(Schema):
    name = fields.String()
    label = fields.String()
    value = fields.Float(metadata={"description": "0 to 1"})
    weight = fields.Float()
    reasons = fields.List(fields.Nested(ReasonOut))


class ListingBrief(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    province = fields.String(allow_none=True)
    provinces = fields.List(fields.String())
    employer = fields.String(attribute="employer_name", allow_none=True)
    programme = fields.String(allow_none=True)
    valid_through = fields.Date(allow_none=True)
    flags = fields.Method(
        "_flags", metadata={"description": "Screening flags (`code`, `reason`), as on a listing."}
    )

    def _flags(self, listing: Any) -> list[dict[str, str]]:
        return listing_flags(listing)


class MatchOut(Schema):
    listing = fields.Nested(ListingBrief)
    score = fields.Integer(metadata={"description": "0 to 100"})
    components = fields.List(fields.Nested(ComponentOut))
    reasons = fields.List(fields.String())


class MatchPage(Schema):
    items = fields.List(fields.Nested(MatchOut))


class ReturneeBrief(Schema):
    id = fields.Integer()
    case_number = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    home_province = fields.String()
    status = fields.String()
    consent_referral = fields.Boolean()


class CandidateOut(Schema):
    returnee = fields.Nested(ReturneeBrief)
    score = fields.Integer()
    components = fields.List(fields.Nested(ComponentOut))
    reasons = fields.List(fields.String())


class CandidatePage(Schema):
    items = fields.List(fields.Nested(CandidateOut))


class MatchArgs(Schema):
    kind = fields.String(load_default="all", validate=validate.OneOf(["job", "incentive", "all"]))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=matching.MAX_LIMIT))


class LimitArgs(Schema):
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=matching.MAX_LIMIT))


class UnmappedOut(Schema):
    phrase = fields.String(attribute="example")
    phrase_key = fields.String()
    returnees = fields.Integer()
    listings = fields.Integer()
    suggestions = fields.Method("_suggestions")

    def _suggestions(self, item: Any) -> list[dict[str, Any]]:
        return [{"code": code, "score": round(score, 3)} for code, score in item.suggestions]


class MappingIn(Schema):
    phrase = fields.String(required=True, validate=validate.Length(min=1, max=200))
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))


class MappingOut(Schema):
    phrase = fields.String()
    code = fields.String()
    updated_rows = fields.Integer()


@blp.route("/returnees/<int(max=2147483647):returnee_id>/matches")
class ReturneeMatches(MethodView):
    @blp.arguments(MatchArgs, location="query")
    @blp.response(200, MatchPage)
    def get(self, args: dict[str, Any], returnee_id: int):  # type: ignore[no-untyped-def]
        """Open jobs and eligible incentive programmes for a returnee, best first, explained."""
        with db.transaction() as session:
            found = matching.matches_for_returnee(
                session, current_actor(), returnee_id, kind=args["kind"], limit=args["limit"]
            )
            vocabulary = current_vocabulary(session)
            return {
                "items": [{"listing": m.listing, **explained(m.match, vocabulary)} for m in found]
            }


@blp.route("/listings/<int(max=2147483647):listing_id>/candidates")
class ListingCandidates(MethodView):
    @blp.arguments(LimitArgs, location="query")
    @blp.response(200, CandidatePage)
    @blp.alt_response(
        503,
        description="A worker that has just started is still building its index of candidates;"
        " Retry-After gives the seconds to wait.",
    )
    def get(self, args: dict[str, Any], listing_id: int):  # type: ignore[no-untyped-def]
        """The returnees in your provinces who fit a listing best (officers only)."""
        with db.transaction() as session:
            found = matching.candidates_for_listing(
                session, current_actor(), listing_id, limit=args["limit"]
            )
            vocabulary = current_vocabulary(session)
            return {
                "items": [{"returnee": c.returnee, **explained(c.match, vocabulary)} for c in found]
            }


@blp.route("/skills/unmapped")
class UnmappedSkills(MethodView):
    @blp.response(200, UnmappedOut(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """Skill phrases the vocabulary did not recognise, most frequent first (admins)."""
        with db.transaction() as session:
            return skills.unmapped_phrases(session, current_actor())


@blp.route("/skills/mappings")
class SkillMappings(MethodView):
    @blp.arguments(MappingIn)
    @blp.response(201, MappingOut)
    def post(self, data: dict[str, str]):  # type: ignore[no-untyped-def]
        """Map a phrase to a canonical skill; existing records with it are updated now."""
        with db.transaction() as session:
            updated = skills.map_phrase(session, current_actor(), data["phrase"], data["code"])
            return {**data, "updated_rows": updated}
