"""Fuzzy comparison of people's names across romanisations, swaps and scripts."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

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

    The Latin key (given then family, folded) carries a trigram index on PostgreSQL; the
    Khmer key is the Khmer name without spaces. Both come from `name_key`, so what the
    database retrieves and what `query_score` ranks agree.
    """
    km = name_key(name_km) if name_km and has_khmer(name_km) else None
    return name_key(f"{given} {family}"), km or None


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(processor(a), processor(b)), fuzz.ratio(name_key(a), name_key(b)))


def person_name_similarity(given: str, family: str, other_given: str, other_family: str) -> float:
    """0..100 similarity of two people's names, tolerant of a swapped given/family order."""
    straight = _similarity(f"{given} {family}", f"{other_given} {other_family}")
    swapped = _similarity(f"{given} {family}", f"{other_family} {other_given}")
    return max(straight, swapped)


def khmer_name_similarity(a: str | None, b: str | None) -> float:
    """0..100 similarity of two names in Khmer script (spaces ignored, matched whole)."""
    if not a or not b:
        return 0.0
    return fuzz.ratio(name_key(a), name_key(b))


def swapped_key(given: str, family: str) -> str:
    """The Latin key with the family name first, as people often give their names."""
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
