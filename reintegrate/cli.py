"""The `reintegrate` command: database, accounts, tokens, demo data and the server."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.errors import DomainError, InvalidInput
from reintegrate.models import Listing
from reintegrate.models.user import Role


@contextmanager
def _session() -> Iterator[Session]:
    """An app context and one transaction; domain errors become clear messages and exit 2."""
    from reintegrate import create_app
    from reintegrate.db import db

    app = create_app()
    with app.app_context():
        try:
            with db.standalone() as session:
                yield session
        except InvalidInput as exc:
            for field, messages in exc.errors.items():
                click.echo(f"error: {field}: {'; '.join(str(m) for m in messages)}", err=True)
            sys.exit(2)
        except DomainError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(2)
        finally:
            db.engine(app).dispose()


@click.group()
def main() -> None:
    """Reintegrate: registry, matching and follow-up of returning migrants."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Migrate the database named by DATABASE_URL to the latest schema."""
    from reintegrate.config import Settings
    from reintegrate.migrate import upgrade

    upgrade(Settings.from_env().database_url, revision)
    click.echo(f"database at {revision}")


@main.group()
def user() -> None:
    """Accounts."""


@user.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--province", "provinces", multiple=True, help="Province code (officers); repeat.")
@click.option("--employer", help="Employer name (employer accounts).")
@click.option("--name", "full_name", help="Full name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(
    email: str,
    role: str,
    provinces: tuple[str, ...],
    employer: str | None,
    full_name: str | None,
    password_stdin: bool,
) -> None:
    """Create an account. Without --password-stdin a strong password is generated and shown once."""
    from reintegrate.services import users
    from reintegrate.services.access import Actor

    generated = not password_stdin
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else secrets.token_urlsafe(15)
    with _session() as session:
        account = users.create_user(
            session,
            Actor.system("cli"),
            email=email,
            role=role,
            password=password,
            provinces=[code.zfill(2) for code in provinces],
            employer=employer,
            full_name=full_name,
        )
        click.echo(f"created {account.role} {account.email}")
    if generated:
        click.echo(f"password: {password}")


@user.command("disable")
@click.argument("email")
def user_disable(email: str) -> None:
    """Disable an account: its sessions end and its API tokens stop working."""
    from reintegrate.services import users
    from reintegrate.services.access import Actor

    with _session() as session:
        users.set_active(session, Actor.system("cli"), email, False)
    click.echo(f"disabled {email}")


@user.command("enable")
@click.argument("email")
def user_enable(email: str) -> None:
    """Enable a disabled account again."""
    from reintegrate.services import users
    from reintegrate.services.access import Actor

    with _session() as session:
        users.set_active(session, Actor.system("cli"), email, True)
    click.echo(f"enabled {email}")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("email")
@click.option("--days", type=int, help="Days until it expires (default API_TOKEN_DAYS, 90).")
def token_create(email: str, days: int | None) -> None:
    """Print a new API token for EMAIL (shown once; only its hash is stored)."""
    from flask import current_app

    from reintegrate.services import users
    from reintegrate.services.access import Actor

    with _session() as session:
        days = days if days is not None else current_app.config["API_TOKEN_DAYS"]
        value = users.create_token(session, Actor.system("cli"), email, days=days)
    click.echo(value)


@token.command("list")
@click.option("--email", help="Only this account's tokens.")
def token_list(email: str | None) -> None:
    """List API tokens: id, prefix, account, state, expiry and last use (never the token)."""
    from reintegrate.services import users
    from reintegrate.services.access import Actor

    with _session() as session:
        for row in users.list_tokens(session, Actor.system("cli"), email=email):
            last_used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
            click.echo(
                f"{row.id}\t{row.prefix}…\t{row.user.email}\t{users.token_state(row)}\t"
                f"expires {row.expires_at:%Y-%m-%d}\tlast used {last_used}"
            )


@token.command("revoke")
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
def token_revoke(token_id: int) -> None:
    """Revoke the API token with this ID (see `token list`); it stops working at once."""
    from reintegrate.services import users
    from reintegrate.services.access import Actor

    with _session() as session:
        row = users.revoke_token(session, Actor.system("cli"), token_id)
        click.echo(f"revoked token {row.id} ({row.prefix}…) of {row.user.email}")


@main.group("import")
def import_group() -> None:
    """Feeds of job listings and incentive programmes; returnee lists."""


@import_group.command("listings")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Name of the feed, e.g. cambodiajobs-export.")
@click.option("--kind", type=click.Choice(["job", "incentive"]), default="job", show_default=True)
@click.option("--strict", is_flag=True, help="Import nothing if any row is bad.")
@click.option("--full", is_flag=True, help="The feed lists everything open: close what it omits.")
@click.option("--employer", help="The feed belongs to this employer: reject rows naming another.")
def import_listings(
    file: Path, source: str, kind: str, strict: bool, full: bool, employer: str | None
) -> None:
    """Import FILE (CSV, JSON, JSON-LD or HTML with JobPosting) and print the report.

    Exit status: 0 all rows imported, 1 some rows rejected (the rest imported), 2 nothing
    imported (unreadable file, or --strict and a bad row).
    """
    from reintegrate.services import imports
    from reintegrate.services.access import Actor

    options = imports.ImportOptions(
        source=source, kind=kind, filename=file.name, strict=strict, full=full, employer=employer
    )
    _run_import(
        file,
        lambda sessions, stream, progress: imports.import_feed(
            sessions, Actor.system("cli"), stream, options, on_progress=progress
        ),
        format_report,
    )


def _run_import(
    file: Path,
    start: Callable[[Any, BinaryIO, Callable[[int], None]], Any],
    report: Callable[[Any], str],
) -> NoReturn:
    """Open the file, refuse one over the size limit, run the import with a progress bar on
    the terminal, print its report and exit with its code (0 all in, 1 some rows, 2 none)."""
    from reintegrate import create_app
    from reintegrate.db import db
    from reintegrate.services import imports

    try:
        size = file.stat().st_size
        stream = file.open("rb")
    except OSError as exc:
        click.echo(f"error: cannot read {file}: {exc.strerror}", err=True)
        sys.exit(2)
    app = create_app()
    limit = app.config["IMPORT_MAX_BYTES"]
    if size > limit:
        stream.close()
        db.engine(app).dispose()
        click.echo(f"error: {file} is {size:,} bytes; the limit is {limit:,}", err=True)
        sys.exit(2)
    with app.app_context(), stream:
        try:
            with click.progressbar(
                length=size, label=f"Importing {file.name}", file=sys.stderr
            ) as bar:
                run = start(db.sessions(), stream, bar.update)
        except DomainError as exc:
            _refused(exc)
        finally:
            db.engine(app).dispose()
    click.echo(report(run))
    sys.exit(imports.exit_code(run))


def _refused(exc: DomainError) -> NoReturn:
    """An import refused before it started (bad options, unknown officer): say why, exit 2."""
    message = (
        "; ".join(f"{k}: {v[0]}" for k, v in exc.errors.items())
        if isinstance(exc, InvalidInput)
        else exc.message
    )
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@import_group.command("returnees")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--officer", required=True, help="E-mail of the officer who registers them.")
@click.option("--source", help="Name of the list (default: the file name without extension).")
@click.option("--strict", is_flag=True, help="Import nothing if any row is bad.")
def import_returnees(file: Path, officer: str, source: str | None, strict: bool) -> None:
    """Register the returnees of FILE (CSV or XLSX, columns named as in the API) and print
    the report.

    Exit status: 0 all rows imported, 1 some rows rejected (the rest imported), 2 nothing
    imported (unreadable file, or --strict and a bad row).
    """
    from reintegrate.schemas.returnees import ReturneeListRows
    from reintegrate.services import returnee_imports
    from reintegrate.services.access import Actor

    options = returnee_imports.ReturneeImportOptions(
        filename=file.name, source=source, officer=officer, strict=strict
    )
    _run_import(
        file,
        lambda sessions, stream, progress: returnee_imports.import_returnees(
            sessions,
            Actor.system("cli"),
            stream,
            options,
            rules=ReturneeListRows(),
            on_progress=progress,
        ),
        format_returnee_report,
    )


def format_returnee_report(run: object) -> str:
    """A returnee list's import report as read in a terminal."""
    lines = [f"Import #{run.id} of {run.filename} from {run.source} (returnees): {run.status}"]
    if run.message:
        lines.append(f"  {run.message}")
    lines.append(
        f"  rows {run.rows} · registered {run.created} · linked to known cases {run.linked} · "
        f"queued for duplicate review {run.flagged} · rejected {run.rejected}"
    )
    for label, issues in (("rejected", run.errors), ("warning", run.warnings[:50])):
        for issue in issues:
            where = f"row {issue['row']}" + (f", {issue['field']}" if issue["field"] else "")
            lines.append(f"  {label} {where}: {issue['message']}")
    if len(run.warnings) > 50:
        lines.append(f"  … {len(run.warnings) - 50} more warnings (see the report page)")
    return "\n".join(lines)


def format_report(run: object) -> str:
    """The import report as an admin reads it in a terminal."""
    lines = [
        f"Import #{run.id} of {run.filename} from {run.source} ({run.kind}): {run.status}",
    ]
    if run.message:
        lines.append(f"  {run.message}")
    lines.append(
        f"  rows {run.rows} · created {run.created} · updated {run.updated} · unchanged "
        f"{run.unchanged} · closed {run.closed} · linked duplicates {run.linked} · "
        f"rejected {run.rejected}"
    )
    if run.flagged:
        counts = ", ".join(f"{code} {n}" for code, n in (run.flag_counts or {}).items())
        lines.append(f"  flagged listings {run.flagged} ({counts})")
    for issue in run.errors:
        where = f"row {issue['row']}" + (f", {issue['field']}" if issue["field"] else "")
        lines.append(f"  rejected {where}: {issue['message']}")
    for issue in run.warnings[:50]:
        where = f"row {issue['row']}" + (f", {issue['field']}" if issue["field"] else "")
        lines.append(f"  warning {where}: {issue['message']}")
    if len(run.warnings) > 50:
        lines.append(f"  … {len(run.warnings) - 50} more warnings (see the report page)")
    return "\n".join(lines)


@main.group("listings")
def listings_group() -> None:
    """Job openings and incentive programmes."""


@listings_group.command("screen")
def listings_screen() -> None:
    """Screen every listing again, e.g. after the minimum-wage file changed.

    The file is read and checked first: a bad row stops here, naming the row, and no
    listing is touched.
    """
    from jobs_import.screening import ReferenceFileError
    from reintegrate.services import screening
    from reintegrate.services.access import Actor

    path = screening.MINIMUM_WAGES_CSV
    try:
        wages = screening.load_minimum_wages(path)
    except ReferenceFileError as exc:
        click.echo(f"error: {path.name}: {exc}", err=True)
        sys.exit(2)
    with _session() as session:
        changed = screening.rescreen(session, Actor.system("screen"), wages=wages)
        counts = screening.count_codes(session.scalars(select(Listing.flags)))
    summary = ", ".join(f"{code} {n}" for code, n in counts.items()) or "none"
    click.echo(f"screened all listings: {changed} changed; flagged by code: {summary}")


@main.command()
def demo() -> None:
    """Load demo data (once) and print the demo logins."""
    from reintegrate import create_app
    from reintegrate.db import db
    from reintegrate.demo import load_demo

    app = create_app()
    with app.app_context():
        try:
            logins = load_demo(db.sessions())
        finally:
            db.engine(app).dispose()
    click.echo("Demo logins (passwords generated for this install):")
    for role, email, password in logins:
        click.echo(f"  {role:<9} {email:<32} {password}")


@main.group()
def followups() -> None:
    """Follow-ups after placements."""


@followups.command("sweep")
@click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Sweep as of this date (YYYY-MM-DD)."
)
def followups_sweep(today: datetime | None) -> None:
    """Move follow-ups to due, overdue or missed and remind officers (the scheduler's sweep)."""
    from reintegrate import create_app
    from reintegrate.db import db
    from reintegrate.scheduler import sweep_follow_ups

    app = create_app()
    try:
        click.echo(sweep_follow_ups(app, today.date() if today else None))
    finally:
        with app.app_context():
            db.engine(app).dispose()


@main.command()
@click.option("--once", is_flag=True, help="Run every periodic job once and exit.")
def scheduler(once: bool) -> None:
    """Run the one scheduler process (a second one against the same database stands by)."""
    import logging

    from reintegrate import create_app
    from reintegrate.config import ConfigError
    from reintegrate.db import db
    from reintegrate.scheduler import run_forever, run_once, scheduler_lock

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app()
    try:
        if once:
            with scheduler_lock(app) as acquired:
                if not acquired:
                    click.echo("another scheduler holds the lock; nothing was run", err=True)
                    return
                for job_id, result in run_once(app).items():
                    click.echo(f"{job_id}: {result}")
            return
        run_forever(app)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        db.engine(app).dispose()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-scheduler", is_flag=True, help="Do not start the scheduler beside the web app.")
def serve(host: str, port: int, workers: int, no_scheduler: bool) -> None:
    """Serve the web app with gunicorn and, for a one-machine install, the scheduler beside it."""
    import subprocess  # starts our own scheduler, no shell, no outside input  # nosec B404

    from reintegrate.server import run_gunicorn

    child = None
    if not no_scheduler:
        command = [sys.executable, "-m", "reintegrate.cli", "scheduler"]
        child = subprocess.Popen(command)  # noqa: S603  # fixed arguments, no shell  # nosec B603
    click.echo(f"Reintegrate is running at http://{host}:{port}/  (Ctrl+C to stop)")
    try:
        run_gunicorn(host, port, workers)
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=30)


if __name__ == "__main__":
    main()
