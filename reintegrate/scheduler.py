"""The one scheduler process: periodic jobs declared in one list, guarded by a database lock."""

from __future__ import annotations

import fcntl
import logging
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from reintegrate.db import db, utcnow
from reintegrate.feeds import FeedConfig, load_feeds, open_feed
from reintegrate.models import SchedulerRun
from reintegrate.services import followups, imports, listings, notifications, skills
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today

log = logging.getLogger("reintegrate.scheduler")
ADVISORY_LOCK_KEY = 0x52454954  # "REIT": one scheduler per PostgreSQL database
MISFIRE_GRACE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class PeriodicJob:
    """A job with a fixed id, so a restart replaces it instead of adding a twin."""

    id: str
    func: Callable[[], Any]
    every: dict[str, float] = field(default_factory=dict)


def close_expired_listings(app: Flask) -> int:
    with app.app_context(), db.standalone() as session:
        closed = listings.close_expired(session, local_today())
    log.info("closed %d expired listings", closed)
    return closed


def import_configured_feed(app: Flask, feed: FeedConfig) -> str:
    with app.app_context():
        options = imports.ImportOptions(
            source=feed.source,
            kind=feed.kind,
            filename=feed.filename,
            full=feed.full,
            employer=feed.employer,
        )
        try:
            stream = open_feed(feed, app.config["IMPORT_MAX_BYTES"])
        except (OSError, ValueError) as exc:
            log.error("feed %s could not be read: %s", feed.source, exc)
            return "unreadable"
        with stream:
            run = imports.import_feed(db.sessions(), Actor.system("scheduler"), stream, options)
    log.info("feed %s: import #%d %s", feed.source, run.id, run.status)
    return run.status


def sweep_follow_ups(app: Flask, today: date | None = None) -> str:
    """Follow-up states and reminders in one transaction, then e-mail where SMTP is set up."""
    with app.app_context():
        with db.standalone() as session:
            result = followups.sweep(session, today or local_today())
            session.merge(
                SchedulerRun(
                    job_id="follow-up-sweep",
                    last_finished_at=utcnow(),
                    last_result=f"due {result.due}, overdue {result.overdue}, "
                    f"missed {result.missed}, reminders {result.reminders}",
                )
            )
        if app.config.get("SMTP_HOST"):
            smtp = notifications.SmtpSettings(
                host=app.config["SMTP_HOST"],
                port=app.config["SMTP_PORT"],
                sender=app.config["SMTP_FROM"],
                user=app.config.get("SMTP_USER"),
                password=app.config.get("SMTP_PASSWORD"),
            )
            try:
                with db.standalone() as session:
                    notifications.send_pending_emails(session, smtp, app.config.get("BASE_URL", ""))
            except OSError as exc:
                log.error("reminder e-mails not sent (will retry next sweep): %s", exc)
    summary = (
        f"due {result.due}, overdue {result.overdue}, missed {result.missed}, "
        f"reminders {result.reminders}"
    )
    log.info("follow-up sweep: %s", summary)
    return summary


def renormalise_skills(app: Flask) -> int:
    with app.app_context(), db.standalone() as session:
        changed = skills.renormalise_stale(session)
    if changed:
        log.info("normalised %d skill phrases again for a new vocabulary", changed)
    return changed


def periodic_jobs(app: Flask) -> list[PeriodicJob]:
    """Every periodic job, in one place."""
    jobs = [
        PeriodicJob("follow-up-sweep", partial(sweep_follow_ups, app), {"hours": 1}),
        PeriodicJob("close-expired-listings", partial(close_expired_listings, app), {"hours": 1}),
        PeriodicJob("renormalise-skills", partial(renormalise_skills, app), {"hours": 24}),
    ]
    for feed in load_feeds(app.config.get("FEEDS_FILE")):
        jobs.append(
            PeriodicJob(
                f"import-feed:{feed.source}",
                partial(import_configured_feed, app, feed),
                {"hours": feed.every_hours},
            )
        )
    return jobs


@contextmanager
def scheduler_lock(app: Flask) -> Iterator[bool]:
    """True while this process is the one scheduler for the database, False if another is.

    PostgreSQL: a session advisory lock, released by the server if the process dies.
    SQLite: an exclusive flock on a file beside the database, released the same way.
    """
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "postgresql":
        with db.engine(app).connect() as connection:
            acquired = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}
                ).scalar()
            )
            connection.commit()
            try:
                yield acquired
            finally:
                if acquired:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY}
                    )
                    connection.commit()
        return
    database = url.database or ""
    lock_path = Path(database + ".scheduler.lock") if database and database != ":memory:" else None
    if lock_path is None:
        yield True
        return
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_once(app: Flask) -> dict[str, Any]:
    """Run every periodic job once, in order (for `--once`, cron and tests)."""
    return {job.id: job.func() for job in periodic_jobs(app)}


def run_forever(
    app: Flask, *, retry_seconds: float = 30.0, stop: Callable[[], bool] = lambda: False
) -> None:
    """Wait for the lock (a standby does nothing), then run the jobs until SIGTERM or SIGINT."""
    while not stop():
        with scheduler_lock(app) as acquired:
            if acquired:
                _run_scheduler(app)
                return
        log.info("another scheduler holds the lock; standing by")
        time.sleep(retry_seconds)


def _run_scheduler(app: Flask) -> None:
    scheduler = BlockingScheduler(
        jobstores={"default": MemoryJobStore()},
        # One job at a time, for the reason server.THREADS_PER_WORKER gives; a job that waits
        # for another runs late, well within the misfire grace, never skipped.
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
        timezone=UTC,
    )
    now = datetime.now(UTC)
    for job in periodic_jobs(app):
        scheduler.add_job(
            job.func,
            "interval",
            id=job.id,
            name=job.id,
            next_run_time=now,
            replace_existing=True,
            **job.every,
        )
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: scheduler.shutdown(wait=True))
    log.info("scheduler started with jobs: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    scheduler.start()
