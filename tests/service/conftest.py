"""Service fixtures: the app's session factory (joined to the test's rolled-back transaction)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from reintegrate.db import db
from reintegrate.models import ImportRun
from reintegrate.services import imports
from reintegrate.services.access import Actor

Importer = Callable[..., ImportRun]


@pytest.fixture
def sessions(app: Flask, db_session: Session) -> sessionmaker[Session]:
    """For services that open transactions of their own (imports.import_feed)."""
    with app.app_context():
        return db.sessions()


@pytest.fixture
def import_bytes(app: Flask, sessions: sessionmaker[Session]) -> Importer:
    """Import bytes as the CLI would: import_bytes(data, source=..., filename=..., **options)."""

    def run(
        data: bytes,
        *,
        source: str = "cambodiajobs",
        filename: str = "feed.csv",
        kind: str = "job",
        actor: Actor | None = None,
        **options: object,
    ) -> ImportRun:
        with app.app_context():
            return imports.import_feed(
                sessions,
                actor or Actor.system("test"),
                io.BytesIO(data),
                imports.ImportOptions(source=source, kind=kind, filename=filename, **options),
            )

    return run
