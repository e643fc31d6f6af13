"""What an officer may send to register or update a returnee, and the rules it must meet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from reintegrate.models.returnee import ReturneeStatus, Sex
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


@dataclass(frozen=True)
class Consent:
    referral: bool
    share_with_employers: bool
    research: bool


@dataclass(frozen=True)
class ReturneeInput:
    """A validated registration, as it crosses from the edge into the registry service."""

    given_name: str
    family_name: str
    sex: str
    date_of_birth: date
    home_province: str
    return_date: date
    destination_country: str
    trafficking_survivor: bool
    consent: Consent
    date_of_birth_approximate: bool = False
    name_km: str | None = None
    phone: str | None = None
    district: str | None = None
    sector_abroad: str | None = None
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    willing_to_relocate: bool = False
    preferred_provinces: tuple[str, ...] = ()
    interests: tuple[str, ...] = ("job",)
    notes: str | None = None


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


def year_start(born: date) -> date:
    """How a birth date known only by its year is stored: 1 January of that year."""
    return date(born.year, 1, 1)


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
    def _loaded(self, data: dict[str, Any], **_kwargs: Any) -> Any:
        return self._finish(_settle_birth(data))

    def _finish(self, data: dict[str, Any]) -> Any:
        """The changes as a dict (PATCH applies the fields sent); registration overrides."""
        return data


class ReturneeCreateSchema(ReturneeUpdateSchema):
    """Registration: status and links are set by the registry, not by the caller."""

    class Meta:
        exclude = ("status", "linked_to_id")

    consent = fields.Nested(ConsentSchema, required=True)

    def _finish(self, data: dict[str, Any]) -> ReturneeInput:
        consent = Consent(**data.pop("consent"))
        for key in ("skills", "languages", "preferred_provinces", "interests"):
            data[key] = tuple(dict.fromkeys(data.get(key) or ()))
        return ReturneeInput(consent=consent, **data)


class ReturneeListArgs(Schema):
    q = fields.String(validate=validate.Length(max=100))
    province = province_field()
    status = fields.String(validate=validate.OneOf([s.value for s in ReturneeStatus]))
    returned_from = fields.Date()
    returned_to = fields.Date()
    page = page_field()
    page_size = page_size_field()
