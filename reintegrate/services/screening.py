"""Listings screened for signs of exploitation; the flags are stored on each listing.

Screening runs whenever a listing is written (posted, edited, imported), when its employer's
verification changes, and for every listing on `reintegrate listings screen` (after the
minimum-wage file changes). The rules themselves are pure, in jobs_import.screening.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from jobs_import.screening import (
    BELOW_MINIMUM_WAGE,
    DOCUMENTS_HELD,
    EMPLOYER_UNVERIFIED,
    WORK_ABROAD,
    WORKER_FEE,
    Keywords,
    MinimumWages,
    Screened,
    parse_keywords,
    parse_minimum_wages,
    screen,
)
from reintegrate.errors import N_, RuleBroken
from reintegrate.models import Employer, Listing, Returnee
from reintegrate.models.listing import ListingStatus
from reintegrate.reference import REFERENCE_DIR
from reintegrate.services import audit
from reintegrate.services.access import Actor
from reintegrate.services.policy import authorize, can
from reintegrate.timeutil import local_today

SURVIVOR_FLAGGED_LISTING = "survivor_flagged_listing"
SURVIVOR_UNVERIFIED_EMPLOYER = "survivor_unverified_employer"

MINIMUM_WAGES_CSV = REFERENCE_DIR / "minimum_wages.csv"
KEYWORDS_CSV = REFERENCE_DIR / "screening_keywords.csv"

REASONS = {
    BELOW_MINIMUM_WAGE: N_(
        "The wage, USD %(wage)s a month, is under the legal minimum of USD %(minimum)s "
        "for this sector in %(year)s (%(source)s)."
    ),
    WORKER_FEE: N_('The worker is asked to pay a fee or a deposit ("%(phrase)s").'),
    DOCUMENTS_HELD: N_('The employer would keep the worker\'s documents ("%(phrase)s").'),
    WORK_ABROAD: N_(
        'Posted as a job in Cambodia, but the text is about work abroad ("%(phrase)s").'
    ),
    EMPLOYER_UNVERIFIED: N_("An administrator has not verified this employer yet."),
}


def load_minimum_wages(path: Path) -> MinimumWages:
    """Read and check a minimum-wage file; a bad row raises ReferenceFileError naming it."""
    with path.open(encoding="utf-8", newline="") as lines:
        return parse_minimum_wages(lines)


@cache
def _default_minimum_wages() -> MinimumWages:
    return load_minimum_wages(MINIMUM_WAGES_CSV)


@cache
def _keywords() -> Keywords:
    with KEYWORDS_CSV.open(encoding="utf-8", newline="") as lines:
        return parse_keywords(lines)


EMPLOYERS_VERIFIED = "employers_verified"


def _employer_verified(session: Session, employer_id: int | None) -> bool:
    """Whether the listing's employer is verified. An import fills `session.info` with its
    employers' answers once per chunk (see imports._Importer), so screening a feed's rows
    costs no query and no flush per row."""
    if employer_id is None:
        return False
    known = session.info.get(EMPLOYERS_VERIFIED, {})
    if employer_id in known:
        return bool(known[employer_id])
    employer = session.get(Employer, employer_id)
    return bool(employer and employer.verified)


def shows_flags(actor: Actor) -> bool:
    """Officers and admins see why a listing was flagged; its employer is not told which words
    to change to slip past the screening."""
    return can(actor, "listings.see_flags")


def flags_for(
    session: Session, listing: Listing, wages: MinimumWages | None = None
) -> list[dict[str, Any]]:
    """The listing's flags as stored: code plus the evidence the reason is written from."""
    return flags_of(
        session,
        Screened(
            kind=listing.kind,
            title=listing.title,
            description=listing.description,
            benefit=listing.benefit,
            sectors=tuple(
                [listing.sector or ""] + [skill.code for skill in listing.skills if skill.code]
            ),
            wage_min_usd=listing.wage_min_usd,
            wage_max_usd=listing.wage_max_usd,
            in_cambodia=bool(listing.province_links),
            has_employer=listing.employer_id is not None,
        ),
        listing.employer_id,
        wages,
    )


def flags_of(
    session: Session,
    screened: Screened,
    employer_id: int | None,
    wages: MinimumWages | None = None,
) -> list[dict[str, Any]]:
    """The flags of what a listing says (`screened`), its employer's verification looked up
    here: the one place a listing is screened, whether it is an object or an imported row."""
    screened = replace(screened, employer_verified=_employer_verified(session, employer_id))
    found = screen(screened, wages or _default_minimum_wages(), _keywords(), local_today().year)
    return [flag.as_json() for flag in found]


def screen_listing(session: Session, listing: Listing, wages: MinimumWages | None = None) -> bool:
    """Store the listing's flags; True if they changed."""
    flags = flags_for(session, listing, wages)
    if flags == (listing.flags or []):
        return False
    listing.flags = flags
    return True


def rescreen(
    session: Session,
    actor: Actor,
    *,
    employer_id: int | None = None,
    wages: MinimumWages | None = None,
) -> int:
    """Screen every listing again (or one employer's); returns how many changed."""
    authorize(actor, "listings.rescreen")
    query = select(Listing).order_by(Listing.id)
    if employer_id is not None:
        query = query.where(Listing.employer_id == employer_id)
    changed = sum(screen_listing(session, listing, wages) for listing in session.scalars(query))
    session.flush()
    if employer_id is None:
        audit.record(session, actor, "update", "listing", None, detail={"what": "screening"})
    return changed


def count_codes(flag_lists: Iterable[list[dict[str, Any]]]) -> dict[str, int]:
    """How many listings carry each flag."""
    counts: Counter[str] = Counter()
    for flags in flag_lists:
        counts.update({flag["code"] for flag in flags or ()})
    return dict(sorted(counts.items()))


def describe(flag: dict[str, Any], translate: Callable[..., str]) -> dict[str, str]:
    """A stored flag as `code` and `reason`, the reason in the reader's language."""
    code = flag["code"]
    template = REASONS.get(code)
    if template is None:
        return {"code": code, "reason": code}
    return {"code": code, "reason": translate(template, **flag.get("detail", {}))}


def survivor_rule_broken(listing: Listing) -> RuleBroken | None:
    """Why a survivor of trafficking may not be matched or referred to this listing, if so.

    Any sign of exploitation keeps survivors away; so does an employer no admin has checked.
    """
    codes = {flag["code"] for flag in listing.flags or ()}
    if codes - {EMPLOYER_UNVERIFIED}:
        return RuleBroken(
            SURVIVOR_FLAGGED_LISTING,
            N_(
                "A survivor of trafficking is never referred to a listing flagged for signs "
                "of exploitation."
            ),
        )
    if EMPLOYER_UNVERIFIED in codes:
        return RuleBroken(
            SURVIVOR_UNVERIFIED_EMPLOYER,
            N_(
                "A survivor of trafficking is only referred to employers an administrator "
                "has verified."
            ),
        )
    return None


def require_safe_for(returnee: Returnee, listing: Listing) -> None:
    """Refuse a survivor's referral or enrolment to a flagged listing, whoever asks."""
    if returnee.trafficking_survivor:
        refusal = survivor_rule_broken(listing)
        if refusal is not None:
            raise refusal


def flagged_open_listing_ids(session: Session) -> set[int]:
    """Open listings with any flag: never matched to a survivor of trafficking."""
    flagged = func.coalesce(cast(Listing.flags, String), "[]") != "[]"
    return set(
        session.scalars(select(Listing.id).where(Listing.status == ListingStatus.OPEN, flagged))
    )
