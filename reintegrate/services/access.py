"""Who is acting, and the province scope every entry point shares (roles: services/policy.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reintegrate.models.user import User

SYSTEM_ROLE = "system"
"""The role of the scheduler or a CLI command acting on its own behalf (no user)."""


@dataclass(frozen=True)
class Actor:
    """The acting user as services see it: identity, role and scope, plus where from."""

    user_id: int | None
    email: str
    role: str
    provinces: frozenset[str] = frozenset()
    employer_id: int | None = None
    ip: str | None = None

    @classmethod
    def of(cls, user: User, ip: str | None = None) -> Actor:
        return cls(
            user_id=user.id,
            email=user.email,
            role=user.role,
            provinces=user.provinces,
            employer_id=user.employer_id,
            ip=ip,
        )

    @classmethod
    def system(cls, name: str) -> Actor:
        """The scheduler or a CLI command acting on its own behalf."""
        return cls(user_id=None, email=f"system:{name}", role=SYSTEM_ROLE)


def in_scope(actor: Actor, province: Any) -> Any:
    """A SQL condition: this province column is one of the actor's (put scope in the query)."""
    return province.in_(sorted(actor.provinces))
