"""What a person was already offered: the matches leave these out, whoever offered them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from reintegrate.models import Placement, Referral


def referred_listing_ids(session: Session, returnee_id: int) -> Sequence[int]:
    """Listings a returnee was already referred to or enrolled in: not offered again."""
    return session.scalars(
        union(
            select(Referral.listing_id).where(Referral.returnee_id == returnee_id),
            select(Placement.listing_id).where(Placement.returnee_id == returnee_id),
        ).order_by("listing_id")
    ).all()
