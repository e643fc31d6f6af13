"""Ranking quality on cases labelled by what an experienced officer would put first."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from matching.geo import Gazetteer
from matching.index import ListingIndex
from matching.scoring import Eligibility, Listing, Person
from matching.vocabulary import Vocabulary

CASES = json.loads((Path(__file__).with_name("labelled_cases.json")).read_text(encoding="utf-8"))
MIN_HIT_AT_3 = 0.8


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _person(raw: dict, vocabulary: Vocabulary) -> Person:
    data = {**CASES["person_defaults"], **raw}
    return Person(
        id=1,
        skills=vocabulary.codes_in(data["skills"]),
        home_province=data["home_province"],
        willing_to_relocate=data["willing_to_relocate"],
        preferred_provinces=frozenset(data["preferred_provinces"]),
        languages=frozenset(data["languages"]),
        sex=data["sex"],
        date_of_birth=_date(data["date_of_birth"]),
        return_date=_date(data["return_date"]),
        trafficking_survivor=data["trafficking_survivor"],
        interests=frozenset(data["interests"]),
    )


def _listing(listing_id: int, raw: dict, vocabulary: Vocabulary) -> Listing:
    return Listing(
        id=listing_id,
        kind=raw.get("kind", "job"),
        title=raw["title"],
        provinces=frozenset(raw["provinces"]),
        skills=vocabulary.codes_in(raw["skills"]),
        languages=frozenset(raw.get("languages", ())),
        eligibility=Eligibility(**raw["eligibility"]) if raw.get("eligibility") else None,
    )


def _rank(case: dict, gazetteer: Gazetteer, vocabulary: Vocabulary) -> list[str]:
    pool = {**case["listings"], **CASES["background_listings"]["listings"]}
    keys = list(pool)
    listings = [_listing(i, pool[key], vocabulary) for i, key in enumerate(keys)]
    index = ListingIndex(listings, gazetteer=gazetteer, vocabulary=vocabulary)
    person = _person(case["person"], vocabulary)
    today = date.fromisoformat(CASES["today"])
    return [keys[m.listing_id] for m in index.top_for(person, k=len(keys), today=today)]


def test_cases_are_well_formed(vocabulary: Vocabulary) -> None:
    assert len(CASES["cases"]) >= 40
    for case in CASES["cases"]:
        assert case["expected"] in case["listings"], case["id"]
        for key, raw in case["listings"].items():
            if raw["skills"]:
                assert _listing(0, raw, vocabulary).skills, (case["id"], key)


def test_hit_rates(
    gazetteer: Gazetteer, vocabulary: Vocabulary, record_property: pytest.RecordProperty
) -> None:
    hits1 = hits3 = 0
    misses = []
    for case in CASES["cases"]:
        ranking = _rank(case, gazetteer, vocabulary)
        hits1 += ranking[:1] == [case["expected"]]
        hits3 += case["expected"] in ranking[:3]
        if ranking[:1] != [case["expected"]]:
            misses.append(f"{case['id']}: expected {case['expected']}, got {ranking[:3]}")
    total = len(CASES["cases"])
    hit1, hit3 = hits1 / total, hits3 / total
    record_property("hit_at_1", round(hit1, 3))
    record_property("hit_at_3", round(hit3, 3))
    print(f"\nlabelled cases: {total}, hit@1 {hit1:.3f}, hit@3 {hit3:.3f}")
    for miss in misses:
        print("  miss:", miss)
    assert hit3 >= MIN_HIT_AT_3
