"""Who may do what: one table, asked by the services, the pages (Jinja ``can``), the navigation
and the API alike.

A service calls ``authorize(actor, action)`` before it reads or writes; a page asks
``can(action)`` to show a link or a field, never a role name. Province scope and ownership are
the services' own further checks (``access.in_scope``, an employer's own listings), because they
depend on the row, not only on the role.
"""

from __future__ import annotations

from collections.abc import Mapping

from reintegrate.errors import Forbidden
from reintegrate.models.user import Role
from reintegrate.services.access import SYSTEM_ROLE, Actor

OFFICER, EMPLOYER, MANAGER, ADMIN = Role.OFFICER, Role.EMPLOYER, Role.MANAGER, Role.ADMIN

POLICY: Mapping[str, frozenset[Role]] = {
    action: frozenset(roles)
    for action, roles in {
        # Returnees: registration, the registry and its notes are the officers' work.
        "returnees.read": {OFFICER},
        "returnees.register": {OFFICER},
        "notes.search": {OFFICER},
        "retention.review": {OFFICER},
        "duplicates.review": {OFFICER, ADMIN},
        "duplicates.review_all": {ADMIN},
        "duplicates.merge": {OFFICER},
        # Listings: employers see and post their own openings, officers and admins all of them.
        "listings.read": {OFFICER, EMPLOYER, ADMIN},
        "listings.read_all": {OFFICER, ADMIN},
        "listings.read_own": {EMPLOYER},
        "listings.post": {OFFICER, EMPLOYER, ADMIN},
        "listings.post_own": {EMPLOYER},
        "listings.post_incentive": {OFFICER, ADMIN},
        "listings.declare_hazard": {EMPLOYER, ADMIN},
        "listings.override_hazard": {ADMIN},
        "listings.edit_staff_listings": {OFFICER, ADMIN},
        "listings.see_flags": {OFFICER, ADMIN},
        "listings.rescreen": {ADMIN},
        "listings.candidates": {OFFICER},
        # Referrals, placements and follow-ups.
        "referrals.read": {OFFICER, EMPLOYER},
        "referrals.read_own": {EMPLOYER},
        "referrals.withdraw": {OFFICER},
        "referrals.see_refusal_reasons": {OFFICER},
        "referrals.answer": {EMPLOYER},
        "referrals.shared_fields_only": {EMPLOYER},
        "referrals.letter": {OFFICER},
        "placements.make": {OFFICER},
        "placements.read": {OFFICER},
        "follow_ups.work": {OFFICER},
        "safe_migration.read": {OFFICER, ADMIN},
        "safe_migration.brief": {OFFICER},
        "safe_migration.manage": {ADMIN},
        # Imports: feeds are the admins'; officers bring their returnee lists.
        "imports.read": {OFFICER, ADMIN},
        "imports.read_all": {ADMIN},
        "imports.feeds": {ADMIN},
        "imports.returnee_lists": {OFFICER},
        "imports.name_officer": {ADMIN},
        # Managers see figures, never people; they approve erasures.
        "statistics.read": {MANAGER},
        "erasures.decide": {MANAGER},
        # Administration.
        "skills.map": {ADMIN},
        "employers.manage": {ADMIN},
        "users.manage": {ADMIN},
        "audit.read": {ADMIN},
    }.items()
}


SYSTEM_MAY = frozenset(
    {
        "imports.feeds",
        "imports.name_officer",
        "duplicates.review",
        "listings.rescreen",
        "users.manage",
    }
)
"""What the system actor (the scheduler, a CLI command on its own behalf) may do: only these."""


def can(actor: Actor | None, action: str) -> bool:
    """Whether this actor may do ``action`` (an unknown action is a bug: KeyError)."""
    roles = POLICY[action]
    if actor is None:
        return False
    if actor.role == SYSTEM_ROLE:
        return action in SYSTEM_MAY
    return actor.role in roles


def authorize(actor: Actor, action: str) -> None:
    """Refuse, with Forbidden, an actor whose role may not do ``action``."""
    if not can(actor, action):
        raise Forbidden(f"role {actor.role!r} may not do {action}")
