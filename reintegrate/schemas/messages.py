"""Marshmallow's own error messages, marked so they are extracted and shown translated."""

from reintegrate.errors import N_

BUILT_IN = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Not a valid string."),
    N_("Not a valid date."),
    N_("Not a valid boolean."),
    N_("Not a valid integer."),
    N_("Not a valid list."),
    N_("Invalid value."),
)
