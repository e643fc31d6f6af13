"""Match reasons in the officer's language: the engine's codes and parameters, rendered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import get_locale, get_translations

from matching.scoring import Component, Match, Reason
from matching.vocabulary import Vocabulary
from reintegrate.errors import N_
from reintegrate.reference import language_name, province_name

COMPONENT = {
    "skills": N_("Skills"),
    "location": N_("Location"),
    "languages": N_("Languages"),
    "eligibility": N_("Eligibility"),
    "interests": N_("Interests"),
}
_UNVERIFIED_FIELD = {"return_date": N_("return date"), "date_of_birth": N_("date of birth")}


def vocabulary_locale() -> str:
    """The vocabulary's label language for the current page: Khmer or English."""
    return "km" if str(get_locale() or "en") == "km" else "en"


class _Phrasebook:
    """The request's translations and label language, looked up once per match.

    A page of ten matches renders about 180 strings; flask_babel.gettext walks the request
    context for each, which cost more than ranking the 50,000 listings (bench/load.sh).
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._translations = get_translations()
        self.locale = vocabulary_locale()
        self.vocabulary = vocabulary

    def gettext(self, string: str, **variables: Any) -> str:
        text = self._translations.ugettext(string)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        """The form for `num` in the page's language ("1 month", "3 months")."""
        return self._translations.ungettext(singular, plural, num) % {"num": num, **variables}

    def skills(self, codes: Iterable[str]) -> str:
        return ", ".join(self.vocabulary.label(code, self.locale) for code in codes)  # type: ignore[arg-type]

    def languages(self, codes: Iterable[str]) -> str:
        return ", ".join(language_name(code, self.locale) for code in codes)

    def province(self, code: str) -> str:
        return province_name(code, self.locale)

    def kind(self, kind: str) -> str:
        _ = self.gettext
        return _("local jobs") if kind == "job" else _("incentive programmes")


def render(reason: Reason, book: _Phrasebook) -> str:
    """One reason as a sentence an officer can read aloud to the returnee."""
    _ = book.gettext
    ngettext = book.ngettext
    p: Mapping[str, Any] = reason.params
    code = reason.code
    if code == "skills.covered":
        return _(
            "has %(have)d of %(need)d required skills: %(skills)s",
            have=p["have"],
            need=p["need"],
            skills=book.skills(p["skills"]),
        )
    if code == "skills.related":
        return _(
            "related experience for %(skills)s (from %(via)s)",
            skills=book.skills(p["skills"]),
            via=book.skills(p["via"]),
        )
    if code == "skills.missing":
        return _("missing: %(skills)s", skills=book.skills(p["skills"]))
    if code == "skills.none":
        return _(
            "has none of the %(need)d required skills: %(skills)s",
            need=p["need"],
            skills=book.skills(p["skills"]),
        )
    if code == "skills.not_required":
        return _("no particular skills required")
    if code == "location.same_province":
        return _(
            "same province (%(province)s)",
            province=book.province(p["province"]),
        )
    if code == "location.preferred":
        return _(
            "%(km)d km from home, in a preferred province (%(province)s)",
            km=p["km"],
            province=book.province(p["province"]),
        )
    if code == "location.distance":
        province = book.province(p["province"])
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
    if code == "location.beyond_commute":
        return _(
            "%(km)d km from home (%(province)s): too far to travel daily and not willing to"
            " relocate, so ranked below every job within reach",
            km=p["km"],
            province=book.province(p["province"]),
        )
    if code == "location.nationwide":
        return _("open nationwide")
    if code == "languages.none_required":
        return _("no language required")
    if code == "languages.all":
        return _("speaks %(languages)s", languages=book.languages(p["languages"]))
    if code == "languages.missing":
        return _("does not speak %(languages)s", languages=book.languages(p["missing"]))
    if code == "eligibility.open":
        return _("no eligibility conditions")
    if code == "eligibility.eligible":
        months = p["months_since_return"]
        parts = [_("eligible")]
        if months == 0:
            parts.append(_("returned this month"))
        elif months is not None:
            parts.append(
                ngettext("returned %(num)d month ago", "returned %(num)d months ago", months)
            )
        if p["age"] is not None:
            parts.append(_("age %(age)d", age=p["age"]))
        if p["border_province"]:
            parts.append(_("border province"))
        return ", ".join(parts)
    if code == "eligibility.unverified":
        fields = ", ".join(
            _(_UNVERIFIED_FIELD[f]) if f in _UNVERIFIED_FIELD else f for f in p["fields"]
        )
        return _("eligibility not verified: %(fields)s missing", fields=fields)
    if code == "eligibility.survivor_priority":
        return _("survivors have priority in this programme")
    if code == "interests.match":
        return _("interested in %(kind)s", kind=book.kind(p["kind"]))
    if code == "interests.other":
        return _("did not ask for %(kind)s", kind=book.kind(p["kind"]))
    if code == "interests.unstated":
        return _("no interests recorded")
    return code


def component_view(component: Component, book: _Phrasebook) -> dict[str, Any]:
    """A component as pages and the API show it: name, label, value, weight and reasons."""
    name = component.name
    return {
        "name": name,
        "label": book.gettext(COMPONENT[name]) if name in COMPONENT else name,
        "value": round(component.value, 3),
        "weight": component.weight,
        "reasons": [
            {"code": r.code, "params": _plain(r.params), "text": render(r, book)}
            for r in component.reasons
        ],
    }


def explained(match: Match, vocabulary: Vocabulary) -> dict[str, Any]:
    """A match as pages and the API show it: score, each component, and all reasons."""
    book = _Phrasebook(vocabulary)
    components = [component_view(c, book) for c in match.components]
    return {
        "score": match.score,
        "components": components,
        # Match.reasons is the components' reasons in order: each is rendered once.
        "reasons": [reason["text"] for c in components for reason in c["reasons"]],
    }


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple | frozenset | set) else v for k, v in params.items()}
