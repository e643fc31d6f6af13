"""Listings: each is edited by its owner only; officers and admins browse, post and close any.

The owner of a listing an employer account posted is that employer; of one an officer or admin
posted (incentives, courses, jobs for employers without an account), the officers and admins;
of an imported one, its feed (change it by importing again). The employer of a listing never
changes after it is posted, so nobody can re-point its referrals to another employer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, event, exists, func, or_, select, update
from sqlalchemy.orm import Session

from jobs_import import Eligibility, ListingRecord
from jobs_import.dedupe import block_key
from jobs_import.screening import Screened
from reintegrate.db import utcnow
from reintegrate.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from reintegrate.models import Employer, Listing, ListingProvince, ListingSkill
from reintegrate.models.listing import POSTED_SOURCE, ListingKind, ListingStatus
from reintegrate.models.user import Role, User
from reintegrate.pagination import Page, paginate
from reintegrate.reference import HazardousWork
from reintegrate.services import audit, safeguarding, screening
from reintegrate.services.access import Actor
from reintegrate.services.policy import authorize, can
from reintegrate.services.skills import current_vocabulary, skill_values
from reintegrate.timeutil import local_today


@dataclass(frozen=True)
class ListingFilters:
    kind: str | None = None
    province: str | None = None
    skill: str | None = None
    status: str | None = ListingStatus.OPEN.value
    employer_id: int | None = None


def employer_id_named(session: Session, name: str) -> int:
    """The employer with this name, created on first use (feeds name employers we never met).

    Ids are cached on the session: an import names the same few employers thousands of times.
    """
    name = " ".join(name.split())
    cache: dict[str, int] = session.info.setdefault("employer_ids", {})
    if name not in cache:
        employer_id = session.scalar(select(Employer.id).where(Employer.name == name))
        if employer_id is None:
            employer = Employer(name=name)
            session.add(employer)
            session.flush()
            employer_id = employer.id
        cache[name] = employer_id
    return cache[name]


def record_values(session: Session, record: ListingRecord) -> dict[str, Any]:
    """The listing columns a validated record sets: the one way its fields are written."""
    eligibility = record.eligibility
    return {
        "kind": record.kind,
        "title": record.title,
        "employer_id": employer_id_named(session, record.employer) if record.employer else None,
        "programme": record.programme,
        "description": record.description,
        "district": record.district,
        "nationwide": record.kind == ListingKind.INCENTIVE and not record.provinces,
        "positions": record.positions,
        "wage_min_usd": record.wage_min_usd,
        "wage_max_usd": record.wage_max_usd,
        "employment_type": record.employment_type,
        "languages": list(record.languages),
        "valid_through": record.valid_through,
        "url": record.url,
        "sector": record.sector,
        "benefit": record.benefit,
        "returned_within_months": eligibility.returned_within_months if eligibility else None,
        "min_age": eligibility.min_age if eligibility else None,
        "max_age": eligibility.max_age if eligibility else None,
        "eligible_sex": eligibility.sex if eligibility else None,
        "survivors_priority": bool(eligibility and eligibility.survivors_priority),
        "fingerprint": record.fingerprint(),
        "dedupe_key": block_key(record) or None,
    }


def record_skills(session: Session, record: ListingRecord) -> list[dict[str, Any]]:
    """A record's skill rows; a listing that names none gets those its title names
    ("Truck Driver" -> driving_truck), so feeds without a skills column still rank by skill."""
    rows = skill_values(session, record.skills)
    return rows or [row for row in skill_values(session, [record.title]) if row["code"]]


def apply_record(session: Session, listing: Listing, record: ListingRecord) -> None:
    """Copy a validated record onto a listing, screened again so its flags always describe
    what it says now."""
    for name, value in record_values(session, record).items():
        setattr(listing, name, value)
    if listing.provinces != sorted(record.provinces):
        listing.province_links = [
            ListingProvince(province_code=c) for c in sorted(set(record.provinces))
        ]
    rows = [ListingSkill(**values) for values in record_skills(session, record)]
    if [(r.raw_text, r.code) for r in listing.skills] != [(r.raw_text, r.code) for r in rows]:
        listing.skills = rows
    if not (listing.hazardous_reason or "").startswith(safeguarding.SET_BY):
        entry = listed_hazard(session, listing)
        listing.hazardous = entry is not None
        listing.hazardous_reason = safeguarding.reason_of(entry) if entry else None
    screening.screen_listing(session, listing)


@dataclass(frozen=True)
class NewListing:
    """A new imported listing as plain rows: its columns, provinces and skills.

    A large feed creates tens of thousands of listings; writing them as rows rather than
    objects skips the ORM's per-attribute bookkeeping, most of an import's time. The values
    come from the same functions as `apply_record`, so both ways write the same listing.
    """

    values: dict[str, Any]
    provinces: list[str]
    skills: list[dict[str, Any]]


def new_listing(session: Session, record: ListingRecord, **columns: Any) -> NewListing:
    """The rows of a new listing for `record`, hazard and flags decided; `columns` adds the
    importer's own (source, identity key, status...)."""
    values = record_values(session, record) | columns
    skills = record_skills(session, record)
    codes = [row["code"] for row in skills if row["code"]]
    texts = (values["title"], values["description"], values["sector"])
    entry = hazard_of(
        session, values["kind"], (*texts, *(row["raw_text"] for row in skills)), codes
    )
    values["hazardous"] = entry is not None
    values["hazardous_reason"] = safeguarding.reason_of(entry) if entry else None
    provinces = sorted(set(record.provinces))
    values["flags"] = screening.flags_of(
        session,
        Screened(
            kind=values["kind"],
            title=values["title"],
            description=values["description"],
            benefit=values["benefit"],
            sectors=(values["sector"] or "", *codes),
            wage_min_usd=values["wage_min_usd"],
            wage_max_usd=values["wage_max_usd"],
            in_cambodia=bool(provinces),
            has_employer=values["employer_id"] is not None,
        ),
        values["employer_id"],
    )
    return NewListing(values, provinces, skills)


def listed_hazard(session: Session, listing: Listing) -> HazardousWork | None:
    """The entry of the list of hazardous work a listing matches."""
    texts = (listing.title, listing.description, listing.sector, *listing.skill_texts)
    return hazard_of(session, listing.kind, texts, [s.code for s in listing.skills if s.code])


def hazard_of(
    session: Session, kind: str, texts: Iterable[str | None], codes: Iterable[str]
) -> HazardousWork | None:
    """The entry of the list of hazardous work a job matches (by its skills' ISCO-08 codes or
    its words); incentive programmes are not work, so never."""
    if kind != ListingKind.JOB:
        return None
    vocabulary = current_vocabulary(session)
    isco = [vocabulary.skills[code].isco08 for code in codes if code in vocabulary]
    return safeguarding.find_hazardous_work(texts, isco)


def set_hazardous(session: Session, actor: Actor, listing: Listing, value: bool) -> None:
    """An employer (own listings) or an admin says whether a job is hazardous work.

    Only an admin may clear a job the list names, or undo an admin's decision: an employer
    cannot make a brick kiln open to 16-year-olds by unticking a box. A decision that differs
    from the list stands across edits and re-imports (``set:<role>``)."""
    if not can(actor, "listings.declare_hazard"):
        raise InvalidInput(
            {"hazardous": [N_("Only the employer or an administrator can set this.")]}
        )
    if listing.kind != ListingKind.JOB and value:
        raise InvalidInput({"hazardous": [N_("Only a job can be hazardous work.")]})
    entry = listed_hazard(session, listing)
    decided_by_admin = listing.hazardous_reason == f"{safeguarding.SET_BY}{Role.ADMIN}"
    overrides = can(actor, "listings.override_hazard")
    if not overrides and decided_by_admin and value != listing.hazardous:
        raise InvalidInput(
            {
                "hazardous": [
                    N_("An administrator decided this; only an administrator can change it.")
                ]
            }
        )
    if entry is not None and not value and not overrides:
        raise InvalidInput(
            {
                "hazardous": [
                    N_(
                        "This work is on the list of hazardous work for children; "
                        "only an administrator can clear it."
                    )
                ]
            }
        )
    listing.hazardous = value
    if (entry is not None) == value:
        listing.hazardous_reason = safeguarding.reason_of(entry) if entry else None
    else:
        listing.hazardous_reason = f"{safeguarding.SET_BY}{actor.role}"


def _check_record_for(actor: Actor, session: Session, record: ListingRecord) -> ListingRecord:
    """Employers post jobs for themselves only; the employer named is forced, not trusted."""
    if not can(actor, "listings.post_own"):
        if record.kind == ListingKind.JOB and not record.employer:
            raise InvalidInput({"employer": [N_("Missing data for required field.")]})
        return record
    if record.kind != ListingKind.JOB and not can(actor, "listings.post_incentive"):
        raise Forbidden("employers post jobs, not incentive programmes")
    own = session.get(Employer, actor.employer_id)
    if own is None:
        raise Forbidden("this account belongs to no employer")
    if record.employer and " ".join(record.employer.split()).casefold() != own.name.casefold():
        raise InvalidInput(
            {"employer": [N_("You can only post openings for your own organisation.")]}
        )
    return replace(record, employer=own.name)


def create_listing(session: Session, actor: Actor, record: ListingRecord) -> Listing:
    authorize(actor, "listings.post")
    record = _check_record_for(actor, session, record)
    if record.valid_through and record.valid_through < local_today():
        raise InvalidInput({"valid_through": [N_("The closing date has already passed.")]})
    listing = Listing(
        source=POSTED_SOURCE, created_by_id=actor.user_id, status=ListingStatus.OPEN.value
    )
    apply_record(session, listing, record)
    if record.hazardous is not None:
        set_hazardous(session, actor, listing, record.hazardous)
    listing.identity_key = f"posted:{uuid.uuid4().hex}"
    session.add(listing)
    session.flush()
    audit.record(session, actor, "create", "listing", listing.id)
    return listing


def get_listing(session: Session, actor: Actor, listing_id: int) -> Listing:
    """A listing the actor may see; another employer's is 'not found'."""
    authorize(actor, "listings.read")
    query = select(Listing).where(Listing.id == listing_id)
    if can(actor, "listings.read_own"):
        query = query.where(Listing.employer_id == actor.employer_id)
    listing = session.scalars(query).unique().one_or_none()
    if listing is None:  # another employer's looks, and costs, the same as missing
        raise NotFound("listing not found")
    return listing


def posted_by_employer(session: Session, listing: Listing) -> bool:
    """Whether an employer account posted this listing (so only that employer may edit it)."""
    if listing.source != POSTED_SOURCE or listing.created_by_id is None:
        return False
    poster_role = session.scalar(select(User.role).where(User.id == listing.created_by_id))
    return poster_role == Role.EMPLOYER


def may_edit(session: Session, actor: Actor, listing: Listing) -> bool:
    """Whether the actor owns the listing: its posting employer, or staff for staff listings."""
    if listing.source != POSTED_SOURCE:
        return False
    if posted_by_employer(session, listing):
        return can(actor, "listings.post_own") and listing.employer_id == actor.employer_id
    return can(actor, "listings.edit_staff_listings")


def may_reopen(session: Session, actor: Actor, listing: Listing) -> bool:
    """The owner reopens; staff also reopen imported listings (a feed's listings are theirs)."""
    if listing.source != POSTED_SOURCE:
        return can(actor, "listings.edit_staff_listings")
    return may_edit(session, actor, listing)


def get_listing_to_edit(session: Session, actor: Actor, listing_id: int) -> Listing:
    """A listing the actor owns, for its edit form; one the actor only sees is forbidden."""
    listing = get_listing(session, actor, listing_id)
    if listing.source != POSTED_SOURCE:
        raise Conflict(N_("This listing is imported; change it at its source, or close it."))
    if not may_edit(session, actor, listing):
        raise Forbidden(N_("Only the employer who posted this listing may edit it."))
    return listing


def _check_employer_unchanged(listing: Listing, content: Mapping[str, Any]) -> None:
    if "employer" not in content:
        return
    wanted = " ".join((content["employer"] or "").split()).casefold()
    if wanted != (listing.employer_name or "").casefold():
        raise InvalidInput(
            {"employer": [N_("The employer of a listing cannot change after it is posted.")]}
        )


def update_listing(
    session: Session, actor: Actor, listing_id: int, changes: Mapping[str, Any]
) -> Listing:
    """Edit, close or reopen a listing; only its owner edits or reopens it.

    Anyone who may see a listing may close it (an employer's filled opening, an officer taking
    down a doubtful one); imported listings change at their source, so only close them.
    """
    listing = get_listing(session, actor, listing_id)
    content = {k: v for k, v in changes.items() if k not in ("status", "hazardous")}
    if content and listing.source != POSTED_SOURCE:
        raise Conflict(
            f"this listing is imported from {listing.source!r}; change it there, or close it"
        )
    if content:
        if not may_edit(session, actor, listing):
            raise Forbidden(N_("Only the employer who posted this listing may edit it."))
        _check_employer_unchanged(listing, content)
        if content.get("valid_through") and content["valid_through"] < local_today():
            raise InvalidInput({"valid_through": [N_("The closing date has already passed.")]})
        record = _record_of(listing, content)
        record = _check_record_for(actor, session, record)
        apply_record(session, listing, record)
    if changes.get("hazardous") is not None and changes["hazardous"] != listing.hazardous:
        if not can(actor, "listings.override_hazard") and not may_edit(session, actor, listing):
            raise Forbidden(N_("Only the employer who posted this listing may edit it."))
        set_hazardous(session, actor, listing, changes["hazardous"])
    if "status" in changes and changes["status"] != listing.status:
        if changes["status"] == ListingStatus.OPEN and not may_reopen(session, actor, listing):
            raise Forbidden(N_("Only the employer who posted this listing may reopen it."))
        if (
            changes["status"] == ListingStatus.OPEN
            and listing.valid_through
            and listing.valid_through < local_today()
        ):
            raise InvalidInput(
                {"status": [N_("Set a closing date in the future before reopening.")]}
            )
        listing.status = changes["status"]
        listing.closed_reason = "closed_by_user" if listing.status == ListingStatus.CLOSED else None
        listing.closed_at = utcnow() if listing.status == ListingStatus.CLOSED else None
    session.flush()
    audit.record(session, actor, "update", "listing", listing.id, fields=sorted(changes))
    return listing


def _record_of(listing: Listing, changes: Mapping[str, Any]) -> ListingRecord:
    """The listing as a record with some fields changed, so edits go through the same checks."""
    current = record_of(listing)
    if "kind" in changes and changes["kind"] != listing.kind:
        raise InvalidInput({"kind": [N_("The kind of a listing cannot change.")]})
    return replace(current, **{k: v for k, v in changes.items() if k != "kind"})


def record_of(listing: Listing) -> ListingRecord:
    eligibility = None
    if listing.kind == ListingKind.INCENTIVE:
        eligibility = Eligibility(
            returned_within_months=listing.returned_within_months,
            min_age=listing.min_age,
            max_age=listing.max_age,
            sex=listing.eligible_sex,
            survivors_priority=listing.survivors_priority,
        )
    return ListingRecord(
        row=0,
        kind=listing.kind,
        external_id=None,
        title=listing.title,
        employer=listing.employer_name,
        programme=listing.programme,
        provinces=tuple(listing.provinces),
        district=listing.district,
        description=listing.description,
        skills=tuple(listing.skill_texts),
        positions=listing.positions,
        wage_min_usd=listing.wage_min_usd,
        wage_max_usd=listing.wage_max_usd,
        employment_type=listing.employment_type,
        languages=tuple(listing.languages),
        valid_through=listing.valid_through,
        url=listing.url,
        sector=listing.sector,
        benefit=listing.benefit,
        eligibility=eligibility,
    )


def _filtered(actor: Actor, filters: ListingFilters) -> Select[Any]:
    query = select(Listing)
    if not can(actor, "listings.read_all"):
        query = query.where(Listing.employer_id == actor.employer_id)
    else:
        query = query.where(Listing.duplicate_of_id.is_(None))
        if filters.employer_id:
            query = query.where(Listing.employer_id == filters.employer_id)
    if filters.status:
        query = query.where(Listing.status == filters.status)
    if filters.kind:
        query = query.where(Listing.kind == filters.kind)
    if filters.province:
        in_province = exists().where(
            ListingProvince.listing_id == Listing.id,
            ListingProvince.province_code == filters.province,
        )
        query = query.where(or_(in_province, Listing.nationwide.is_(True)))
    if filters.skill and filters.skill.strip():
        wanted = filters.skill.strip().lower()
        has_skill = exists().where(
            ListingSkill.listing_id == Listing.id,
            func.lower(ListingSkill.raw_text).contains(wanted, autoescape=True),
        )
        query = query.where(
            or_(has_skill, func.lower(Listing.title).contains(wanted, autoescape=True))
        )
    return query


def search_listings(
    session: Session, actor: Actor, filters: ListingFilters, *, page: int = 1, page_size: int = 25
) -> Page[Listing]:
    """Open listings by kind, province and skill (employers: their own, any status)."""
    authorize(actor, "listings.read")
    page = max(1, page)
    query = _filtered(actor, filters)
    return paginate(
        session, query, Listing.created_at.desc(), Listing.id.desc(), page=page, page_size=page_size
    )


def close_expired(session: Session, today: date) -> int:
    """Close open listings whose closing date has passed; safe to run any number of times."""
    result = session.execute(
        update(Listing)
        .where(and_(Listing.status == ListingStatus.OPEN, Listing.valid_through < today))
        .values(
            status=ListingStatus.CLOSED.value,
            closed_reason="expired",
            closed_at=utcnow(),
            updated_at=utcnow(),
        )
    )
    return result.rowcount or 0


@event.listens_for(Session, "after_rollback")
def _forget_employer_ids(session: Session) -> None:
    """Employers created in a rolled-back transaction no longer exist."""
    session.info.pop("employer_ids", None)
