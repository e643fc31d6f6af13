"""A file posted for import, as the import page and POST /api/v1/imports both take it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, BinaryIO

from sqlalchemy.orm import Session, sessionmaker

from reintegrate.models import ImportRun
from reintegrate.services import imports, returnee_imports
from reintegrate.services.access import Actor
from reintegrate.services.returnee_imports import RowRules


def import_upload(
    sessions: sessionmaker[Session],
    actor: Actor,
    stream: BinaryIO,
    filename: str,
    form: Mapping[str, Any],
    *,
    rules: RowRules,
) -> ImportRun:
    """A returnee list (`kind` returnees, its rows checked by `rules`) or a feed of listings,
    with the import options the form gave; the run and its report either way."""
    if form["kind"] == returnee_imports.KIND:
        options = returnee_imports.ReturneeImportOptions(
            filename=filename,
            source=form.get("source"),
            officer=form.get("officer"),
            strict=form["strict"],
        )
        return returnee_imports.import_returnees(sessions, actor, stream, options, rules=rules)
    feed = {k: v for k, v in form.items() if k != "officer"}
    return imports.import_feed(
        sessions, actor, stream, imports.ImportOptions(filename=filename, **feed)
    )
