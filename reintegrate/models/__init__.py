"""SQLAlchemy models; importing this package registers every table on Base.metadata."""

from reintegrate.models.audit import AuditEntry
from reintegrate.models.employer import Employer
from reintegrate.models.listing import ImportRun, Listing, ListingProvince, ListingSkill
from reintegrate.models.note import CaseNote
from reintegrate.models.placement import (
    FollowUp,
    Notification,
    Outcome,
    OutcomeAmendment,
    Placement,
    Referral,
    ReferralEvent,
    SchedulerRun,
)
from reintegrate.models.returnee import (
    CaseCounter,
    DuplicateReview,
    ErasureRequest,
    Merge,
    NameKey,
    Returnee,
    ReturneeExternalId,
    ReturneeSkill,
)
from reintegrate.models.safe_migration import SafeMigrationBriefing, SafeMigrationOption
from reintegrate.models.skill import SkillMapping, SkillPhraseDecision
from reintegrate.models.user import (
    ApiToken,
    LoginAttempt,
    LoginSession,
    LoginThrottle,
    User,
    UserProvince,
)

__all__ = [
    "ApiToken",
    "AuditEntry",
    "CaseCounter",
    "DuplicateReview",
    "CaseNote",
    "Employer",
    "ErasureRequest",
    "FollowUp",
    "Notification",
    "Outcome",
    "OutcomeAmendment",
    "Placement",
    "Referral",
    "ReferralEvent",
    "SchedulerRun",
    "ImportRun",
    "Listing",
    "ListingProvince",
    "ListingSkill",
    "Merge",
    "NameKey",
    "LoginAttempt",
    "LoginThrottle",
    "LoginSession",
    "Returnee",
    "ReturneeExternalId",
    "ReturneeSkill",
    "SafeMigrationBriefing",
    "SafeMigrationOption",
    "SkillMapping",
    "SkillPhraseDecision",
    "User",
    "UserProvince",
]
