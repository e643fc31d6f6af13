"""The `reintegrate` command: database, accounts, tokens, demo data and the server."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from reintegrate.errors import DomainError, InvalidInput


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
@click.option(
    "--role", required=True, type=click.Choice(["officer", "employer", "manager", "admin"])
)
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


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("email")
def token_create(email: str) -> None:
    """Print a new API token for EMAIL (shown once; only its hash is stored)."""
    from reintegrate.services import users
    from reintegrate.services.access import Actor

    with _session() as session:
        value = users.create_token(session, Actor.system("cli"), email)
    click.echo(value)


@main.command()
def demo() -> None:
    """Load demo data (once) and print the demo logins."""
    from reintegrate.demo import load_demo

    with _session() as session:
        logins = load_demo(session)
    click.echo("Demo logins (passwords generated for this install):")
    for role, email, password in logins:
        click.echo(f"  {role:<9} {email:<32} {password}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app with gunicorn."""
    from reintegrate.server import run_gunicorn

    click.echo(f"Reintegrate is running at http://{host}:{port}/  (Ctrl+C to stop)")
    run_gunicorn(host, port, workers)
