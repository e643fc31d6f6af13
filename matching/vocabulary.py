"""The skills vocabulary: canonical skills, and free text (English or Khmer) mapped to them."""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from rapidfuzz import fuzz, process

from matching.text import has_khmer, processor

ACCEPT_THRESHOLD = 0.80
"""A phrase maps to a code only at or above this confidence; below it the phrase stays unknown
(kept raw, shown to an admin) with suggestions. 0.80 accepts one typo in a 6+ letter word
("weldng", "bricklayr") but not "wedding planner" for "welding" (0.54)."""

SUGGEST_THRESHOLD = 0.50
"""Candidates below this are too far off to be useful even as a suggestion."""

AMBIGUITY_MARGIN = 0.03
"""A fuzzy match is not accepted when another code scores within this margin of it: "wedding"
is one letter from both "welding" and "weeding", so it is left for an admin to map."""

MAX_SUGGESTIONS = 3

STRONG_SUGGESTION = 0.85
"""An admin's page pre-selects a suggestion only at or above this score and clear of the next
one by AMBIGUITY_MARGIN: "composting" is 0.71 from "cooking", which must not be one click away."""


def strong_suggestion(suggestions: Sequence[tuple[str, float]]) -> str | None:
    """The suggestion strong enough to offer as the default answer, if any."""
    if not suggestions or suggestions[0][1] < STRONG_SUGGESTION:
        return None
    if len(suggestions) > 1 and suggestions[0][1] - suggestions[1][1] < AMBIGUITY_MARGIN:
        return None
    return suggestions[0][0]


_WORD_THRESHOLD = 88.0
"""Word-level fuzzy threshold for whole-word containment: "weldng"~"welding" (92) passes,
"wedding"~"welding" (86) does not."""

_SHORT_QUERY = 6
_SHORT_PENALTY = 0.9
"""Queries shorter than 6 characters are scaled down: one edit in a 5-letter word is 80 under
fuzz.ratio, which is too easily another word."""

_KHMER_MIN_CONTAINED = 3
"""A Khmer key must have at least this many characters to be looked for inside a longer
phrase: two-character words such as គោ (cow) occur inside unrelated words (គោយន្ត, tractor)."""

_NOISE_WORDS = frozenset(
    """a an the of in at for with as from to on by my i me did do can could know knows known
    have has had some good basic very more than about around over plus yrs yr year years month
    months experience experienced exp skill skills skilled abroad worked working thailand thai-land
    malaysia korea japan singapore taiwan saudi arabia dubai hong kong china""".split()
)
"""Words that carry no skill: durations, fillers and destination countries ("worked in korea"
must not become the Korean language)."""

_KHMER_NOISE = ("បទពិសោធន៍", "ឆ្នាំ")
_DIGITS = re.compile(r"[0-9\u17e0-\u17e9]+")
_SPLIT = re.compile(
    r"[\n\r,;/|+&•·、،។៕៖]|\s+-\s+|\s+(?:and|or)\s+|និង",
    flags=re.IGNORECASE,
)
_COENG_TA = "\u17d2\u178f"
_COENG_DA = "\u17d2\u178a"


@dataclass(frozen=True)
class Skill:
    """One canonical skill as read from skills.csv."""

    code: str
    sector: str
    isco08: str
    label_en: str
    label_km: str
    synonyms_en: tuple[str, ...]
    synonyms_km: tuple[str, ...]
    related: frozenset[str]


@dataclass(frozen=True)
class SkillMatch:
    """The result of normalising one phrase: the code (None if unknown) and how sure we are."""

    raw: str
    code: str | None
    confidence: float
    suggestions: tuple[tuple[str, float], ...]

    @property
    def matched(self) -> bool:
        return self.code is not None


def _khmer_key(text: str) -> str:
    """Khmer key: spaces dropped (officers space Khmer words inconsistently) and the two
    interchangeable subscripts ្ត/្ដ folded, so កណ្តាល and កណ្ដាល compare equal."""
    return text.replace(" ", "").replace(_COENG_TA, _COENG_DA)


def phrase_key(text: str) -> str:
    """The exact-lookup key of a phrase: ``processor`` for Latin text, plus ``_khmer_key``
    when it contains Khmer."""
    key = processor(text)
    return _khmer_key(key) if has_khmer(key) else key


def _split_scripts(key: str) -> tuple[str, str]:
    """(Latin words, Khmer run without spaces) of a processed phrase."""
    latin, khmer = [], []
    for word in key.split():
        (khmer if has_khmer(word) else latin).append(word)
    return " ".join(latin), _khmer_key("".join(khmer))


def _split_lines(text_or_lines: str | Iterable[str]) -> list[str]:
    lines = [text_or_lines] if isinstance(text_or_lines, str) else list(text_or_lines)
    parts: list[str] = []
    for line in lines:
        if not line:
            continue
        parts.extend(p.strip() for p in _SPLIT.split(unicodedata.normalize("NFC", line)))
    return [p for p in parts if p and processor(p)]


class Vocabulary:
    """Canonical skills with their synonyms, relations and admin-made phrase mappings.

    Immutable once built: ``with_mappings`` returns a new vocabulary, so cached lookups never go
    stale. ``version`` changes whenever the data file or the mappings change, which tells the app
    that stored records must be normalised again.
    """

    def __init__(
        self,
        skills: Iterable[Skill],
        mappings: Mapping[str, str] | None = None,
        *,
        source_digest: str = "",
    ):
        self._skills: dict[str, Skill] = {}
        for skill in skills:
            if skill.code in self._skills:
                raise ValueError(f"duplicate skill code {skill.code!r}")
            self._skills[skill.code] = skill
        self._source_digest = source_digest
        self._mappings: dict[str, str] = {}
        for phrase, code in (mappings or {}).items():
            if code not in self._skills:
                raise ValueError(f"mapping {phrase!r} points to unknown skill code {code!r}")
            key = phrase_key(phrase)
            if key:
                self._mappings[key] = code

        self._exact: dict[str, str] = {}
        for skill in self._skills.values():
            for phrase in (
                skill.code.replace("_", " "),
                skill.label_en,
                skill.label_km,
                *skill.synonyms_en,
                *skill.synonyms_km,
            ):
                key = phrase_key(phrase)
                if not key:
                    continue
                known = self._exact.setdefault(key, skill.code)
                if known != skill.code:
                    raise ValueError(f"phrase {phrase!r} belongs to both {known} and {skill.code}")
        self._exact.update(self._mappings)

        self._latin_keys = [k for k in self._exact if not has_khmer(k)]
        self._latin_codes = [self._exact[k] for k in self._latin_keys]
        self._khmer_keys = sorted((k for k in self._exact if has_khmer(k)), key=len, reverse=True)
        self._khmer_codes = [self._exact[k] for k in self._khmer_keys]
        self._key_words: list[tuple[str, ...]] = []
        self._word_index: dict[str, list[int]] = {}
        for i, key in enumerate(self._latin_keys):
            words = tuple(w for w in key.split() if w not in _NOISE_WORDS) or tuple(key.split())
            self._key_words.append(words)
            for word in set(words):
                self._word_index.setdefault(word, []).append(i)
        self._words = list(self._word_index)

        digest = hashlib.sha256(source_digest.encode())
        for key in sorted(self._mappings):
            digest.update(f"\n{key}\t{self._mappings[key]}".encode())
        if not source_digest:
            for code in sorted(self._skills):
                digest.update(repr(self._skills[code]).encode())
        self.version: str = digest.hexdigest()[:16]
        self._lookup = lru_cache(maxsize=200_000)(self._normalise_uncached)

    @classmethod
    def from_csv(cls, path: str | Path, mappings: Mapping[str, str] | None = None) -> Vocabulary:
        """Load skills.csv (code, sector, isco08, label_en, label_km, synonyms_en, synonyms_km,
        related; lists separated by ";")."""
        raw = Path(path).read_bytes()
        text = raw.decode("utf-8-sig")
        skills = []
        for row in csv.DictReader(text.splitlines()):
            skills.append(
                Skill(
                    code=row["code"].strip(),
                    sector=row["sector"].strip(),
                    isco08=row["isco08"].strip(),
                    label_en=row["label_en"].strip(),
                    label_km=unicodedata.normalize("NFC", row["label_km"].strip()),
                    synonyms_en=_list(row["synonyms_en"]),
                    synonyms_km=tuple(
                        unicodedata.normalize("NFC", s) for s in _list(row["synonyms_km"])
                    ),
                    related=frozenset(_list(row["related"])),
                )
            )
        return cls(skills, mappings, source_digest=hashlib.sha256(raw).hexdigest())

    def with_mappings(self, mappings: Mapping[str, str]) -> Vocabulary:
        """A new vocabulary with these admin mappings (replacing the current ones)."""
        return Vocabulary(self._skills.values(), mappings, source_digest=self._source_digest)

    @property
    def skills(self) -> Mapping[str, Skill]:
        return MappingProxyType(self._skills)

    @property
    def mappings(self) -> Mapping[str, str]:
        return MappingProxyType(self._mappings)

    def __contains__(self, code: object) -> bool:
        return code in self._skills

    def __len__(self) -> int:
        return len(self._skills)

    def codes(self) -> tuple[str, ...]:
        return tuple(sorted(self._skills))

    def label(self, code: str, locale: Literal["en", "km"] = "en") -> str:
        """The label shown to users; an unknown (retired) code is shown as itself."""
        skill = self._skills.get(code)
        if skill is None:
            return code
        return skill.label_km if locale == "km" else skill.label_en

    def related(self, code: str) -> frozenset[str]:
        """Close skills that earn partial credit; empty for unknown codes (old records may hold
        codes retired from the file)."""
        skill = self._skills.get(code)
        return skill.related if skill else frozenset()

    def sector(self, code: str) -> str:
        skill = self._skills.get(code)
        return skill.sector if skill else "other"

    def normalise_phrase(self, text: str) -> SkillMatch:
        """Map one phrase to a canonical code (cached; imports repeat the same phrases)."""
        match = self._lookup(text or "")
        return (
            match
            if match.raw == text
            else SkillMatch(text, match.code, match.confidence, match.suggestions)
        )

    def normalise_text(self, text_or_lines: str | Iterable[str]) -> list[SkillMatch]:
        """Split free text (newlines, commas, semicolons, "/", " and ", "និង", ...) and normalise
        each part."""
        return [self.normalise_phrase(part) for part in _split_lines(text_or_lines)]

    def codes_in(self, text_or_lines: str | Iterable[str]) -> frozenset[str]:
        """The accepted codes found in free text."""
        return frozenset(m.code for m in self.normalise_text(text_or_lines) if m.code)

    def _normalise_uncached(self, text: str) -> SkillMatch:
        key = phrase_key(text)
        if not key:
            return SkillMatch(text, None, 0.0, ())
        code = self._exact.get(key)
        if code:
            return SkillMatch(text, code, 1.0, ((code, 1.0),))
        latin, khmer = _split_scripts(processor(text))
        scores: dict[str, float] = {}
        if latin:
            _best_into(scores, self._score_latin(latin))
        if khmer:
            _best_into(scores, self._score_khmer(khmer))
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        suggestions = tuple(
            (c, round(s / 100.0, 3))
            for c, s in ranked[:MAX_SUGGESTIONS]
            if s >= SUGGEST_THRESHOLD * 100
        )
        clear = len(suggestions) < 2 or suggestions[0][1] - suggestions[1][1] >= AMBIGUITY_MARGIN
        if suggestions and suggestions[0][1] >= ACCEPT_THRESHOLD and clear:
            return SkillMatch(text, suggestions[0][0], suggestions[0][1], suggestions)
        return SkillMatch(text, None, suggestions[0][1] if suggestions else 0.0, suggestions)

    def _score_latin(self, key: str) -> dict[str, float]:
        """fuzz.ratio on the whole phrase, plus whole-word containment: every (content) word of a
        vocabulary phrase found, exactly or nearly, among the query's words."""
        words = [w for w in _DIGITS.sub(" ", key).split() if w not in _NOISE_WORDS]
        if not words:
            return {}
        cleaned = " ".join(words)
        if cleaned in self._exact:
            return {self._exact[cleaned]: 100.0}
        scores: dict[str, float] = {}
        penalty = _SHORT_PENALTY if len(cleaned) < _SHORT_QUERY else 1.0
        for _, score, i in process.extract(
            cleaned,
            self._latin_keys,
            scorer=fuzz.ratio,
            processor=None,
            limit=10,
            score_cutoff=SUGGEST_THRESHOLD * 100,
        ):
            _best_into(scores, {self._latin_codes[i]: score * penalty})

        matched: dict[str, float] = {}
        for word in set(words):
            if word in self._word_index:
                matched[word] = 100.0
            if len(word) >= 5:
                for other, score, _ in process.extract(
                    word,
                    self._words,
                    scorer=fuzz.ratio,
                    processor=None,
                    limit=5,
                    score_cutoff=_WORD_THRESHOLD,
                ):
                    matched[other] = max(matched.get(other, 0.0), score)
        candidates = {i for w in matched for i in self._word_index[w]}
        for i in candidates:
            key_words = self._key_words[i]
            if not all(w in matched for w in key_words):
                continue
            mean = sum(matched[w] for w in key_words) / len(key_words)
            covered = min(1.0, len(key_words) / len(words))
            score = min(97.0, mean * (0.8 + 0.2 * covered))
            _best_into(scores, {self._latin_codes[i]: score})
        return scores

    def _score_khmer(self, key: str) -> dict[str, float]:
        """Khmer is matched whole (no word boundaries): exact, then the longest vocabulary phrase
        contained in the query, then fuzz.ratio on the whole run for misspellings."""
        for noise in _KHMER_NOISE:
            key = key.replace(noise, "")
        key = _DIGITS.sub("", key)
        if not key:
            return {}
        if key in self._exact:
            return {self._exact[key]: 100.0}
        scores: dict[str, float] = {}
        for candidate, code in zip(self._khmer_keys, self._khmer_codes, strict=True):
            if len(candidate) >= _KHMER_MIN_CONTAINED and candidate in key:
                _best_into(scores, {code: min(97.0, 85.0 + 15.0 * len(candidate) / len(key))})
        for _, score, i in process.extract(
            key,
            self._khmer_keys,
            scorer=fuzz.ratio,
            processor=None,
            limit=10,
            score_cutoff=SUGGEST_THRESHOLD * 100,
        ):
            _best_into(scores, {self._khmer_codes[i]: score})
        return scores


def _best_into(target: dict[str, float], scores: Mapping[str, float]) -> None:
    for code, score in scores.items():
        if score > target.get(code, -1.0):
            target[code] = score


def _list(cell: str | None) -> tuple[str, ...]:
    return tuple(s.strip() for s in (cell or "").split(";") if s.strip())
