"""Accounts: creation, password checks with throttling, login sessions and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from reintegrate.db import utcnow
from reintegrate.errors import N_, Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts
from reintegrate.models import (
    ApiToken,
    Employer,
    LoginAttempt,
    LoginSession,
    LoginThrottle,
    User,
    UserProvince,
)
from reintegrate.models.user import Role
from reintegrate.reference import REFERENCE_DIR, province_codes
from reintegrate.services import audit
from reintegrate.services.access import Actor
from reintegrate.services.policy import authorize

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
"""Both are spelled out in check_password_strength's messages (catalogue strings are literal)."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASH_METHOD = "scrypt"
FRESH_LOGIN = timedelta(minutes=10)
TOKEN_DAYS = 90
"""How long an API token lives unless API_TOKEN_DAYS says otherwise."""
MAX_TOKEN_DAYS = 366
_DUMMY_HASH = generate_password_hash("not-a-real-password-but-same-cost", method=_HASH_METHOD)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


@cache
def _common_passwords() -> frozenset[str]:
    lines = (REFERENCE_DIR / "common_passwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def check_password_strength(password: str, email: str | None = None) -> list[str]:
    """Problems with a new password, empty when it is acceptable.

    ASVS: length over composition rules, long passphrases welcome, breached or guessable
    passwords refused (a common one, one character repeated, or the account's own name).
    """
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(N_("At least 12 characters, please."))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(N_("At most 256 characters, please."))
    lowered = password.lower()
    local_part = (email or "").split("@")[0].lower()
    if (
        lowered in _common_passwords()
        or len(set(password)) < 4
        or (len(local_part) >= 4 and local_part in lowered)
    ):
        problems.append(N_("Too common or too easy to guess."))
    return problems


def create_user(
    session: Session,
    actor: Actor,
    *,
    email: str,
    role: str,
    password: str,
    provinces: list[str] | None = None,
    employer: str | None = None,
    full_name: str | None = None,
) -> User:
    """Create an account; officers need provinces, employer accounts need an employer name."""
    email = normalise_email(email)
    provinces = provinces or []
    errors: dict[str, list[str]] = {}
    if not _EMAIL.match(email) or len(email) > 254:
        errors["email"] = ["not a valid email address"]
    if role not in {r.value for r in Role}:
        errors["role"] = [f"must be one of {', '.join(r.value for r in Role)}"]
    unknown = [code for code in provinces if code not in province_codes()]
    if unknown:
        errors["province"] = [f"unknown province code(s): {', '.join(unknown)}"]
    if role == Role.OFFICER and not provinces:
        errors["province"] = ["an officer needs at least one province"]
    if role != Role.OFFICER and provinces:
        errors["province"] = ["only officers are scoped to provinces"]
    if role == Role.EMPLOYER and not (employer and employer.strip()):
        errors["employer"] = ["an employer account needs --employer NAME"]
    if role != Role.EMPLOYER and employer:
        errors["employer"] = ["only employer accounts belong to an employer"]
    if problems := check_password_strength(password, email):
        errors["password"] = problems
    if errors:
        raise InvalidInput(errors)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"an account for {email} already exists")
    employer_row = None
    if employer:
        name = employer.strip()
        employer_row = session.scalar(select(Employer).where(Employer.name == name))
        if employer_row is None:
            employer_row = Employer(name=name)
            session.add(employer_row)
            session.flush()
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        employer_id=employer_row.id if employer_row else None,
        password_hash=generate_password_hash(password, method=_HASH_METHOD),
        password_changed_at=utcnow(),
        province_links=[UserProvince(province_code=code) for code in sorted(set(provinces))],
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, fields=["email", "role", "provinces"])
    return user


@dataclass(frozen=True)
class LoginClaim:
    """A counted login try: what `authenticate` needs, so no password is checked uncounted."""

    email: str
    ip: str
    keys: tuple[str, ...]


def _count_try(session: Session, key: str, now: datetime, window: timedelta) -> LoginThrottle:
    """Add one try to the key's window (a new window once the old one is over), atomically."""
    dialect = session.get_bind().dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stale = LoginThrottle.window_started_at <= now - window
    statement = (
        insert_fn(LoginThrottle)
        .values(key=key, window_started_at=now, tries=1)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.key],
            set_={
                "tries": case((stale, 1), else_=LoginThrottle.tries + 1),
                "window_started_at": case((stale, now), else_=LoginThrottle.window_started_at),
            },
        )
        .returning(LoginThrottle.tries, LoginThrottle.window_started_at)
    )
    tries, started = session.execute(statement).one()
    return LoginThrottle(key=key, tries=tries, window_started_at=started)


def claim_login_try(
    session: Session,
    email: str,
    ip: str,
    *,
    max_failures: int = 5,
    window: timedelta = timedelta(minutes=15),
) -> LoginClaim:
    """Count a login try before its password is checked; refuse it past the limit.

    Limits are per account+address (so an attacker elsewhere cannot lock the real user out)
    and, four times higher, per address (against spraying across accounts). The caller commits
    the claim at once, before checking the password, so parallel tries are counted one by one:
    of 30 at once, only `max_failures` get a password check. A successful login gives its try
    back (`authenticate`), so only failures add up.
    """
    email = normalise_email(email)[:254]
    now = utcnow()
    limits = ((f"account:{email}|{ip}", max_failures), (f"address:{ip}", max_failures * 4))
    for key, limit in limits:
        counted = _count_try(session, key, now, window)
        if counted.tries > limit:
            retry = counted.window_started_at + window - now
            raise TooManyAttempts(max(1, int(retry.total_seconds())))
    return LoginClaim(email=email, ip=ip, keys=tuple(key for key, _ in limits))


def authenticate(session: Session, claim: LoginClaim, password: str) -> User | None:
    """The active user with these credentials, or None; the try was counted by the claim."""
    user = session.scalar(select(User).where(User.email == claim.email))
    ok = check_password_hash(
        user.password_hash if user and user.password_hash else _DUMMY_HASH, password
    )
    succeeded = bool(ok and user and user.active)
    session.add(LoginAttempt(email=claim.email, ip=claim.ip, succeeded=succeeded))
    if not succeeded or user is None:
        return None
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key.in_(claim.keys), LoginThrottle.tries > 0)
        .values(tries=LoginThrottle.tries - 1)
    )
    audit.record(session, Actor.of(user, claim.ip), "login", "user", user.id)
    return user


def start_login_session(session: Session, user: User, ip: str | None) -> str:
    """A fresh server-side session; the returned token goes into the signed cookie."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=_sha256(token), user_id=user.id, ip=ip))
    return token


def resume_login_session(
    session: Session, token: str, *, idle: timedelta, absolute: timedelta
) -> User | None:
    """The user behind a cookie's session token, if that session is still alive."""
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _sha256(token)))
    now = utcnow()
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        row.ended_at = now
        return None
    user = session.get(User, row.user_id, options=[joinedload(User.province_links)])
    if user is None or not user.active:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return user


def end_login_session(session: Session, token: str) -> None:
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _sha256(token)))
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()


def change_password(
    session: Session, user: User, login_token: str | None, current: str, new: str, ip: str | None
) -> None:
    """Change a password; needs the current one and a login from the last few minutes.

    Every other session of the account ends, so a stolen cookie stops working too.
    """
    row = session.scalar(
        select(LoginSession).where(LoginSession.token_hash == _sha256(login_token or ""))
    )
    if row is None or utcnow() - row.created_at > FRESH_LOGIN:
        raise Forbidden("log in again to change your password")
    errors: dict[str, list[str]] = {}
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        errors["current_password"] = [N_("This is not your current password.")]
    if problems := check_password_strength(new, user.email):
        errors["new_password"] = problems
    if errors:
        raise InvalidInput(errors)
    user.password_hash = generate_password_hash(new, method=_HASH_METHOD)
    user.password_changed_at = utcnow()
    session.execute(
        update(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.id != row.id,
            LoginSession.ended_at.is_(None),
        )
        .values(ended_at=utcnow())
    )
    _revoke_all_tokens(session, user.id)
    audit.record(session, Actor.of(user, ip), "update", "user", user.id, fields=["password"])


def set_active(session: Session, actor: Actor, email: str, active: bool) -> User:
    """Disable or re-enable an account; disabling ends its sessions and revokes its tokens
    (re-enabling brings none back: the owner asks for a new token)."""
    authorize(actor, "users.manage")
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no account for {email}")
    user.active = active
    if not active:
        session.execute(
            update(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        _revoke_all_tokens(session, user.id)
    audit.record(session, actor, "update", "user", user.id, fields=["active"])
    return user


def create_token(session: Session, actor: Actor, email: str, *, days: int = TOKEN_DAYS) -> str:
    """A new API token for an account, valid `days` days; printed once, only its hash is kept."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput({"days": [N_("Must be between 1 and 366.")]})
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no account for {email}")
    if not user.active:
        raise Conflict(N_("This account is disabled."))
    token = "rit_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=_sha256(token),
        prefix=token[:10],
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "api_token", row.id, detail={"user_id": user.id})
    return token


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """active, expired or revoked: one place says what a token's dates mean."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= (now or utcnow()) else "active"


def list_tokens(session: Session, actor: Actor, *, email: str | None = None) -> list[ApiToken]:
    """Every API token (admins; the CLI), newest first; never the token itself."""
    authorize(actor, "users.manage")
    query = select(ApiToken).join(ApiToken.user).order_by(ApiToken.id.desc())
    if email:
        query = query.where(User.email == normalise_email(email))
    tokens = list(session.scalars(query))
    audit.record(session, actor, "view", "api_token", None, detail={"listed": len(tokens)})
    return tokens


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one token at once; revoking a revoked token changes nothing."""
    authorize(actor, "users.manage")
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("token not found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor, "update", "api_token", token.id, fields=["revoked_at"])
    return token


def _revoke_all_tokens(session: Session, user_id: int) -> None:
    """A password change or a disabled account ends every token: none comes back later."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def user_for_token(session: Session, token: str) -> User | None:
    row = (
        session.execute(
            select(ApiToken)
            .where(ApiToken.token_hash == _sha256(token))
            .options(joinedload(ApiToken.user).joinedload(User.province_links))
        )
        .unique()
        .scalar_one_or_none()
    )
    now = utcnow()
    if row is None or token_state(row, now) != "active" or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
    return row.user


def set_locale(session: Session, user_id: int, locale: str) -> None:
    user = session.get(User, user_id)
    if user is not None:
        user.locale = locale
