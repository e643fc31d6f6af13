"""A person not willing to relocate: a job beyond a daily commute ranks below every job within
reach, whatever its skills, and its reason says so; the index ranks exactly as ``score``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from matching.geo import Gazetteer
from matching.index import ListingIndex, PersonIndex
from matching.scoring import COMMUTE_KM, UNREACHABLE_MAX, Listing, Person, score
from matching.vocabulary import Vocabulary

TODAY = date(2026, 3, 15)
HOME, NEXT_DOOR, RATANAKIRI = "12", "08", "16"


def _person(**overrides: object) -> Person:
    base = Person(
        id=1,
        skills=frozenset({"welding", "bricklaying"}),
        home_province=HOME,
        willing_to_relocate=False,
        languages=frozenset({"km"}),
        interests=frozenset({"job"}),
    )
    return replace(base, **overrides)


def _jobs() -> list[Listing]:
    return [
        # Far away, and a perfect fit for the person's skills.
        Listing(1, "job", "Welder", frozenset({RATANAKIRI}), frozenset({"welding", "bricklaying"})),
        # At home, and needing skills the person does not have at all.
        Listing(2, "job", "Nurse", frozenset({HOME}), frozenset({"nursing"}), frozenset({"en"})),
        # The next province, a commute away, needing nothing the person has.
        Listing(
            3, "job", "Cook", frozenset({NEXT_DOOR}), frozenset({"cooking"}), frozenset({"th"})
        ),
    ]


def test_a_far_job_ranks_below_every_reachable_one_and_says_why(
    gazetteer: Gazetteer, vocabulary: Vocabulary
) -> None:
    assert gazetteer.distance_km(HOME, NEXT_DOOR) <= COMMUTE_KM
    assert gazetteer.distance_km(HOME, RATANAKIRI) > COMMUTE_KM
    person = _person()
    matches = {
        listing.id: score(person, listing, gazetteer=gazetteer, vocabulary=vocabulary, today=TODAY)
        for listing in _jobs()
    }
    far = matches[1]
    assert far is not None and far.score <= UNREACHABLE_MAX
    assert all(m is not None and m.score > far.score for i, m in matches.items() if i != 1)
    [reason] = far.component("location").reasons
    assert reason.code == "location.beyond_commute"
    assert reason.params["commute_km"] == round(COMMUTE_KM)
    assert "beyond a daily commute" in reason.render_en()
    assert "ranked below every job within reach" in reason.render_en()


def test_the_same_job_is_not_capped_for_someone_willing_to_move_or_who_prefers_it(
    gazetteer: Gazetteer, vocabulary: Vocabulary
) -> None:
    far = _jobs()[0]
    for person in (
        _person(willing_to_relocate=True),
        _person(preferred_provinces=frozenset({RATANAKIRI})),
    ):
        match = score(person, far, gazetteer=gazetteer, vocabulary=vocabulary, today=TODAY)
        assert match is not None and match.score > UNREACHABLE_MAX
        assert "location.beyond_commute" not in {r.code for r in match.reasons}


def test_both_indexes_rank_exactly_as_score(gazetteer: Gazetteer, vocabulary: Vocabulary) -> None:
    jobs = _jobs()
    index = ListingIndex(jobs, gazetteer=gazetteer, vocabulary=vocabulary)
    for person in (_person(), _person(willing_to_relocate=True)):
        ranked = index.top_for(person, k=3, today=TODAY)
        expected = sorted(
            (
                score(person, j, gazetteer=gazetteer, vocabulary=vocabulary, today=TODAY)
                for j in jobs
            ),
            key=lambda m: (-m.score, m.listing_id),
        )
        assert [(m.listing_id, m.score) for m in ranked] == [
            (m.listing_id, m.score) for m in expected
        ]
    assert index.top_for(_person(), k=3, today=TODAY)[-1].listing_id == 1
    people = [
        _person(id=1),
        _person(id=2, willing_to_relocate=True),
        _person(id=3, home_province=RATANAKIRI),
    ]
    candidates = PersonIndex(people, gazetteer=gazetteer, vocabulary=vocabulary)
    ranked = candidates.top_for(jobs[0], k=3, today=TODAY)
    expected = sorted(
        (
            score(p, jobs[0], gazetteer=gazetteer, vocabulary=vocabulary, today=TODAY)
            for p in people
        ),
        key=lambda m: (-m.score, m.person_id),
    )
    assert [(m.person_id, m.score) for m in ranked] == [(m.person_id, m.score) for m in expected]
    assert ranked[-1].person_id == 1 and ranked[-1].score <= UNREACHABLE_MAX
