"""The options of an import, from the upload page and POST /api/v1/imports alike."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

_LENGTH = _l("Must be between {min} and {max} characters.")


class ImportForm(Schema):
    """The import's options; what a feed name may be is the import service's to say."""

    source = fields.String(
        validate=validate.Length(min=1, max=100, error=_LENGTH),
        metadata={"description": "Required for feeds; a returnee list defaults to its file name."},
    )
    kind = fields.String(
        load_default="job",
        validate=validate.OneOf(["job", "incentive", "returnees"], error=_l("Unknown value.")),
    )
    strict = fields.Boolean(load_default=False)
    full = fields.Boolean(load_default=False)
    employer = fields.String(validate=validate.Length(min=0, max=200, error=_LENGTH))
    officer = fields.String(
        validate=validate.Length(min=0, max=254, error=_LENGTH),
        metadata={
            "description": "Returnee lists imported by an admin: e-mail of the officer who "
            "registers the people (an officer imports as themselves)."
        },
    )

    @validates_schema
    def _source_for_feeds(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("kind") != "returnees" and not data.get("source"):
            raise ValidationError({"source": [gettext("Missing data for required field.")]})
