"""Fuzzy comparison of people's names across romanisations, swaps and scripts."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from itertools import permutations

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from matching.text import has_khmer, processor

_DOUBLED = re.compile(r"(.)\1+")
_LATIN_VARIANTS = (("ou", "o"), ("ea", "e"), ("ie", "i"), ("y", "i"), ("k", "c"), ("v", "w"))


def name_key(name: str) -> str:
    """A spelling-tolerant key for romanised Khmer names: "Chhay Sokhar" ~ "Chay Sokha".

    Romanisation varies mostly in aspirated consonants (h), doubled letters, final r/h and a
    few vowel spellings, so those are folded; Khmer script is only normalised.
    """
    text = processor(name)
    if has_khmer(text):
        return text.replace(" ", "")
    words = []
    for word in text.split():
        word = word.replace("h", "")
        for old, new in _LATIN_VARIANTS:
            word = word.replace(old, new)
        word = _DOUBLED.sub(r"\1", word)
        if len(word) > 3 and word.endswith("r"):
            word = word[:-1]
        words.append(word)
    return " ".join(words)


def stored_keys(given: str, family: str, name_km: str | None) -> tuple[str, str | None]:
    """The keys kept on a person's row so the database can find them by name.

    The Latin key (given then family, folded) and the Khmer key (the Khmer name without
    spaces) both come from `name_key`, so what the database retrieves and what `query_score`
    ranks agree. A name written only in Khmer (some are registered with Khmer in the given and
    family name fields) gets its Latin key from the transducer's romanisation and its Khmer
    key from what was written: a record with only the Latin name then finds it, and so does a
    search in Khmer.
    """
    latin, khmer = _forms(given, family, name_km)
    key_km = name_key(khmer) if khmer else None
    if latin is None and khmer:
        written = f"{given} {family}".strip()  # given name first, as a Latin key has it
        latin = latin_of_khmer(written if has_khmer(written) else khmer)
    return name_key(latin or ""), key_km or None


def swapped_key(given: str, family: str) -> str:
    """The Latin key with the family name first, as people often give their names (a name
    written in Khmer is romanised first, as `stored_keys` does)."""
    if has_khmer(f"{given} {family}"):
        given, family = latin_of_khmer(given), latin_of_khmer(family)
    return name_key(f"{family} {given}")


def query_score(query: str, given: str, family: str, name_km: str | None) -> float:
    """How well a search box query fits a person, 0..100 (Latin or Khmer script)."""
    if has_khmer(query):
        return key_score(query, name_key(name_km) if name_km else "")
    return key_score(query, name_key(f"{given} {family}"), swapped_key(given, family))


def key_score(query: str, key: str, swapped: str = "") -> float:
    """`query_score` from a person's stored keys alone (a Khmer key for a Khmer query), so a
    search can rank the registry's distinct names instead of every person holding them."""
    q = name_key(query)
    if not q or not key:
        return 0.0
    if has_khmer(query):
        return 100.0 if q in key else fuzz.partial_ratio(q, key) if len(q) >= 3 else 0.0
    candidates = (key, swapped or key)
    best = max(fuzz.ratio(q, c) for c in candidates)
    words = [w for c in candidates for w in c.split()]
    for word in q.split():
        best = max(best, max((fuzz.ratio(word, w) for w in words), default=0) - 5)
    if any(c.startswith(q) for c in candidates) or q in words:
        best = max(best, 95.0)
    return best


# The stricter comparison behind the duplicate check. `name_key` above stays what it is: it is
# stored on every row and indexed, a loose retrieval key. Deciding whether two records are one
# person needs more care: "Kim" and "Chim", "Heng" and "Eng" are different family names, and a
# shared family name says nothing about "Dara" and "Dalin". So names are compared word by word
# after a folding that only removes what romanisation genuinely varies.

_FINAL_R_OR_H = re.compile(r"(?<=[aeiou])[rh]$")
_FINAL_B = re.compile(r"b$")
_INNER_Y = re.compile(r"(?<=.)y")


@lru_cache(maxsize=100_000)
def fold_word(word: str) -> str:
    """One romanised word with only its spelling variants folded, its consonants kept.

    Doubled letters ("Chhay" ~ "Chay", "Vannak" ~ "Vanak"), "ou" ~ "o" ("Ouk" ~ "Ok"), a
    non-initial y ~ i ("Chhay" ~ "Chhai"), w ~ v, a final r or h after a vowel ("Sokhar" ~
    "Sokha", "Darah" ~ "Dara")
    and a final b ~ p ("Pheab" ~ "Pheap"). An initial h, kh against k and ch against k stay
    apart: they are different Khmer consonants.
    """
    word = processor(word).replace(" ", "")
    word = _DOUBLED.sub(r"\1", word.replace("w", "v").replace("ou", "o"))
    word = _INNER_Y.sub("i", word)
    if len(word) > 3:
        word = _FINAL_R_OR_H.sub("", word)
    return _FINAL_B.sub("p", word)


_SOFT = frozenset("aeiouyh")


def _word_similarity(a: str, b: str) -> float:
    """0..100 for two folded words: equal 100, a vowel or h apart in a long word 85, else less.

    Khmer vowels are romanised every which way (Rotha/Ratha, Piseth/Pisith, Leakhena/Leakena);
    consonants are not, and a consonant apart is another name (Sothea/Sophea, Sophea/Sopheap),
    as is any difference in a short word (Sok/Sam, Heng/Eng). 85 needs a birth date to confirm.
    """
    if a == b:
        return 100.0
    ops = Levenshtein.editops(a, b)
    if len(ops) == 1 and min(len(a), len(b)) >= 5:
        op = ops[0]
        changed = {a[op.src_pos] if op.tag != "insert" else ""}
        changed.add(b[op.dest_pos] if op.tag != "delete" else "")
        if changed - {""} <= _SOFT:
            return 85.0
    return min(60.0, fuzz.ratio(a, b))


def _words_similarity(
    words: tuple[str, ...], others: tuple[str, ...], word_similarity: Callable[[str, str], float]
) -> float:
    """Names as sets of words, in any order: the weakest word pair decides, so one shared word
    cannot make two names alike; a word one name has and the other lacks costs 15."""
    if not words or not others:
        return 0.0
    if "".join(words) == "".join(others) or "".join(words) == "".join(reversed(others)):
        return 100.0
    short, long_ = (words, others) if len(words) <= len(others) else (others, words)
    best = 0.0
    for chosen in permutations(long_, len(short)) if len(long_) <= 4 else (long_[: len(short)],):
        best = max(best, min(word_similarity(a, b) for a, b in zip(short, chosen, strict=True)))
    return max(0.0, best - 15 * (len(long_) - len(short)))


@lru_cache(maxsize=100_000)
def _latin_words(text: str) -> tuple[str, ...]:
    return tuple(fold_word(word) for word in processor(text).split())


@lru_cache(maxsize=200_000)
def latin_name_similarity(name: str, other: str) -> float:
    """0..100 similarity of two romanised names, word by word and in either order."""
    return _words_similarity(_latin_words(name), _latin_words(other), _word_similarity)


def person_name_similarity(given: str, family: str, other_given: str, other_family: str) -> float:
    """0..100 similarity of two people's romanised names, tolerant of a swapped given/family
    order and of romanisation variants, strict about the words themselves."""
    return latin_name_similarity(f"{given} {family}", f"{other_given} {other_family}")


def _khmer_word_similarity(a: str, b: str) -> float:
    """Khmer spelling is far steadier than romanisation: any difference counts as another word."""
    if a == b:
        return 100.0
    return min(60.0, fuzz.ratio(a, b))


@lru_cache(maxsize=200_000)
def khmer_name_similarity(a: str | None, b: str | None) -> float:
    """0..100 similarity of two names in Khmer script, word by word in any order (a name
    written as one word matches the same words written apart)."""
    if not a or not b or not has_khmer(a) or not has_khmer(b):
        return 0.0
    return _words_similarity(
        tuple(processor(a).split()), tuple(processor(b).split()), _khmer_word_similarity
    )


@lru_cache(maxsize=1)
def _transliterator() -> Callable[[str], str]:
    """The Khmer-to-Latin name transducer, read once on first use (about 0.2 s, 8 MB)."""
    from khmer_latin_name_transformer import to_latin  # noqa: PLC0415 - slow, rarely needed

    return to_latin


@lru_cache(maxsize=50_000)
def _latin_word_of_khmer(word: str) -> str:
    """One word romanised; a word the transducer cannot read (stray signs, mixed scripts) is
    kept as written rather than failing a registration. About 80 ms a word in the
    transducer; names repeat, so each word is done once."""
    from pynini.lib.rewrite import Error as Unreadable  # noqa: PLC0415 - loaded with the transducer

    try:
        return str(_transliterator()(word)).casefold()
    except Unreadable:
        return word.casefold()


@lru_cache(maxsize=200_000)
def latin_of_khmer(name: str) -> str:
    """A Khmer name romanised word by word ("ឆាយ សុខា" -> "chhay sokha")."""
    return " ".join(_latin_word_of_khmer(word) for word in processor(name).split())


def _forms(given: str, family: str, name_km: str | None) -> tuple[str | None, str | None]:
    """A record's name in Latin and in Khmer script, either missing: some are registered with
    the Khmer name in the given and family name fields and no romanisation at all."""
    written = f"{given} {family}".strip()
    khmer = name_km if name_km and has_khmer(name_km) else None
    if has_khmer(written):
        return None, khmer or written
    return written or None, khmer


@lru_cache(maxsize=200_000)
def record_name_similarity(
    given: str,
    family: str,
    name_km: str | None,
    other_given: str,
    other_family: str,
    other_name_km: str | None,
) -> float:
    """0..100 from the Latin and the Khmer comparison, each only when both records have that
    script (no transliteration; see `cross_script_similarity`).

    When both have Khmer, it outranks a near romanisation: "Chenda" and "Chanda" may be one
    spelling slip apart, but ចិន្តា and ចាន់ដា are two names. Romanisations equal after folding
    still count on their own (a Khmer typing slip happens too).
    """
    latin, khmer = _forms(given, family, name_km)
    other_latin, other_khmer = _forms(other_given, other_family, other_name_km)
    by_latin = latin_name_similarity(latin, other_latin) if latin and other_latin else 0.0
    if not (khmer and other_khmer):
        return by_latin
    by_khmer = khmer_name_similarity(khmer, other_khmer)
    return max(by_khmer, by_latin if by_latin == 100.0 else min(by_latin, by_khmer))


@lru_cache(maxsize=200_000)
def cross_script_similarity(
    given: str,
    family: str,
    name_km: str | None,
    other_given: str,
    other_family: str,
    other_name_km: str | None,
) -> float:
    """0..100: a Khmer name romanised by the transducer against the other record's Latin
    name, when only one of the two records has a Khmer name. Costly the first
    time a word is seen, so callers ask only when the answer could change their decision."""
    latin, khmer = _forms(given, family, name_km)
    other_latin, other_khmer = _forms(other_given, other_family, other_name_km)
    best = 0.0
    if khmer and other_khmer:  # their Khmer was compared; the transducer would only blur it
        return best
    if khmer and other_latin:
        best = latin_name_similarity(latin_of_khmer(khmer), other_latin)
    if other_khmer and latin:
        best = max(best, latin_name_similarity(latin, latin_of_khmer(other_khmer)))
    return best
