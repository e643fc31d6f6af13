"""The main menu, built from the policy: each entry shows to those who may do its action."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from reintegrate.services.access import Actor
from reintegrate.services.policy import can


@dataclass(frozen=True)
class Entry:
    action: str
    endpoint: str
    label: LazyString


MENU: tuple[Entry, ...] = (
    Entry("follow_ups.work", "placements.work", _l("My work")),
    Entry("returnees.read", "returnees.index", _l("Returnees")),
    Entry("returnees.register", "returnees.new", _l("Register a returnee")),
    Entry("listings.read_all", "listings.index", _l("Listings")),
    Entry("listings.read_own", "listings.index", _l("My listings")),
    Entry("listings.post_own", "listings.new", _l("Post an opening")),
    Entry("referrals.answer", "placements.referral_list", _l("Referrals")),
    Entry("statistics.read", "dashboard.index", _l("Outcomes")),
    Entry("erasures.decide", "privacy.erasures", _l("Erasure requests")),
    Entry("imports.feeds", "listings.imports_page", _l("Imports")),
    Entry("skills.map", "matching.unmapped", _l("Unmapped skills")),
    Entry("employers.manage", "admin.employer_list", _l("Employers")),
    Entry("safe_migration.manage", "admin.safe_migration_options", _l("Safe migration")),
    Entry("duplicates.review", "returnees.reviews", _l("Possible duplicates")),
    Entry("audit.read", "admin.audit_log", _l("Audit trail")),
)


def menu_for(actor: Actor | None) -> list[Entry]:
    return [entry for entry in MENU if can(actor, entry.action)]
