"""The closed set of match reason codes, their parameters and one English template each.

The app renders reasons in English and Khmer from ``code`` and ``params``; the templates here
document each code and serve the tests. Skill and province parameters are codes (skill codes,
province codes "01".."25", ISO 639-1 languages); the app turns them into labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ReasonSpec:
    """What a reason code carries and how it reads in English."""

    params: tuple[str, ...]
    template_en: str


REASONS: Mapping[str, ReasonSpec] = {
    # skills
    "skills.covered": ReasonSpec(
        ("have", "need", "skills"), "Has {have} of the {need} skills required: {skills}"
    ),
    "skills.related": ReasonSpec(
        ("count", "skills", "via"), "Has related experience for {count} more: {skills} (from {via})"
    ),
    "skills.missing": ReasonSpec(("skills",), "Missing: {skills}"),
    "skills.none": ReasonSpec(
        ("need", "skills"), "Has none of the {need} skills required: {skills}"
    ),
    "skills.not_required": ReasonSpec((), "No particular skills required"),
    # location
    "location.same_province": ReasonSpec(("province",), "In the home province ({province})"),
    "location.preferred": ReasonSpec(
        ("province", "km"), "In a preferred province ({province}), {km} km from home"
    ),
    "location.distance": ReasonSpec(
        ("province", "km", "willing_to_relocate"),
        "In {province}, {km} km from home (willing to relocate: {willing_to_relocate})",
    ),
    "location.beyond_commute": ReasonSpec(
        ("province", "km", "commute_km"),
        "In {province}, {km} km from home: beyond a daily commute ({commute_km} km) for someone"
        " not willing to relocate, so ranked below every job within reach",
    ),
    "location.nationwide": ReasonSpec((), "Open nationwide"),
    # languages
    "languages.none_required": ReasonSpec((), "No language required"),
    "languages.all": ReasonSpec(("languages",), "Speaks the languages required: {languages}"),
    "languages.missing": ReasonSpec(
        ("missing", "have"), "Does not speak {missing} (speaks {have} of those required)"
    ),
    # eligibility
    "eligibility.open": ReasonSpec((), "No eligibility conditions"),
    "eligibility.eligible": ReasonSpec(
        ("months_since_return", "border_province", "age"),
        "Eligible: returned {months_since_return} months ago, age {age}, "
        "border province: {border_province}",
    ),
    "eligibility.unverified": ReasonSpec(
        ("fields",), "Eligibility not verified, missing: {fields}"
    ),
    "eligibility.survivor_priority": ReasonSpec((), "Programme gives priority to survivors"),
    # interests
    "interests.match": ReasonSpec(("kind",), "Interested in {kind} listings"),
    "interests.other": ReasonSpec(("kind",), "Did not ask for {kind} listings"),
    "interests.unstated": ReasonSpec(("kind",), "No interests recorded; this is a {kind} listing"),
}
"""Every reason code the engine emits, with exactly these parameter names."""


def render_en(code: str, params: Mapping[str, object]) -> str:
    """English text of a reason; lists are joined with commas, booleans read yes/no."""
    values = {}
    for name, value in params.items():
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, tuple | list | frozenset | set):
            value = ", ".join(str(v) for v in value)
        elif value is None:
            value = "unknown"
        values[name] = value
    return REASONS[code].template_en.format(**values)
