"""What officers and employers send to refer, answer referrals, enrol and record outcomes."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from reintegrate.models.placement import (
    WORK_LIST_SORTS,
    OutcomeStatus,
    ReferralStatus,
    RemigrationChannel,
)
from reintegrate.schemas.fields import NOT_NEGATIVE, Text, country_field, province_field, record_id

MAX_MONTHLY_INCOME_USD = 10_000


class ReferralCreateSchema(Schema):
    returnee_id = record_id(required=True)
    listing_id = record_id(required=True)
    note = Text(max_length=1000, multiline=True)


class ReferralUpdateSchema(Schema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(
            [s.value for s in ReferralStatus if s != ReferralStatus.REFERRED],
            error=_l("Unknown value."),
        ),
    )
    start_date = fields.Date(allow_none=True)
    note = Text(max_length=1000, multiline=True)


class EnrolmentSchema(Schema):
    returnee_id = record_id(required=True)
    listing_id = record_id(required=True)
    start_date = fields.Date(required=True)


class OutcomeSchema(Schema):
    contacted_on = fields.Date(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf([s.value for s in OutcomeStatus], error=_l("Unknown value.")),
    )
    monthly_income_usd = fields.Decimal(
        places=2,
        allow_none=True,
        metadata={"minimum": 0, "maximum": MAX_MONTHLY_INCOME_USD},
        validate=validate.Range(min=0, max=MAX_MONTHLY_INCOME_USD, error=NOT_NEGATIVE),
    )
    remigration_country = country_field(allow_none=True)
    remigration_channel = fields.String(
        allow_none=True,
        validate=validate.OneOf([c.value for c in RemigrationChannel], error=_l("Unknown value.")),
    )
    intends_to_remigrate = fields.Boolean(allow_none=True)
    notes = Text(max_length=2000, multiline=True)

    @validates_schema(skip_on_field_errors=False)
    def _remigration_details(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Run even when other fields are wrong, so the form names every problem at once."""
        remigrated = data.get("status") == OutcomeStatus.REMIGRATED
        errors: dict[str, list[str]] = {}
        if remigrated and not data.get("remigration_country"):
            errors["remigration_country"] = [_("Say which country the person went to.")]
        if remigrated and data.get("remigration_country") == "KH":
            errors["remigration_country"] = [_("Re-migration is to another country than Cambodia.")]
        if not remigrated and "status" in data:
            for name in ("remigration_country", "remigration_channel"):
                if data.get(name):
                    errors[name] = [_("Only for a person who has re-migrated.")]
        if errors:
            raise ValidationError(errors)


class OutcomeAmendmentSchema(OutcomeSchema):
    """A corrected outcome: every field again, and why it is corrected."""

    reason = Text(max_length=1000, multiline=True, required=True)

    @post_load
    def _split(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """The outcome's fields apart from the reason, as `followups.OutcomeInput` takes them."""
        reason = data.pop("reason")
        return {"outcome": data, "reason": reason}


WORK_LIST_STATUSES = ("due", "overdue", "scheduled", "missed")


class WorkListArgs(Schema):
    """The officer's work list filters and order, as the page's query string carries them."""

    province = province_field()
    status = fields.String(validate=validate.OneOf(WORK_LIST_STATUSES, error=_l("Unknown value.")))
    due_before = fields.Date()
    sort = fields.String(
        load_default="due",
        validate=validate.OneOf(list(WORK_LIST_SORTS), error=_l("Unknown value.")),
    )
