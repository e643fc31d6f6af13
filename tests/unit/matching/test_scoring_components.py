"""Each scoring component, the hard filters and eligibility edges, and the reasons they give."""

from __future__ import annotations

import math
import string
from dataclasses import replace
from datetime import date

import pytest

from matching.geo import Gazetteer
from matching.reasons import REASONS, render_en
from matching.scoring import (
    COMPONENTS,
    WEIGHTS,
    Eligibility,
    Listing,
    Match,
    Person,
    age_on,
    months_since,
    score,
)
from matching.vocabulary import Vocabulary

TODAY = date(2026, 3, 15)
PP, KANDAL, BATTAMBANG, RATANAKIRI = "12", "08", "02", "16"


def person(**overrides: object) -> Person:
    base = Person(
        id=1,
        skills=frozenset({"bricklaying"}),
        home_province=PP,
        willing_to_relocate=False,
        languages=frozenset({"km"}),
        sex="female",
        date_of_birth=date(1995, 6, 1),
        return_date=date(2025, 9, 1),
        interests=frozenset({"job", "incentive"}),
    )
    return replace(base, **overrides)


def job(**overrides: object) -> Listing:
    base = Listing(
        id=10,
        kind="job",
        title="Bricklayer",
        provinces=frozenset({PP}),
        skills=frozenset({"bricklaying"}),
    )
    return replace(base, **overrides)


def incentive(**overrides: object) -> Listing:
    base = Listing(
        id=20,
        kind="incentive",
        title="Start-up grant",
        provinces=frozenset(),
        eligibility=Eligibility(returned_within_months=12),
    )
    return replace(base, **overrides)


@pytest.fixture
def run(gazetteer: Gazetteer, vocabulary: Vocabulary):
    def _run(p: Person, listing: Listing) -> Match | None:
        return score(p, listing, gazetteer=gazetteer, vocabulary=vocabulary, today=TODAY)

    return _run


def codes(match: Match) -> set[str]:
    return {r.code for r in match.reasons}


def test_weights_sum_to_one() -> None:
    for kind, weights in WEIGHTS.items():
        assert set(weights) == set(COMPONENTS)
        assert math.isclose(sum(weights.values()), 1.0), kind
    assert WEIGHTS["incentive"]["eligibility"] > WEIGHTS["job"]["eligibility"]


def test_perfect_job(run) -> None:
    match = run(person(), job())
    assert match.score == 99  # eligibility of an open job is 0.8, weighted 0.05
    assert [c.name for c in match.components] == list(COMPONENTS)
    assert {
        "skills.covered",
        "location.same_province",
        "languages.none_required",
        "eligibility.open",
        "interests.match",
    } == codes(match)


def test_skills_coverage_and_related_credit(run) -> None:
    listing = job(skills=frozenset({"bricklaying", "plastering", "welding", "driving_car"}))
    match = run(person(), listing)
    assert match.component("skills").value == pytest.approx((1 + 0.5) / 4)
    reasons = {r.code: r.params for r in match.reasons}
    assert reasons["skills.covered"] == {"have": 1, "need": 4, "skills": ("bricklaying",)}
    assert reasons["skills.related"]["skills"] == ("plastering",)
    assert reasons["skills.related"]["via"] == ("bricklaying",)
    assert reasons["skills.missing"]["skills"] == ("driving_car", "welding")


def test_no_shared_skill_and_no_required_skill(run) -> None:
    none = run(person(), job(skills=frozenset({"welding"})))
    assert none.component("skills").value == 0.0 and "skills.none" in codes(none)
    neutral = run(person(), job(skills=frozenset()))
    assert neutral.component("skills").value == 0.5 and "skills.not_required" in codes(neutral)
    assert none.score < neutral.score < run(person(), job()).score


def test_location_decays_with_distance(run, gazetteer: Gazetteer) -> None:
    near = run(person(), job(provinces=frozenset({KANDAL}))).component("location")
    far = run(person(), job(provinces=frozenset({RATANAKIRI}))).component("location")
    assert 0 < far.value < near.value < 1.0
    far_willing = run(person(willing_to_relocate=True), job(provinces=frozenset({RATANAKIRI})))
    assert far_willing.component("location").value > 10 * far.value
    params = far_willing.component("location").reasons[0].params
    assert params == {
        "province": RATANAKIRI,
        "km": round(gazetteer.distance_km(PP, RATANAKIRI)),
        "willing_to_relocate": True,
    }
    preferred = run(
        person(preferred_provinces=frozenset({RATANAKIRI})), job(provinces=frozenset({RATANAKIRI}))
    )
    assert preferred.component("location").value == 0.9
    assert "location.preferred" in codes(preferred)
    anywhere = run(person(), job(provinces=frozenset()))
    assert anywhere.component("location").value == 1.0 and "location.nationwide" in codes(anywhere)


def test_distance_is_not_a_hard_filter(run) -> None:
    assert (
        run(person(willing_to_relocate=False), job(provinces=frozenset({RATANAKIRI}))) is not None
    )


def test_languages(run) -> None:
    thai = job(languages=frozenset({"th", "en"}))
    partial = run(person(languages=frozenset({"km", "th"})), thai)
    assert partial.component("languages").value == 0.5
    assert partial.component("languages").reasons[0].params == {"missing": ("en",), "have": ("th",)}
    full = run(person(languages=frozenset({"km", "th", "en"})), thai)
    assert full.component("languages").value == 1.0 and "languages.all" in codes(full)


def test_interests(run) -> None:
    assert run(person(interests=frozenset({"job"})), job()).component("interests").value == 1.0
    other = run(person(interests=frozenset({"incentive"})), job())
    assert other.component("interests").value < 1.0 and "interests.other" in codes(other)
    assert "interests.unstated" in codes(run(person(interests=frozenset()), job()))


def test_incentive_province_filter(run) -> None:
    assert run(person(home_province=BATTAMBANG), incentive(provinces=frozenset({PP}))) is None
    inside = run(person(), incentive(provinces=frozenset({PP, KANDAL})))
    assert inside.component("location").value == 1.0
    assert run(person(home_province=BATTAMBANG), incentive(provinces=frozenset())) is not None


def test_months_since_return_edges(run) -> None:
    twelve = incentive(eligibility=Eligibility(returned_within_months=12))
    assert run(person(return_date=date(2025, 3, 15)), twelve) is not None  # exactly 12 months
    assert run(person(return_date=date(2025, 3, 16)), twelve) is not None  # 11 months and 30 days
    assert run(person(return_date=date(2025, 3, 14)), twelve) is not None  # 12 months and a day
    assert run(person(return_date=date(2025, 2, 14)), twelve) is None  # 13 months
    assert months_since(date(2025, 2, 14), TODAY) == 13
    assert months_since(date(2026, 5, 1), TODAY) == 0
    eligible = run(person(return_date=date(2025, 3, 15)), twelve)
    assert eligible.component("eligibility").reasons[0].params["months_since_return"] == 12


def test_age_edges(run) -> None:
    young = incentive(eligibility=Eligibility(min_age=18, max_age=35))
    assert run(person(date_of_birth=date(1990, 3, 15)), young) is None  # 36 today
    assert run(person(date_of_birth=date(1990, 3, 16)), young) is not None  # 35 until tomorrow
    assert run(person(date_of_birth=date(2008, 3, 16)), young) is None  # 17
    assert run(person(date_of_birth=date(2008, 3, 15)), young) is not None  # 18 today
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17


def test_sex_and_unverified(run) -> None:
    women = incentive(eligibility=Eligibility(sex="female"))
    assert run(person(sex="male"), women) is None
    assert run(person(sex="female"), women) is not None
    unknown = run(person(return_date=None), incentive())
    assert unknown is not None
    assert unknown.component("eligibility").value == pytest.approx(0.5)
    assert {"eligibility.unverified"} <= codes(unknown)


def test_survivor_priority_is_a_bonus(run) -> None:
    programme = incentive(
        eligibility=Eligibility(returned_within_months=12, survivors_priority=True)
    )
    survivor = run(person(trafficking_survivor=True), programme)
    other = run(person(trafficking_survivor=False), programme)
    assert survivor.score > other.score
    assert "eligibility.survivor_priority" in codes(survivor)
    assert "eligibility.survivor_priority" not in codes(other)


def test_border_province_is_reported(run) -> None:
    match = run(person(home_province=BATTAMBANG), incentive())
    assert match.component("eligibility").reasons[0].params["border_province"] is True
    assert (
        run(person(), incentive()).component("eligibility").reasons[0].params["border_province"]
        is False
    )


@pytest.mark.parametrize(
    "listing",
    [
        job(),
        job(
            skills=frozenset({"plastering", "welding"}),
            provinces=frozenset({BATTAMBANG}),
            languages=frozenset({"th"}),
        ),
        incentive(
            eligibility=Eligibility(returned_within_months=12, min_age=18, survivors_priority=True)
        ),
    ],
)
def test_every_component_explains_itself(run, listing: Listing) -> None:
    match = run(person(trafficking_survivor=True, date_of_birth=None), listing)
    assert 0 <= match.score <= 100
    for component in match.components:
        assert component.reasons, component.name
        assert 0.0 <= component.value <= 1.0
        for reason in component.reasons:
            assert reason.code in REASONS
            assert tuple(reason.params) == REASONS[reason.code].params
            assert reason.render_en()


def test_reason_templates_use_exactly_their_params() -> None:
    for code, spec in REASONS.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(spec.template_en) if name}
        assert fields == set(spec.params), code
        assert render_en(code, dict.fromkeys(spec.params, ("a", "b")))
