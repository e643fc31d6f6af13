"""Match reasons in the officer's language: the engine's codes and parameters, rendered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from matching.scoring import Component, Match, Reason
from matching.vocabulary import Vocabulary
from reintegrate.reference import language_name, province_name

COMPONENT = {
    "skills": _l("Skills"),
    "location": _l("Location"),
    "languages": _l("Languages"),
    "eligibility": _l("Eligibility"),
    "interests": _l("Interests"),
}
_UNVERIFIED_FIELD = {"return_date": _l("return date"), "date_of_birth": _l("date of birth")}


def vocabulary_locale() -> str:
    """The vocabulary's label language for the current page: Khmer or English."""
    return "km" if str(get_locale() or "en") == "km" else "en"


def _skills(codes: Iterable[str], vocabulary: Vocabulary) -> str:
    return ", ".join(vocabulary.label(code, vocabulary_locale()) for code in codes)  # type: ignore[arg-type]


def _languages(codes: Iterable[str]) -> str:
    return ", ".join(language_name(code, vocabulary_locale()) for code in codes)


def _kind(kind: str) -> str:
    return _("local jobs") if kind == "job" else _("incentive programmes")


def render(reason: Reason, vocabulary: Vocabulary) -> str:
    """One reason as a sentence an officer can read aloud to the returnee."""
    p: Mapping[str, Any] = reason.params
    code = reason.code
    if code == "skills.covered":
        return _(
            "has %(have)d of %(need)d required skills: %(skills)s",
            have=p["have"],
            need=p["need"],
            skills=_skills(p["skills"], vocabulary),
        )
    if code == "skills.related":
        return _(
            "related experience for %(skills)s (from %(via)s)",
            skills=_skills(p["skills"], vocabulary),
            via=_skills(p["via"], vocabulary),
        )
    if code == "skills.missing":
        return _("missing: %(skills)s", skills=_skills(p["skills"], vocabulary))
    if code == "skills.none":
        return _(
            "has none of the %(need)d required skills: %(skills)s",
            need=p["need"],
            skills=_skills(p["skills"], vocabulary),
        )
    if code == "skills.not_required":
        return _("no particular skills required")
    if code == "location.same_province":
        return _(
            "same province (%(province)s)",
            province=province_name(p["province"], vocabulary_locale()),
        )
    if code == "location.preferred":
        return _(
            "%(km)d km from home, in a preferred province (%(province)s)",
            km=p["km"],
            province=province_name(p["province"], vocabulary_locale()),
        )
    if code == "location.distance":
        province = province_name(p["province"], vocabulary_locale())
        if p["willing_to_relocate"]:
            return _(
                "%(km)d km from home (%(province)s), willing to relocate",
                km=p["km"],
                province=province,
            )
        return _(
            "%(km)d km from home (%(province)s), not willing to relocate",
            km=p["km"],
            province=province,
        )
    if code == "location.nationwide":
        return _("open nationwide")
    if code == "languages.none_required":
        return _("no language required")
    if code == "languages.all":
        return _("speaks %(languages)s", languages=_languages(p["languages"]))
    if code == "languages.missing":
        return _("does not speak %(languages)s", languages=_languages(p["missing"]))
    if code == "eligibility.open":
        return _("no eligibility conditions")
    if code == "eligibility.eligible":
        months = p["months_since_return"]
        parts = [_("eligible")]
        if months is not None:
            parts.append(_("returned %(months)d months ago", months=months))
        if p["age"] is not None:
            parts.append(_("age %(age)d", age=p["age"]))
        if p["border_province"]:
            parts.append(_("border province"))
        return ", ".join(parts)
    if code == "eligibility.unverified":
        fields = ", ".join(str(_UNVERIFIED_FIELD.get(f, f)) for f in p["fields"])
        return _("eligibility not verified: %(fields)s missing", fields=fields)
    if code == "eligibility.survivor_priority":
        return _("survivors have priority in this programme")
    if code == "interests.match":
        return _("interested in %(kind)s", kind=_kind(p["kind"]))
    if code == "interests.other":
        return _("did not ask for %(kind)s", kind=_kind(p["kind"]))
    if code == "interests.unstated":
        return _("no interests recorded")
    return code


def component_view(component: Component, vocabulary: Vocabulary) -> dict[str, Any]:
    """A component as pages and the API show it: name, label, value, weight and reasons."""
    return {
        "name": component.name,
        "label": str(COMPONENT.get(component.name, component.name)),
        "value": round(component.value, 3),
        "weight": component.weight,
        "reasons": [
            {"code": r.code, "params": _plain(r.params), "text": render(r, vocabulary)}
            for r in component.reasons
        ],
    }


def explained(match: Match, vocabulary: Vocabulary) -> dict[str, Any]:
    """A match as pages and the API show it: score, each component, and all reasons."""
    return {
        "score": match.score,
        "components": [component_view(c, vocabulary) for c in match.components],
        "reasons": [render(r, vocabulary) for r in match.reasons],
    }


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple | frozenset | set) else v for k, v in params.items()}
