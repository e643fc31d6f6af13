"""Property tests of the shared normaliser, the skills vocabulary and name similarity."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from matching.names import khmer_name_similarity, person_name_similarity, query_score
from matching.text import normalise, processor

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KHMER_SIGNS = {chr(c) for c in range(0x17B6, 0x17D4)}  # vowel signs, coeng (subscripts)...
KHMER = "".join(chr(c) for c in range(0x1780, 0x1800)) + "\u19e0\u19ff"
texts = st.one_of(
    st.text(),
    st.text(alphabet=KHMER + " .,!?-\u200b\u200c\u200d\u00a0\u3000\t\n", max_size=40),
    st.text(
        alphabet=st.characters(
            whitelist_categories=("Lu", "Ll", "Mn", "Mc", "Zs", "Po", "Cf", "Cc", "Sk", "Nd")
        ),
        max_size=40,
    ),
)
FUNCTIONS = pytest.mark.parametrize("function", [normalise, processor], ids=["normalise", "proc"])


def _is_dropped(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "PS" or category == "Cc"


@FUNCTIONS
@SETTINGS
@given(text=texts)
@example(text="e\u200b\u0301")  # removing the zero-width space leaves "e" + accent: NFC again
@example(text="E!\u0301")
@example(text="\u01f0")  # casefolds to j + combining caron (not NFC)
@example(text="ǅ\u0301")
def test_idempotent_and_clean(function, text: str) -> None:
    once = function(text)
    assert function(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert not any(_is_dropped(c) for c in once), [unicodedata.name(c, "?") for c in once]


@FUNCTIONS
@SETTINGS
@given(text=texts)
def test_khmer_signs_survive(function, text: str) -> None:
    before = Counter(c for c in unicodedata.normalize("NFC", text) if c in KHMER_SIGNS)
    after = Counter(c for c in function(text) if c in KHMER_SIGNS)
    assert after == before


@SETTINGS
@given(text=texts)
def test_none_and_empty_are_empty(text: str) -> None:
    assert normalise(None) == ""
    assert processor(text) == processor(unicodedata.normalize("NFD", text))


@SETTINGS
@given(text=texts | st.sampled_from(["welder", "ជាងឥដ្ឋ", "wedding", "brick layer ជាងឥដ្ឋ"]))
def test_vocabulary_phrase_is_bounded(vocabulary, text: str) -> None:
    match = vocabulary.normalise_phrase(text)
    assert match.raw == text
    assert 0.0 <= match.confidence <= 1.0
    assert match.code is None or match.code in vocabulary
    for code, score in match.suggestions:
        assert code in vocabulary and 0.0 <= score <= 1.0
    for part in vocabulary.normalise_text(text):
        assert 0.0 <= part.confidence <= 1.0
        assert part.code is None or part.code in vocabulary


@SETTINGS
@given(a=texts, b=texts, c=texts, d=texts)
def test_name_similarities_are_bounded(a: str, b: str, c: str, d: str) -> None:
    assert 0.0 <= person_name_similarity(a, b, c, d) <= 100.0
    assert 0.0 <= khmer_name_similarity(a, c) <= 100.0
    assert 0.0 <= query_score(a, b, c, d) <= 100.0
    assert person_name_similarity(a, b, a, b) in (0.0, 100.0)
