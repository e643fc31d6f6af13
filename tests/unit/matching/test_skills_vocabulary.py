"""The skills data file and the mapping of free text to canonical codes."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from matching.text import has_khmer
from matching.vocabulary import ACCEPT_THRESHOLD, Vocabulary

SKILLS_CSV = Path(__file__).resolve().parents[3] / "reintegrate/reference/skills.csv"


def _rows() -> list[dict[str, str]]:
    with open(SKILLS_CSV, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_file_is_complete_and_well_formed() -> None:
    rows = _rows()
    assert len(rows) >= 120
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    sectors = {r["sector"] for r in rows}
    for sector in (
        "construction",
        "agriculture",
        "livestock",
        "aquaculture",
        "fishing",
        "garment",
        "manufacturing",
        "food_processing",
        "domestic_care",
        "hospitality",
        "transport",
        "mechanics",
        "electrical",
        "retail",
        "security",
        "beauty",
        "languages",
    ):
        assert sector in sectors
    for row in rows:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", row["code"]), row["code"]
        assert re.fullmatch(r"\d{4}", row["isco08"]) or (
            row["sector"] == "languages" and not row["isco08"]
        )
        assert has_khmer(row["label_km"]), row["code"]
        assert unicodedata.is_normalized("NFC", row["label_km"] + row["synonyms_km"])
        assert all(has_khmer(s) for s in row["synonyms_km"].split(";") if s), row["code"]
        assert row["synonyms_en"] and row["synonyms_km"], row["code"]


def test_related_is_symmetric_and_known() -> None:
    rows = _rows()
    related = {r["code"]: {c for c in r["related"].split(";") if c} for r in rows}
    for code, others in related.items():
        assert code not in others
        for other in others:
            assert other in related, (code, other)
            assert code in related[other], (code, other)


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("brick layer", "bricklaying"),
        ("Bricklayer", "bricklaying"),
        ("brick work", "bricklaying"),
        ("bricklayr", "bricklaying"),
        ("welding", "welding"),
        ("weldng", "welding"),
        ("experienced welder (5 years)", "welding"),
        ("electrision", "electrical_installation"),
        ("carpinter", "carpentry"),
        ("chiken raising", "chicken_raising"),
        ("rubber taping", "rubber_tapping"),
        ("fishing boat in Thailand", "fishing_marine"),
        ("domestic helper", "domestic_work"),
        ("garment factory", "sewing"),
        ("QC", "garment_qc"),
        ("Tuk-tuk", "motorbike_taxi"),
        ("ជាងឥដ្ឋ", "bricklaying"),
        ("រៀបឥដ្ឋ", "bricklaying"),
        ("ជាង ឥដ្ឋ", "bricklaying"),
        ("ជាងឥដ្ឋ ៥ឆ្នាំ", "bricklaying"),
        ("ចិញ្ចឹមមាន់", "chicken_raising"),
        ("ចិញ្ចឹមមាន", "chicken_raising"),
        ("ធ្វើការនៅរោងចក្រកាត់ដេរ", "sewing"),
        ("ជាងភ្លើង", "electrical_installation"),
        ("ដាំដំឡូងមី", "cassava_farming"),
        ("សណ្តែកសៀង", "soybean_farming"),
        ("ជាងឥដ្ឋ bricklayer", "bricklaying"),
    ],
)
def test_phrases_map_to_codes(vocabulary: Vocabulary, phrase: str, code: str) -> None:
    match = vocabulary.normalise_phrase(phrase)
    assert match.code == code, match
    assert match.raw == phrase
    assert ACCEPT_THRESHOLD <= match.confidence <= 1.0


def test_exact_hits_are_certain(vocabulary: Vocabulary) -> None:
    assert vocabulary.normalise_phrase("Brick-layer!").confidence == 1.0
    assert vocabulary.normalise_phrase("weldng").confidence < 1.0


@pytest.mark.parametrize(
    "phrase", ["wedding planner", "wedding", "worked in Korea", "xyzzy", "5 years"]
)
def test_unrelated_phrases_stay_unknown(vocabulary: Vocabulary, phrase: str) -> None:
    match = vocabulary.normalise_phrase(phrase)
    assert match.code is None, match
    assert len(match.suggestions) <= 3


def test_welding_is_never_wedding_like(vocabulary: Vocabulary) -> None:
    assert vocabulary.normalise_phrase("welding").code == "welding"
    assert vocabulary.normalise_phrase("wedding planner").code != "welding"


def test_unknown_phrase_gets_suggestions(vocabulary: Vocabulary) -> None:
    match = vocabulary.normalise_phrase("sewwing mashine operater")
    assert match.code == "sewing" or "sewing" in {c for c, _ in match.suggestions}
    vague = vocabulary.normalise_phrase("machine")
    assert vague.suggestions and all(0 < s < 1 for _, s in vague.suggestions)


def test_empty_input(vocabulary: Vocabulary) -> None:
    assert vocabulary.normalise_phrase("").code is None
    assert vocabulary.normalise_phrase("  ,;  ").suggestions == ()
    assert vocabulary.normalise_text("") == []
    assert vocabulary.normalise_text(["", " ", "\n"]) == []


def test_nfc_and_nfd_input_agree(vocabulary: Vocabulary) -> None:
    composed = "Café cook"
    decomposed = unicodedata.normalize("NFD", composed)
    assert (
        vocabulary.normalise_phrase(composed).code == vocabulary.normalise_phrase(decomposed).code
    )
    khmer = "ចិញ្ចឹមជ្រូក"
    assert vocabulary.normalise_phrase(unicodedata.normalize("NFD", khmer)).code == "pig_raising"


def test_free_text_is_split(vocabulary: Vocabulary) -> None:
    text = "rice farming, vegetables and chickens / ដាំបន្លែ និងចិញ្ចឹមជ្រូក\nwelder; ជាងភ្លើង។"
    codes = [m.code for m in vocabulary.normalise_text(text)]
    assert codes == [
        "rice_farming",
        "vegetable_growing",
        "chicken_raising",
        "vegetable_growing",
        "pig_raising",
        "welding",
        "electrical_installation",
    ]
    assert vocabulary.codes_in(["sewing", "QC"]) == {"sewing", "garment_qc"}


def test_admin_mappings(vocabulary: Vocabulary) -> None:
    assert vocabulary.normalise_phrase("jig operator").code != "metal_machining"
    mapped = vocabulary.with_mappings({"Jig operator": "metal_machining"})
    assert mapped.normalise_phrase("jig  OPERATOR").code == "metal_machining"
    assert mapped.normalise_phrase("jig operator").confidence == 1.0
    assert mapped.version != vocabulary.version
    assert vocabulary.with_mappings({}).version == vocabulary.version
    with pytest.raises(ValueError):
        vocabulary.with_mappings({"x": "no_such_code"})
    again = Vocabulary.from_csv(SKILLS_CSV, {"Jig operator": "metal_machining"})
    assert again.version == mapped.version


def test_labels_relations_sectors(vocabulary: Vocabulary) -> None:
    assert vocabulary.label("bricklaying") == "Bricklaying"
    assert vocabulary.label("bricklaying", "km") == "រៀបឥដ្ឋ"
    assert vocabulary.label("retired_code") == "retired_code"
    assert "masonry" in vocabulary.related("bricklaying")
    assert vocabulary.related("retired_code") == frozenset()
    assert vocabulary.sector("sewing") == "garment"
    assert "welding" in vocabulary.codes() and len(vocabulary.codes()) >= 120


def test_lookups_are_cached(vocabulary: Vocabulary) -> None:
    first = vocabulary.normalise_phrase("bricklayr")
    assert vocabulary.normalise_phrase("bricklayr") is first
