"""Near-duplicate listings across sources: same employer, same province, similar title."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from jobs_import.records import ListingRecord
from matching.text import processor

#: Minimum ``fuzz.token_sort_ratio`` (0-100) between title keys for two listings to link.
#: 88 links singular/plural and word-order variants ("Cook"/"Cooks" is 88.9, "Construction
#: Worker(s)" 97) but not different trades ("Garment Worker"/"General Worker" 71, "Sewing
#: Machine Operator"/"... Mechanic" 74). token_set_ratio and WRatio are avoided on purpose:
#: they score a short title contained in a longer one as a near match.
TITLE_THRESHOLD = 88.0

_LEGAL_WORDS = {
    "co",
    "company",
    "companies",
    "ltd",
    "limited",
    "plc",
    "llc",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "enterprise",
    "enterprises",
    "group",
    "pte",
    "pvt",
    "private",
    "sole",
    "proprietorship",
    "the",
    "and",
    "ក្រុមហ៊ុន",
    "ឯ",
    "ក",
    "សហគ្រាស",
}
_TRAILING_WORDS = {"cambodia", "kh", "កម្ពុជា"}
_KHMER_PREFIXES = ("ក្រុមហ៊ុន", "សហគ្រាស")
_TITLE_NOISE = {"urgent", "urgently", "hiring", "wanted", "needed", "now", "vacancy", "vacancies"}
_DIGITS = re.compile(r"^\d+$")

Identity = tuple[str | None, str | tuple[str, ...] | None, str]


def employer_key(name: str | None) -> str:
    """Employer name without case, punctuation, accents or legal forms ("Co., Ltd.", "PLC").

    "ABC Garment Co., Ltd." and "abc garment (Cambodia)" both give "abc garment". The empty
    string means "no usable employer": never link on it.
    """
    words = []
    for word in processor(name or "").split():
        for prefix in _KHMER_PREFIXES:
            if word.startswith(prefix) and len(word) > len(prefix):
                word = word[len(prefix) :]
        if word not in _LEGAL_WORDS:
            words.append(word)
    while len(words) > 1 and words[-1] in _TRAILING_WORDS:
        words.pop()
    return " ".join(words)


def title_key(title: str | None) -> str:
    """Title without case, punctuation, accents, counts and "urgent/hiring" noise."""
    words = [
        w for w in processor(title or "").split() if w not in _TITLE_NOISE and not _DIGITS.match(w)
    ]
    return " ".join(words)


def title_similarity(a: str | None, b: str | None) -> float:
    """0-100 similarity of two titles' keys (order of words does not matter)."""
    key_a, key_b = title_key(a), title_key(b)
    if not key_a or not key_b:
        return 0.0
    return fuzz.token_sort_ratio(key_a, key_b, processor=None)


def same_listing(a: ListingRecord | Identity, b: ListingRecord | Identity) -> bool:
    """True if two listings are the same opening published twice, so should be linked.

    Each side is a ListingRecord or an (employer, province or provinces, title) tuple; for an
    incentive the programme stands for the employer. Unknown employers never link.
    """
    employer_a, provinces_a, title_a = identity(a)
    employer_b, provinces_b, title_b = identity(b)
    if isinstance(a, ListingRecord) and isinstance(b, ListingRecord) and a.kind != b.kind:
        return False
    key = employer_key(employer_a)
    return (
        bool(key)
        and key == employer_key(employer_b)
        and provinces_a == provinces_b
        and title_similarity(title_a, title_b) >= TITLE_THRESHOLD
    )


def identity(listing: ListingRecord | Identity) -> tuple[str | None, tuple[str, ...], str]:
    """(employer or programme, sorted province codes, title) of a record or a tuple."""
    if isinstance(listing, ListingRecord):
        owner = listing.employer if listing.kind == "job" else listing.programme
        return owner, tuple(sorted(listing.provinces)), listing.title
    employer, provinces, title = listing
    codes = (provinces,) if isinstance(provinces, str) else tuple(sorted(provinces or ()))
    return employer, codes, title


def block_key(listing: ListingRecord | Identity) -> str:
    """Index key for candidate lookup: employer key and provinces. Empty = do not look up.

    Listings that may be near-duplicates always share a block key, so an importer compares
    titles only within a block instead of against every listing.
    """
    employer, provinces, _ = identity(listing)
    key = employer_key(employer)
    return f"{key}|{','.join(provinces)}" if key else ""
