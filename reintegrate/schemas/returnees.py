"""What an officer may send to register or update a returnee, and the rules it must meet."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from jobs_import.people import CONSENT_COLUMNS, EXTERNAL_ID, Columns
from reintegrate.models.returnee import ReturneeStatus, Sex, year_start
from reintegrate.reference import SECTORS
from reintegrate.schemas.fields import (
    PersonName,
    Phone,
    Text,
    country_field,
    language_field,
    latin_digits,
    page_field,
    page_size_field,
    province_field,
    record_id,
)
from reintegrate.timeutil import local_today

EARLIEST_BIRTH = date(1900, 1, 1)
INTERESTS = ("job", "incentive")


def _not_future(value: date) -> None:
    if value > local_today():
        raise ValidationError(_("Must not be in the future."))


def _born_plausibly(value: date) -> None:
    _not_future(value)
    if value < EARLIEST_BIRTH:
        raise ValidationError(_("Must be on or after 1900-01-01."))


_YEAR = re.compile(r"[0-9]{4}")


class BirthYear(date):
    """1 January of a birth year given alone: a date to every rule, marked as a year only."""


class BirthDate(fields.Date):
    """A full date, or only the year ("1985", Khmer digits too) when that is all the person
    knows; the year comes back as a `BirthYear`, which the schema marks as approximate."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if isinstance(value, str):
            text = latin_digits(value.strip())
            if _YEAR.fullmatch(text):
                year, latest = int(text), local_today().year
                if not EARLIEST_BIRTH.year <= year <= latest:
                    raise ValidationError(
                        _(
                            "The year of birth must be between %(first)s and %(last)s.",
                            first=EARLIEST_BIRTH.year,
                            last=latest,
                        )
                    )
                return BirthYear(year, 1, 1)
        return super()._deserialize(value, attr, data, **kwargs)


def _settle_birth(data: dict[str, Any]) -> dict[str, Any]:
    """A year alone is approximate; a full date without the flag is exact; an approximate
    date keeps only its year (1 January), so every approximate date reads the same way."""
    born = data.get("date_of_birth")
    if born is None:
        return data
    approximate = isinstance(born, BirthYear) or bool(data.get("date_of_birth_approximate"))
    data["date_of_birth"] = year_start(born) if approximate else born
    data["date_of_birth_approximate"] = approximate
    return data


class ConsentSchema(Schema):
    referral = fields.Boolean(required=True)
    share_with_employers = fields.Boolean(required=True)
    research = fields.Boolean(required=True)


class ConsentChangeSchema(Schema):
    """PATCH changes each purpose on its own: the ones not sent stay as they are."""

    referral = fields.Boolean()
    share_with_employers = fields.Boolean()
    research = fields.Boolean()


class ReturneeUpdateSchema(Schema):
    """Every editable field; PATCH loads it with partial=True."""

    given_name = PersonName(required=True)
    family_name = PersonName(required=True)
    name_km = PersonName()
    sex = fields.String(
        required=True, validate=validate.OneOf([s.value for s in Sex], error=_l("Unknown value."))
    )
    date_of_birth = BirthDate(
        required=True,
        validate=_born_plausibly,
        metadata={
            "description": 'A full date, or only the year ("1985") when that is all '
            "that is known: it is then stored as 1 January and marked approximate."
        },
    )
    date_of_birth_approximate = fields.Boolean(
        metadata={
            "description": "Only the year of birth is known (the date keeps only its year). "
            "Sending a bare year sets it; a full date without it is exact."
        }
    )
    phone = Phone()
    home_province = province_field(required=True)
    district = Text(max_length=100)
    return_date = fields.Date(required=True, validate=_not_future)
    destination_country = country_field(required=True)
    sector_abroad = fields.String(
        allow_none=True, validate=validate.OneOf(SECTORS, error=_l("Unknown value."))
    )
    skills = fields.List(
        Text(max_length=200, required=True),
        load_default=list,
        validate=validate.Length(max=30, error=_l("At most {max} items.")),
    )
    languages = fields.List(language_field(), load_default=list, validate=validate.Length(max=15))
    trafficking_survivor = fields.Boolean(required=True)
    willing_to_relocate = fields.Boolean(load_default=False)
    preferred_provinces = fields.List(province_field(), load_default=list)
    interests = fields.List(
        fields.String(validate=validate.OneOf(INTERESTS, error=_l("Unknown value."))),
        load_default=lambda: ["job"],
    )
    consent = fields.Nested(ConsentChangeSchema, required=True)
    notes = Text(max_length=5000, multiline=True)
    status = fields.String(
        validate=validate.OneOf([s.value for s in ReturneeStatus], error=_l("Unknown value."))
    )
    linked_to_id = record_id(allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def _check_dates(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Run even when other fields failed, so a form names every bad field at once."""
        errors: dict[str, list[str]] = {}
        born, returned = data.get("date_of_birth"), data.get("return_date")
        if born and returned and returned < born:
            errors["return_date"] = [_("Must be after the date of birth.")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _loaded(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """The changes as a dict: PATCH applies the fields sent, registration makes them a
        `registry.ReturneeInput` (`ReturneeInput.of`)."""
        return _settle_birth(data)


class ReturneeCreateSchema(ReturneeUpdateSchema):
    """Registration: status and links are set by the registry, not by the caller."""

    class Meta:
        exclude = ("status", "linked_to_id")

    consent = fields.Nested(ConsentSchema, required=True)


class ReturneeListRows:
    """A returnee list's rows read as registrations, for bulk intake: which columns a list
    may have, read off this schema (consent as three columns), and each row's check. The
    edge hands it to `returnee_imports`, which imports no schema, so a row is refused exactly
    as the form or the API would refuse it."""

    def __init__(self) -> None:
        self.schema = ReturneeCreateSchema()

    def columns(self) -> Columns:
        loaded = {n: f for n, f in self.schema.load_fields.items() if n != "consent"}
        by_type = {
            kind: frozenset(n for n, f in loaded.items() if isinstance(f, kind))
            for kind in (fields.List, fields.Boolean, fields.Date)
        }
        return Columns(
            known=frozenset(set(loaded) | set(CONSENT_COLUMNS) | {EXTERNAL_ID}),
            required=(*(n for n, f in loaded.items() if f.required), *CONSENT_COLUMNS),
            lists=by_type[fields.List],
            booleans=by_type[fields.Boolean],
            dates=by_type[fields.Date],
        )

    def load(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """One row's registration, or marshmallow's ValidationError naming every bad field."""
        result: dict[str, Any] = self.schema.load(payload)
        return result


class ReturneeListArgs(Schema):
    q = fields.String(validate=validate.Length(max=100))
    province = province_field()
    status = fields.String(validate=validate.OneOf([s.value for s in ReturneeStatus]))
    returned_from = fields.Date()
    returned_to = fields.Date()
    page = page_field()
    page_size = page_size_field()
