"""Skills normalised at write time, and the admin's mappings of phrases the vocabulary lacks."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from matching.vocabulary import SkillMatch, Vocabulary, phrase_key, strong_suggestion
from reintegrate.errors import N_, InvalidInput
from reintegrate.models import ListingSkill, ReturneeSkill, SkillMapping, SkillPhraseDecision
from reintegrate.reference import REFERENCE_DIR
from reintegrate.services import audit
from reintegrate.services.access import Actor
from reintegrate.services.policy import authorize
from reintegrate.services.table_watch import TableWatch

SKILLS_CSV = REFERENCE_DIR / "skills.csv"
SKILL_TABLES = (ReturneeSkill, ListingSkill)
_lock = threading.Lock()
_cached: dict[str, Any] = {"key": None, "vocabulary": None}


@cache
def base_vocabulary() -> Vocabulary:
    return Vocabulary.from_csv(SKILLS_CSV)


@cache
def file_version() -> str:
    """Which skills.csv a stored code came from: rows of another version are normalised again."""
    return hashlib.sha256(SKILLS_CSV.read_bytes()).hexdigest()[:16]


mappings_watch = TableWatch(
    "skill_mappings",
    (SkillMapping,),
    lambda session: tuple(
        session.execute(select(func.count(SkillMapping.id), func.max(SkillMapping.id))).one()
    ),
)


def current_vocabulary(session: Session) -> Vocabulary:
    """The vocabulary with the admins' mappings, rebuilt only when the mappings change.

    Cached per process, and on the session for the length of its transaction, so an import
    of 100,000 rows asks the database once.
    """
    if "vocabulary" in session.info:
        return session.info["vocabulary"]
    key = mappings_watch.state(session)
    with _lock:
        if _cached["key"] != key:
            mappings = {
                key: code
                for key, code in session.execute(select(SkillMapping.phrase_key, SkillMapping.code))
            }
            _cached["vocabulary"] = base_vocabulary().with_mappings(mappings)
            _cached["key"] = key
        vocabulary = _cached["vocabulary"]
    session.info["vocabulary"] = vocabulary
    return vocabulary


def normalise(session: Session, texts: Iterable[str]) -> list[SkillMatch]:
    """Free text (lines, commas, "and", និង) split into phrases, each mapped to a skill or not."""
    seen: dict[str, SkillMatch] = {}
    for match in current_vocabulary(session).normalise_text(list(texts)):
        seen.setdefault(phrase_key(match.raw), match)
    return list(seen.values())


def skill_values(
    session: Session, texts: Sequence[str], version: str | None = None
) -> list[dict[str, Any]]:
    """The columns of a record's skill rows (raw phrase kept, code and confidence beside it);
    a bulk import passes the vocabulary `version` once rather than hashing the file per row."""
    version = version or file_version()
    return [
        {
            "position": i,
            "raw_text": match.raw[:200],
            "phrase_key": phrase_key(match.raw)[:200],
            "code": match.code,
            "confidence": round(match.confidence, 3) if match.code else None,
            "vocabulary_version": version,
        }
        for i, match in enumerate(normalise(session, texts))
    ]


def skill_rows(
    session: Session, model: type[ReturneeSkill] | type[ListingSkill], texts: Sequence[str]
) -> list[Any]:
    """New skill rows for a returnee or listing."""
    return [model(**values) for values in skill_values(session, texts)]


@dataclass(frozen=True)
class UnmappedPhrase:
    phrase_key: str
    example: str
    returnees: int
    listings: int
    suggestions: tuple[tuple[str, float], ...]

    @property
    def preselected(self) -> str | None:
        """The one suggestion strong enough to be the page's default answer, else none."""
        return strong_suggestion(self.suggestions)


def unmapped_phrases(session: Session, actor: Actor, limit: int = 200) -> list[UnmappedPhrase]:
    """Phrases no skill matched and no admin has answered, most frequent first, with the
    vocabulary's suggestions."""
    authorize(actor, "skills.map")
    counts: dict[str, dict[str, Any]] = {}
    decided = select(SkillPhraseDecision.phrase_key)
    for model, column in ((ReturneeSkill, "returnees"), (ListingSkill, "listings")):
        rows = session.execute(
            select(model.phrase_key, func.min(model.raw_text), func.count())
            .where(
                model.code.is_(None),
                model.phrase_key.is_not(None),
                model.phrase_key.not_in(decided),
            )
            .group_by(model.phrase_key)
        )
        for key, example, count in rows:
            entry = counts.setdefault(key, {"example": example, "returnees": 0, "listings": 0})
            entry[column] = count
    vocabulary = current_vocabulary(session)
    ranked = sorted(
        counts.items(), key=lambda item: (-(item[1]["returnees"] + item[1]["listings"]), item[0])
    )
    return [
        UnmappedPhrase(
            phrase_key=key,
            example=entry["example"],
            returnees=entry["returnees"],
            listings=entry["listings"],
            suggestions=vocabulary.normalise_phrase(entry["example"]).suggestions,
        )
        for key, entry in ranked[:limit]
    ]


def map_phrase(session: Session, actor: Actor, phrase: str, code: str) -> int:
    """Map a phrase to a skill; every stored row with that phrase takes the code now."""
    authorize(actor, "skills.map")
    key = phrase_key(phrase)[:200]
    errors: dict[str, list[str]] = {}
    if not key:
        errors["phrase"] = [N_("Missing data for required field.")]
    if code not in base_vocabulary():
        errors["code"] = [N_("Unknown skill.")]
    if errors:
        raise InvalidInput(errors)
    mapping = session.scalar(select(SkillMapping).where(SkillMapping.phrase_key == key))
    if mapping is None:
        mapping = SkillMapping(
            phrase_key=key, example=phrase[:200], code=code, created_by_id=actor.user_id
        )
        session.add(mapping)
    else:
        mapping.code = code
    session.execute(delete(SkillPhraseDecision).where(SkillPhraseDecision.phrase_key == key))
    session.flush()
    session.info.pop("vocabulary", None)
    changed = 0
    for model in SKILL_TABLES:
        result = session.execute(
            update(model)
            .where(model.phrase_key == key)
            .values(code=code, confidence=1.0, vocabulary_version=file_version())
        )
        changed += result.rowcount or 0
    audit.record(
        session,
        actor,
        "update",
        "skill_mapping",
        mapping.id,
        detail={"code": code, "rows": changed},
    )
    return changed


NOT_A_SKILL = "not_a_skill"
PROPOSED = "proposed"
OTHER_SKILL = "other"
SKILL_PREFIX = "skill:"


def _answer_errors(phrase: str, answer: str, name: str) -> dict[str, list[str]]:
    """Every reason to refuse an answer at once, each under the field the page shows it by."""
    errors: dict[str, list[str]] = {}
    if not phrase_key(phrase):
        errors["phrase"] = [N_("Missing data for required field.")]
    if answer.startswith(SKILL_PREFIX):
        if answer.removeprefix(SKILL_PREFIX) not in base_vocabulary():
            errors["answer"] = [N_("Unknown skill.")]
    elif answer not in (OTHER_SKILL, NOT_A_SKILL, PROPOSED):
        errors["answer"] = [N_("Choose what this phrase is.")]
    if len(name) > 200:
        errors["name"] = [N_("Name the new skill in 200 characters or fewer.")]
    elif answer == OTHER_SKILL and skill_named(name) is None:
        errors["name"] = [N_("Choose a skill from the list.")]
    elif answer == PROPOSED and not name:
        errors["name"] = [N_("Name the new skill.")]
    return errors


def _chosen_skill(answer: str, name: str) -> str | None:
    """The skill an answer maps the phrase to (picked from the list or typed by name), if any."""
    if answer.startswith(SKILL_PREFIX):
        return answer.removeprefix(SKILL_PREFIX)
    return skill_named(name) if answer == OTHER_SKILL else None


def answer_phrase(session: Session, actor: Actor, phrase: str, answer: str, name: str = "") -> str:
    """An admin's answer for an unknown phrase, as the page offers it: `skill:CODE`, `other`
    (a skill named in `name`, English or Khmer), `not_a_skill`, or `proposed` (a new skill
    named in `name`). Returns what was decided: a skill code, `not_a_skill` or `proposed`."""
    authorize(actor, "skills.map")
    name = " ".join(name.split())
    errors = _answer_errors(phrase, answer, name)
    if errors:
        raise InvalidInput(errors)
    code = _chosen_skill(answer, name)
    if code is not None:
        map_phrase(session, actor, phrase, code)
        return code
    key = phrase_key(phrase)[:200]
    decision = session.scalar(
        select(SkillPhraseDecision).where(SkillPhraseDecision.phrase_key == key)
    )
    if decision is None:
        decision = SkillPhraseDecision(
            phrase_key=key, example=phrase[:200], decision=answer, created_by_id=actor.user_id
        )
        session.add(decision)
    decision.decision = answer
    decision.proposed_name = name if answer == PROPOSED else None
    session.flush()
    audit.record(session, actor, "update", "skill_phrase", decision.id, detail={"decision": answer})
    return answer


def skill_named(name: str) -> str | None:
    """The code of the skill with this code or label (English or Khmer, any case)."""
    vocabulary = base_vocabulary()
    wanted = name.strip().casefold()
    for code in vocabulary.codes():
        labels = (code, vocabulary.label(code, "en"), vocabulary.label(code, "km"))
        if wanted in (label.casefold() for label in labels):
            return code
    return None


def phrase_decisions(session: Session, actor: Actor) -> list[SkillPhraseDecision]:
    """Phrases answered as not a skill or proposed as new skills, newest first."""
    authorize(actor, "skills.map")
    return list(
        session.scalars(
            select(SkillPhraseDecision).order_by(
                SkillPhraseDecision.created_at.desc(), SkillPhraseDecision.id.desc()
            )
        )
    )


def renormalise_stale(session: Session, batch: int = 2000) -> int:
    """Normalise again the rows stored under an older skills.csv (after a vocabulary update)."""
    version = file_version()
    vocabulary = current_vocabulary(session)
    changed = 0
    for model in SKILL_TABLES:
        while True:
            rows = session.scalars(
                select(model)
                .where((model.vocabulary_version.is_(None)) | (model.vocabulary_version != version))
                .limit(batch)
            ).all()
            if not rows:
                break
            for row in rows:
                match = vocabulary.normalise_phrase(row.raw_text)
                row.code = match.code
                row.confidence = round(match.confidence, 3) if match.code else None
                row.phrase_key = phrase_key(row.raw_text)[:200]
                row.vocabulary_version = version
            changed += len(rows)
            session.flush()
    return changed
