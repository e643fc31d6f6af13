"""CSV header names and their synonyms, mapped to record fields, per listing kind."""

from __future__ import annotations

import re

_COMMON: dict[str, tuple[str, ...]] = {
    "external_id": (
        "id",
        "job id",
        "reference",
        "ref",
        "reference number",
        "ref no",
        "external id",
        "listing id",
        "vacancy id",
        "identifier",
        "programme id",
        "program id",
        "code",
    ),
    "title": (
        "title",
        "job title",
        "position",
        "position title",
        "job",
        "job name",
        "vacancy",
        "name",
        "programme title",
        "program title",
    ),
    "description": (
        "description",
        "job description",
        "details",
        "summary",
        "about",
        "programme description",
        "program description",
    ),
    "valid_through": (
        "closing date",
        "deadline",
        "valid through",
        "valid until",
        "expiry",
        "expiry date",
        "expires",
        "expiration date",
        "apply by",
        "application deadline",
        "close date",
        "closing",
        "date closing",
    ),
    "url": ("url", "link", "apply url", "job url", "application url", "website", "apply link"),
}

_JOB: dict[str, tuple[str, ...]] = {
    "employer": (
        "company",
        "employer",
        "hiring organization",
        "hiring organisation",
        "organization",
        "organisation",
        "company name",
        "employer name",
    ),
    "location": (
        "location",
        "province",
        "region",
        "city",
        "town",
        "work location",
        "job location",
        "province city",
        "place of work",
        "workplace",
    ),
    "district": ("district", "khan", "srok", "district khan"),
    "salary": (
        "salary",
        "wage",
        "pay",
        "salary range",
        "monthly salary",
        "salary usd",
        "wage usd",
        "remuneration",
        "salary per month",
    ),
    "wage_min_usd": ("wage min usd", "salary min", "min salary", "minimum salary", "wage min"),
    "wage_max_usd": ("wage max usd", "salary max", "max salary", "maximum salary", "wage max"),
    "employment_type": (
        "employment type",
        "type",
        "job type",
        "contract type",
        "work type",
        "employment",
    ),
    "sector": (
        "industry",
        "sector",
        "category",
        "occupational category",
        "job category",
        "job function",
        "function",
    ),
    "skills": (
        "skills",
        "skills required",
        "requirements",
        "required skills",
        "skill",
        "key skills",
    ),
    "positions": (
        "positions",
        "vacancies",
        "openings",
        "number of positions",
        "no of positions",
        "headcount",
        "total job openings",
        "quantity",
    ),
    "languages": (
        "languages",
        "language",
        "languages required",
        "language requirements",
        "language requirement",
    ),
}

_INCENTIVE: dict[str, tuple[str, ...]] = {
    "programme": (
        "programme",
        "program",
        "programme name",
        "program name",
        "scheme",
        "initiative",
        "funder",
    ),
    "provinces": (
        "provinces",
        "province",
        "eligible provinces",
        "target provinces",
        "location",
        "locations",
        "region",
        "regions",
        "area",
        "areas",
    ),
    "skills": (
        "skills",
        "activities",
        "activity",
        "skills activities",
        "eligible activities",
        "livelihood",
        "livelihoods",
        "sector activities",
    ),
    "benefit": ("benefit", "benefits", "incentive", "grant", "support", "what you get", "amount"),
    "sector": ("sector", "industry", "category"),
    "returned_within_months": (
        "returned within months",
        "returned within",
        "months since return",
        "max months since return",
        "return within months",
        "returned within month",
    ),
    "min_age": ("min age", "minimum age", "age min", "age from"),
    "max_age": ("max age", "maximum age", "age max", "age to"),
    "sex": ("sex", "gender"),
    "survivors_priority": (
        "survivors priority",
        "survivor priority",
        "priority for survivors",
        "trafficking survivors priority",
    ),
}

#: Columns without which a kind of feed cannot be read at all.
REQUIRED: dict[str, tuple[str, ...]] = {"job": ("title", "location"), "incentive": ("title",)}


def header_key(name: str) -> str:
    """Case, spaces, underscores and punctuation do not matter: "Job_Title" == "job title"."""
    return " ".join(re.sub(r"[^\w]+|_", " ", name.replace("\ufeff", "").casefold()).split())


def synonyms(kind: str) -> dict[str, str]:
    """Header key -> field name for one kind of feed."""
    table = {**_COMMON, **(_JOB if kind == "job" else _INCENTIVE)}
    return {header_key(alias): field for field, aliases in table.items() for alias in aliases}


def examples(field: str, kind: str) -> tuple[str, ...]:
    """A few accepted header names for a field, for error messages."""
    table = {**_COMMON, **(_JOB if kind == "job" else _INCENTIVE)}
    return table[field][:4]
