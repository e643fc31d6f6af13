"""Settings read from the environment, with safe development defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context

from reintegrate.stats.suppression import DEFAULT_THRESHOLD

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("REINTEGRATE_INSTANCE", PROJECT_ROOT / "instance"))
_MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The environment does not describe a safe, runnable configuration."""


def settings_value(name: str, default: object) -> object:
    """An app setting when running inside the app, the default otherwise (pure tests)."""
    return current_app.config.get(name, default) if has_app_context() else default


DEFAULT_STATS_QUERIES_PER_HOUR = 60
"""How many statistics queries (page views, API calls, downloads) a user may make an hour."""


def stats_min_cell() -> int:
    """The suppression threshold for every released figure (STATS_MIN_CELL)."""
    return int(settings_value("STATS_MIN_CELL", DEFAULT_THRESHOLD))


def stats_queries_per_hour() -> int:
    """Each user's hourly statistics queries (STATS_QUERIES_PER_HOUR)."""
    return int(settings_value("STATS_QUERIES_PER_HOUR", DEFAULT_STATS_QUERIES_PER_HOUR))


def default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'reintegrate.db'}"


def _development_secret() -> str:
    """A per-install secret kept under instance/ so sessions survive a restart."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _months(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        months = tuple(sorted({int(part) for part in raw.split(",") if part.strip()}))
    except ValueError as exc:
        raise ConfigError(
            f"{name} must be whole months separated by commas, e.g. 1,3,6,12"
        ) from exc
    if not months or months[0] < 1 or months[-1] > 60:
        raise ConfigError(f"{name} must list months between 1 and 60")
    return months


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from the environment, validated once at start-up."""

    environment: str
    database_url: str
    secret_key: str
    session_idle_minutes: int
    session_absolute_hours: int
    login_max_failures: int
    login_window_minutes: int
    import_max_bytes: int
    feeds_file: Path | None
    follow_up_months: tuple[int, ...]
    overdue_days: int
    missed_days: int
    smtp_host: str | None
    smtp_port: int
    smtp_from: str
    stats_min_cell: int
    stats_queries_per_hour: int

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls) -> Settings:
        environment = os.environ.get("REINTEGRATE_ENV", "development")
        if environment not in {"development", "production", "testing"}:
            raise ConfigError(
                f"REINTEGRATE_ENV must be development, testing or production, got {environment!r}"
            )
        secret = os.environ.get("SECRET_KEY", "")
        if environment == "production":
            if len(secret) < _MIN_SECRET_LENGTH or secret.lower() in {"changeme", "secret", "dev"}:
                raise ConfigError(
                    f"SECRET_KEY must be set to a random value of at least {_MIN_SECRET_LENGTH} "
                    "characters in production (e.g. python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))')"
                )
        elif not secret:
            secret = _development_secret()
        return cls(
            environment=environment,
            database_url=os.environ.get("DATABASE_URL") or default_database_url(),
            secret_key=secret,
            session_idle_minutes=_int("SESSION_IDLE_MINUTES", 30),
            session_absolute_hours=_int("SESSION_ABSOLUTE_HOURS", 12),
            login_max_failures=_int("LOGIN_MAX_FAILURES", 5),
            login_window_minutes=_int("LOGIN_WINDOW_MINUTES", 15),
            import_max_bytes=_int("IMPORT_MAX_MB", 50) * 1024 * 1024,
            feeds_file=Path(os.environ["REINTEGRATE_FEEDS"])
            if os.environ.get("REINTEGRATE_FEEDS")
            else INSTANCE_DIR / "feeds.toml",
            follow_up_months=_months("FOLLOW_UP_MONTHS", (1, 3, 6, 12)),
            overdue_days=_int("FOLLOW_UP_OVERDUE_DAYS", 14),
            missed_days=_int("FOLLOW_UP_MISSED_DAYS", 60),
            smtp_host=os.environ.get("SMTP_HOST") or None,
            smtp_port=_int("SMTP_PORT", 587),
            smtp_from=os.environ.get("SMTP_FROM", "reintegrate@localhost"),
            stats_min_cell=_int("STATS_MIN_CELL", DEFAULT_THRESHOLD),
            stats_queries_per_hour=_int("STATS_QUERIES_PER_HOUR", DEFAULT_STATS_QUERIES_PER_HOUR),
        )

    def flask_config(self) -> dict[str, object]:
        return {
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.database_url,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.production,
            "SESSION_COOKIE_NAME": "reintegrate_session",
            "REMEMBER_COOKIE_DURATION": 0,
            "MAX_CONTENT_LENGTH": self.import_max_bytes + 1024 * 1024,
            "WTF_CSRF_TIME_LIMIT": None,
            "SESSION_IDLE_MINUTES": self.session_idle_minutes,
            "SESSION_ABSOLUTE_HOURS": self.session_absolute_hours,
            "LOGIN_MAX_FAILURES": self.login_max_failures,
            "LOGIN_WINDOW_MINUTES": self.login_window_minutes,
            "TESTING": self.environment == "testing",
            "IMPORT_MAX_BYTES": self.import_max_bytes,
            "FEEDS_FILE": self.feeds_file,
            "FOLLOW_UP_MONTHS": self.follow_up_months,
            "FOLLOW_UP_OVERDUE_DAYS": self.overdue_days,
            "FOLLOW_UP_MISSED_DAYS": self.missed_days,
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": self.smtp_port,
            "SMTP_FROM": self.smtp_from,
            "SMTP_USER": os.environ.get("SMTP_USER") or None,
            "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
            "STATS_MIN_CELL": self.stats_min_cell,
            "STATS_QUERIES_PER_HOUR": self.stats_queries_per_hour,
            "RETENTION_YEARS": _int("RETENTION_YEARS", 5),
            "TRUST_PROXY_HOPS": _int("TRUST_PROXY_HOPS", 0),
            "API_TOKEN_DAYS": _int("API_TOKEN_DAYS", 90),
            "DUPLICATE_CHECKS_PER_HOUR": _int("DUPLICATE_CHECKS_PER_HOUR", 60),
        }
