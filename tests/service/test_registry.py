"""The registry service against a real database: case numbers, scope, duplicates, search, audit."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matching.names import stored_keys, swapped_key
from reintegrate.errors import Forbidden, InvalidInput, NotFound, TooManyAttempts
from reintegrate.models import AuditEntry, DuplicateReview, NameKey, Returnee
from reintegrate.services import registry, reviews
from reintegrate.services.access import Actor
from reintegrate.services.duplicates import ELSEWHERE_NOTICE, PossibleDuplicate
from tests.builders import make_returnee, make_user, returnee_input


def _audit_actions(session: Session, returnee_id: int) -> list[str]:
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "returnee", AuditEntry.entity_id == returnee_id)
        .order_by(AuditEntry.id)
    )
    return [row.action for row in rows]


def test_registration_gives_sequential_case_numbers_per_province(db_session: Session) -> None:
    officer = make_user(db_session, provinces=["02", "01"])
    first = make_returnee(db_session, officer)
    second = make_returnee(
        db_session,
        officer,
        given_name="Dara",
        family_name="Keo",
        phone=None,
        date_of_birth=date(1980, 1, 1),
    )
    other_province = make_returnee(
        db_session, officer, home_province="01", given_name="Vanna", phone=None
    )
    assert re.fullmatch(r"KH02-\d{4}-\d{6}", first.case_number)
    assert int(second.case_number[-6:]) == int(first.case_number[-6:]) + 1
    assert other_province.case_number.startswith("KH01-")
    assert first.skill_texts == ["bricklaying", "ជាងឈើ"]


def test_registration_outside_own_provinces_is_refused_and_writes_nothing(
    db_session: Session,
) -> None:
    officer = make_user(db_session, provinces=["02"])
    before = db_session.scalar(select(func.count()).select_from(Returnee))
    with pytest.raises(InvalidInput) as caught:
        registry.register(db_session, Actor.of(officer), returnee_input(home_province="17"))
    assert "home_province" in caught.value.errors
    assert db_session.scalar(select(func.count()).select_from(Returnee)) == before


@pytest.mark.parametrize("role", ["employer", "manager", "admin"])
def test_only_officers_use_the_registry(db_session: Session, role: str) -> None:
    officer = make_user(db_session)
    returnee = make_returnee(db_session, officer)
    other = Actor.of(make_user(db_session, role))
    with pytest.raises(Forbidden):
        registry.get(db_session, other, returnee.id)
    with pytest.raises(Forbidden):
        registry.register(db_session, other, returnee_input())
    with pytest.raises(Forbidden):
        registry.search(db_session, other, registry.ReturneeFilters())


def test_out_of_scope_returnee_is_not_found(db_session: Session) -> None:
    battambang = make_user(db_session, provinces=["02"])
    siem_reap = make_user(db_session, provinces=["17"])
    returnee = make_returnee(db_session, battambang)
    with pytest.raises(NotFound):
        registry.get(db_session, Actor.of(siem_reap), returnee.id)
    with pytest.raises(NotFound):
        registry.update_returnee(db_session, Actor.of(siem_reap), returnee.id, {"district": "X"})
    assert registry.search(db_session, Actor.of(siem_reap), registry.ReturneeFilters()).total == 0


def test_every_view_and_change_is_audited_without_personal_data(db_session: Session) -> None:
    officer = make_user(db_session)
    returnee = make_returnee(db_session, officer)
    actor = Actor.of(officer, ip="10.0.0.7")
    registry.get(db_session, actor, returnee.id)
    registry.update_returnee(
        db_session, actor, returnee.id, {"phone": "097 000 1111", "district": "Bavel"}
    )
    registry.update_returnee(db_session, actor, returnee.id, {"district": "Bavel"})
    assert _audit_actions(db_session, returnee.id) == ["create", "view", "update"]
    update = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).one()
    assert update.fields == ["district", "phone"]
    assert update.ip == "10.0.0.7"
    assert "097" not in str(update.detail) and "Bavel" not in str(update.detail)


def test_update_cannot_move_a_returnee_out_of_scope_or_before_birth(db_session: Session) -> None:
    officer = make_user(db_session, provinces=["02"])
    returnee = make_returnee(db_session, officer)
    with pytest.raises(InvalidInput) as moved:
        registry.update_returnee(
            db_session, Actor.of(officer), returnee.id, {"home_province": "12"}
        )
    assert "home_province" in moved.value.errors
    with pytest.raises(InvalidInput) as early:
        registry.update_returnee(
            db_session, Actor.of(officer), returnee.id, {"return_date": date(1990, 1, 1)}
        )
    assert "return_date" in early.value.errors
    db_session.refresh(returnee)
    assert returnee.home_province == "02"


@pytest.mark.parametrize(
    ("given", "family", "phone", "born", "reason"),
    [
        ("Sokhar", "Chay", None, date(1995, 4, 12), "similar_name"),
        ("Chhay", "Sokha", None, date(1995, 4, 12), "similar_name"),
        ("Bopha", "Lim", "+855 12 345 678", date(1970, 1, 1), "same_phone"),
        ("Sokha", "Chhay", None, date(1995, 12, 4), "close_date_of_birth"),
        ("Chay", "Sokhar", None, date(1996, 4, 12), "close_date_of_birth"),
        ("Sokha", "Chhay", None, date(1994, 1, 1), "close_date_of_birth"),
    ],
)
def test_possible_duplicates_tolerate_spelling_swaps_and_phone_formats(
    db_session: Session, given: str, family: str, phone: str | None, born: date, reason: str
) -> None:
    officer = make_user(db_session)
    existing = make_returnee(db_session, officer)
    found = registry.possible_duplicates(
        db_session,
        Actor.of(officer),
        returnee_input(
            given_name=given, family_name=family, phone=phone, date_of_birth=born, name_km=None
        ),
    )
    assert [d.case_number for d in found] == [existing.case_number]
    assert reason in found[0].reasons
    assert found[0].name == "Sokha Chhay"


LATIN_ONLY = {"given_name": "Sophea", "family_name": "Lim", "name_km": None}
KHMER_ONLY = {"given_name": "សុភា", "family_name": "លឹម", "name_km": None}


@pytest.mark.parametrize(
    ("first", "then"), [(LATIN_ONLY, KHMER_ONLY), (KHMER_ONLY, LATIN_ONLY)], ids=["latin", "khmer"]
)
def test_a_name_written_only_in_khmer_and_one_only_in_latin_find_each_other(
    db_session: Session, first: dict[str, Any], then: dict[str, Any]
) -> None:
    officer = make_user(db_session)
    born = date(1965, 9, 10)
    existing = make_returnee(db_session, officer, phone=None, date_of_birth=born, **first)
    found = registry.possible_duplicates(
        db_session,
        Actor.of(officer),
        returnee_input(phone=None, date_of_birth=born, **then),
    )
    assert [d.case_number for d in found] == [existing.case_number]


def test_a_name_written_only_in_khmer_is_found_by_a_search_in_either_script(
    db_session: Session,
) -> None:
    officer = make_user(db_session)
    person = make_returnee(db_session, officer, phone=None, **KHMER_ONLY)
    actor = Actor.of(officer)
    for q in ("សុភា", "Sophea Lim"):
        page = registry.search(db_session, actor, registry.ReturneeFilters(q=q))
        assert [r.id for r in page.items] == [person.id], q


def test_different_people_are_not_flagged(db_session: Session) -> None:
    officer = make_user(db_session)
    make_returnee(db_session, officer)
    found = registry.possible_duplicates(
        db_session,
        Actor.of(officer),
        returnee_input(given_name="Dara", family_name="Keo", phone="011 222 333", name_km=None),
    )
    assert found == []


def test_a_duplicate_outside_scope_is_only_a_notice_to_ask_the_national_desk(
    db_session: Session,
) -> None:
    battambang = make_user(db_session, provinces=["02"])
    siem_reap = make_user(db_session, provinces=["17"])
    make_returnee(db_session, battambang)
    found = registry.possible_duplicates(
        db_session, Actor.of(siem_reap), returnee_input(home_province="17")
    )
    assert found == [
        PossibleDuplicate(
            returnee_id=None,
            case_number=None,
            in_scope=False,
            name=None,
            home_province=None,
            score=None,
            reasons=(),
            message=ELSEWHERE_NOTICE,
        )
    ]


def test_a_phone_number_alone_reveals_nothing_about_someone_elsewhere(
    db_session: Session,
) -> None:
    """The probe: a made-up name with a known phone number, as an officer of another province."""
    make_returnee(db_session, make_user(db_session, provinces=["02"]), phone="012 345 678")
    prober = Actor.of(make_user(db_session, provinces=["17"]))
    for phone in ("012 345 678", "+855 12 345 678", "011 999 888"):
        found = registry.possible_duplicates(
            db_session,
            prober,
            returnee_input(
                given_name="Vuthy",
                family_name="Nhem",
                name_km=None,
                date_of_birth=date(1980, 1, 1),
                phone=phone,
                home_province="17",
            ),
        )
        assert found == []


def test_guessing_a_birth_date_elsewhere_is_stopped_by_the_limit_and_audited(
    db_session: Session,
) -> None:
    """The probe: a known name and 365 guessed birth dates; the limit ends it early."""
    make_returnee(db_session, make_user(db_session, provinces=["02"]))  # born 1995-04-12
    officer = make_user(db_session, provinces=["17"])
    prober = Actor.of(officer)
    answers, refused = {}, 0
    for day in range(365):
        guess = date(1995, 1, 1) + timedelta(days=day)
        data = returnee_input(date_of_birth=guess, phone=None, home_province="17")
        try:
            answers[guess] = registry.possible_duplicates(db_session, prober, data, check_limit=60)
        except TooManyAttempts:
            refused += 1
    assert len(answers) == 60 and refused == 305
    assert all(found == [] for found in answers.values())  # none of 60 hit 12 April
    checks = db_session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.user_id == officer.id, AuditEntry.action == "check")
    )
    assert checks == 60


def test_a_name_alone_is_no_evidence_of_a_duplicate(db_session: Session) -> None:
    """Dozens of people share a common name within a year in a national registry."""
    officer = make_user(db_session)
    make_returnee(db_session, officer)  # Sokha Chhay, born 1995-04-12, 012 345 678
    found = registry.possible_duplicates(
        db_session,
        Actor.of(officer),
        returnee_input(phone="097 111 2222", date_of_birth=date(1995, 9, 30)),
    )
    assert found == []


def test_the_score_adds_nothing_for_a_shared_birth_date_when_names_differ(
    db_session: Session,
) -> None:
    officer = make_user(db_session)
    make_returnee(db_session, officer)  # Sokha Chhay, born 1995-04-12, 012 345 678
    actor = Actor.of(officer)

    def score(born: date) -> int | None:
        found = registry.possible_duplicates(
            db_session,
            actor,
            returnee_input(
                given_name="Vuthy", family_name="Nhem", name_km=None, date_of_birth=born
            ),
        )
        assert [d.reasons for d in found] == [("same_phone",)]
        return found[0].score

    assert score(date(1995, 4, 12)) == score(date(1995, 4, 13))


def test_a_cross_province_duplicate_goes_to_the_queue_of_who_covers_both(
    db_session: Session,
) -> None:
    battambang = make_user(db_session, provinces=["02"])
    siem_reap = make_user(db_session, provinces=["17"])
    desk = make_user(db_session, provinces=["02", "17"])
    admin = make_user(db_session, "admin")
    earlier = make_returnee(db_session, battambang)
    later = registry.register(
        db_session, Actor.of(siem_reap), returnee_input(home_province="17")
    ).returnee
    assert reviews.page(db_session, Actor.of(siem_reap)).items == []
    assert reviews.page(db_session, Actor.of(battambang)).items == []
    for actor in (Actor.of(desk), Actor.of(admin)):
        found = reviews.page(db_session, actor).items
        assert [r.returnee_ids for r in found] == [[earlier.id, later.id]]
        assert found[0].score > 0 and "similar_name" in found[0].reasons
    review = reviews.page(db_session, Actor.of(desk)).items[0]
    with pytest.raises(NotFound):
        reviews.dismiss(db_session, Actor.of(siem_reap), review.id)
    reviews.dismiss(db_session, Actor.of(desk), review.id)
    assert reviews.page(db_session, Actor.of(admin)).items == []


def test_registration_queues_doubles_unless_the_officer_says_someone_else(
    db_session: Session,
) -> None:
    officer = make_user(db_session)
    earlier = make_returnee(db_session, officer)
    queued = registry.register(
        db_session, Actor.of(officer), returnee_input(return_date=date(2026, 9, 1))
    )
    assert queued.returnee.linked_to_id is None
    assert [d.returnee_id for d in queued.possible_duplicates] == [earlier.id]
    different = registry.register(
        db_session,
        Actor.of(officer),
        returnee_input(return_date=date(2026, 9, 2)),
        different_from=[earlier.id, queued.returnee.id],
    )
    pairs = {tuple(r.returnee_ids): r.status for r in db_session.scalars(select(DuplicateReview))}
    assert pairs[(earlier.id, queued.returnee.id)] == "open"
    assert pairs[(earlier.id, different.returnee.id)] == "dismissed"
    assert pairs[(queued.returnee.id, different.returnee.id)] == "dismissed"


def test_search_by_name_is_fuzzy_in_latin_and_khmer(db_session: Session) -> None:
    officer = make_user(db_session)
    sokha = make_returnee(db_session, officer)
    dara = make_returnee(
        db_session,
        officer,
        given_name="Dara",
        family_name="Keo",
        name_km="កែវ តារា",
        phone=None,
        date_of_birth=date(1988, 2, 2),
    )
    actor = Actor.of(officer)

    def ids(q: str) -> list[int]:
        return [
            r.id for r in registry.search(db_session, actor, registry.ReturneeFilters(q=q)).items
        ]

    assert ids("Sokhar Chay") == [sokha.id]
    assert ids("chhay") == [sokha.id]
    assert ids("តារា") == [dara.id]
    assert ids(dara.case_number) == [dara.id]
    assert ids("Vuthy") == []


def test_search_filters_by_province_status_and_return_date(db_session: Session) -> None:
    officer = make_user(db_session, provinces=["02", "01"])
    early = make_returnee(db_session, officer, return_date=date(2025, 1, 10))
    late = make_returnee(
        db_session,
        officer,
        home_province="01",
        return_date=date(2026, 6, 1),
        given_name="Dara",
        phone=None,
    )
    actor = Actor.of(officer)

    def ids(**filters: object) -> list[int]:
        return sorted(
            r.id
            for r in registry.search(db_session, actor, registry.ReturneeFilters(**filters)).items
        )

    assert ids() == sorted([early.id, late.id])
    assert ids(province="01") == [late.id]
    assert ids(province="17") == []
    assert ids(returned_from=date(2026, 1, 1)) == [late.id]
    assert ids(returned_to=date(2025, 12, 31)) == [early.id]
    registry.update_returnee(db_session, actor, early.id, {"status": "placed"})
    assert ids(status="placed") == [early.id]


def test_search_paginates(db_session: Session) -> None:
    officer = make_user(db_session)
    for i in range(7):
        make_returnee(
            db_session,
            officer,
            given_name=f"Person{i}",
            phone=None,
            date_of_birth=date(1980 + i, 1, 1),
        )
    page = registry.search(
        db_session, Actor.of(officer), registry.ReturneeFilters(), page=2, page_size=5
    )
    assert (page.total, page.pages, len(page.items)) == (7, 2, 2)


def test_search_by_phone_in_any_format_finds_the_person(db_session: Session) -> None:
    officer = make_user(db_session)
    sokha = make_returnee(db_session, officer)
    make_returnee(
        db_session, officer, given_name="Dara", phone="097 111 2222", date_of_birth=date(1988, 2, 2)
    )
    actor = Actor.of(officer)
    for typed in ("012 345 678", "+85512345678", "(012) 345-678", "០១២ ៣៤៥ ៦៧៨", "12345678"):
        found = registry.search(db_session, actor, registry.ReturneeFilters(q=typed)).items
        assert [r.id for r in found] == [sokha.id], typed
    assert registry.search(db_session, actor, registry.ReturneeFilters(q="011 999 999")).total == 0


def test_search_ranks_the_closest_name_first_among_many_namesakes(db_session: Session) -> None:
    """Family names are shared by thousands; the one person who fits best comes first."""
    officer = make_user(db_session)
    for i in range(40):
        make_returnee(
            db_session,
            officer,
            given_name=("Sokhom", "Sokheng", "Sokun", "Sophal")[i % 4],
            family_name="Chhay",
            phone=None,
            date_of_birth=date(1970 + i, 3, 3),
        )
    wanted = make_returnee(db_session, officer, given_name="Sokha", phone=None)
    found = registry.search(
        db_session, Actor.of(officer), registry.ReturneeFilters(q="Sokha Chhay")
    ).items
    assert found[0].id == wanted.id


def test_stored_name_keys_follow_edits(db_session: Session) -> None:
    officer = make_user(db_session)
    person = make_returnee(db_session, officer)
    assert (person.name_key, person.name_key_km) == stored_keys("Sokha", "Chhay", "ឆាយ សុខា")
    registry.update_returnee(
        db_session, Actor.of(officer), person.id, {"given_name": "Dara", "name_km": None}
    )
    db_session.flush()
    assert (person.name_key, person.name_key_km) == stored_keys("Dara", "Chhay", None)
    found = registry.search(db_session, Actor.of(officer), registry.ReturneeFilters(q="Dara"))
    assert [r.id for r in found.items] == [person.id]


def test_name_search_covers_every_province_of_the_officer(db_session: Session) -> None:
    officer = make_user(db_session, provinces=["02", "01"])
    here = make_returnee(db_session, officer, phone=None)
    there = make_returnee(
        db_session,
        officer,
        home_province="01",
        given_name="Sokhar",
        phone=None,
        date_of_birth=date(1980, 1, 5),
    )
    actor = Actor.of(officer)
    found = registry.search(db_session, actor, registry.ReturneeFilters(q="Sokha Chhay")).items
    assert [r.id for r in found] == [here.id, there.id]
    only_01 = registry.search(
        db_session, actor, registry.ReturneeFilters(q="Sokha Chhay", province="01")
    ).items
    assert [r.id for r in only_01] == [there.id]


def test_pages_read_from_the_end_hold_the_same_rows_as_from_the_start(
    db_session: Session,
) -> None:
    """The back half of a list is read in reverse (fast deep pages); the rows must not change."""
    from reintegrate.pagination import paginate

    officer = make_user(db_session, provinces=["02"])
    for n in range(7):
        make_returnee(db_session, officer, given_name=f"Page{n}", phone=None)
    query = select(Returnee)
    order = (Returnee.created_at.desc(), Returnee.id.desc())
    everyone = [r.id for r in db_session.scalars(query.order_by(*order))]
    for size in (2, 3, 7, 10):
        pages = [paginate(db_session, query, *order, page=n, page_size=size) for n in range(1, 6)]
        assert [r.id for p in pages for r in p.items] == everyone
        assert {p.total for p in pages} == {len(everyone)}


def test_the_officers_list_pages_through_every_province_newest_first(db_session: Session) -> None:
    """Every page of a list over several provinces, from the front or the back half, holds
    exactly the rows of the whole list in its order."""
    officer = make_user(db_session, provinces=["02", "01", "17"])
    for n in range(9):
        make_returnee(
            db_session,
            officer,
            home_province=("02", "01", "17")[n % 3],
            given_name=f"Page{n}",
            phone=None,
        )
    actor = Actor.of(officer)
    everyone = [
        r.id
        for r in db_session.scalars(
            select(Returnee).order_by(Returnee.created_at.desc(), Returnee.id.desc())
        )
    ]
    for size in (2, 4, 9, 10):
        pages = [
            registry.search(db_session, actor, registry.ReturneeFilters(), page=n, page_size=size)
            for n in range(1, 7)
        ]
        assert [r.id for p in pages for r in p.items] == everyone, size
        assert {p.total for p in pages} == {9}
    only_01 = registry.search(db_session, actor, registry.ReturneeFilters(province="01"))
    assert {r.home_province for r in only_01.items} == {"01"} and only_01.total == 3


def test_the_name_dictionary_holds_every_registered_and_edited_name(db_session: Session) -> None:
    """Search and the duplicate check start from the dictionary: a name missing from it
    would make its holders unfindable by name; a corrected name no one bears leaves it."""
    officer = make_user(db_session)
    person = make_returnee(db_session, officer, given_name="Vannak", family_name="Meas")
    registry.update_returnee(db_session, Actor.of(officer), person.id, {"given_name": "Pheaktra"})
    db_session.flush()
    held = set(db_session.execute(select(NameKey.script, NameKey.key, NameKey.swapped)))
    assert (
        "latin",
        stored_keys("Vannak", "Meas", None)[0],
        swapped_key("Vannak", "Meas"),
    ) not in held
    assert (
        "latin",
        stored_keys("Pheaktra", "Meas", None)[0],
        swapped_key("Pheaktra", "Meas"),
    ) in held
    assert ("khmer", stored_keys("Pheaktra", "Meas", "ឆាយ សុខា")[1], "") in held
    found = registry.search(db_session, Actor.of(officer), registry.ReturneeFilters(q="Pheaktra"))
    assert [r.id for r in found.items] == [person.id]


def _sokhas(session: Session, officer: Any, count: int, given: str = "Sokha") -> list[Returnee]:
    """`count` people named `given` Chhay, born in successive years, Latin names only."""
    return [
        make_returnee(
            session,
            officer,
            given_name=given,
            phone=None,
            name_km=None,
            date_of_birth=date(1970 + i, 3, 3),
        )
        for i in range(count)
    ]


def test_name_search_pages_through_every_holder_best_name_first(db_session: Session) -> None:
    """Holders of the best-fitting name come first (oldest record first among them), then
    those of the next; every page holds the rows the whole ranking puts there."""
    officer = make_user(db_session)
    exact, close = _sokhas(db_session, officer, 7), _sokhas(db_session, officer, 7, "Sokhan")
    actor = Actor.of(officer)
    pages = [
        registry.search(
            db_session, actor, registry.ReturneeFilters(q="Sokha Chhay"), page=n, page_size=3
        )
        for n in range(1, 6)
    ]
    assert {page.total for page in pages} == {14}
    assert [r.id for page in pages for r in page.items] == [p.id for p in exact + close]


def test_a_birth_date_written_another_way_still_finds_the_person(db_session: Session) -> None:
    """Day and month swapped, or a 1 January placeholder, is still the same birth."""
    officer = make_user(db_session)
    actor = Actor.of(officer)
    person = make_returnee(db_session, officer, phone=None, date_of_birth=date(1990, 3, 7))
    for written in (date(1990, 7, 3), date(1990, 1, 1)):
        shown = registry.possible_duplicates(
            db_session, actor, returnee_input(phone=None, date_of_birth=written)
        )
        assert person.id in [d.returnee_id for d in shown], written


def test_a_name_shared_by_more_people_than_are_counted_says_so(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matches are counted best name first up to a limit; past it the page says "more", and
    the best-fitting people are still the ones shown."""
    monkeypatch.setattr(registry, "NAME_MATCHES_COUNTED", 4)
    officer = make_user(db_session)
    exact = _sokhas(db_session, officer, 3)
    _sokhas(db_session, officer, 3, "Sokhan")
    actor = Actor.of(officer)
    first = registry.search(
        db_session, actor, registry.ReturneeFilters(q="Sokha Chhay"), page=1, page_size=3
    )
    assert (first.total, first.more) == (4, True)
    assert [r.id for r in first.items] == [p.id for p in exact]
    second = registry.search(
        db_session, actor, registry.ReturneeFilters(q="Sokha Chhay"), page=2, page_size=3
    )
    assert len(second.items) == 1 and second.more
    make_returnee(db_session, officer, given_name="Vannak", family_name="Meas", phone=None)
    few = registry.search(db_session, actor, registry.ReturneeFilters(q="Vannak Meas"))
    assert (few.total, few.more) == (1, False)


def test_a_key_written_twice_by_racing_registrations_finds_each_person_once(
    db_session: Session,
) -> None:
    """The dictionary has no unique constraint (an insertion must never wait for another
    transaction's), so two registrations racing on a new name may both add it."""
    officer = make_user(db_session)
    person = make_returnee(db_session, officer, given_name="Vannak", family_name="Meas")
    twin = db_session.scalars(select(NameKey).where(NameKey.key == person.name_key)).one()
    db_session.add(NameKey(script=twin.script, key=twin.key, swapped=twin.swapped))
    db_session.flush()
    actor = Actor.of(officer)
    found = registry.search(db_session, actor, registry.ReturneeFilters(q="Vannak Meas"))
    assert [r.id for r in found.items] == [person.id] and found.total == 1
    shown = registry.possible_duplicates(
        db_session, actor, returnee_input(given_name="Vannak", family_name="Meas", phone=None)
    )
    assert [d.returnee_id for d in shown] == [person.id]
