"""The `reintegrate` command as an admin uses it, on a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from reintegrate.cli import main
from reintegrate.models import (
    Employer,
    FollowUp,
    Listing,
    Notification,
    Placement,
    Referral,
    Returnee,
    User,
)
from reintegrate.services import safeguarding
from reintegrate.timeutil import local_today


@pytest.fixture
def cli(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    monkeypatch.setattr("reintegrate.demo.LOGINS_FILE", tmp_path / "demo-logins.txt")
    runner = CliRunner()
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return runner


@contextmanager
def _session(url: str) -> Iterator[Session]:
    engine = create_engine(url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_db_upgrade_creates_every_table(cli: CliRunner, fresh_database_url: str) -> None:
    engine = create_engine(fresh_database_url)
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar() is not None
        )
        assert connection.execute(text("SELECT count(*) FROM returnees")).scalar() == 0
    engine.dispose()


def test_user_create_with_password_from_stdin_and_token(
    cli: CliRunner, fresh_database_url: str
) -> None:
    result = cli.invoke(
        main,
        [
            "user",
            "create",
            "Officer@Example.org",
            "--role",
            "officer",
            "--province",
            "2",
            "--province",
            "17",
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "password:" not in result.output
    token = cli.invoke(main, ["token", "create", "officer@example.org"])
    assert token.exit_code == 0 and token.output.strip().startswith("rit_")
    with _session(fresh_database_url) as session:
        user = session.scalars(select(User)).one()
        assert (user.email, user.role, sorted(user.provinces)) == (
            "officer@example.org",
            "officer",
            ["02", "17"],
        )


def test_user_create_generates_a_password_when_none_is_given(cli: CliRunner) -> None:
    result = cli.invoke(main, ["user", "create", "m@example.org", "--role", "manager"])
    assert result.exit_code == 0 and "password: " in result.output
    assert len(result.output.split("password: ")[1].strip()) >= 16


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["bad-email", "--role", "manager"], None, "email"),
        (["o@example.org", "--role", "officer"], None, "province"),
        (["o@example.org", "--role", "officer", "--province", "99"], None, "unknown province"),
        (["e@example.org", "--role", "employer"], None, "employer"),
        (
            ["o@example.org", "--role", "officer", "--province", "02", "--password-stdin"],
            "short\n",
            "password",
        ),
    ],
)
def test_user_create_rejects_bad_arguments_with_exit_2(
    cli: CliRunner, fresh_database_url: str, args: list[str], stdin: str | None, message: str
) -> None:
    result = cli.invoke(main, ["user", "create", *args], input=stdin)
    assert result.exit_code == 2
    assert message in result.output
    with _session(fresh_database_url) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_unknown_role_is_a_usage_error(cli: CliRunner) -> None:
    assert cli.invoke(main, ["user", "create", "x@example.org", "--role", "king"]).exit_code == 2


def test_duplicate_account_is_refused(cli: CliRunner) -> None:
    assert cli.invoke(main, ["user", "create", "m@example.org", "--role", "manager"]).exit_code == 0
    again = cli.invoke(main, ["user", "create", "M@example.org", "--role", "manager"])
    assert again.exit_code == 2 and "already exists" in again.output


def test_token_for_unknown_account_fails(cli: CliRunner) -> None:
    result = cli.invoke(main, ["token", "create", "nobody@example.org"])
    assert result.exit_code == 2 and "no account" in result.output


def test_demo_loads_once_and_prints_the_same_logins(
    cli: CliRunner, fresh_database_url: str
) -> None:
    first = cli.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert "officer" in first.output and "manager" in first.output and "employer" in first.output
    second = cli.invoke(main, ["demo"])
    assert second.output == first.output
    with _session(fresh_database_url) as session:
        assert session.scalar(select(func.count()).select_from(Returnee)) == 353
        family = session.scalars(select(Returnee).where(Returnee.family_name == "Chan")).all()
        ages = sorted(safeguarding.age(r.date_of_birth, local_today()) for r in family)
        assert ages[:2] == [7, 10] and ages[2] >= 18
        kiln = session.scalars(select(Listing).where(Listing.title == "Brick kiln loader")).one()
        assert kiln.hazardous and kiln.hazardous_reason
        provinces = set(session.scalars(select(Returnee.home_province)))
        assert len(provinces) >= 4
        assert session.scalar(select(func.count()).select_from(Placement)) == 300
        due = session.scalar(
            select(func.count())
            .select_from(FollowUp)
            .where(FollowUp.status.in_(("due", "overdue")))
        )
        assert due and due > 0
        assert session.scalar(select(func.count()).select_from(Notification)) > 0
        assert session.scalar(select(func.count()).select_from(Referral)) > 0
        flagged = session.scalars(
            select(Listing).where(Listing.title == "Garment worker, start at once")
        ).one()
        codes = {flag["code"] for flag in flagged.flags}
        assert {"below_minimum_wage", "worker_fee", "documents_held"} <= codes
        assert session.scalars(
            select(Employer.verified).where(Employer.name == "Angkor Garments Co., Ltd.")
        ).one()


def test_serve_answers_http_and_starts_the_scheduler(
    cli: CliRunner, fresh_database_url: str, tmp_path: Path
) -> None:
    """What `make run` does last: gunicorn on a port plus the scheduler beside it."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import threading
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database_url,
        "REINTEGRATE_ENV": "development",
        "REINTEGRATE_INSTANCE": str(tmp_path),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "reintegrate.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        body, deadline = "", time.monotonic() + 90
        while time.monotonic() < deadline and not (
            body and any("scheduler started" in line for line in lines)
        ):
            if not body:
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/login", timeout=2
                    ) as response:
                        body = response.read().decode()
                except OSError:
                    pass
            time.sleep(0.2)
        assert 'name="password"' in body, "".join(lines)
        assert any("scheduler started" in line for line in lines), "".join(lines)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        reader.join(timeout=5)
        if server.stdout:
            server.stdout.close()


def test_token_list_and_revoke(cli: CliRunner, fresh_database_url: str) -> None:
    created = cli.invoke(
        main, ["user", "create", "tok@example.org", "--role", "officer", "--province", "2"]
    )
    assert created.exit_code == 0, created.output
    token = cli.invoke(main, ["token", "create", "tok@example.org", "--days", "30"])
    assert token.exit_code == 0, token.output
    secret = token.output.strip()
    listed = cli.invoke(main, ["token", "list"])
    assert listed.exit_code == 0, listed.output
    line = listed.output.strip()
    assert "tok@example.org" in line and "active" in line and secret not in line
    token_id = line.split("\t")[0]
    revoked = cli.invoke(main, ["token", "revoke", token_id])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in cli.invoke(main, ["token", "list", "--email", "tok@example.org"]).output
    missing = cli.invoke(main, ["token", "revoke", "999999"])
    assert missing.exit_code == 2 and "not found" in missing.output
    bad = cli.invoke(main, ["token", "create", "tok@example.org", "--days", "0"])
    assert bad.exit_code == 2 and "days" in bad.output
