"""The returnee registry: register, read, update and search, within the officer's provinces."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, String, func, or_, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from matching.names import name_key
from matching.text import has_khmer
from reintegrate.errors import N_, InvalidInput, NotFound, TooManyAttempts
from reintegrate.models import (
    AuditEntry,
    CaseCounter,
    Returnee,
    ReturneeExternalId,
    ReturneeSkill,
)
from reintegrate.models.returnee import NAME_FIELDS, year_start
from reintegrate.pagination import MAX_PAGE, Page, paginate, window
from reintegrate.services import audit, name_lookup, reviews
from reintegrate.services.access import Actor, in_scope
from reintegrate.services.duplicates import (
    DuplicateCheck,
    PossibleDuplicate,
    find_possible_duplicates,
    phone_key,
)
from reintegrate.services.policy import authorize
from reintegrate.services.skills import skill_rows
from reintegrate.timeutil import local_today

# A search box query that is a phone number in any usual format: "012 345 678",
# "+855 12 345 678", "(012) 345-678" or the same in Khmer digits.
_PHONE_LIKE = re.compile(r"[+(]?[0-9០-៩][0-9០-៩ ().-]{5,}")
SEARCH_THRESHOLD = 75.0
# A name search counts its matches up to this many (400 pages); beyond, it says "more".
NAME_MATCHES_COUNTED = 10_000
_SIMPLE_FIELDS = (
    "given_name",
    "family_name",
    "name_km",
    "sex",
    "date_of_birth",
    "date_of_birth_approximate",
    "phone",
    "home_province",
    "district",
    "return_date",
    "destination_country",
    "sector_abroad",
    "trafficking_survivor",
    "willing_to_relocate",
    "notes",
    "status",
)
_LIST_FIELDS = ("languages", "preferred_provinces", "interests")


@dataclass(frozen=True)
class Consent:
    referral: bool
    share_with_employers: bool
    research: bool


@dataclass(frozen=True)
class ReturneeInput:
    """A validated registration, as it crosses from the edge into this service."""

    given_name: str
    family_name: str
    sex: str
    date_of_birth: date
    home_province: str
    return_date: date
    destination_country: str
    trafficking_survivor: bool
    consent: Consent
    date_of_birth_approximate: bool = False
    name_km: str | None = None
    phone: str | None = None
    district: str | None = None
    sector_abroad: str | None = None
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    willing_to_relocate: bool = False
    preferred_provinces: tuple[str, ...] = ()
    interests: tuple[str, ...] = ("job",)
    notes: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> ReturneeInput:
        """From the registration schema's fields: consent by purpose, each list item once."""
        values = dict(data)
        consent = Consent(**values.pop("consent"))
        for key in ("skills", "languages", "preferred_provinces", "interests"):
            values[key] = tuple(dict.fromkeys(values.get(key) or ()))
        return cls(consent=consent, **values)


@dataclass(frozen=True)
class Registration:
    returnee: Returnee
    possible_duplicates: list[PossibleDuplicate]


@dataclass(frozen=True)
class ReturneeFilters:
    q: str | None = None
    province: str | None = None
    status: str | None = None
    returned_from: date | None = None
    returned_to: date | None = None


def _by_name(
    session: Session, query: Select[Any], q: str, *, page: int, page_size: int
) -> Page[Returnee]:
    """People whose name fits `q`, best first, then oldest record first among equals.

    The dictionary's keys are ranked (`name_lookup.search_keys`); the holders of the keys of
    each score are counted by index, best score first, up to NAME_MATCHES_COUNTED in all, and
    only the ids on the asked page are read. Neither a name shared by a hundred thousand
    people nor a rare one costs more than a few index range scans."""
    khmer = has_khmer(q)
    scores = name_lookup.search_keys(
        session, q, name_key(q), khmer=khmer, threshold=SEARCH_THRESHOLD
    )
    tiers: dict[float, list[str]] = {}
    for key, score in scores.items():
        tiers.setdefault(score, []).append(key)
    column = name_lookup.key_column(khmer)
    start, end = (page - 1) * page_size, page * page_size
    ids: list[int] = []
    passed, more = 0, False
    for score in sorted(tiers, reverse=True):
        holders = query.with_only_columns(Returnee.id).where(
            name_lookup.any_of(session, column, tiers[score], String)
        )
        room = NAME_MATCHES_COUNTED - passed
        counted = select(func.count()).select_from(holders.limit(room + 1).subquery())
        size = session.scalar(counted) or 0
        if size > room:
            size, more = room, True
        if passed + size > start and passed < end:
            skip = max(0, start - passed)
            ids += session.scalars(
                holders.order_by(Returnee.id)
                .offset(skip)
                .limit(min(size - skip, end - max(passed, start)))
            ).all()
        passed += size
        if more:
            break
    by_id = {r.id: r for r in session.scalars(select(Returnee).where(Returnee.id.in_(ids)))}
    return Page([by_id[i] for i in ids], passed, page, page_size, more=more)


def require_officer_in(actor: Actor, province: str, field: str = "home_province") -> None:
    authorize(actor, "returnees.read")
    if province not in actor.provinces:
        raise InvalidInput(
            {field: [N_("You can only register returnees from your own provinces.")]}
        )


def next_case_number(session: Session, province: str, year: int) -> str:
    """KH<province>-<year>-<sequence>, allocated atomically even under concurrent registrations."""
    dialect = session.get_bind().dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert_fn(CaseCounter)
        .values(province_code=province, year=year, last_value=0)
        .on_conflict_do_nothing()
    )
    value = session.scalar(
        update(CaseCounter)
        .where(CaseCounter.province_code == province, CaseCounter.year == year)
        .values(last_value=CaseCounter.last_value + 1)
        .returning(CaseCounter.last_value)
    )
    return f"KH{province}-{year}-{value:06d}"


def _set_skills(session: Session, returnee: Returnee, skills: Sequence[str]) -> None:
    returnee.skills = skill_rows(session, ReturneeSkill, skills)


def _check_dates(born: date, returned: date) -> None:
    if returned < born:
        raise InvalidInput({"return_date": [N_("Must be after the date of birth.")]})


def _check_duplicates(
    session: Session,
    actor: Actor,
    data: ReturneeInput,
    exclude_id: int | None,
    check_limit: int | None,
    *,
    audited: bool = True,
) -> DuplicateCheck:
    """Run one duplicate check: limited per officer per hour, and audited every time.

    A check that saves nothing answers questions about people, so it is counted like a read:
    past `check_limit` such checks in the last hour the next is refused (429), which puts
    guessing a birth date (365 tries) or sweeping phone numbers out of reach. A check that
    registers the person is audited with the new case (`audit_check`) and is not counted, so
    an officer registering the 300th person of the day at a border post is never stopped.
    """
    authorize(actor, "returnees.register")
    if check_limit is not None and audit.wait_before_more(
        session,
        actor,
        check_limit,
        AuditEntry.action == "check",
        AuditEntry.entity_type == "duplicate_check",
        AuditEntry.entity_id.is_(None),
    ):
        raise TooManyAttempts(
            3600, N_("Too many duplicate checks in the last hour. Try again later.")
        )
    result = find_possible_duplicates(
        session,
        actor,
        given_name=data.given_name,
        family_name=data.family_name,
        name_km=data.name_km,
        date_of_birth=data.date_of_birth,
        phone=data.phone,
        exclude_id=exclude_id,
        approximate=data.date_of_birth_approximate,
    )
    if audited:
        audit_check(session, actor, result, None)
    return result


def audit_check(
    session: Session, actor: Actor, check: DuplicateCheck, registered_id: int | None
) -> None:
    """Who ran a duplicate check, what it showed and, if it registered someone, whom."""
    shown = [d.returnee_id for d in check.shown if d.returnee_id is not None]
    audit.record(
        session,
        actor,
        "check",
        "duplicate_check",
        registered_id,
        detail={"shown": len(shown), "elsewhere": len(check.elsewhere_ids)},
    )
    audit.record_shown(session, actor, "returnee", shown, detail={"what": "duplicates"})


def possible_duplicates(
    session: Session,
    actor: Actor,
    data: ReturneeInput,
    exclude_id: int | None = None,
    *,
    check_limit: int | None = None,
) -> list[PossibleDuplicate]:
    """Who the person may already be: in scope in full, elsewhere only as a notice."""
    return _check_duplicates(session, actor, data, exclude_id, check_limit).shown


def register(
    session: Session,
    actor: Actor,
    data: ReturneeInput,
    *,
    different_from: Collection[int] = (),
    check_limit: int | None = None,
) -> Registration:
    """Create the record, give it a case number, and report who it may duplicate.

    Every possible duplicate goes to the duplicate queue with its evidence (one in another
    province is seen there only by an officer scoped to both provinces, or an admin), except
    the people the officer said are someone else (`different_from`): those pairs are kept as
    dismissed, so they are never proposed again.
    """
    require_officer_in(actor, data.home_province)
    check = _check_duplicates(session, actor, data, None, check_limit, audited=False)
    return _create(session, actor, data, check, set(different_from))


def check_then_register(
    session: Session, actor: Actor, data: ReturneeInput, *, check_limit: int | None = None
) -> Registration | list[PossibleDuplicate]:
    """The form's first submission, with one check: if it finds someone, nothing is saved and
    the officer is shown who (the check counts against the hourly limit); otherwise the person
    is registered at once and the check goes with the new case."""
    require_officer_in(actor, data.home_province)
    check = _check_duplicates(session, actor, data, None, check_limit, audited=False)
    if check.shown:
        audit_check(session, actor, check, None)
        return check.shown
    return _create(session, actor, data, check, set())


def _create(
    session: Session,
    actor: Actor,
    data: ReturneeInput,
    check: DuplicateCheck,
    different_from: set[int],
) -> Registration:
    returnee = Returnee(
        case_number=next_case_number(session, data.home_province, local_today().year),
        given_name=data.given_name,
        family_name=data.family_name,
        name_km=data.name_km,
        sex=data.sex,
        date_of_birth=data.date_of_birth,
        date_of_birth_approximate=data.date_of_birth_approximate,
        phone=data.phone,
        phone_key=phone_key(data.phone),
        home_province=data.home_province,
        district=data.district,
        return_date=data.return_date,
        destination_country=data.destination_country,
        sector_abroad=data.sector_abroad,
        languages=list(data.languages),
        trafficking_survivor=data.trafficking_survivor,
        willing_to_relocate=data.willing_to_relocate,
        preferred_provinces=list(data.preferred_provinces),
        interests=list(data.interests),
        consent_referral=data.consent.referral,
        consent_share_with_employers=data.consent.share_with_employers,
        consent_research=data.consent.research,
        notes=data.notes,
        registered_by_id=actor.user_id,
    )
    _set_skills(session, returnee, data.skills)
    session.add(returnee)
    session.flush()
    audit.record(session, actor, "create", "returnee", returnee.id)
    audit_check(session, actor, check, returnee.id)
    reviews.propose_for_new_case(
        session,
        actor,
        returnee.id,
        [
            (found.returnee_id, found.score or 0, list(found.reasons))
            for found in [*check.shown, *check.elsewhere]
            if found.returnee_id is not None
        ],
        {found.returnee_id for found in check.shown if found.in_scope} & different_from,
    )
    return Registration(returnee, check.shown)


def get(session: Session, actor: Actor, returnee_id: int, *, audited: bool = True) -> Returnee:
    """A returnee in the officer's provinces; anyone else's is 'not found', never 'forbidden'.

    The scope is part of the query, so an out-of-scope id costs exactly what a missing one
    does (the same statement, no row): timing cannot tell "elsewhere" from "nobody".
    """
    authorize(actor, "returnees.read")
    returnee = (
        session.scalars(
            select(Returnee)
            .options(joinedload(Returnee.skills))
            .where(Returnee.id == returnee_id, in_scope(actor, Returnee.home_province))
        )
        .unique()
        .one_or_none()
    )
    if returnee is None:
        raise NotFound("returnee not found")
    if audited:
        audit.record(session, actor, "view", "returnee", returnee.id)
    return returnee


def get_by_case_number(session: Session, actor: Actor, case_number: str) -> Returnee:
    """The case with this number; a merged record's number gives the case it was merged into,
    so numbers written on paper before a merge keep working."""
    authorize(actor, "returnees.read")
    row = session.execute(
        select(Returnee.id, Returnee.merged_into_id).where(
            Returnee.case_number == case_number.strip().upper()
        )
    ).one_or_none()
    if row is None:
        raise NotFound("returnee not found")
    return get(session, actor, row.merged_into_id or row.id)


def update_returnee(
    session: Session, actor: Actor, returnee_id: int, changes: Mapping[str, Any]
) -> Returnee:
    """Apply validated changes; the audit row names the fields, not their values."""
    returnee = get(session, actor, returnee_id, audited=False)
    if "home_province" in changes:
        require_officer_in(actor, changes["home_province"])
    if changes.get("date_of_birth_approximate") and "date_of_birth" not in changes:
        # Marked approximate without a new date: the stored date keeps only its year.
        changes = {**changes, "date_of_birth": year_start(returnee.date_of_birth)}
    _check_dates(
        changes.get("date_of_birth", returnee.date_of_birth),
        changes.get("return_date", returnee.return_date),
    )
    if changes.get("linked_to_id") is not None:
        if changes["linked_to_id"] == returnee.id:
            raise InvalidInput({"linked_to_id": [N_("A record cannot be linked to itself.")]})
        get(session, actor, changes["linked_to_id"], audited=False)
    former_keys = name_lookup.keys_of(returnee)
    changed = []
    for name in _SIMPLE_FIELDS + _LIST_FIELDS + ("linked_to_id",):
        if name in changes:
            value = list(changes[name]) if name in _LIST_FIELDS else changes[name]
            if getattr(returnee, name) != value:
                setattr(returnee, name, value)
                changed.append(name)
    if "phone" in changes:
        returnee.phone_key = phone_key(returnee.phone)
    if "consent" in changes:
        for purpose, value in changes["consent"].items():
            attribute = f"consent_{purpose}"
            if getattr(returnee, attribute) != value:
                setattr(returnee, attribute, value)
                changed.append(attribute)
    if "skills" in changes and list(changes["skills"]) != returnee.skill_texts:
        _set_skills(session, returnee, changes["skills"])
        changed.append("skills")
    if changed:
        session.flush()
        if set(NAME_FIELDS) & set(changed):
            # A corrected name should not linger in the dictionary if no one else bears it.
            name_lookup.forget_unheld(session, former_keys)
        audit.record(session, actor, "update", "returnee", returnee.id, fields=changed)
    return returnee


def _filtered(actor: Actor, filters: ReturneeFilters) -> Select[Any]:
    provinces = actor.provinces
    if filters.province:
        provinces = provinces & {filters.province}
    query = select(Returnee).where(
        Returnee.home_province.in_(sorted(provinces)), Returnee.merged_into_id.is_(None)
    )
    if filters.status:
        query = query.where(Returnee.status == filters.status)
    if filters.returned_from:
        query = query.where(Returnee.return_date >= filters.returned_from)
    if filters.returned_to:
        query = query.where(Returnee.return_date <= filters.returned_to)
    return query


def search(
    session: Session, actor: Actor, filters: ReturneeFilters, *, page: int = 1, page_size: int = 25
) -> Page[Returnee]:
    """Returnees in scope matching the filters; a name query is fuzzy and ranks by closeness.

    Everyone on the page is recorded in the audit trail as seen by the officer.
    """
    authorize(actor, "returnees.read")
    result = _search(session, actor, filters, page=page, page_size=page_size)
    audit.record_shown(
        session, actor, "returnee", (r.id for r in result.items), detail={"what": "list"}
    )
    return result


def _provinces(actor: Actor, filters: ReturneeFilters) -> list[str]:
    provinces = actor.provinces & {filters.province} if filters.province else actor.provinces
    return sorted(provinces)


def _newest_first(
    session: Session, query: Select[Any], provinces: list[str], *, page: int, page_size: int
) -> Page[Returnee]:
    """The officer's list, newest first, at any depth.

    The page's ids are read from a covering index (`ix_returnees_province_created_active`), one
    ordered walk per province merged, so a deep page skips index entries rather than rows; a
    page in the back half is read from the oldest end; only the page's records are loaded."""
    page = min(max(1, page), MAX_PAGE)
    total = (
        session.scalar(
            select(func.count()).select_from(query.with_only_columns(Returnee.id).subquery())
        )
        or 0
    )
    if (page - 1) * page_size >= total or not provinces:
        return Page([], total, page, page_size)
    where = window(total, page, page_size)
    skip, take, backwards = where.skip, where.take, where.backwards
    if backwards:
        order = (Returnee.created_at.asc(), Returnee.id.asc())
    else:
        order = (Returnee.created_at.desc(), Returnee.id.desc())
    walks = [
        query.with_only_columns(Returnee.id, Returnee.created_at)
        .where(Returnee.home_province == province)
        .order_by(*order)
        .limit(skip + take)
        for province in provinces
    ]
    if len(walks) == 1:
        ids_query: Select[Any] = walks[0].limit(take).offset(skip)
    else:
        # Each walk as its own subquery: SQLite cannot put LIMIT on a part of a UNION.
        merged = union_all(*(select(w.subquery()) for w in walks)).subquery()
        newest = (merged.c.created_at, merged.c.id)
        ids_query = (
            select(merged.c.id)
            .order_by(*(c.asc() if backwards else c.desc() for c in newest))
            .offset(skip)
            .limit(take)
        )
    ids = list(session.scalars(ids_query))
    if backwards:
        ids.reverse()
    by_id = {r.id: r for r in session.scalars(select(Returnee).where(Returnee.id.in_(ids)))}
    return Page([by_id[i] for i in ids], total, page, page_size)


def _search(
    session: Session, actor: Actor, filters: ReturneeFilters, *, page: int, page_size: int
) -> Page[Returnee]:
    page = max(1, page)
    query = _filtered(actor, filters)
    q = (filters.q or "").strip()
    if q and len(q) <= 100:
        listed = query.where(
            Returnee.id.in_(
                select(ReturneeExternalId.returnee_id).where(ReturneeExternalId.external_id == q)
            )
        )
        if session.scalar(select(listed.with_only_columns(Returnee.id).limit(1).exists())):
            # The number a border post's or job fair's list gave the person.
            return paginate(session, listed, Returnee.id.desc(), page=page, page_size=page_size)
    if q and q.upper().startswith("KH"):
        # A merged record's case number finds the case it was merged into.
        merged = select(Returnee.merged_into_id).where(
            Returnee.case_number.startswith(q.upper()), Returnee.merged_into_id.is_not(None)
        )
        query = query.where(
            or_(Returnee.case_number.startswith(q.upper()), Returnee.id.in_(merged))
        )
        q = ""
    if not q:
        return _newest_first(
            session, query, _provinces(actor, filters), page=page, page_size=page_size
        )
    phone = phone_key(q) if _PHONE_LIKE.fullmatch(q) else None
    if phone:
        query = query.where(Returnee.phone_key == phone)
        return paginate(
            session,
            query,
            Returnee.created_at.desc(),
            Returnee.id.desc(),
            page=page,
            page_size=page_size,
        )
    return _by_name(session, query, q, page=page, page_size=page_size)
