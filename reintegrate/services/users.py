"""Accounts: creation, password checks with throttling, login sessions and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from reintegrate.db import utcnow
from reintegrate.errors import Conflict, InvalidInput, NotFound, TooManyAttempts
from reintegrate.models import ApiToken, Employer, LoginAttempt, LoginSession, User, UserProvince
from reintegrate.models.user import Role
from reintegrate.reference import province_codes
from reintegrate.services import audit
from reintegrate.services.access import Actor

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASH_METHOD = "scrypt"
_COMMON_PASSWORDS = frozenset(
    {
        "password1234",
        "123456789012",
        "qwertyuiopas",
        "passwordpassword",
        "iloveyou1234",
        "administrator",
        "letmein12345",
        "welcome12345",
        "changeme1234",
        "password123!",
    }
)
_DUMMY_HASH = generate_password_hash("not-a-real-password-but-same-cost", method=_HASH_METHOD)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str) -> list[str]:
    """Problems with a new password, empty when it is acceptable (ASVS: length over rules)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"at most {MAX_PASSWORD_LENGTH} characters")
    if password.lower() in _COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("too common or too simple")
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
    if problems := check_password_strength(password):
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


def _recent_failures(session: Session, since: datetime, **where: str) -> int:
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False))
    )
    for column, value in where.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    return session.scalar(query) or 0


def authenticate(
    session: Session,
    email: str,
    password: str,
    ip: str,
    *,
    max_failures: int = 5,
    window: timedelta = timedelta(minutes=15),
) -> User | None:
    """The active user with these credentials, or None; throttled per account+address and address.

    Throttling by (account, address) rather than account alone keeps an attacker elsewhere
    from locking the real user out; the per-address limit stops spraying across accounts.
    """
    email = normalise_email(email)[:254]
    since = utcnow() - window
    if (
        _recent_failures(session, since, email=email, ip=ip) >= max_failures
        or _recent_failures(session, since, ip=ip) >= max_failures * 4
    ):
        raise TooManyAttempts(int(window.total_seconds()))
    user = session.scalar(select(User).where(User.email == email))
    ok = check_password_hash(
        user.password_hash if user and user.password_hash else _DUMMY_HASH, password
    )
    succeeded = bool(ok and user and user.active)
    session.add(LoginAttempt(email=email, ip=ip, succeeded=succeeded))
    if not succeeded:
        return None
    assert user is not None
    audit.record(session, Actor.of(user, ip), "login", "user", user.id)
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
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return user


def end_login_session(session: Session, token: str) -> None:
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _sha256(token)))
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()


def create_token(session: Session, actor: Actor, email: str) -> str:
    """A new API token for an account; printed once, only its hash is kept."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no account for {email}")
    token = "rit_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_sha256(token), prefix=token[:10])
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "api_token", row.id, detail={"user_id": user.id})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
    return row.user


def set_locale(session: Session, user_id: int, locale: str) -> None:
    user = session.get(User, user_id)
    if user is not None:
        user.locale = locale


@dataclass(frozen=True)
class NewAccount:
    email: str
    role: str
    password: str
