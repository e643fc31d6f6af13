"""Translated labels for the codes the data model stores (statuses, sectors, roles...)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from reintegrate.services import safeguarding

STATUS = {
    "seeking": _l("Seeking work"),
    "referred": _l("Referred"),
    "placed": _l("Placed"),
    "remigrated": _l("Re-migrated"),
    "closed": _l("Closed"),
}
SEX = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}
SECTOR = {
    "agriculture": _l("Agriculture"),
    "construction": _l("Construction"),
    "manufacturing": _l("Manufacturing"),
    "garment": _l("Garment"),
    "fishing": _l("Fishing"),
    "domestic_work": _l("Domestic work"),
    "hospitality": _l("Hospitality"),
    "services": _l("Services"),
    "entertainment": _l("Entertainment"),
    "other": _l("Other"),
}
INTEREST = {"job": _l("Local jobs"), "incentive": _l("Entrepreneurship incentives")}
DUPLICATE_REASON = {
    "same_phone": _l("same phone number"),
    "same_date_of_birth": _l("same date of birth"),
    "close_date_of_birth": _l(
        "close date of birth (a year apart, day and month swapped, or only the year known)"
    ),
    "similar_name": _l("similar name"),
    "linked": _l("registered as the same person before merging existed"),
}
REVIEW_STATUS = {
    "open": _l("To review"),
    "merged": _l("Merged"),
    "dismissed": _l("Different people"),
}
ROLE = {
    "officer": _l("Officer"),
    "employer": _l("Employer"),
    "manager": _l("Programme manager"),
    "admin": _l("Administrator"),
}
KIND = {"job": _l("Job"), "incentive": _l("Incentive programme")}
IMPORT_KIND = {**KIND, "returnees": _l("Returnee list")}
FLAG = {
    "below_minimum_wage": _l("Wage under the legal minimum"),
    "worker_fee": _l("Fee or deposit asked of the worker"),
    "documents_held": _l("Employer keeps documents"),
    "work_abroad": _l("Work abroad posted as a local job"),
    "employer_unverified": _l("Employer not verified"),
}
LISTING_STATUS = {"open": _l("Open"), "closed": _l("Closed")}
CLOSED_REASON = {
    "expired": _l("closing date passed"),
    "closed_by_user": _l("closed by a user"),
    "removed_from_feed": _l("no longer in its feed"),
    "filled": _l("all positions filled"),
}
EMPLOYMENT_TYPE = {
    "full_time": _l("Full time"),
    "part_time": _l("Part time"),
    "contract": _l("Contract"),
    "temporary": _l("Temporary"),
    "seasonal": _l("Seasonal"),
    "internship": _l("Internship"),
    "self_employment": _l("Self-employment"),
}
IMPORT_STATUS = {
    "running": _l("running"),
    "succeeded": _l("succeeded"),
    "partial": _l("imported, some rows rejected"),
    "failed": _l("failed, nothing imported"),
}
REFERRAL_STATUS = {
    "referred": _l("Referred"),
    "interview": _l("Interview"),
    "hired": _l("Hired"),
    "rejected": _l("Not selected"),
    "withdrawn": _l("Withdrawn"),
}
FOLLOW_UP_STATUS = {
    "scheduled": _l("Scheduled"),
    "due": _l("Due"),
    "overdue": _l("Overdue"),
    "completed": _l("Done"),
    "missed": _l("Missed"),
    "cancelled": _l("Cancelled"),
}
OUTCOME_STATUS = {
    "employed_same": _l("Still in the same job"),
    "employed_other": _l("Working in another job"),
    "self_employed": _l("Self-employed"),
    "unemployed": _l("Not working"),
    "remigrated": _l("Re-migrated"),
    "unreachable": _l("Could not be reached"),
}
OUTCOME_FIELD = {
    "contacted_on": _l("Contacted on"),
    "status": _l("Situation"),
    "monthly_income_usd": _l("Monthly income (USD)"),
    "remigration_country": _l("Country"),
    "remigration_channel": _l("Channel"),
    "intends_to_remigrate": _l("Intends to migrate again"),
    "notes": _l("Notes"),
}
WORK_SORT = {
    "due": _l("Due date, oldest first"),
    "-due": _l("Due date, newest first"),
    "name": _l("Family name"),
    "province": _l("Province"),
}
CHANNEL = {"regular": _l("Regular (legal)"), "irregular": _l("Irregular"), "unknown": _l("Unknown")}
RISK = {
    "unemployed": _l("not working"),
    "intends_to_remigrate": _l("intends to migrate again"),
    "income_fell": _l("income fell"),
}
TIMELINE = {
    "returned": _l("Returned home"),
    "registered": _l("Registered"),
    "referral_referred": _l("Referred to"),
    "referral_interview": _l("Interview for"),
    "referral_hired": _l("Hired for"),
    "referral_rejected": _l("Not selected for"),
    "referral_withdrawn": _l("Referral withdrawn:"),
    "placement_job": _l("Started work:"),
    "placement_incentive": _l("Enrolled in"),
    "outcome": _l("Follow-up"),
    "follow_up_scheduled": _l("Follow-up scheduled"),
    "follow_up_due": _l("Follow-up due"),
    "follow_up_overdue": _l("Follow-up overdue"),
    "follow_up_missed": _l("Follow-up missed"),
    "follow_up_cancelled": _l("Follow-up cancelled"),
    "placement_ended": _l("Placement ended"),
    "safe_migration_informed": _l("Told about safer ways to migrate"),
    "note": _l("Note"),
}
SAFE_MIGRATION_KIND = {
    "recruitment_agency": _l("Licensed recruitment agency"),
    "resource_centre": _l("Migrant Worker Resource Centre"),
    "hotline": _l("Help line"),
}
CONSENT = {
    "referral": _l("Referral"),
    "share_with_employers": _l("Sharing with employers"),
    "research": _l("Monitoring and research"),
}

IMPORT_FIELD = {
    "external_id": _l("Identifier"),
    "title": _l("Title"),
    "employer": _l("Employer"),
    "programme": _l("Programme"),
    "location": _l("Location"),
    "provinces": _l("Provinces"),
    "district": _l("District"),
    "description": _l("Description"),
    "skills": _l("Skills"),
    "languages": _l("Languages"),
    "positions": _l("Positions"),
    "salary": _l("Salary"),
    "wage_min_usd": _l("Lowest wage (USD a month)"),
    "wage_max_usd": _l("Highest wage (USD a month)"),
    "employment_type": _l("Employment type"),
    "valid_through": _l("Closing date"),
    "url": _l("Web address"),
    "sector": _l("Sector"),
    "benefit": _l("Benefit"),
    "returned_within_months": _l("Returned within (months)"),
    "min_age": _l("Minimum age"),
    "max_age": _l("Maximum age"),
    "sex": _l("Sex"),
    "survivors_priority": _l("Priority for survivors"),
    "given_name": _l("Given name"),
    "family_name": _l("Family name"),
    "name_km": _l("Name in Khmer"),
    "date_of_birth": _l("Date of birth"),
    "phone": _l("Phone"),
    "home_province": _l("Home province"),
    "return_date": _l("Return date"),
    "destination_country": _l("Country worked in"),
    "sector_abroad": _l("Sector abroad"),
    "trafficking_survivor": _l("Trafficking survivor"),
    "willing_to_relocate": _l("Willing to relocate"),
    "preferred_provinces": _l("Preferred provinces"),
    "interests": _l("Interests"),
    "notes": _l("Notes"),
    "consent_referral": _l("Consent to referral"),
    "consent_share_with_employers": _l("Consent to share with employers"),
    "consent_research": _l("Consent to research"),
}
AUDIT_ACTION = {
    "view": _l("Viewed"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "export": _l("Exported"),
    "import": _l("Imported"),
    "login": _l("Logged in"),
    "erase": _l("Erased"),
    "check": _l("Checked for duplicates"),
    "merge": _l("Merged two cases"),
    "unmerge": _l("Undid a merge"),
    "dismiss": _l("Marked as different people"),
}
AUDIT_RECORD = {
    "returnee": _l("Returnee"),
    "referral": _l("Referral"),
    "placement": _l("Placement"),
    "follow_up": _l("Follow-up"),
    "outcome": _l("Outcome"),
    "listing": _l("Listing"),
    "import_run": _l("Import"),
    "skill_mapping": _l("Skill mapping"),
    "skill_phrase": _l("Skill phrase"),
    "user": _l("Account"),
    "api_token": _l("API token"),
    "erasure_request": _l("Erasure request"),
    "statistics": _l("Statistics"),
    "employer": _l("Employer"),
    "safe_migration_option": _l("Safe-migration option"),
    "safe_migration_briefing": _l("Safe-migration briefing"),
    "duplicate_review": _l("Duplicate review"),
    "case_note": _l("Case note"),
    "duplicate_check": _l("Duplicate check"),
}
AUDIT_VIEW = {
    "list": _l("on a list"),
    "matches": _l("matches"),
    "candidate": _l("as a candidate"),
    "referrals": _l("on the referrals list"),
    "follow-ups": _l("on the follow-up list"),
    "at risk": _l("on the at-risk list"),
    "past retention": _l("on the retention review list"),
    "referral letter": _l("in a referral letter"),
    "notes search": _l("in a notes search"),
    "inbox": _l("in the inbox"),
    "reviews": _l("on the duplicate queue"),
    "duplicates": _l("in a duplicate check"),
    "screening": _l("screening"),
}


def options(
    labels: dict[str, LazyString], codes: Iterable[str] | None = None
) -> list[tuple[str, str]]:
    """(code, label) pairs for a select or a group of ticks, in the given order."""
    return [(code, str(labels[code])) for code in (codes if codes is not None else labels)]


HAZARDOUS_SET_BY = {
    "set:employer": (_l("Set by the employer"), _l("Marked not hazardous by the employer")),
    "set:admin": (
        _l("Set by an administrator"),
        _l("Marked not hazardous by an administrator"),
    ),
}


def hazardous_reason(listing: Any) -> str | None:
    """Why a listing is (or is not) hazardous work, in the user's language: the entry of the list
    it matched, or who decided."""
    reason = listing.hazardous_reason
    if not reason:
        return None
    if reason in HAZARDOUS_SET_BY:
        return str(HAZARDOUS_SET_BY[reason][0 if listing.hazardous else 1])
    entry = safeguarding.entry_of(reason)
    if entry is None:
        return None
    label = entry.label(str(get_locale() or "en"))
    if entry.match == "isco":
        return _(
            "Occupation ISCO-08 %(code)s (%(label)s) is on the list of hazardous work for "
            "children (Prakas No. 106 MoLVT, 2004).",
            code=entry.value,
            label=label,
        )
    return _(
        "It mentions “%(keyword)s” (%(label)s), on the list of hazardous work for children "
        "(Prakas No. 106 MoLVT, 2004).",
        keyword=entry.value,
        label=label,
    )
