"""Text normalisation shared by every fuzzy comparison (skills, names, titles, places)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_KHMER = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")
_SPACES = re.compile(r"\s+")


def _is_punctuation(char: str) -> bool:
    category = unicodedata.category(char)
    return category.startswith("P") or category.startswith("S") or category == "Cc"


class _Blanking(dict[int, int | None]):
    """A `str.translate` table built as characters are met: punctuation, symbols and control
    characters become a space, the zero-width space goes, everything else stays.

    Long texts (descriptions in a 200,000-row import) are normalised several times each; a
    table lookup per character is many times faster than asking `unicodedata` every time.
    """

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        value = None if char == "\u200b" else 32 if _is_punctuation(char) else code
        self[code] = value
        return value


_BLANKING = _Blanking()


@lru_cache(maxsize=200_000)
def normalise(text: str | None) -> str:
    """NFC, casefold, punctuation and symbols to spaces, whitespace collapsed.

    Unlike rapidfuzz's ``default_process`` this keeps Khmer vowel signs and subscripts
    (categories Mn/Mc), which carry meaning; it only removes Khmer punctuation such as ។.
    The result is NFC again (casefolding and removing a zero-width space can leave a letter
    and its accent apart), so normalising twice changes nothing.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.translate(_BLANKING)
    return unicodedata.normalize("NFC", _SPACES.sub(" ", text).strip())


def strip_accents(text: str) -> str:
    """Latin accents removed ("Kratié" -> "kratie"); Khmer text is returned unchanged."""
    if has_khmer(text):
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def has_khmer(text: str) -> bool:
    """True if the text contains any Khmer character."""
    return bool(_KHMER.search(text or ""))


@lru_cache(maxsize=200_000)
def processor(text: str) -> str:
    """The rapidfuzz processor we use everywhere: ``normalise`` then Latin accents stripped
    (spaces collapsed again: an accent alone after a space leaves the space behind)."""
    return _SPACES.sub(" ", strip_accents(normalise(text))).strip()


class PhraseFinder:
    """Which of a fixed list of phrases a normalised text contains: Khmer phrases anywhere
    (Khmer does not put spaces between words), others as whole words.

    Phrases are normalised and their script decided once, not for every text searched: an
    import screens every listing against the same lists. The phrase reported is the first
    one listed that the text contains.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = tuple(normalise(phrase) for phrase in phrases)
        self._needles = tuple(
            (index, phrase if has_khmer(phrase) else f" {phrase} ", has_khmer(phrase))
            for index, phrase in enumerate(self.phrases)
            if phrase
        )

    def first(self, text: str) -> int | None:
        """The index of the first listed phrase in `text` (already normalised), or None."""
        padded = f" {text} "
        for index, needle, khmer in self._needles:
            if needle in (text if khmer else padded):
                return index
        return None
