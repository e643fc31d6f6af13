"""What an admin may send to verify an employer."""

from __future__ import annotations

from marshmallow import Schema

from reintegrate.schemas.fields import Text, strict_boolean


class EmployerUpdateSchema(Schema):
    verified = strict_boolean()
    registration_number = Text(max_length=100)
    note = Text(max_length=2000, multiline=True)
    contact = Text(max_length=300)
