"""What a manager sends to decide an erasure request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from reintegrate.schemas.fields import record_id

ERASURE_DECISIONS = ("approve", "reject")


class ErasureDecisionSchema(Schema):
    """Approve or reject, said outright: anything else is refused rather than read as "reject"."""

    request_id = record_id(required=True)
    decision = fields.String(
        required=True, validate=validate.OneOf(ERASURE_DECISIONS, error=_l("Unknown value."))
    )
