"""The duplicate queue, merges and their undo, against a real database."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.db import Base
from reintegrate.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleBroken
from reintegrate.models import (
    AuditEntry,
    CaseNote,
    DuplicateReview,
    Placement,
    Referral,
    Returnee,
    ReturneeSkill,
    SafeMigrationBriefing,
    User,
)
from reintegrate.services import merges, notes, privacy, registry, reviews
from reintegrate.services.access import Actor
from reintegrate.services.followups import OutcomeInput, record_outcome
from tests.builders import make_placement, make_returnee, make_user


def _pair(session: Session, officer: User, **second: Any) -> tuple[Returnee, Returnee, Any]:
    """Two records of one person (the second registered with a later return) and their pair."""
    first = make_returnee(session, officer, phone=None)
    later = make_returnee(
        session, officer, phone="097 111 2222", return_date=date(2026, 6, 1), **second
    )
    review = session.scalars(
        select(DuplicateReview).where(
            DuplicateReview.returnee_id == first.id, DuplicateReview.other_id == later.id
        )
    ).one()
    return first, later, review


def _rows(session: Session, returnee_id: int) -> dict[str, list[int]]:
    """Every row that names a person, by table."""

    def ids(model: Any, *where: Any) -> list[int]:
        return sorted(session.scalars(select(model.id).where(*where)))

    return {
        "referrals": ids(Referral, Referral.returnee_id == returnee_id),
        "placements": ids(Placement, Placement.returnee_id == returnee_id),
        "notes": ids(CaseNote, CaseNote.returnee_id == returnee_id),
        "skills": ids(ReturneeSkill, ReturneeSkill.returnee_id == returnee_id),
        "briefings": ids(SafeMigrationBriefing, SafeMigrationBriefing.returnee_id == returnee_id),
        "audit": ids(
            AuditEntry, AuditEntry.entity_type == "returnee", AuditEntry.entity_id == returnee_id
        ),
    }


def test_propose_pair_is_one_row_in_either_order_and_never_reopens_a_dismissed_pair(
    db_session: Session,
) -> None:
    officer = make_user(db_session)
    a = make_returnee(
        db_session, officer, given_name="Dara", family_name="Keo", phone=None, name_km=None
    )
    b = make_returnee(
        db_session, officer, given_name="Vanna", family_name="Sok", phone=None, name_km=None
    )
    actor = Actor.of(officer)
    first = reviews.propose_pair(db_session, actor, b.id, a.id, 40, ["similar_name"])
    again = reviews.propose_pair(db_session, actor, a.id, b.id, 70, ["same_phone"])
    assert first.id == again.id and again.returnee_ids == [a.id, b.id]
    assert (again.score, again.reasons) == (70, ["same_phone"])
    assert reviews.propose_pair(db_session, actor, a.id, b.id, 10, ["x"]).score == 70
    reviews.dismiss(db_session, actor, first.id)
    dismissed = reviews.propose_pair(db_session, actor, b.id, a.id, 99, ["same_phone"])
    assert dismissed.status == "dismissed" and dismissed.score == 70
    assert reviews.page(db_session, actor).items == []
    with pytest.raises(InvalidInput):
        reviews.propose_pair(db_session, actor, a.id, b.id, 101, [])
    with pytest.raises(Conflict):
        reviews.dismiss(db_session, actor, first.id)


def test_the_queue_shows_the_strongest_pairs_first(db_session: Session) -> None:
    officer = make_user(db_session)
    people = [
        make_returnee(
            db_session,
            officer,
            given_name=name,
            family_name="Keo",
            phone=None,
            name_km=None,
            date_of_birth=date(1980 + number * 5, 1, 2),
        )
        for number, name in enumerate(("Dara", "Vanna", "Bopha"))
    ]
    actor = Actor.of(officer)
    reviews.propose_pair(db_session, actor, people[0].id, people[1].id, 30, ["similar_name"])
    reviews.propose_pair(db_session, actor, people[1].id, people[2].id, 90, ["same_phone"])
    assert [r.score for r in reviews.page(db_session, actor).items] == [90, 30]


def test_merge_moves_everything_and_undo_gives_back_exactly_what_was_there(
    db_session: Session,
) -> None:
    officer = make_user(db_session)
    employer = make_user(db_session, "employer")
    actor = Actor.of(officer)
    placement = make_placement(
        db_session, officer, employer, date(2026, 7, 1), phone="097 111 2222", district=None
    )
    later = placement.returnee
    first = make_returnee(
        db_session, officer, phone=None, district="Sangkae", skills=("sewing", "bricklaying")
    )
    review = reviews.propose_pair(db_session, actor, first.id, later.id, 95, ["same_phone"])
    notes.add_note(db_session, actor, later.id, "Called on Monday")
    follow_up = placement.follow_ups[0]
    record_outcome(
        db_session,
        actor,
        follow_up.id,
        OutcomeInput(contacted_on=follow_up.due_date, status="employed_same"),
    )
    db_session.commit()
    before = {rid: privacy.export_returnee(db_session, actor, rid) for rid in (first.id, later.id)}
    rows_before = {rid: _rows(db_session, rid) for rid in (first.id, later.id)}

    record = merges.merge(db_session, actor, review.id, keep=first.id)
    db_session.commit()
    assert reviews.propose_pair(db_session, actor, later.id, first.id, 90, []).id == review.id
    kept = registry.get(db_session, actor, first.id, audited=False)
    gone = db_session.get(Returnee, later.id)
    assert gone.merged_into_id == first.id and review.status == "merged"
    assert _rows(db_session, later.id)["placements"] == []
    moved = _rows(db_session, first.id)
    assert set(rows_before[later.id]["placements"]) <= set(moved["placements"])
    assert set(rows_before[later.id]["notes"]) <= set(moved["notes"])
    assert set(rows_before[later.id]["audit"]) <= set(moved["audit"])
    assert kept.phone == "097 111 2222" and kept.status == "placed"
    assert kept.skill_texts == ["sewing", "bricklaying", "ជាងឈើ"]
    page = registry.search(db_session, actor, registry.ReturneeFilters())
    assert later.id not in [r.id for r in page.items]
    found = registry.search(db_session, actor, registry.ReturneeFilters(q=later.case_number))
    assert [r.id for r in found.items] == [first.id]
    with pytest.raises(Conflict):
        merges.merge(db_session, actor, review.id, keep=first.id)

    merges.undo(db_session, actor, record.id)
    db_session.commit()
    db_session.expire_all()
    after = {rid: privacy.export_returnee(db_session, actor, rid) for rid in (first.id, later.id)}
    assert after == before
    rows_after = {rid: _rows(db_session, rid) for rid in (first.id, later.id)}
    for rid in (first.id, later.id):
        for table in ("referrals", "placements", "notes", "skills", "briefings"):
            assert rows_after[rid][table] == rows_before[rid][table]
        assert set(rows_before[rid]["audit"]) <= set(rows_after[rid]["audit"])
    assert db_session.get(Returnee, later.id).merged_into_id is None
    assert db_session.get(DuplicateReview, review.id).status == "open"
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.in_(("merge", "unmerge")))
    ).all()
    assert sorted(actions) == ["merge", "merge", "unmerge", "unmerge"]
    with pytest.raises(Conflict):
        merges.undo(db_session, actor, record.id)


def test_a_cross_province_merge_needs_an_officer_of_both_provinces(db_session: Session) -> None:
    battambang = make_user(db_session, provinces=["02"])
    siem_reap = make_user(db_session, provinces=["17"])
    desk = make_user(db_session, provinces=["02", "17"])
    admin = make_user(db_session, "admin")
    first = make_returnee(db_session, battambang)
    later = make_returnee(db_session, siem_reap, home_province="17", return_date=date(2026, 6, 1))
    review = db_session.scalars(select(DuplicateReview)).one()
    assert review.returnee_ids == [first.id, later.id]
    for officer in (battambang, siem_reap):
        with pytest.raises(NotFound):
            merges.merge(db_session, Actor.of(officer), review.id, keep=first.id)
    with pytest.raises(Forbidden):
        merges.merge(db_session, Actor.of(admin), review.id, keep=first.id)
    with pytest.raises(InvalidInput):
        merges.merge(db_session, Actor.of(desk), review.id, keep=123456)
    record = merges.merge(db_session, Actor.of(desk), review.id, keep=later.id)
    with pytest.raises(NotFound):
        merges.undo(db_session, Actor.of(battambang), record.id)
    assert [m.id for m in merges.history(db_session, Actor.of(desk))] == [record.id]
    assert merges.history(db_session, Actor.of(siem_reap)) == []


def test_merging_a_case_already_merged_elsewhere_is_a_conflict(db_session: Session) -> None:
    officer = make_user(db_session)
    actor = Actor.of(officer)
    a, b, review = _pair(db_session, officer)
    c = make_returnee(
        db_session, officer, given_name="Dara", family_name="Keo", phone=None, name_km=None
    )
    d = make_returnee(
        db_session, officer, given_name="Vanna", family_name="Sok", phone=None, name_km=None
    )
    moves = reviews.propose_pair(db_session, actor, b.id, c.id, 20, ["similar_name"])
    reviews.propose_pair(db_session, actor, a.id, d.id, 20, ["similar_name"])
    stays = reviews.propose_pair(db_session, actor, b.id, d.id, 20, ["similar_name"])
    merges.merge(db_session, actor, review.id, keep=a.id)
    db_session.expire_all()
    assert db_session.get(DuplicateReview, moves.id).returnee_ids == [a.id, c.id]
    assert db_session.get(DuplicateReview, stays.id).returnee_ids == [b.id, d.id]
    assert stays.id not in [r.id for r in reviews.page(db_session, actor).items]
    with pytest.raises(RuleBroken, match="already been merged") as refused:
        merges.merge(db_session, actor, stays.id, keep=d.id)
    assert refused.value.rule == "already_merged"


def test_two_open_placements_with_the_same_employer_cannot_be_merged(
    db_session: Session,
) -> None:
    officer = make_user(db_session)
    employer = make_user(db_session, "employer")
    actor = Actor.of(officer)
    one = make_placement(db_session, officer, employer, date(2026, 7, 1), phone=None)
    two = make_placement(
        db_session, officer, employer, date(2026, 7, 2), phone=None, return_date=date(2026, 6, 1)
    )
    review = reviews.propose_pair(
        db_session, actor, one.returnee_id, two.returnee_id, 90, ["similar_name"]
    )
    with pytest.raises(Conflict, match="same employer"):
        merges.merge(db_session, actor, review.id, keep=one.returnee_id)
    assert db_session.get(Returnee, two.returnee_id).merged_into_id is None


def test_merges_are_undone_last_first(db_session: Session) -> None:
    officer = make_user(db_session)
    actor = Actor.of(officer)
    a, b, review = _pair(db_session, officer)
    c = make_returnee(
        db_session, officer, given_name="Dara", family_name="Keo", phone=None, name_km=None
    )
    first = merges.merge(db_session, actor, review.id, keep=a.id)
    second_review = reviews.propose_pair(db_session, actor, a.id, c.id, 50, ["similar_name"])
    second = merges.merge(db_session, actor, second_review.id, keep=c.id)
    assert db_session.get(Returnee, b.id).merged_into_id == c.id
    with pytest.raises(Conflict):
        merges.undo(db_session, actor, first.id)
    merges.undo(db_session, actor, second.id)
    assert db_session.get(Returnee, b.id).merged_into_id == a.id
    merges.undo(db_session, actor, first.id)
    assert db_session.get(Returnee, b.id).merged_into_id is None


def test_every_column_that_names_a_person_is_handled_by_a_merge() -> None:
    referencing = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        for key in column.foreign_keys
        if key.target_fullname == "returnees.id"
    }
    assert referencing == set(merges.REFERENCES)


def test_a_case_linked_to_the_merged_record_is_not_linked_to_itself(db_session: Session) -> None:
    officer = make_user(db_session)
    actor = Actor.of(officer)
    first, later, review = _pair(db_session, officer)
    registry.update_returnee(db_session, actor, first.id, {"linked_to_id": later.id})
    merges.merge(db_session, actor, review.id, keep=first.id)
    db_session.expire_all()
    assert db_session.get(Returnee, first.id).linked_to_id == later.id


def test_moved_placements_count_in_statistics_as_the_kept_person_agreed(
    db_session: Session,
) -> None:
    """Statistics read research consent on the placement: after a merge it is the kept
    person's, after the undo the other person's again."""
    officer = make_user(db_session)
    employer = make_user(db_session, "employer")
    actor = Actor.of(officer)
    placement = make_placement(db_session, officer, employer, date(2026, 7, 1))
    later = placement.returnee
    first = make_returnee(db_session, officer, phone=None)
    first.consent_research = False
    db_session.flush()
    assert later.consent_research and placement.consent_research
    review = reviews.propose_pair(db_session, actor, first.id, later.id, 95, ["same_phone"])

    record = merges.merge(db_session, actor, review.id, keep=first.id)
    assert db_session.get_one(Placement, placement.id).consent_research is False
    merges.undo(db_session, actor, record.id)
    assert db_session.get_one(Placement, placement.id).consent_research is True
