"""Field types that refuse NUL bytes, control characters and overlong text."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

from reintegrate.pagination import MAX_PAGE
from reintegrate.reference import country_codes, language_codes, province_codes

NOT_NEGATIVE = _l("Must be a positive amount (0 or more), at most {max}.")
"""An amount of money where 0 is allowed: a negative one is told to be positive, not "between"."""

#: Largest row id (PostgreSQL ``integer``); bigger ids cannot exist and overflow SQLite.
MAX_ID = 2**31 - 1


def record_id(**kwargs: Any) -> fields.Integer:
    """A strict positive integer naming a row."""
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID, error=_l("Must be between {min} and {max}.")),
        **kwargs,
    )


class AsciiInteger(fields.Integer):
    """An integer written with ASCII digits only ('١٢' and '²' are not page numbers)."""

    def _validated(self, value: Any) -> Any:
        if isinstance(value, str) and not (value.isascii() and value.lstrip("-").isdigit()):
            raise self.make_error("invalid")
        return super()._validated(value)


def page_field() -> fields.Integer:
    return AsciiInteger(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE, error=_l("Must be between {min} and {max}.")),
    )


def page_size_field() -> fields.Integer:
    return AsciiInteger(
        load_default=25,
        validate=validate.Range(min=1, max=100, error=_l("Must be between {min} and {max}.")),
    )


class StrictBoolean(fields.Boolean):
    """true or false only: 0, 1, "yes" or "" are a wrong type in JSON, not a quiet answer."""

    def _deserialize(self, value: object, attr: str | None, data: object, **kwargs: object) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def strict_boolean(**kwargs: Any) -> fields.Boolean:
    return StrictBoolean(**kwargs)


def form_id(text: str | None) -> int | None:
    """An id typed into a form or query string, or None: ASCII digits within the id range only
    ("²" is a digit to Python and a 20-digit number overflows the database)."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def query_id() -> fields.Integer:
    """A row id given in a query string (text, so not strict), within the id range."""
    return AsciiInteger(
        validate=validate.Range(min=1, max=MAX_ID, error=_l("Must be between {min} and {max}."))
    )


class Text(fields.String):
    """Trimmed, NFC-normalised text without control characters; blank optional text is None."""

    def __init__(self, *, max_length: int, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        self.blank_to_none = not kwargs.get("required", False)
        if self.blank_to_none:
            kwargs.setdefault("allow_none", True)
        validators = [
            validate.Length(
                min=0 if self.blank_to_none else 1,
                max=max_length,
                error=_l("Must be between {min} and {max} characters."),
            )
        ]
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        allowed = "\n\t\r" if self.multiline else ""
        if any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in text):
            raise ValidationError(_("Must not contain control characters."))
        text = unicodedata.normalize("NFC", text.strip())
        if not text and self.blank_to_none:
            return None
        return text

    def _validate(self, value: Any) -> None:
        if value is not None:  # blank optional text became None: nothing to measure
            super()._validate(value)


#: Khmer digits ០..៩ (as a Khmer keyboard types them) read as 0..9.
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")
#: Apostrophes as keyboards type them: ASCII, right single quote, modifier letter.
_NAME_PUNCTUATION = frozenset(" -'\u2019\u02bc")
#: Khmer keyboards put invisible word breaks between syllables; they are part of typed names.
_NAME_JOINERS = frozenset("\u200b\u200c")


def latin_digits(text: str) -> str:
    """Khmer digits become ASCII digits, so a number is stored and compared one way."""
    return text.translate(_KHMER_DIGITS)


def normalise_phone(text: str) -> str:
    return latin_digits(text)


class Phone(Text):
    """A phone number typed with Latin or Khmer digits, spaces, hyphens and an optional +."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=32, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is None:
            return None
        text = normalise_phone(text)
        if not PHONE.match(text):
            raise ValidationError(_("Not a valid phone number."))
        return text


def is_name(text: str) -> bool:
    """Letters of any script (with their vowel signs), spaces, hyphens and apostrophes."""
    return all(
        unicodedata.category(c)[0] in "LM" or c in _NAME_PUNCTUATION or c in _NAME_JOINERS
        for c in text
    )


class PersonName(Text):
    """A legal name: no emoji, digits, symbols or control characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=100, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is not None and not is_name(text):
            raise ValidationError(
                _("A name may contain only letters, spaces, hyphens and apostrophes.")
            )
        return text


class Code(fields.String):
    """A code from a closed list (province, country, language...), case-normalised."""

    def __init__(self, choices: Any, *, upper: bool = False, message: Any, **kwargs: Any) -> None:
        self.choices = choices
        self.upper = upper
        self.message = message
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        code = super()._deserialize(value, attr, data, **kwargs).strip()
        code = code.upper() if self.upper else code.lower()
        choices = self.choices() if callable(self.choices) else self.choices
        if code not in choices:
            raise ValidationError(str(self.message))
        return code


def province_field(**kwargs: Any) -> Code:
    return Code(province_codes, message=_l("Unknown province."), **kwargs)


def country_field(**kwargs: Any) -> Code:
    return Code(country_codes, upper=True, message=_l("Unknown country code."), **kwargs)


def language_field(**kwargs: Any) -> Code:
    return Code(language_codes, message=_l("Unknown language code."), **kwargs)
