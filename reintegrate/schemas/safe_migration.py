"""What admins send to keep safe-migration options, and officers to record a briefing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from reintegrate.models.safe_migration import OPTION_KINDS
from reintegrate.schemas.fields import Text, province_field, strict_boolean


class SafeMigrationOptionSchema(Schema):
    """POST needs kind and name; PATCH (partial) any subset."""

    kind = fields.String(
        required=True, validate=validate.OneOf(OPTION_KINDS, error=_l("Unknown value."))
    )
    name = Text(max_length=200, required=True)
    province = province_field(allow_none=True)
    contact = Text(max_length=300)
    details = Text(max_length=2000, multiline=True)
    example = strict_boolean(load_default=False)
    active = strict_boolean(load_default=True)


class BriefingSchema(Schema):
    informed_on = fields.Date(required=True)


class SafeMigrationOptionChanges(SafeMigrationOptionSchema):
    """PATCH: any subset of the fields (loaded with partial=True, so no defaults apply)."""
