"""The cross-province review list: registrations that may duplicate someone elsewhere.

The registering officer only hears that such a person exists. Here an officer scoped to both
provinces, or an admin (the national desk), sees the pair and says whether it is one person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, insert, select
from sqlalchemy.orm import Session, aliased

from reintegrate.db import utcnow
from reintegrate.errors import N_, InvalidInput, NotFound
from reintegrate.models import DuplicateReview, Returnee
from reintegrate.models.user import Role
from reintegrate.services import audit, name_lookup
from reintegrate.services.access import Actor, in_scope, require_role

DECISIONS = ("same", "different")


def _visible(actor: Actor) -> Any:
    """Reviews the actor may see: all for an admin, both provinces in scope for an officer."""
    require_role(actor, Role.OFFICER, Role.ADMIN)
    query = select(DuplicateReview)
    if actor.role == Role.ADMIN:
        return query
    new, other = aliased(Returnee), aliased(Returnee)
    return (
        query.join(new, new.id == DuplicateReview.returnee_id)
        .join(other, other.id == DuplicateReview.other_id)
        .where(in_scope(actor, new.home_province), in_scope(actor, other.home_province))
    )


def open_reviews(session: Session, actor: Actor) -> list[DuplicateReview]:
    """Undecided pairs, oldest first; every person shown is audited as seen on a list."""
    rows = list(
        session.scalars(
            _visible(actor)
            .where(DuplicateReview.decision.is_(None))
            .order_by(DuplicateReview.created_at, DuplicateReview.id)
        ).unique()
    )
    shown = {row.returnee_id for row in rows} | {row.other_id for row in rows}
    audit.record_shown(session, actor, "returnee", sorted(shown), detail={"what": "reviews"})
    return rows


def decide(session: Session, actor: Actor, review_id: int, decision: str) -> DuplicateReview:
    """Settle a pair; 'same' links the later registration to the earlier record."""
    if decision not in DECISIONS:
        raise InvalidInput({"decision": [N_("Unknown value.")]})
    review = (
        session.scalars(_visible(actor).where(DuplicateReview.id == review_id))
        .unique()
        .one_or_none()
    )
    if review is None:
        raise NotFound("review not found")
    review.decision = decision
    review.decided_by_id = actor.user_id
    review.decided_at = utcnow()
    if decision == "same" and review.returnee.linked_to_id is None:
        review.returnee.linked_to_id = review.other_id
    audit.record(session, actor, "update", "duplicate_review", review.id, fields=["decision"])
    return review


def propose_pair(
    session: Session,
    actor: Actor,
    returnee_id: int,
    other_id: int,
    score: int,
    reasons: list[str],
) -> None:
    """Put a possible duplicate pair in the review queue, once (either order is the same pair).

    The queue has no place for the score and reasons yet; they are taken so callers already
    say what they know when it gets one.
    """
    propose_pairs(session, actor, [(returnee_id, other_id, score, reasons)])


def propose_pairs(
    session: Session, actor: Actor, proposals: Sequence[tuple[int, int, int, list[str]]]
) -> int:
    """`propose_pair` for many pairs in two statements (a bulk import proposes thousands);
    returns how many pairs were new to the queue."""
    wanted: dict[tuple[int, int], tuple[int, int]] = {}
    for returnee_id, other_id, _score, _reasons in proposals:
        if returnee_id != other_id:
            wanted.setdefault(
                (min(returnee_id, other_id), max(returnee_id, other_id)), (returnee_id, other_id)
            )
    if not wanted:
        return 0
    ids = {i for pair in wanted for i in pair}
    with session.no_autoflush:
        for a, b in session.execute(
            select(DuplicateReview.returnee_id, DuplicateReview.other_id).where(
                name_lookup.any_of(session, DuplicateReview.returnee_id, ids, Integer),
                name_lookup.any_of(session, DuplicateReview.other_id, ids, Integer),
            )
        ):
            wanted.pop((min(a, b), max(a, b)), None)
    if wanted:
        session.execute(
            insert(DuplicateReview),
            [
                {"returnee_id": a, "other_id": b, "created_by_id": actor.user_id}
                for a, b in wanted.values()
            ],
        )
    return len(wanted)
