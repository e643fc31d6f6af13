"""The shared normaliser keeps Khmer intact and folds Latin text."""

from __future__ import annotations

import unicodedata

from matching.text import has_khmer, normalise, processor


def test_khmer_vowel_signs_and_subscripts_survive() -> None:
    text = "ជាងឥដ្ឋ ចិញ្ចឹមជ្រូក"
    assert normalise(text) == text
    assert processor(text) == text


def test_khmer_punctuation_is_removed() -> None:
    assert normalise("ជាងភ្លើង។") == "ជាងភ្លើង"
    assert normalise("ដេរ៖ ៥ឆ្នាំ") == "ដេរ ៥ឆ្នាំ"


def test_mixed_scripts_and_punctuation() -> None:
    assert processor("  Brick-Layer (ជាងឥដ្ឋ)!! ") == "brick layer ជាងឥដ្ឋ"
    assert has_khmer("welder ជាងផ្សារ") and not has_khmer("welder")


def test_empty() -> None:
    assert normalise(None) == "" and normalise("") == "" and processor("  ") == ""


def test_nfc_and_nfd_agree() -> None:
    word = "Kratié"
    assert processor(unicodedata.normalize("NFD", word)) == processor(word) == "kratie"
