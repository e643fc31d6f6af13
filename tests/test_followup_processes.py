"""Follow-up sweeps as real processes: the CLI, a crash mid-sweep, two schedulers, e-mail."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from reintegrate import create_app
from reintegrate.cli import main
from reintegrate.db import db, make_engine
from reintegrate.models import FollowUp, Notification, Returnee, SchedulerRun, User
from reintegrate.scheduler import sweep_follow_ups
from reintegrate.timeutil import local_today
from tests.builders import make_placement, make_user
from tests.conftest import TEST_DATABASE_URL, on_postgresql

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 60


def _today() -> date:
    return local_today()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No feeds, no SMTP: the CLI and children only sweep follow-ups."""
    monkeypatch.setenv("REINTEGRATE_FEEDS", str(tmp_path / "no-feeds.toml"))
    monkeypatch.delenv("SMTP_HOST", raising=False)


def _upgrade(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output


def _sweep(url: str, monkeypatch: pytest.MonkeyPatch, today: date) -> str:
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(main, ["followups", "sweep", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def engines() -> Iterator[Callable[[str], Engine]]:
    made: list[Engine] = []

    def engine_for(url: str) -> Engine:
        engine = make_engine(url)
        made.append(engine)
        return engine

    yield engine_for
    for engine in made:
        engine.dispose()


@pytest.fixture
def twin_database_url(tmp_path: Path) -> Iterator[str]:
    """A second empty database beside `fresh_database_url`, to compare two histories."""
    if not on_postgresql():
        yield f"sqlite:///{tmp_path / 'twin.db'}"
        return
    assert TEST_DATABASE_URL is not None
    name = f"reintegrate_twin_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _people(session: Session) -> tuple[User, User]:
    """Two officers in Battambang, one in Banteay Meanchey, one inactive, and an employer."""
    officer = make_user(session, provinces=["02"], email="first.officer@example.org")
    make_user(session, provinces=["02", "01"], email="second.officer@example.org")
    make_user(session, provinces=["01"], email="other.province@example.org")
    gone = make_user(session, provinces=["02"], email="left.the.job@example.org")
    gone.active = False
    make_user(session, "manager", email="manager@example.org")
    employer = make_user(session, "employer", employer="Angkor Steel", email="hr@example.org")
    session.commit()
    return officer, employer


def _spread_of_placements(session: Session, days_before: list[int]) -> None:
    """Placements started `days_before` today, so their follow-ups fall due at many dates."""
    officer, employer = _people(session)
    for number, days in enumerate(days_before):
        make_placement(
            session,
            officer,
            employer,
            _today() - timedelta(days=days),
            given_name=f"Person{number}",
            phone=f"012 000 {number:03d}",
            return_date=_today() - timedelta(days=400),
        )


def _state(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        follow_ups = [
            (f.id, f.status, f.updated_at)
            for f in session.scalars(select(FollowUp).order_by(FollowUp.id))
        ]
        notes = [
            (n.id, n.user_id, n.kind, n.follow_up_id, n.created_at, n.emailed_at)
            for n in session.scalars(select(Notification).order_by(Notification.id))
        ]
    return {"follow_ups": follow_ups, "notifications": notes}


def _outcome_of(engine: Engine) -> tuple[list[tuple[int, str]], set[tuple[int, str, int]]]:
    """What a sweep decides: follow-up statuses and (user, kind, follow-up) reminders."""
    with Session(engine) as session:
        statuses = [
            tuple(r)
            for r in session.execute(select(FollowUp.id, FollowUp.status).order_by(FollowUp.id))
        ]
        reminders = {
            tuple(r)
            for r in session.execute(
                select(Notification.user_id, Notification.kind, Notification.follow_up_id)
            )
        }
    return statuses, reminders  # type: ignore[return-value]


SPREAD = [10, 25, 29, 31, 33, 36, 40, 44, 48, 52, 58, 66, 75, 88, 100, 120, 150, 185]


def test_sweeping_twice_on_the_same_day_leaves_the_same_rows(
    cli_env: None,
    fresh_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    engines: Callable[[str], Engine],
) -> None:
    _upgrade(fresh_database_url, monkeypatch)
    engine = engines(fresh_database_url)
    with Session(engine) as session:
        _spread_of_placements(session, SPREAD)
    before = _state(engine)
    output = _sweep(fresh_database_url, monkeypatch, _today() + timedelta(days=5))
    assert output.startswith("due ")
    first = _state(engine)
    assert first != before and first["notifications"]
    assert all(uid and fid for _, uid, _, fid, _, _ in first["notifications"])
    _sweep(fresh_database_url, monkeypatch, _today() + timedelta(days=5))
    assert _state(engine) == first


def test_the_sweep_reports_how_many_reminders_it_made(
    cli_env: None,
    fresh_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    engines: Callable[[str], Engine],
) -> None:
    _upgrade(fresh_database_url, monkeypatch)
    engine = engines(fresh_database_url)
    with Session(engine) as session:
        _spread_of_placements(session, [35, 36])
    first = _sweep(fresh_database_url, monkeypatch, _today())
    assert "reminders 4" in first, first
    again = _sweep(fresh_database_url, monkeypatch, _today())
    assert "reminders 0" in again, again
    with Session(engine) as session:
        run = session.get(SchedulerRun, "follow-up-sweep")
        assert run is not None and run.last_result == again.strip()


def test_reminders_go_only_to_active_officers_of_the_placements_province(
    cli_env: None,
    fresh_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    engines: Callable[[str], Engine],
) -> None:
    _upgrade(fresh_database_url, monkeypatch)
    engine = engines(fresh_database_url)
    with Session(engine) as session:
        _spread_of_placements(session, [35])
    _sweep(fresh_database_url, monkeypatch, _today())
    with Session(engine) as session:
        emails = session.scalars(
            select(User.email).join(Notification, Notification.user_id == User.id)
        ).all()
    assert sorted(emails) == ["first.officer@example.org", "second.officer@example.org"]


def test_one_sweep_after_30_days_of_downtime_equals_30_daily_sweeps(
    cli_env: None,
    fresh_database_url: str,
    twin_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    engines: Callable[[str], Engine],
) -> None:
    daily, once = engines(fresh_database_url), engines(twin_database_url)
    for url, engine in ((fresh_database_url, daily), (twin_database_url, once)):
        _upgrade(url, monkeypatch)
        with Session(engine) as session:
            _spread_of_placements(session, SPREAD)
    assert _outcome_of(daily) == _outcome_of(once)
    start = _today()
    for day in range(1, 31):
        _sweep(fresh_database_url, monkeypatch, start + timedelta(days=day))
    _sweep(twin_database_url, monkeypatch, start + timedelta(days=30))
    daily_statuses, daily_reminders = _outcome_of(daily)
    once_statuses, once_reminders = _outcome_of(once)
    assert once_statuses == daily_statuses
    assert {status for _, status in once_statuses} >= {"scheduled", "due", "overdue", "missed"}
    assert once_reminders == daily_reminders
    assert {kind for _, kind, _ in once_reminders} == {"follow_up_due", "follow_up_overdue"}


CRASHING_SWEEP = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import date
    from sqlalchemy import func, select
    from reintegrate import create_app
    from reintegrate.db import db
    from reintegrate.models import FollowUp, Notification
    from reintegrate.services import followups

    url, today, marker = sys.argv[1], date.fromisoformat(sys.argv[2]), sys.argv[3]
    real_remind = followups._remind
    calls = []

    def remind_then_die(session, *args, **kwargs):
        calls.append(real_remind(session, *args, **kwargs))
        if len(calls) < 2:
            return calls[-1]
        open_ = select(func.count()).select_from(FollowUp).where(FollowUp.status != "scheduled")
        moved = session.scalar(open_)
        noted = session.scalar(select(func.count()).select_from(Notification))
        with open(marker, "w") as handle:
            handle.write(f"{moved} {noted}")
        os.kill(os.getpid(), signal.SIGKILL)

    followups._remind = remind_then_die
    app = create_app({"DATABASE_URL": url})
    with app.app_context(), db.standalone() as session:
        followups.sweep(session, today)
    """
)


def test_a_sweep_killed_midway_leaves_the_database_as_it_was(
    cli_env: None,
    fresh_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    engines: Callable[[str], Engine],
    tmp_path: Path,
) -> None:
    _upgrade(fresh_database_url, monkeypatch)
    engine = engines(fresh_database_url)
    with Session(engine) as session:
        _spread_of_placements(session, SPREAD)
        moved_before = session.scalar(
            select(func.count()).select_from(FollowUp).where(FollowUp.status != "scheduled")
        )
    before = _state(engine)
    assert before["notifications"] == []
    marker = tmp_path / "reached"
    day = _today() + timedelta(days=40)
    child = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CRASHING_SWEEP, fresh_database_url, day.isoformat(), str(marker)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": fresh_database_url},
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    moved, noted = map(int, marker.read_text().split())
    assert moved > moved_before and noted > 0  # the UPDATEs and INSERTs ran before the kill
    engine.dispose()
    assert _state(engine) == before
    _sweep(fresh_database_url, monkeypatch, day)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == noted
        assert (
            session.scalar(
                select(func.count()).select_from(FollowUp).where(FollowUp.status != "scheduled")
            )
            == moved
        )


def _log_has(path: Path, needle: str) -> bool:
    return path.exists() and needle in path.read_text(errors="replace")


def _count_notifications(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Notification)) or 0


def test_two_schedulers_on_one_database_remind_once(
    cli_env: None,
    fresh_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    engines: Callable[[str], Engine],
    tmp_path: Path,
) -> None:
    _upgrade(fresh_database_url, monkeypatch)
    engine = engines(fresh_database_url)
    with Session(engine) as session:
        _spread_of_placements(session, [33, 35, 38])
        due_ids = set(session.scalars(select(FollowUp.id).where(FollowUp.status == "due")).all())
        officers = set(
            session.scalars(
                select(User.id).where(
                    User.email.in_(["first.officer@example.org", "second.officer@example.org"])
                )
            ).all()
        )
    assert len(due_ids) == 3
    expected = {(user, "follow_up_due", fid) for user in officers for fid in due_ids}
    env = {**os.environ, "DATABASE_URL": fresh_database_url}
    logs = [tmp_path / "scheduler-a.log", tmp_path / "scheduler-b.log"]
    handles = [path.open("w") for path in logs]
    children: list[subprocess.Popen[bytes]] = []
    try:
        for handle in handles:
            children.append(
                subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "reintegrate.cli", "scheduler"],
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            standing_by = [
                _log_has(p, "another scheduler holds the lock; standing by") for p in logs
            ]
            if any(standing_by) and _count_notifications(engine) >= len(expected):
                break
            assert all(child.poll() is None for child in children), [p.read_text() for p in logs]
            time.sleep(0.2)
        else:
            pytest.fail(
                "no scheduler stood by or no reminders: " + " | ".join(p.read_text() for p in logs)
            )
        standby = standing_by.index(True)
        active = 1 - standby
        children[standby].send_signal(signal.SIGTERM)
        children[standby].wait(timeout=WAIT_SECONDS)
        children[active].send_signal(signal.SIGINT)
        assert children[active].wait(timeout=WAIT_SECONDS) == 0, logs[active].read_text()
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
        for handle in handles:
            handle.close()
    started = [_log_has(p, "scheduler started") for p in logs]
    assert started == [i == active for i in range(2)], [p.read_text() for p in logs]
    with Session(engine) as session:
        reminders = [
            tuple(r)
            for r in session.execute(
                select(Notification.user_id, Notification.kind, Notification.follow_up_id)
            )
        ]
    assert sorted(reminders) == sorted(expected)


class RecordingSMTP:
    """A stand-in for smtplib.SMTP that keeps what would have been sent."""

    sent: list[EmailMessage] = []
    calls: list[str] = []
    fail_after: int | None = None

    def __init__(self, host: str, port: int, timeout: float = 0) -> None:
        self.calls.append(f"connect {host}:{port}")

    def __enter__(self) -> RecordingSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append("quit")

    def starttls(self) -> None:
        self.calls.append("starttls")

    def login(self, user: str, password: str) -> None:
        self.calls.append(f"login {user}")

    def send_message(self, message: EmailMessage) -> None:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise smtplib.SMTPServerDisconnected("connection lost")
        self.sent.append(message)


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> type[RecordingSMTP]:
    monkeypatch.setattr(RecordingSMTP, "sent", [])
    monkeypatch.setattr(RecordingSMTP, "calls", [])
    monkeypatch.setattr(RecordingSMTP, "fail_after", None)
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    return RecordingSMTP


@pytest.fixture
def mail_app(
    cli_env: None, fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    _upgrade(fresh_database_url, monkeypatch)
    app = create_app(
        {
            "DATABASE_URL": fresh_database_url,
            "SMTP_HOST": "smtp.example.org",
            "SMTP_PORT": 587,
            "SMTP_FROM": "reminders@example.org",
            "SMTP_USER": "reintegrate",
            "SMTP_PASSWORD": "app-password",
            "BASE_URL": "https://reintegrate.example.org",
        }
    )
    yield app
    db.engine(app).dispose()


def _secrets(engine: Engine) -> list[str]:
    with Session(engine) as session:
        secrets = []
        for returnee in session.scalars(select(Returnee)):
            secrets += [returnee.case_number, returnee.given_name, returnee.full_name]
            if returnee.phone:
                secrets.append(returnee.phone)
    return secrets


def test_each_reminder_is_emailed_once_naming_no_one(
    mail_app: Any, smtp: type[RecordingSMTP], engines: Callable[[str], Engine]
) -> None:
    engine = engines(mail_app.config["DATABASE_URL"])
    with Session(engine) as session:
        _spread_of_placements(session, [35, 50])
    sweep_follow_ups(mail_app, _today())
    with Session(engine) as session:
        notes = session.execute(
            select(Notification.id, User.email, Notification.follow_up_id, Notification.emailed_at)
            .join(User, User.id == Notification.user_id)
            .order_by(Notification.id)
        ).all()
    assert notes and all(emailed_at is not None for *_, emailed_at in notes)
    assert len(smtp.sent) == len(notes)
    assert sorted(m["To"] for m in smtp.sent) == sorted(email for _, email, _, _ in notes)
    assert smtp.calls[:3] == ["connect smtp.example.org:587", "starttls", "login reintegrate"]
    secrets = _secrets(engine)
    for message in smtp.sent:
        assert message["From"] == "reminders@example.org"
        whole = message.as_string()
        assert "https://reintegrate.example.org/followups/" in whole
        for secret in secrets:
            assert secret not in whole
    sweep_follow_ups(mail_app, _today())
    assert len(smtp.sent) == len(notes)


def test_reminders_not_emailed_because_smtp_failed_are_sent_next_sweep_and_none_twice(
    mail_app: Any, smtp: type[RecordingSMTP], engines: Callable[[str], Engine]
) -> None:
    engine = engines(mail_app.config["DATABASE_URL"])
    with Session(engine) as session:
        _spread_of_placements(session, [35, 36])
    smtp.fail_after = 1
    sweep_follow_ups(mail_app, _today())
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(Notification)) or 0
    assert total == 4 and len(smtp.sent) == 1
    smtp.fail_after = None
    sweep_follow_ups(mail_app, _today())
    recipients = [(m["To"], m.get_content()) for m in smtp.sent]
    assert len(recipients) == total
    assert len(set(recipients)) == total
