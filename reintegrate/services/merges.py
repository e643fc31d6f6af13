"""Merging two records of one person, and undoing a merge exactly.

The kept case gets every row that named the merged one (referrals with their events,
placements with their follow-ups and outcomes, notes, skills, safe-migration briefings, other
queue pairs, records linked or merged into it, and its audit history). The merged record stays,
marked `merged_into_id`, so its case number still leads to the survivor and the merge can be
undone: the `Merge` row keeps the ids of what moved and the kept case's fields as they were.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from reintegrate.db import utcnow
from reintegrate.errors import N_, InvalidInput, NotFound, RuleBroken
from reintegrate.models import (
    AuditEntry,
    CaseNote,
    DuplicateReview,
    ErasureRequest,
    Listing,
    Merge,
    Placement,
    Referral,
    Returnee,
    ReturneeExternalId,
    ReturneeSkill,
    SafeMigrationBriefing,
)
from reintegrate.models.returnee import ReturneeStatus, ReviewStatus
from reintegrate.services import audit, reviews
from reintegrate.services.access import Actor, in_scope
from reintegrate.services.duplicates import phone_key
from reintegrate.services.policy import authorize

# The rows that follow a person, by table and column; each is re-pointed by id.
_MOVED: dict[str, tuple[Any, str]] = {
    "referrals": (Referral, "returnee_id"),
    "placements": (Placement, "returnee_id"),
    "case_notes": (CaseNote, "returnee_id"),
    "safe_migration_briefings": (SafeMigrationBriefing, "returnee_id"),
    "returnee_external_ids": (ReturneeExternalId, "returnee_id"),
}
# Every column that references a returnee and what a merge does with it; a test checks that
# the models hold no other, so a new table naming a person cannot be forgotten here.
REFERENCES = {
    "referrals.returnee_id": "moved",
    "placements.returnee_id": "moved (follow-ups and outcomes hang off the placement)",
    "case_notes.returnee_id": "moved",
    "safe_migration_briefings.returnee_id": "moved",
    "returnee_external_ids.returnee_id": "moved (the kept case answers to the other's numbers)",
    "returnee_skills.returnee_id": "moved unless the kept case has the same skill",
    "duplicate_reviews.returnee_id": "moved unless the kept case already has that pair",
    "duplicate_reviews.other_id": "moved unless the kept case already has that pair",
    "returnees.linked_to_id": "moved",
    "returnees.merged_into_id": "moved (records merged earlier follow to the survivor)",
    "erasure_requests.returnee_id": "stays: a pending request refuses the merge",
    "merges.kept_id": "stays: the history of earlier merges",
    "merges.merged_id": "stays: the history of earlier merges",
}
# Rows re-pointed per statement: a long audit history stays under SQLite's parameter limit.
_CHUNK = 5000
# Blank fields of the kept case filled from the merged record (the old values are kept).
_FILLED = ("name_km", "phone", "district", "sector_abroad")
# A case further along this path keeps its status; a merge may only move it forward.
_PROGRESS = (
    ReturneeStatus.SEEKING.value,
    ReturneeStatus.REFERRED.value,
    ReturneeStatus.PLACED.value,
)


def _case(session: Session, actor: Actor, returnee_id: int) -> Returnee:
    """A case in the officer's provinces, locked for the merge; anyone else's is 'not found'."""
    returnee = session.scalars(
        select(Returnee)
        .where(Returnee.id == returnee_id, in_scope(actor, Returnee.home_province))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if returnee is None:
        raise NotFound("returnee not found")
    return returnee


def _ids(session: Session, column: Any, *where: Any) -> list[int]:
    return sorted(session.scalars(select(column).where(*where)))


def _refuse_clashes(session: Session, kept: Returnee, merged: Returnee) -> None:
    """The states a merge cannot resolve on its own: 409 with the reason."""
    if kept.merged_into_id is not None or merged.merged_into_id is not None:
        raise RuleBroken(
            "already_merged", N_("One of these cases has already been merged into another.")
        )
    if kept.erased_at is not None or merged.erased_at is not None:
        raise RuleBroken("erased", N_("One of these cases has been erased."))
    pending = session.scalar(
        select(ErasureRequest.id).where(
            ErasureRequest.returnee_id.in_((kept.id, merged.id)),
            ErasureRequest.status == "pending",
        )
    )
    if pending is not None:
        raise RuleBroken(
            "erasure_pending", N_("An erasure of one of these cases is waiting for a decision.")
        )

    def open_employers(returnee_id: int) -> set[int]:
        return set(
            session.scalars(
                select(Listing.employer_id)
                .join(Placement, Placement.listing_id == Listing.id)
                .where(
                    Placement.returnee_id == returnee_id,
                    Placement.ended_on.is_(None),
                    Listing.employer_id.is_not(None),
                )
            )
        )

    if open_employers(kept.id) & open_employers(merged.id):
        raise RuleBroken(
            "same_employer", N_("Both cases have an open placement with the same employer.")
        )
    listings = set(_ids(session, Referral.listing_id, Referral.returnee_id == kept.id))
    if listings & set(_ids(session, Referral.listing_id, Referral.returnee_id == merged.id)):
        raise RuleBroken("same_listing", N_("Both cases were referred to the same listing."))


def merge(session: Session, actor: Actor, review_id: int, keep: int) -> Merge:
    """Merge a queued pair into the case `keep`; one transaction with the caller's commit.

    Both cases must be in the officer's provinces (else 'not found', as if missing).
    """
    authorize(actor, "duplicates.merge")
    review = reviews.get(session, actor, review_id)
    if review.status != ReviewStatus.OPEN.value:
        raise RuleBroken("pair_settled", reviews.settled_message(review.status))
    if keep not in review.returnee_ids:
        raise InvalidInput({"keep": [N_("Choose one of the two cases.")]})
    merged_id = review.other_id if keep == review.returnee_id else review.returnee_id
    first, second = sorted((keep, merged_id))
    cases = {first: _case(session, actor, first), second: _case(session, actor, second)}
    kept, merged = cases[keep], cases[merged_id]
    _refuse_clashes(session, kept, merged)

    moved: dict[str, dict[str, list[int]]] = {}
    for table, (model, column) in _MOVED.items():
        moved[table] = {column: _ids(session, model.id, getattr(model, column) == merged.id)}
    skills = list(
        session.scalars(
            select(ReturneeSkill)
            .where(ReturneeSkill.returnee_id == merged.id)
            .order_by(ReturneeSkill.position, ReturneeSkill.id)
        )
    )
    known = {text.casefold() for text in kept.skill_texts}
    positions = {}
    next_position = max((skill.position for skill in kept.skills), default=-1) + 1
    for skill in skills:
        if skill.raw_text.casefold() not in known:
            known.add(skill.raw_text.casefold())
            positions[str(skill.id)] = skill.position
    moved["returnee_skills"] = {"returnee_id": sorted(int(i) for i in positions)}
    pairs: dict[str, list[int]] = {}
    for other in session.scalars(reviews.involving(session, merged.id)):
        partner = other.other_id if other.returnee_id == merged.id else other.returnee_id
        pair = sorted((kept.id, partner))
        clash = partner == kept.id or session.scalar(
            select(DuplicateReview.id).where(
                DuplicateReview.returnee_id == pair[0], DuplicateReview.other_id == pair[1]
            )
        )
        if not clash:
            pairs[str(other.id)] = [other.returnee_id, other.other_id]
    moved["returnees"] = {
        "linked_to_id": _ids(
            session, Returnee.id, Returnee.linked_to_id == merged.id, Returnee.id != kept.id
        ),
        "merged_into_id": _ids(session, Returnee.id, Returnee.merged_into_id == merged.id),
    }
    moved["audit_entries"] = {
        "entity_id": _ids(
            session,
            AuditEntry.id,
            AuditEntry.entity_type == "returnee",
            AuditEntry.entity_id == merged.id,
        )
    }

    kept_before: dict[str, Any] = {}
    for name in _FILLED:
        if not getattr(kept, name) and getattr(merged, name):
            kept_before[name] = getattr(kept, name)
    if kept.status in _PROGRESS and merged.status in _PROGRESS:
        if _PROGRESS.index(merged.status) > _PROGRESS.index(kept.status):
            kept_before["status"] = kept.status
    if "phone" in kept_before:
        kept_before["phone_key"] = kept.phone_key
    if _exact_birth_fills(kept, merged):
        kept_before["date_of_birth"] = kept.date_of_birth.isoformat()  # the snapshot is JSON
        kept_before["date_of_birth_approximate"] = True

    _repoint(session, moved, merged.id, kept.id)
    for review_key, (first_id, second_id) in pairs.items():
        partner = second_id if first_id == merged.id else first_id
        _set_pair(session, int(review_key), *sorted((kept.id, partner)))
    for skill in skills:
        if str(skill.id) in positions:
            skill.position = next_position
            next_position += 1
    for name in kept_before:
        if name != "phone_key":
            setattr(kept, name, getattr(merged, name))
    if "phone" in kept_before:
        kept.phone_key = phone_key(kept.phone)
    merged.merged_into_id = kept.id
    review.status = ReviewStatus.MERGED.value
    review.decided_by_id = actor.user_id
    review.decided_at = utcnow()
    record = Merge(
        review_id=review.id,
        kept_id=kept.id,
        merged_id=merged.id,
        by_id=actor.user_id,
        at=utcnow(),
        snapshot={
            "moved": moved,
            "skill_positions": positions,
            "review_pairs": pairs,
            "kept_before": kept_before,
        },
    )
    session.add(record)
    session.flush()
    session.expire(kept)
    detail = {"merge": record.id, "kept": kept.id, "merged": merged.id}
    audit.record(session, actor, "merge", "returnee", kept.id, detail=detail)
    audit.record(session, actor, "merge", "returnee", merged.id, detail=detail)
    return record


def _exact_birth_fills(kept: Returnee, merged: Returnee) -> bool:
    """Whether the kept case, knowing only a birth year, takes the other record's full date of
    birth in that year: it adds to what is known without contradicting it (another year
    would, and the kept case's own value stands then, as for any field it has)."""
    return (
        kept.date_of_birth_approximate
        and not merged.date_of_birth_approximate
        and merged.date_of_birth.year == kept.date_of_birth.year
    )


def _repoint(
    session: Session, moved: dict[str, dict[str, list[int]]], source: int, target: int
) -> None:
    """Point the listed rows from `source` to `target` (only rows still pointing at source).

    A placement carries its person's research consent (statistics read it there): moved
    placements take the consent of the person they now belong to, and an undo gives back
    the other person's."""
    models: dict[str, Any] = {
        **{table: model for table, (model, _column) in _MOVED.items()},
        "returnee_skills": ReturneeSkill,
        "returnees": Returnee,
        "audit_entries": AuditEntry,
    }
    for table, columns in moved.items():
        model = models[table]
        for column, ids in columns.items():
            for start in range(0, len(ids), _CHUNK):
                session.execute(
                    update(model)
                    .where(
                        model.id.in_(ids[start : start + _CHUNK]), getattr(model, column) == source
                    )
                    .values({column: target})
                    .execution_options(synchronize_session=False)
                )
    consent = select(Returnee.consent_research).where(Returnee.id == target).scalar_subquery()
    placements = moved.get("placements", {}).get("returnee_id", [])
    for start in range(0, len(placements), _CHUNK):
        session.execute(
            update(Placement)
            .where(Placement.id.in_(placements[start : start + _CHUNK]))
            .values(consent_research=consent)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()


def _set_pair(session: Session, review_id: int, first: int, second: int) -> None:
    session.execute(
        update(DuplicateReview)
        .where(DuplicateReview.id == review_id)
        .values(returnee_id=first, other_id=second)
        .execution_options(synchronize_session=False)
    )


def get(session: Session, actor: Actor, merge_id: int) -> Merge:
    """A merge whose two cases are both in the officer's provinces; any other is 'not found'."""
    authorize(actor, "returnees.read")
    record = session.get(Merge, merge_id)
    if record is None or not {record.kept.home_province, record.merged.home_province} <= set(
        actor.provinces
    ):
        raise NotFound("merge not found")
    return record


def undo(session: Session, actor: Actor, merge_id: int) -> Merge:
    """Give back exactly what the merge moved and changed; the pair is open in the queue again.

    Merges are undone last first: while a later merge involves either case, its rows may
    have moved on, so this one is refused (409).
    """
    record = get(session, actor, merge_id)
    if record.undone_at is not None:
        raise RuleBroken("already_undone", N_("This merge has already been undone."))
    kept = _case(session, actor, record.kept_id)
    merged = _case(session, actor, record.merged_id)
    later = session.scalar(
        select(Merge.id).where(
            Merge.id > record.id,
            Merge.undone_at.is_(None),
            or_(
                Merge.kept_id.in_((kept.id, merged.id)),
                Merge.merged_id.in_((kept.id, merged.id)),
            ),
        )
    )
    if later is not None:
        raise RuleBroken(
            "later_merge",
            N_("A later merge involves one of these cases: undo that one first."),
        )
    snapshot = record.snapshot
    merged.merged_into_id = None
    session.flush()
    _repoint(session, snapshot["moved"], kept.id, merged.id)
    for review_key, (first_id, second_id) in snapshot["review_pairs"].items():
        _set_pair(session, int(review_key), first_id, second_id)
    for skill_id, position in snapshot["skill_positions"].items():
        session.execute(
            update(ReturneeSkill)
            .where(ReturneeSkill.id == int(skill_id))
            .values(position=position)
            .execution_options(synchronize_session=False)
        )
    kept = _case(session, actor, record.kept_id)
    for name, value in snapshot["kept_before"].items():
        setattr(kept, name, date.fromisoformat(value) if name == "date_of_birth" else value)
    review = session.get(DuplicateReview, record.review_id)
    if review is not None:
        review.status = ReviewStatus.OPEN.value
        review.decided_by_id = None
        review.decided_at = None
    record.undone_at = utcnow()
    record.undone_by_id = actor.user_id
    session.flush()
    detail = {"merge": record.id, "kept": record.kept_id, "merged": record.merged_id}
    audit.record(session, actor, "unmerge", "returnee", record.kept_id, detail=detail)
    audit.record(session, actor, "unmerge", "returnee", record.merged_id, detail=detail)
    return record


def history(session: Session, actor: Actor, limit: int = 50) -> list[Merge]:
    """Recent merges whose two cases are both in the officer's provinces, newest first."""
    authorize(actor, "returnees.read")
    kept, merged = aliased(Returnee), aliased(Returnee)
    return list(
        session.scalars(
            select(Merge)
            .join(kept, kept.id == Merge.kept_id)
            .join(merged, merged.id == Merge.merged_id)
            .where(in_scope(actor, kept.home_province), in_scope(actor, merged.home_province))
            .order_by(Merge.at.desc(), Merge.id.desc())
            .limit(limit)
        ).unique()
    )


def active_involving(session: Session, actor: Actor, returnee_id: int) -> list[Merge]:
    """Merges not undone that kept or folded this case, newest first (for its page)."""
    authorize(actor, "returnees.read")
    return list(
        session.scalars(
            select(Merge)
            .where(
                Merge.undone_at.is_(None),
                or_(Merge.kept_id == returnee_id, Merge.merged_id == returnee_id),
            )
            .order_by(Merge.id.desc())
        ).unique()
    )
