"""The `reintegrate` command: database, accounts, tokens, demo data and the server.

Every command gets its app context the same way, Flask's `with_appcontext` (the groups are
`AppGroup`s; the app is made once per invocation and its connections closed after), a
session from `_session`, and has a domain error turned into a message and exit status 2 in
one place, `Commands.invoke`.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.config import ConfigError
from reintegrate.errors import DomainError, InvalidInput
from reintegrate.models import Listing
from reintegrate.models.user import Role


class Commands(AppGroup):
    """The top group: its commands and groups run in the app context, and a domain error (or
    a bad setting) from any of them is said on standard error and exits with status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (DomainError, ConfigError) as exc:
            for line in _error_lines(exc):
                click.echo(f"error: {line}", err=True)
            sys.exit(2)


def _error_lines(exc: DomainError | ConfigError) -> list[str]:
    if isinstance(exc, InvalidInput):
        return [f"{field}: {'; '.join(str(m) for m in msgs)}" for field, msgs in exc.errors.items()]
    return [exc.message if isinstance(exc, DomainError) else str(exc)]


def _app() -> Flask:
    """The app `with_appcontext` runs a command in; its connections close with the command."""
    from reintegrate import create_app
    from reintegrate.db import db

    app = create_app()
    click.get_current_context().call_on_close(lambda: db.engine(app).dispose())
    return app


def _current_app() -> Flask:
    """The app itself, for what runs beyond this context (the scheduler's jobs and threads)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app


@contextmanager
def _session() -> Iterator[Session]:
    """One transaction of the command's own, committed if the block succeeds."""
    from reintegrate.db import db

    with db.standalone() as session:
        yield session


@click.group(cls=Commands)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Reintegrate: registry, matching and follow-up of returning migrants."""
    ctx.obj = ScriptInfo(create_app=_app, set_debug_flag=False)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade", with_appcontext=False)
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
    the terminal, print its report and exit with its code (0 all in, 1 some rows, 2 none).
    An import refused before it starts (bad options, unknown officer) is a domain error."""
    from reintegrate.db import db
    from reintegrate.services import imports

    try:
        size = file.stat().st_size
        stream = file.open("rb")
    except OSError as exc:
        click.echo(f"error: cannot read {file}: {exc.strerror}", err=True)
        sys.exit(2)
    limit = current_app.config["IMPORT_MAX_BYTES"]
    with stream:
        if size > limit:
            click.echo(f"error: {file} is {size:,} bytes; the limit is {limit:,}", err=True)
            sys.exit(2)
        with click.progressbar(length=size, label=f"Importing {file.name}", file=sys.stderr) as bar:
            run = start(db.sessions(), stream, bar.update)
    click.echo(report(run))
    sys.exit(imports.exit_code(run))


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
    from reintegrate.db import db
    from reintegrate.demo import load_demo

    logins = load_demo(db.sessions())
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
    from reintegrate.scheduler import sweep_follow_ups

    click.echo(sweep_follow_ups(_current_app(), today.date() if today else None))


@main.command()
@click.option("--once", is_flag=True, help="Run every periodic job once and exit.")
def scheduler(once: bool) -> None:
    """Run the one scheduler process (a second one against the same database stands by)."""
    import logging

    from reintegrate.scheduler import run_forever, run_once, scheduler_lock

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = _current_app()
    if not once:
        run_forever(app)
        return
    with scheduler_lock(app) as acquired:
        if not acquired:
            click.echo("another scheduler holds the lock; nothing was run", err=True)
            return
        for job_id, result in run_once(app).items():
            click.echo(f"{job_id}: {result}")


@main.command(with_appcontext=False)
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
