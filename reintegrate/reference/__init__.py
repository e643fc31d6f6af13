"""Reference data: provinces, countries, languages and sectors, loaded once."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale

from matching.geo import Gazetteer

REFERENCE_DIR = Path(__file__).resolve().parent
PROVINCES_CSV = REFERENCE_DIR / "provinces.csv"
HAZARDOUS_WORK_CSV = REFERENCE_DIR / "hazardous_work.csv"

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
_UNINHABITED = {"AQ", "BV", "HM", "TF", "GS", "UM"}
DESTINATION_COUNTRIES = (
    "TH",
    "MY",
    "KR",
    "JP",
    "SA",
    "TW",
    "SG",
    "HK",
    "VN",
    "LA",
    "CN",
    "AE",
    "QA",
    "KW",
)
"""Where Cambodians most often go to work, most common first: offered before every other
country in the lists of countries abroad."""


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
def abroad_country_codes() -> frozenset[str]:
    """Countries a person can have worked in or gone to: not Cambodia, not Antarctica."""
    return country_codes() - _UNINHABITED - {"KH"}


def _sort_key(name: str) -> str:
    """Latin accents ignored ("Åland" among the A's); Khmer sorts in its script's order."""
    decomposed = unicodedata.normalize("NFD", name)
    return "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f").casefold()


def country_choices(codes: Iterable[str], locale: str = "en") -> list[tuple[str, str]]:
    """(code, name) pairs: the usual destinations first, then the rest by name in `locale`."""
    wanted = set(codes)
    first = [(c, country_name(c, locale)) for c in DESTINATION_COUNTRIES if c in wanted]
    rest = sorted(
        ((c, country_name(c, locale)) for c in wanted - set(DESTINATION_COUNTRIES)),
        key=lambda pair: _sort_key(pair[1]),
    )
    return first + rest


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 codes, from the CLDR data that Babel ships."""
    return frozenset(code for code in Locale("en").languages if len(code) == 2 and code.isalpha())


def language_name(code: str, locale: str = "en") -> str:
    return Locale(locale).languages.get(code, code)


@dataclass(frozen=True)
class HazardousWork:
    """One entry of the list of hazardous work for children: an ISCO-08 code or a keyword."""

    match: str
    value: str
    label_en: str
    label_km: str
    source: str

    def label(self, locale: str = "en") -> str:
        return self.label_km if locale == "km" else self.label_en


@cache
def hazardous_work() -> tuple[HazardousWork, ...]:
    """hazardous_work.csv, its comment lines (which name the source) skipped."""
    with HAZARDOUS_WORK_CSV.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        entries = tuple(HazardousWork(**{k: v.strip() for k, v in row.items()}) for row in rows)
    unknown = {entry.match for entry in entries} - {"isco", "keyword"}
    if unknown:
        raise ValueError(f"hazardous_work.csv: unknown match kinds {sorted(unknown)}")
    return entries
