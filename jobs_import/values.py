"""Small value readers: employment type, languages, sex, yes/no, counts and phrase lists."""

from __future__ import annotations

import functools
import re

from jobs_import.records import N_
from matching.text import normalise

_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")

_EMPLOYMENT: dict[str, str] = {
    "full time": "full_time",
    "fulltime": "full_time",
    "permanent": "full_time",
    "regular": "full_time",
    "ពេញម៉ោង": "full_time",
    "ពេញ ម៉ោង": "full_time",
    "part time": "part_time",
    "parttime": "part_time",
    "ក្រៅម៉ោង": "part_time",
    "contract": "contract",
    "contractor": "contract",
    "fixed term": "contract",
    "fixed term contract": "contract",
    "កិច្ចសន្យា": "contract",
    "temporary": "temporary",
    "temp": "temporary",
    "casual": "temporary",
    "daily": "temporary",
    "day labour": "temporary",
    "day labor": "temporary",
    "per diem": "temporary",
    "បណ្តោះអាសន្ន": "temporary",
    "បណ្ដោះអាសន្ន": "temporary",
    "seasonal": "seasonal",
    "season": "seasonal",
    "harvest": "seasonal",
    "intern": "internship",
    "internship": "internship",
    "apprentice": "internship",
    "apprenticeship": "internship",
    "trainee": "internship",
    "កម្មសិក្សា": "internship",
    "self employment": "self_employment",
    "self employed": "self_employment",
    "own business": "self_employment",
    "freelance": "self_employment",
}

#: Language names (English and Khmer) and common codes to ISO 639-1.
LANGUAGES: dict[str, str] = {
    "english": "en",
    "khmer": "km",
    "cambodian": "km",
    "thai": "th",
    "korean": "ko",
    "japanese": "ja",
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "zh",
    "vietnamese": "vi",
    "malay": "ms",
    "malaysian": "ms",
    "lao": "lo",
    "laotian": "lo",
    "french": "fr",
    "indonesian": "id",
    "tagalog": "tl",
    "filipino": "tl",
    "arabic": "ar",
    "burmese": "my",
    "myanmar": "my",
    "hindi": "hi",
    "german": "de",
    "russian": "ru",
    "spanish": "es",
    "អង់គ្លេស": "en",
    "ខ្មែរ": "km",
    "ថៃ": "th",
    "កូរ៉េ": "ko",
    "ជប៉ុន": "ja",
    "ចិន": "zh",
    "វៀតណាម": "vi",
    "ម៉ាឡេ": "ms",
    "ឡាវ": "lo",
    "បារាំង": "fr",
}
_CODES = {code for code in LANGUAGES.values() if len(code) == 2}
_LANGUAGE_NOISE = re.compile(r"\b(?:language|languages|speaking|spoken|basic|fluent|good)\b")

_SEX = {
    "female": "female",
    "f": "female",
    "woman": "female",
    "women": "female",
    "ស្រី": "female",
    "male": "male",
    "m": "male",
    "man": "male",
    "men": "male",
    "ប្រុស": "male",
}
_ANY_SEX = {"", "any", "all", "both", "either", "none", "no", "n a", "na", "ទាំងពីរ"}
_TRUE = {"yes", "y", "true", "t", "1", "x", "បាទ", "ចាស", "មាន"}
_FALSE = {"", "no", "n", "false", "f", "0", "ទេ", "គ្មាន"}
_PHRASE_SPLIT = re.compile(r"[\n\r;,/|•·]+|\s+-\s+")
_LANGUAGE_SPLIT = re.compile(r"[\n\r;,/|&+]+|\band\b|\bor\b|និង")


@functools.lru_cache(maxsize=1024)
def employment_type(value: str) -> str | None:
    """One of the seven canonical types, or None if the text is not recognised."""
    key = normalise(value.replace("_", " ").replace("-", " "))
    return _EMPLOYMENT.get(key) or _EMPLOYMENT.get(key.removesuffix(" job"))


def languages(value: str | list[str]) -> tuple[tuple[str, ...], list[str]]:
    """ISO 639-1 codes in order, without repeats, and the parts that were not recognised."""
    parts = value if isinstance(value, list) else _LANGUAGE_SPLIT.split(value)
    codes: list[str] = []
    unknown: list[str] = []
    for part in parts:
        key = _LANGUAGE_NOISE.sub(" ", normalise(str(part))).strip()
        if not key:
            continue
        code = LANGUAGES.get(key)
        if code is None and re.fullmatch(r"[a-z]{2}(?: [a-z]{2,4})?", key) and key[:2] in _CODES:
            code = key[:2]
        if code is None:
            unknown.append(str(part).strip())
        elif code not in codes:
            codes.append(code)
    return tuple(codes), unknown


def phrases(value: str | list[str]) -> tuple[str, ...]:
    """Raw phrases as typed, trimmed, blanks and exact repeats dropped.

    Text is split on newlines, ";", ",", "/", "|" and bullets; a list is taken item by item.
    """
    parts = value if isinstance(value, list) else _PHRASE_SPLIT.split(value)
    seen: dict[str, None] = {}
    for part in parts:
        piece = str(part).strip(" \t-*•")
        if piece:
            seen.setdefault(piece, None)
    return tuple(seen)


def sex(value: str) -> str | None:
    """ "female", "male" or None (open to both). ValueError for anything else."""
    key = normalise(value)
    if key in _ANY_SEX:
        return None
    if key in _SEX:
        return _SEX[key]
    raise ValueError(N_('"{shown}" is not a sex (female, male, or empty for both)', shown=value))


def yes_no(value: str | bool | int | None) -> bool:
    """A yes/no cell; empty is no. ValueError for anything else."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    key = normalise(str(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(N_('"{shown}" is not yes or no', shown=value))


def whole_number(value: str | int | float | None, *, minimum: int) -> int | None:
    """A whole number at or above ``minimum``; None when blank. ValueError otherwise."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError(N_('"{shown}" is not a whole number', shown=value))
        return None
    text = str(value).strip().translate(_KHMER_DIGITS)
    if not text:
        return None
    if re.fullmatch(r"[-+]?\d+(\.0+)?", text) is None:
        raise ValueError(N_('"{shown}" is not a whole number', shown=value))
    number = int(text.split(".")[0])
    if number < minimum:
        raise ValueError(
            N_("{number} is below the minimum of {minimum}", number=number, minimum=minimum)
        )
    return number
