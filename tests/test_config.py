"""Start-up refuses unsafe production settings."""

from __future__ import annotations

import pytest

from reintegrate.config import ConfigError, Settings


def test_production_refuses_to_start_without_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REINTEGRATE_ENV", "production")
    for secret in ("", "changeme", "short-secret"):
        monkeypatch.setenv("SECRET_KEY", secret)
        with pytest.raises(ConfigError, match="SECRET_KEY"):
            Settings.from_env()
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    settings = Settings.from_env()
    assert settings.production and settings.flask_config()["SESSION_COOKIE_SECURE"] is True


def test_unknown_environment_and_bad_numbers_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REINTEGRATE_ENV", "staging")
    with pytest.raises(ConfigError, match="REINTEGRATE_ENV"):
        Settings.from_env()
    monkeypatch.setenv("REINTEGRATE_ENV", "testing")
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "ten")
    with pytest.raises(ConfigError, match="SESSION_IDLE_MINUTES"):
        Settings.from_env()
