"""Screening a listing for signs of exploitation: pure rules over reference data.

The rules read a listing's words and wage and what an admin checked about its employer, and
return flags with the evidence (the phrase found, the wage and the minimum). They decide
nothing: services store the flags, officers and admins see them, and the survivor rules
refuse matches and referrals to flagged listings.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from matching.text import PhraseFinder, normalise

BELOW_MINIMUM_WAGE = "below_minimum_wage"
WORKER_FEE = "worker_fee"
DOCUMENTS_HELD = "documents_held"
WORK_ABROAD = "work_abroad"
EMPLOYER_UNVERIFIED = "employer_unverified"
FLAG_CODES = (BELOW_MINIMUM_WAGE, WORKER_FEE, DOCUMENTS_HELD, WORK_ABROAD, EMPLOYER_UNVERIFIED)
KEYWORD_CODES = (WORKER_FEE, DOCUMENTS_HELD, WORK_ABROAD)

WAGE_COLUMNS = ("year", "sector", "monthly_usd", "applies_to", "source")
KEYWORD_COLUMNS = ("code", "language", "phrase")


class ReferenceFileError(ValueError):
    """A reference file that cannot be trusted; names the line, so it can be fixed."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(f"row {row}: {message}")
        self.row = row
        self.message = message


@dataclass(frozen=True)
class MinimumWage:
    year: int
    sector: str
    monthly_usd: Decimal
    applies_to: frozenset[str]
    source: str


@dataclass(frozen=True)
class MinimumWages:
    """Published minimum wages by year and sector."""

    rates: tuple[MinimumWage, ...] = ()

    def applicable(self, sectors: Iterable[str], year: int) -> MinimumWage | None:
        """The highest minimum in force in `year` for any of the listing's sectors (the
        latest year published up to then), or None where no minimum is published."""
        wanted = {normalise(s) for s in sectors if s}
        best: MinimumWage | None = None
        for sector in {rate.sector for rate in self.rates}:
            in_force = [
                r for r in self.rates if r.sector == sector and r.year <= year and r.applies_to
            ]
            if not in_force:
                continue
            rate = max(in_force, key=lambda r: r.year)
            if wanted & rate.applies_to and (best is None or rate.monthly_usd > best.monthly_usd):
                best = rate
        return best


@dataclass(frozen=True)
class Keywords:
    """Phrases, in English and Khmer, that signal a flag's code."""

    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Flag:
    code: str
    detail: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "detail": dict(self.detail)}


@dataclass(frozen=True)
class Screened:
    """What the rules look at in a listing."""

    kind: str
    title: str
    description: str | None = None
    benefit: str | None = None
    sectors: tuple[str, ...] = ()
    wage_min_usd: Decimal | None = None
    wage_max_usd: Decimal | None = None
    in_cambodia: bool = True
    has_employer: bool = False
    employer_verified: bool = False


def _rows(lines: Iterable[str], columns: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(lines)
    header = [name.strip() for name in reader.fieldnames or ()]
    missing = [name for name in columns if name not in header]
    if missing:
        raise ReferenceFileError(1, f"missing column(s): {', '.join(missing)}")
    for row in reader:
        cells = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if None in row:
            raise ReferenceFileError(reader.line_num, "more cells than columns")
        yield reader.line_num, cells


def parse_minimum_wages(lines: Iterable[str]) -> MinimumWages:
    """Read a minimum-wage file; any bad row refuses the whole file, naming the row."""
    rates: list[MinimumWage] = []
    seen: set[tuple[int, str]] = set()
    for line, row in _rows(lines, WAGE_COLUMNS):
        try:
            year = int(row["year"])
        except ValueError:
            raise ReferenceFileError(line, f"year {row['year']!r} is not a year") from None
        if not 1990 <= year <= 2100:
            raise ReferenceFileError(line, f"year {year} is out of range")
        try:
            amount = Decimal(row["monthly_usd"])
        except InvalidOperation:
            raise ReferenceFileError(
                line, f"monthly_usd {row['monthly_usd']!r} is not a number"
            ) from None
        if not amount.is_finite() or not 0 < amount < 100_000:
            raise ReferenceFileError(line, f"monthly_usd {row['monthly_usd']!r} is not a wage")
        sector = row["sector"]
        if not sector:
            raise ReferenceFileError(line, "sector is empty")
        applies_to = frozenset(normalise(p) for p in row["applies_to"].split(";") if p.strip())
        if not applies_to:
            raise ReferenceFileError(line, "applies_to names no sector or skill")
        if not row["source"]:
            raise ReferenceFileError(line, "source is empty: name the published regulation")
        if (year, sector) in seen:
            raise ReferenceFileError(line, f"{sector} {year} is listed twice")
        seen.add((year, sector))
        rates.append(MinimumWage(year, sector, amount, applies_to, row["source"]))
    return MinimumWages(tuple(rates))


def parse_keywords(lines: Iterable[str]) -> Keywords:
    phrases: dict[str, list[str]] = {}
    for line, row in _rows(lines, KEYWORD_COLUMNS):
        if row["code"] not in KEYWORD_CODES:
            raise ReferenceFileError(line, f"unknown code {row['code']!r}")
        if row["language"] not in ("en", "km"):
            raise ReferenceFileError(line, f"unknown language {row['language']!r}")
        phrase = normalise(row["phrase"])
        if not phrase:
            raise ReferenceFileError(line, "phrase is empty")
        phrases.setdefault(row["code"], []).append(phrase)
    return Keywords({code: tuple(found) for code, found in phrases.items()})


def _found(text: str, phrases: tuple[str, ...]) -> str | None:
    """The first phrase in the text: Khmer anywhere (it has no spaces between words),
    other languages as whole words."""
    index = _finder(phrases).first(text)
    return None if index is None else phrases[index]


@lru_cache(maxsize=64)
def _finder(phrases: tuple[str, ...]) -> PhraseFinder:
    return PhraseFinder(phrases)


def screen(listing: Screened, wages: MinimumWages, keywords: Keywords, year: int) -> list[Flag]:
    """Every flag the listing earns, in a fixed order."""
    flags: list[Flag] = []
    wage = listing.wage_min_usd if listing.wage_min_usd is not None else listing.wage_max_usd
    if listing.kind == "job" and wage is not None:
        minimum = wages.applicable(listing.sectors, year)
        if minimum is not None and wage < minimum.monthly_usd:
            flags.append(
                Flag(
                    BELOW_MINIMUM_WAGE,
                    {
                        "wage": f"{wage:.2f}",
                        "minimum": f"{minimum.monthly_usd:.2f}",
                        "year": str(minimum.year),
                        "source": minimum.source,
                    },
                )
            )
    text = normalise(
        " ".join(t for t in (listing.title, listing.description, listing.benefit) if t)
    )
    for code in (WORKER_FEE, DOCUMENTS_HELD):
        phrase = _found(text, keywords.phrases.get(code, ()))
        if phrase:
            flags.append(Flag(code, {"phrase": phrase}))
    if listing.kind == "job" and listing.in_cambodia:
        phrase = _found(text, keywords.phrases.get(WORK_ABROAD, ()))
        if phrase:
            flags.append(Flag(WORK_ABROAD, {"phrase": phrase}))
    if listing.kind == "job" and listing.has_employer and not listing.employer_verified:
        flags.append(Flag(EMPLOYER_UNVERIFIED))
    return flags
