"""Reference data: provinces, countries, languages and sectors, loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale

from matching.geo import Gazetteer

REFERENCE_DIR = Path(__file__).resolve().parent
PROVINCES_CSV = REFERENCE_DIR / "provinces.csv"

SECTORS = (
    "agriculture",
    "construction",
    "manufacturing",
    "garment",
    "fishing",
    "domestic_work",
    "hospitality",
    "services",
    "entertainment",
    "other",
)

_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"}


@cache
def gazetteer() -> Gazetteer:
    return Gazetteer.from_csv(PROVINCES_CSV)


def province_codes() -> list[str]:
    return gazetteer().codes()


def province_name(code: str, locale: str = "en") -> str:
    province = gazetteer().provinces.get(code)
    if province is None:
        return code
    return province.name_km if locale == "km" else province.name_en


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, from the CLDR data that Babel ships."""
    return (
        frozenset(code for code in Locale("en").territories if len(code) == 2 and code.isalpha())
        - _NOT_COUNTRIES
    )


def country_name(code: str, locale: str = "en") -> str:
    return Locale(locale).territories.get(code, code)


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 codes, from the CLDR data that Babel ships."""
    return frozenset(code for code in Locale("en").languages if len(code) == 2 and code.isalpha())


def language_name(code: str, locale: str = "en") -> str:
    return Locale(locale).languages.get(code, code)
