"""Alembic environment: migrates the database named by DATABASE_URL (or the caller's URL)."""

from __future__ import annotations

from alembic import context

from reintegrate import models  # noqa: F401  (registers every table)
from reintegrate.config import Settings
from reintegrate.db import Base, UTCDateTime, make_engine

config = context.config


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=Base.metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTC timestamp type as a plain timezone-aware DateTime in migration files."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _sqlite_foreign_keys(connection, enabled: bool) -> None:  # type: ignore[no-untyped-def]
    """SQLite rebuilds a table to alter it; with foreign keys on, dropping the old table would
    cascade-delete every child row (placements, skills, requests). Off during the migration,
    checked before it commits, on again after."""
    if connection.dialect.name == "sqlite" and not connection.in_transaction():
        connection.connection.driver_connection.execute(
            f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}"
        )


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    _sqlite_foreign_keys(connection, False)
    try:
        _migrate(connection)
    finally:
        _sqlite_foreign_keys(connection, True)


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"migration left rows without their parent: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
