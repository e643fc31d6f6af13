"""Output schemas and query arguments of the JSON API (inputs live in reintegrate.schemas)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from marshmallow import Schema, fields, pre_dump

from reintegrate.auth import current_actor
from reintegrate.presenters.labels import hazardous_reason
from reintegrate.services import safeguarding, screening
from reintegrate.timeutil import local_today


class ConsentOut(Schema):
    referral = fields.Boolean()
    share_with_employers = fields.Boolean()
    research = fields.Boolean()


class ExternalIdOut(Schema):
    source = fields.String(metadata={"description": "The list that numbered the person."})
    id = fields.String(attribute="external_id", metadata={"description": "Its number there."})


class ReturneeOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    name_km = fields.String(allow_none=True)
    sex = fields.String()
    date_of_birth = fields.Date(
        metadata={"description": "1 January of the year when only the year is known."}
    )
    date_of_birth_approximate = fields.Boolean(
        metadata={"description": "Only the year of birth is known."}
    )
    phone = fields.String(allow_none=True)
    home_province = fields.String()
    district = fields.String(allow_none=True)
    return_date = fields.Date()
    destination_country = fields.String()
    sector_abroad = fields.String(allow_none=True)
    skills = fields.List(fields.String(), attribute="skill_texts")
    normalised_skills = fields.Method(
        "_normalised_skills",
        metadata={"description": "Each skill phrase with its canonical code (null if unknown)."},
    )
    languages = fields.List(fields.String())
    trafficking_survivor = fields.Boolean()
    willing_to_relocate = fields.Boolean()
    preferred_provinces = fields.List(fields.String())
    interests = fields.List(fields.String())
    consent = fields.Nested(ConsentOut)
    age = fields.Method(
        "_age",
        metadata={
            "type": "integer",
            "description": "Age in whole years today; with only the year of birth known, the "
            "youngest the person can be (the age rules count it that way).",
        },
    )
    is_child = fields.Method(
        "_is_child",
        metadata={
            "type": "boolean",
            "description": "Under 15 today (Labour Law, Article 177): never matched to a job.",
        },
    )
    status = fields.String()
    notes = fields.String(allow_none=True)
    linked_to_id = fields.Integer(allow_none=True)
    merged_into_id = fields.Integer(
        allow_none=True, metadata={"description": "Set when merged into another case."}
    )
    external_ids = fields.List(
        fields.Nested(ExternalIdOut),
        metadata={"description": "The person's numbers in imported lists."},
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _age(self, returnee: Any) -> int:
        return safeguarding.age(
            returnee.date_of_birth, local_today(), returnee.date_of_birth_approximate
        )

    def _is_child(self, returnee: Any) -> bool:
        return safeguarding.is_child(
            returnee.date_of_birth, local_today(), returnee.date_of_birth_approximate
        )

    def _normalised_skills(self, returnee: Any) -> list[dict[str, Any]]:
        return [
            {"text": s.raw_text, "code": s.code, "confidence": s.confidence}
            for s in returnee.skills
        ]


class PossibleDuplicateOut(Schema):
    """In scope: who and why. Elsewhere: only `message`, every other field null or empty."""

    id = fields.Integer(attribute="returnee_id", allow_none=True)
    case_number = fields.String(allow_none=True)
    in_scope = fields.Boolean()
    name = fields.String(allow_none=True)
    home_province = fields.String(allow_none=True)
    score = fields.Integer(allow_none=True)
    reasons = fields.List(fields.String())
    message = fields.Function(lambda d: gettext(d.message) if d.message else None, allow_none=True)


class _RegistrationView:
    """A registration seen as one object: the returnee's fields plus its possible duplicates."""

    def __init__(self, registration: Any) -> None:
        self.possible_duplicates = registration.possible_duplicates
        self._returnee = registration.returnee

    def __getattr__(self, name: str) -> Any:
        return getattr(self._returnee, name)


class RegistrationOut(ReturneeOut):
    possible_duplicates = fields.List(fields.Nested(PossibleDuplicateOut))

    @pre_dump
    def _flatten(self, registration: Any, **_kwargs: Any) -> _RegistrationView:
        return _RegistrationView(registration)


class ReturneePageOut(Schema):
    items = fields.List(fields.Nested(ReturneeOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
    pages = fields.Integer()
    more = fields.Boolean(
        metadata={
            "description": "True when more people match a name query than were counted: "
            "`total` (10,000) is then a lower bound; add a word or a filter."
        }
    )


class EligibilityOut(Schema):
    returned_within_months = fields.Integer(allow_none=True)
    min_age = fields.Integer(allow_none=True)
    max_age = fields.Integer(allow_none=True)
    sex = fields.String(allow_none=True)
    survivors_priority = fields.Boolean()


def listing_flags(listing: Any) -> list[dict[str, str]]:
    """A listing's screening flags with their reasons in the reader's language."""
    return [screening.describe(flag, gettext) for flag in listing.flags or ()]


class ListingOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    employer = fields.String(attribute="employer_name", allow_none=True)
    programme = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    provinces = fields.List(fields.String())
    nationwide = fields.Boolean()
    district = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    skills = fields.List(fields.String(), attribute="skill_texts")
    positions = fields.Integer(allow_none=True)
    wage_min_usd = fields.Float(allow_none=True)
    wage_max_usd = fields.Float(allow_none=True)
    employment_type = fields.String(allow_none=True)
    languages = fields.List(fields.String())
    valid_through = fields.Date(allow_none=True)
    url = fields.String(allow_none=True)
    sector = fields.String(allow_none=True)
    benefit = fields.String(allow_none=True)
    eligibility = fields.Method("_eligibility", allow_none=True)
    hazardous = fields.Boolean(
        metadata={"description": "Hazardous work: never offered to anyone under 18."}
    )
    hazardous_reason = fields.Function(
        hazardous_reason,
        allow_none=True,
        metadata={
            "type": "string",
            "description": "Why: the hazardous-work list entry it matched, or who set it.",
        },
    )
    flags = fields.Method(
        "_flags",
        metadata={
            "description": "Signs of exploitation found by screening: `code` and `reason` "
            "(in the reader's language). Survivors are never matched or referred to a "
            "flagged listing."
        },
    )
    status = fields.String()
    closed_reason = fields.String(allow_none=True)
    source = fields.String()
    duplicate_of_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _eligibility(self, listing: Any) -> dict[str, Any] | None:
        return EligibilityOut().dump(listing.eligibility) if listing.kind == "incentive" else None

    def _flags(self, listing: Any) -> list[dict[str, str]]:
        return listing_flags(listing) if screening.shows_flags(current_actor()) else []


class ListingPageOut(Schema):
    items = fields.List(fields.Nested(ListingOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
    pages = fields.Integer()


class RowIssueOut(Schema):
    row = fields.Integer()
    field = fields.String(allow_none=True)
    message = fields.String()


class ImportRunOut(Schema):
    id = fields.Integer()
    source = fields.String()
    kind = fields.String()
    filename = fields.String()
    full = fields.Boolean()
    strict = fields.Boolean()
    status = fields.String(metadata={"description": "running, succeeded, partial or failed"})
    message = fields.String(allow_none=True)
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    closed = fields.Integer()
    linked = fields.Integer()
    rejected = fields.Integer()
    flagged = fields.Integer(
        metadata={
            "description": "Listings of this feed with any flag; for a returnee list, the "
            "people registered and queued for duplicate review."
        }
    )
    flag_counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "Per flag code."}
    )
    errors = fields.List(fields.Nested(RowIssueOut))
    warnings = fields.List(fields.Nested(RowIssueOut))
    started_by = fields.String()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class EmployerOut(Schema):
    id = fields.Integer()
    name = fields.String()
    verified = fields.Boolean()
    registration_number = fields.String(allow_none=True)
    note = fields.String(attribute="verification_note", allow_none=True)
    contact = fields.String(
        allow_none=True, metadata={"description": "Who the admin checked with."}
    )
    verified_by = fields.String(
        attribute="verified_by_email",
        allow_none=True,
        metadata={"description": "The admin account that checked the employer."},
    )
    verified_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
