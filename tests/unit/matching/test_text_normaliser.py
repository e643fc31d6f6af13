"""The shared normaliser keeps Khmer intact and folds Latin text."""

from __future__ import annotations

import unicodedata

from matching.text import PhraseFinder, has_khmer, normalise, processor


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


# --- finding listed phrases ---------------------------------------------------------------


def test_phrase_finder_reports_the_first_listed_phrase_not_the_first_written() -> None:
    finder = PhraseFinder(["deposit", "Recruitment fee"])
    assert finder.first(normalise("A recruitment fee, then a deposit.")) == 0
    assert finder.first(normalise("Only a recruitment-fee here")) == 1


def test_phrase_finder_matches_latin_whole_words_and_khmer_anywhere() -> None:
    finder = PhraseFinder(["kiln", "ឡឥដ្ឋ"])
    assert finder.first(normalise("Brick kilns wanted")) is None
    assert finder.first(normalise("Work at the kiln")) == 0
    assert finder.first(normalise("ធ្វើការនៅឡឥដ្ឋខេត្ត")) == 1


def test_phrase_finder_with_no_phrases_finds_nothing() -> None:
    assert PhraseFinder([]).first("anything") is None
    assert PhraseFinder(["", "  "]).first("anything") is None
