"""The index ranks exactly like score() over every listing (or person), on random data."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from matching.geo import Gazetteer
from matching.index import ListingIndex, PersonIndex
from matching.scoring import Eligibility, Listing, Match, Person, score
from matching.vocabulary import Vocabulary

TODAY = date(2026, 3, 15)


def _random_person(rng: random.Random, i: int, codes: list[str], provinces: list[str]) -> Person:
    return Person(
        id=i,
        skills=frozenset(rng.sample(codes, rng.choice([0, 1, 1, 2, 2, 3, 4]))),
        home_province=rng.choice(provinces),
        willing_to_relocate=rng.random() < 0.4,
        preferred_provinces=frozenset(rng.sample(provinces, rng.choice([0, 0, 1, 2]))),
        languages=frozenset(
            {"km"} | set(rng.sample(["th", "ko", "en", "ms", "ja"], rng.choice([0, 1, 2])))
        ),
        sex=rng.choice(["female", "male", "other"]),
        date_of_birth=None
        if rng.random() < 0.1
        else date(1970, 1, 1) + timedelta(days=rng.randrange(20000)),  # some are children
        return_date=None if rng.random() < 0.1 else TODAY - timedelta(days=rng.randrange(900)),
        trafficking_survivor=rng.random() < 0.1,
        interests=frozenset(rng.choice([{"job"}, {"incentive"}, {"job", "incentive"}, set()])),
    )


def _random_listing(rng: random.Random, i: int, codes: list[str], provinces: list[str]) -> Listing:
    kind = "incentive" if rng.random() < 0.3 else "job"
    eligibility = None
    if kind == "incentive" or rng.random() < 0.05:
        eligibility = Eligibility(
            returned_within_months=rng.choice([None, 6, 12, 24]),
            min_age=rng.choice([None, 18, 25]),
            max_age=rng.choice([None, 35, 45, 60]),
            sex=rng.choice([None, None, "female"]),
            survivors_priority=rng.random() < 0.3,
        )
    if kind == "job":
        places = frozenset() if rng.random() < 0.03 else frozenset({rng.choice(provinces)})
    else:
        places = frozenset(rng.sample(provinces, rng.choice([0, 1, 2, 5])))
    return Listing(
        id=i,
        kind=kind,
        title=f"listing {i}",
        provinces=places,
        skills=frozenset(rng.sample(codes, rng.choice([0, 1, 1, 2, 3]))),
        languages=frozenset(rng.sample(["th", "ko", "en", "km"], rng.choice([0, 0, 0, 1, 2]))),
        eligibility=eligibility,
        min_worker_age=rng.choice([None, 15, 15, 18]) if kind == "job" else None,
    )


def _key(match: Match) -> tuple[int, int, int]:
    return (match.listing_id, match.person_id, match.score)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_listing_index_equals_brute_force(
    seed: int, gazetteer: Gazetteer, vocabulary: Vocabulary
) -> None:
    rng = random.Random(seed)
    codes = rng.sample(vocabulary.codes(), 25)  # few codes, so that skills overlap often
    provinces = gazetteer.codes()
    listings = [_random_listing(rng, rng.randrange(10**6), codes, provinces) for _ in range(400)]
    listings = list({listing.id: listing for listing in listings}.values())
    index = ListingIndex(listings, gazetteer=gazetteer, vocabulary=vocabulary)
    for i in range(60):
        person = _random_person(rng, i, codes, provinces)
        for kind in ("all", "job", "incentive"):
            brute = [
                m
                for listing in listings
                if kind in ("all", listing.kind)
                and (
                    m := score(
                        person, listing, gazetteer=gazetteer, vocabulary=vocabulary, today=TODAY
                    )
                )
            ]
            brute.sort(key=lambda m: (-m.score, m.listing_id))
            k = rng.choice([1, 5, 10, 50])
            got = index.top_for(person, k=k, kind=kind, today=TODAY)
            assert [_key(m) for m in got] == [_key(m) for m in brute[:k]]


@pytest.mark.parametrize("seed", [4, 5])
def test_person_index_equals_brute_force(
    seed: int, gazetteer: Gazetteer, vocabulary: Vocabulary
) -> None:
    rng = random.Random(seed)
    codes = rng.sample(vocabulary.codes(), 25)
    provinces = gazetteer.codes()
    persons = [_random_person(rng, rng.randrange(10**6), codes, provinces) for _ in range(500)]
    persons = list({person.id: person for person in persons}.values())
    index = PersonIndex(persons, gazetteer=gazetteer, vocabulary=vocabulary)
    for i in range(80):
        listing = _random_listing(rng, i, codes, provinces)
        brute = [
            m
            for person in persons
            if (
                m := score(person, listing, gazetteer=gazetteer, vocabulary=vocabulary, today=TODAY)
            )
        ]
        brute.sort(key=lambda m: (-m.score, m.person_id))
        k = rng.choice([1, 5, 10, 50])
        got = index.top_for(listing, k=k, today=TODAY)
        assert [_key(m) for m in got] == [_key(m) for m in brute[:k]]
        assert got == brute[:k]  # the same reasons too: the people rebuilt from the columns


def test_the_person_index_gives_back_each_person_as_given(
    gazetteer: Gazetteer, vocabulary: Vocabulary
) -> None:
    rng = random.Random(11)
    codes = rng.sample(vocabulary.codes(), 12)
    persons = [_random_person(rng, i * 7 + 3, codes, gazetteer.codes()) for i in range(300)]
    rng.shuffle(persons)
    index = PersonIndex(persons, gazetteer=gazetteer, vocabulary=vocabulary)
    by_id = {person.id: person for person in persons}
    assert len(index) == len(persons)
    for row in range(len(index)):
        rebuilt = index.person(row)
        assert rebuilt == by_id[rebuilt.id]
    assert list(index.rows_of([3, 4, 10, 2_000_000])) == [0, 1]
    with pytest.raises(ValueError, match="unique"):
        PersonIndex(persons + persons[:1], gazetteer=gazetteer, vocabulary=vocabulary)


def test_exclude_and_scope(gazetteer: Gazetteer, vocabulary: Vocabulary) -> None:
    rng = random.Random(9)
    codes = rng.sample(vocabulary.codes(), 10)
    provinces = gazetteer.codes()
    listings = [_random_listing(rng, i, codes, provinces) for i in range(200)]
    persons = [_random_person(rng, i, codes, provinces) for i in range(200)]
    listing_index = ListingIndex(listings, gazetteer=gazetteer, vocabulary=vocabulary)
    person = persons[0]
    first = listing_index.top_for(person, k=5, today=TODAY)
    again = listing_index.top_for(person, k=5, exclude={first[0].listing_id}, today=TODAY)
    assert first[0].listing_id not in {m.listing_id for m in again}
    assert [m.listing_id for m in again[:4]] == [m.listing_id for m in first[1:]]

    person_index = PersonIndex(persons, gazetteer=gazetteer, vocabulary=vocabulary)
    scope = {"02", "12"}
    got = person_index.top_for(listings[0], k=50, provinces=scope, today=TODAY)
    homes = {m.person_id: p.home_province for p in persons for m in got if m.person_id == p.id}
    assert set(homes.values()) <= scope
    survivors = {p.id for p in persons if p.trafficking_survivor}
    everyone = person_index.top_for(listings[0], k=200, today=TODAY)
    spared = person_index.top_for(listings[0], k=200, today=TODAY, survivors=False)
    assert survivors & {m.person_id for m in everyone}
    assert [m for m in everyone if m.person_id not in survivors] == spared


def test_ties_break_by_id(gazetteer: Gazetteer, vocabulary: Vocabulary) -> None:
    listings = [
        Listing(
            id=i,
            kind="job",
            title="sewing",
            provinces=frozenset({"12"}),
            skills=frozenset({"sewing"}),
        )
        for i in (30, 10, 20)
    ]
    index = ListingIndex(listings, gazetteer=gazetteer, vocabulary=vocabulary)
    person = Person(id=1, skills=frozenset({"sewing"}), home_province="12")
    assert [m.listing_id for m in index.top_for(person, k=3, today=TODAY)] == [10, 20, 30]
    assert len({m.score for m in index.top_for(person, k=3, today=TODAY)}) == 1


def test_empty_index(gazetteer: Gazetteer, vocabulary: Vocabulary) -> None:
    person = Person(id=1, skills=frozenset(), home_province="12")
    assert (
        ListingIndex([], gazetteer=gazetteer, vocabulary=vocabulary).top_for(person, today=TODAY)
        == []
    )


def test_a_person_under_the_minimum_working_age_is_never_ranked(
    gazetteer: Gazetteer, vocabulary: Vocabulary
) -> None:
    sewing = dict(kind="job", title="sewing", provinces=frozenset({"12"}))
    listings = [
        Listing(id=1, skills=frozenset({"sewing"}), min_worker_age=15, **sewing),  # type: ignore[arg-type]
        Listing(id=2, min_worker_age=18, **sewing),  # type: ignore[arg-type]
        Listing(id=3, kind="incentive", title="grant", provinces=frozenset()),
    ]
    child = Person(
        id=1, skills=frozenset({"sewing"}), home_province="12", date_of_birth=date(2021, 5, 1)
    )
    teenager = Person(
        id=2, skills=frozenset({"sewing"}), home_province="12", date_of_birth=date(2010, 3, 15)
    )
    unknown = Person(id=3, skills=frozenset({"sewing"}), home_province="12")
    index = ListingIndex(listings, gazetteer=gazetteer, vocabulary=vocabulary)
    assert [m.listing_id for m in index.top_for(child, k=5, today=TODAY)] == [3]
    assert [m.listing_id for m in index.top_for(teenager, k=5, today=TODAY)] == [1, 3]
    assert [m.listing_id for m in index.top_for(unknown, k=5, today=TODAY)] == [3]
    people = PersonIndex([child, teenager, unknown], gazetteer=gazetteer, vocabulary=vocabulary)
    assert [m.person_id for m in people.top_for(listings[0], k=5, today=TODAY)] == [2]
    assert people.top_for(listings[1], k=5, today=TODAY) == []
    assert (
        score(child, listings[0], gazetteer=gazetteer, vocabulary=vocabulary, today=TODAY) is None
    )
