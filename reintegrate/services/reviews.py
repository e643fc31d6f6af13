"""The duplicate queue: pairs of cases that may be one person, strongest evidence first.

Pairs come from registration's duplicate check and from bulk intake (`propose_pair`). An
officer sees a pair only when both cases are in their provinces; an admin (the national desk)
sees every pair, without names. A dismissed pair is kept so it is never proposed again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Integer, Select, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from reintegrate.db import utcnow
from reintegrate.errors import N_, InvalidInput, NotFound, RuleBroken
from reintegrate.models import DuplicateReview, Returnee
from reintegrate.models.returnee import ReviewStatus
from reintegrate.pagination import Page, paginate
from reintegrate.services import audit, name_lookup
from reintegrate.services.access import Actor, in_scope
from reintegrate.services.policy import authorize, can

STATUSES = tuple(status.value for status in ReviewStatus)
MAX_REASONS = 20
MAX_REASON_LENGTH = 64


def visible(actor: Actor) -> Select[Any]:
    """Pairs the actor may see: all for an admin, both provinces in scope for an officer."""
    authorize(actor, "duplicates.review")
    query = select(DuplicateReview)
    if can(actor, "duplicates.review_all"):
        return query
    first, second = aliased(Returnee), aliased(Returnee)
    return (
        query.join(first, first.id == DuplicateReview.returnee_id)
        .join(second, second.id == DuplicateReview.other_id)
        .where(in_scope(actor, first.home_province), in_scope(actor, second.home_province))
    )


def queue(session: Session, actor: Actor, status: str = ReviewStatus.OPEN.value) -> Select[Any]:
    """The actor's pairs in one status, strongest first (callers paginate and audit)."""
    if status not in STATUSES:
        raise InvalidInput({"status": [N_("Unknown value.")]})
    query = visible(actor).where(DuplicateReview.status == status)
    if status == ReviewStatus.OPEN.value:
        merged = select(Returnee.id).where(Returnee.merged_into_id.is_not(None))
        query = query.where(
            DuplicateReview.returnee_id.not_in(merged), DuplicateReview.other_id.not_in(merged)
        )
    return query


QUEUE_ORDER = (DuplicateReview.score.desc(), DuplicateReview.created_at, DuplicateReview.id)


def audit_shown(session: Session, actor: Actor, rows: list[DuplicateReview]) -> None:
    """Every person on a queue page is recorded as seen on a list."""
    shown = {row.returnee_id for row in rows} | {row.other_id for row in rows}
    audit.record_shown(session, actor, "returnee", sorted(shown), detail={"what": "reviews"})


def get(session: Session, actor: Actor, review_id: int) -> DuplicateReview:
    """One pair the actor may see; any other is 'not found'."""
    review = (
        session.scalars(visible(actor).where(DuplicateReview.id == review_id))
        .unique()
        .one_or_none()
    )
    if review is None:
        raise NotFound("review not found")
    return review


def _survivor(session: Session, returnee_id: int) -> int:
    """The case a record lives on: itself, or the case it was merged into."""
    row = session.execute(
        select(Returnee.id, Returnee.merged_into_id).where(Returnee.id == returnee_id)
    ).one_or_none()
    if row is None:
        raise NotFound("returnee not found")
    return row.merged_into_id or row.id


def _survivors(session: Session, ids: Collection[int]) -> dict[int, int]:
    """For many records at once, the case each lives on (`_survivor`)."""
    return {
        row.id: row.merged_into_id or row.id
        for row in session.execute(
            select(Returnee.id, Returnee.merged_into_id).where(
                name_lookup.any_of(session, Returnee.id, ids, Integer)
            )
        )
    }


def _kept_reasons(reasons: Sequence[object]) -> list[str]:
    """Reasons as stored: distinct, each and their number bounded."""
    return list(dict.fromkeys(str(reason)[:MAX_REASON_LENGTH] for reason in reasons))[:MAX_REASONS]


def propose_pair(
    session: Session,
    actor: Actor,
    returnee_id: int,
    other_id: int,
    score: int,
    reasons: list[str],
) -> DuplicateReview:
    """Put a pair in the queue, or return the one already there (either order).

    Safe to call in parallel: the row is inserted with ON CONFLICT DO NOTHING on the pair. A
    dismissed or merged pair is returned as it is, never re-opened; an open pair keeps the
    strongest evidence proposed for it. A merged record stands for the case it was merged into.
    """
    authorize(actor, "duplicates.review")
    if not 0 <= score <= 100:
        raise InvalidInput({"score": [N_("Must be between 0 and 100.")]})
    reasons = _kept_reasons(reasons)
    settled = session.scalars(
        select(DuplicateReview).where(
            DuplicateReview.returnee_id == min(returnee_id, other_id),
            DuplicateReview.other_id == max(returnee_id, other_id),
            DuplicateReview.status != ReviewStatus.OPEN.value,
        )
    ).one_or_none()
    if settled is not None:
        return settled
    first, second = sorted((_survivor(session, returnee_id), _survivor(session, other_id)))
    if first == second:
        raise RuleBroken("same_case", N_("These two records are already one case."))
    if can(actor, "returnees.read"):  # a reader of the registry proposes only what they reach
        in_reach = session.scalar(
            select(Returnee.id).where(
                Returnee.id.in_((first, second)), in_scope(actor, Returnee.home_province)
            )
        )
        if in_reach is None:
            raise NotFound("returnee not found")
    insert_fn = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    created = session.scalar(
        insert_fn(DuplicateReview)
        .values(
            returnee_id=first,
            other_id=second,
            score=score,
            reasons=reasons,
            status=ReviewStatus.OPEN.value,
            created_by_id=actor.user_id,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["returnee_id", "other_id"])
        .returning(DuplicateReview.id)
    )
    review = session.scalars(
        select(DuplicateReview)
        .where(DuplicateReview.returnee_id == first, DuplicateReview.other_id == second)
        .execution_options(populate_existing=True)
    ).one()
    if created is not None:
        audit.record(session, actor, "create", "duplicate_review", review.id)
    elif review.status == ReviewStatus.OPEN.value and score > review.score:
        review.score = score
        review.reasons = reasons
        session.flush()
    return review


def dismiss(session: Session, actor: Actor, review_id: int) -> DuplicateReview:
    """'Not the same person': the pair leaves the queue for good."""
    review = get(session, actor, review_id)
    if review.status != ReviewStatus.OPEN.value:
        raise RuleBroken("pair_settled", _SETTLED[review.status])
    review.status = ReviewStatus.DISMISSED.value
    review.decided_by_id = actor.user_id
    review.decided_at = utcnow()
    session.flush()
    audit.record(session, actor, "dismiss", "duplicate_review", review.id)
    return review


def involving(session: Session, returnee_id: int) -> Select[Any]:
    """Pairs that name this record on either side."""
    return select(DuplicateReview).where(
        or_(DuplicateReview.returnee_id == returnee_id, DuplicateReview.other_id == returnee_id)
    )


_SETTLED = {
    ReviewStatus.MERGED.value: N_("This pair has already been merged."),
    ReviewStatus.DISMISSED.value: N_("This pair has been marked as different people."),
}


def settled_message(status: str) -> str:
    """Why a pair that is no longer open cannot be merged or dismissed."""
    return _SETTLED[status]


def page(
    session: Session,
    actor: Actor,
    status: str = ReviewStatus.OPEN.value,
    *,
    page: int = 1,
    page_size: int = 25,
) -> Page[DuplicateReview]:
    """One page of the queue, strongest first; the people on it are audited as seen."""
    result = paginate(
        session, queue(session, actor, status), *QUEUE_ORDER, page=page, page_size=page_size
    )
    audit_shown(session, actor, list(result.items))
    return result


def propose_pairs(
    session: Session, actor: Actor, proposals: Sequence[tuple[int, int, int, list[str]]]
) -> int:
    """`propose_pair` for the many pairs of a bulk intake, in three statements (one call per
    pair cost ten seconds per 10,000 rows); returns how many pairs were new to the queue.

    Each pair names a person the intake has just registered in the officer's provinces, so no
    scope check is needed; as in `propose_pair`, a merged record stands for its survivor, a
    settled pair is never reopened and a pair already queued keeps its row.
    """
    authorize(actor, "duplicates.review")
    ids = {i for returnee_id, other_id, _s, _r in proposals for i in (returnee_id, other_id)}
    if not ids:
        return 0
    with session.no_autoflush:
        survivor = _survivors(session, ids)
    wanted: dict[tuple[int, int], dict[str, Any]] = {}
    for returnee_id, other_id, score, reasons in proposals:
        first, second = survivor.get(returnee_id), survivor.get(other_id)
        if first is None or second is None or first == second:
            continue
        pair = (min(first, second), max(first, second))
        kept = _kept_reasons(reasons)
        if pair not in wanted or score > wanted[pair]["score"]:
            wanted[pair] = {"score": max(0, min(100, score)), "reasons": kept}
    if not wanted:
        return 0
    firsts = {first for first, _ in wanted}
    with session.no_autoflush:
        for a, b in session.execute(
            select(DuplicateReview.returnee_id, DuplicateReview.other_id).where(
                name_lookup.any_of(session, DuplicateReview.returnee_id, firsts, Integer)
            )
        ):
            wanted.pop((a, b), None)
    if wanted:
        insert_fn = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        now = utcnow()
        session.execute(
            insert_fn(DuplicateReview).on_conflict_do_nothing(
                index_elements=["returnee_id", "other_id"]
            ),
            [
                {
                    "returnee_id": first,
                    "other_id": second,
                    "score": evidence["score"],
                    "reasons": evidence["reasons"],
                    "status": ReviewStatus.OPEN.value,
                    "created_by_id": actor.user_id,
                    "created_at": now,
                }
                for (first, second), evidence in wanted.items()
            ],
        )
    return len(wanted)


def propose_for_new_case(
    session: Session,
    actor: Actor,
    returnee_id: int,
    found: Sequence[tuple[int, int, list[str]]],
    different_from: Collection[int] = (),
) -> None:
    """Queue what a registration's duplicate check found (other id, score, reasons) in one
    insertion, audited; a pair with someone in `different_from` (the officer said "not the
    same person") is stored dismissed, so it is never proposed again.

    The case is new, so none of its pairs can be queued already; as in `propose_pair`, a
    merged record stands for the case it was merged into.
    """
    authorize(actor, "duplicates.review")
    others = {other_id for other_id, _score, _reasons in found}
    if not others:
        return
    survivor = _survivors(session, others)
    now = utcnow()
    wanted: dict[tuple[int, int], dict[str, Any]] = {}
    for other_id, score, reasons in found:
        other = survivor.get(other_id)
        if other is None or other == returnee_id:
            continue
        pair = (min(returnee_id, other), max(returnee_id, other))
        if pair in wanted and wanted[pair]["score"] >= score:
            continue
        dismissed = other_id in different_from
        wanted[pair] = {
            "returnee_id": pair[0],
            "other_id": pair[1],
            "score": max(0, min(100, score)),
            "reasons": _kept_reasons(reasons),
            "status": (ReviewStatus.DISMISSED if dismissed else ReviewStatus.OPEN).value,
            "created_by_id": actor.user_id,
            "created_at": now,
            "decided_by_id": actor.user_id if dismissed else None,
            "decided_at": now if dismissed else None,
        }
    if not wanted:
        return
    created = session.execute(
        insert(DuplicateReview).returning(DuplicateReview.id, DuplicateReview.status),
        list(wanted.values()),
    )
    for review_id, status in created:
        audit.record(session, actor, "create", "duplicate_review", review_id)
        if status == ReviewStatus.DISMISSED.value:
            audit.record(session, actor, "dismiss", "duplicate_review", review_id)
