"""What employers, officers and admins may send to post or change a listing."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from jobs_import import Eligibility, ListingRecord
from jobs_import.records import EMPLOYMENT_TYPES
from jobs_import.salary import MAX_MONTHLY_USD
from reintegrate.models.listing import ListingKind, ListingStatus
from reintegrate.schemas.fields import (
    NOT_NEGATIVE,
    Text,
    language_field,
    page_field,
    page_size_field,
    province_field,
)

JOB_ONLY = ("employer", "province", "positions", "wage_min_usd", "wage_max_usd", "employment_type")
INCENTIVE_ONLY = ("programme", "provinces", "benefit", "eligibility")


POSITIVE = _l("Must be a positive whole number, at most {max}.")


def _wage() -> fields.Decimal:
    return fields.Decimal(
        places=2,
        allow_none=True,
        metadata={"minimum": 0, "maximum": int(MAX_MONTHLY_USD)},
        validate=validate.Range(min=0, max=MAX_MONTHLY_USD, error=NOT_NEGATIVE),
    )


class EligibilitySchema(Schema):
    returned_within_months = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(min=1, max=240, error=POSITIVE)
    )
    min_age = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=14, max=100))
    max_age = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=14, max=100))
    sex = fields.String(
        allow_none=True, validate=validate.OneOf(["female", "male"], error=_l("Unknown value."))
    )
    survivors_priority = fields.Boolean(load_default=False)

    @validates_schema
    def _ages_in_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            raise ValidationError(_("Must not be below the minimum age."), "max_age")

    @post_load
    def _to_eligibility(self, data: dict[str, Any], **_kwargs: Any) -> Eligibility:
        return Eligibility(**data)


class ListingUpdateSchema(Schema):
    """Every field a listing has; POST needs the ones its kind requires, PATCH any subset."""

    kind = fields.String(
        required=True, validate=validate.OneOf(["job", "incentive"], error=_l("Unknown value."))
    )
    title = Text(max_length=200, required=True)
    employer = Text(max_length=200)
    programme = Text(max_length=200)
    province = province_field()
    provinces = fields.List(province_field(), validate=validate.Length(max=25))
    district = Text(max_length=100)
    description = Text(max_length=10_000, multiline=True)
    skills = fields.List(
        Text(max_length=200, required=True),
        validate=validate.Length(max=30, error=_l("At most {max} items.")),
    )
    positions = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(min=1, max=10_000, error=POSITIVE)
    )
    wage_min_usd = _wage()
    wage_max_usd = _wage()
    employment_type = fields.String(
        allow_none=True, validate=validate.OneOf(EMPLOYMENT_TYPES, error=_l("Unknown value."))
    )
    languages = fields.List(language_field(), validate=validate.Length(max=15))
    valid_through = fields.Date(required=True)
    url = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=2000))
    sector = Text(max_length=100)
    benefit = Text(max_length=2000, multiline=True)
    eligibility = fields.Nested(EligibilitySchema, allow_none=True)
    hazardous = fields.Boolean(
        metadata={
            "description": "Hazardous work (employers and admins only); left out, the default "
            "comes from the list of hazardous work for children."
        }
    )
    status = fields.String(
        validate=validate.OneOf([s.value for s in ListingStatus], error=_l("Unknown value."))
    )

    @validates_schema
    def _fits_its_kind(self, data: dict[str, Any], partial: Any = None, **_kwargs: Any) -> None:
        kind = data.get("kind")
        errors: dict[str, list[str]] = {}
        wrong = INCENTIVE_ONLY if kind == "job" else JOB_ONLY if kind == "incentive" else ()
        for name in wrong:
            if data.get(name) not in (None, [], ""):
                errors[name] = [_("Not used for this kind of listing.")]
        if not partial:
            needed = (
                ("province",)
                if kind == "job"
                else ("programme", "benefit")
                if kind == "incentive"
                else ()
            )
            for name in needed:
                if not data.get(name):
                    errors[name] = [_("Missing data for required field.")]
        low, high = data.get("wage_min_usd"), data.get("wage_max_usd")
        if low is not None and high is not None and low > high:
            errors["wage_max_usd"] = [_("Must not be below the minimum wage.")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _to_record_fields(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """API names to record fields: a job's one province, tuples, eligibility object."""
        fields_: dict[str, Any] = dict(data)
        if "province" in fields_:
            province = fields_.pop("province")
            fields_["provinces"] = (province,) if province else ()
        for name in ("provinces", "skills", "languages"):
            if name in fields_:
                fields_[name] = tuple(dict.fromkeys(fields_[name] or ()))
        return self.make(fields_)

    def make(self, fields_: dict[str, Any]) -> Any:
        """Changes for PATCH: the record fields given, nothing more."""
        return fields_


class ListingCreateSchema(ListingUpdateSchema):
    class Meta:
        exclude = ("status",)

    def make(self, data: dict[str, Any]) -> ListingRecord:
        if data["kind"] == "incentive" and data.get("eligibility") is None:
            data["eligibility"] = Eligibility()
        if data["kind"] == "job" and not data.get("positions"):
            data["positions"] = 1
        return ListingRecord(row=0, external_id=None, **data)


class ListingListArgs(Schema):
    kind = fields.String(validate=validate.OneOf([k.value for k in ListingKind]))
    province = province_field()
    skill = fields.String(validate=validate.Length(max=100))
    status = fields.String(
        load_default=ListingStatus.OPEN.value,
        validate=validate.OneOf([*(s.value for s in ListingStatus), "all"]),
    )
    page = page_field()
    page_size = page_size_field()
