"""SQLAlchemy models; importing this package registers every table on Base.metadata."""

from reintegrate.models.audit import AuditEntry
from reintegrate.models.employer import Employer
from reintegrate.models.listing import ImportRun, Listing, ListingProvince, ListingSkill
from reintegrate.models.placement import (
    FollowUp,
    Notification,
    Outcome,
    Placement,
    Referral,
    ReferralEvent,
    SchedulerRun,
)
from reintegrate.models.returnee import CaseCounter, ErasureRequest, Returnee, ReturneeSkill
from reintegrate.models.skill import SkillMapping, SkillPhraseDecision
from reintegrate.models.user import ApiToken, LoginAttempt, LoginSession, User, UserProvince

__all__ = [
    "ApiToken",
    "AuditEntry",
    "CaseCounter",
    "Employer",
    "ErasureRequest",
    "FollowUp",
    "Notification",
    "Outcome",
    "Placement",
    "Referral",
    "ReferralEvent",
    "SchedulerRun",
    "ImportRun",
    "Listing",
    "ListingProvince",
    "ListingSkill",
    "LoginAttempt",
    "LoginSession",
    "Returnee",
    "ReturneeSkill",
    "SkillMapping",
    "SkillPhraseDecision",
    "User",
    "UserProvince",
]
