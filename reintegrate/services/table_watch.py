"""How a few tables looked a moment ago: the cache key of what a process builds from them.

The listing index and the skill vocabulary are built from whole tables and kept per process.
Asking the database whether those tables changed costs a query on every request (for listings
a COUNT/MAX over every row, which cost more than the ranking itself at 50,000 listings), so a
process trusts its last look for a few seconds. Writes this process commits to a watched model
are seen at once; writes by another process (another gunicorn worker, an import run from the
command line) at most that many seconds later.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from reintegrate.config import settings_value

RECHECK_SECONDS = 2.0
"""The default trust in a look (app config TABLE_RECHECK_SECONDS overrides; 0 looks every time)."""

_watches: list[TableWatch] = []


class TableWatch:
    """The state of the tables behind `models`, as `look(session)` reads it, cached briefly."""

    def __init__(self, name: str, models: tuple[type, ...], look: Callable[[Session], Hashable]):
        self._flag = f"table_watch.{name}.written"
        self._models = models
        self._look = look
        self._lock = threading.Lock()
        self._generation = 0
        self._last: tuple[Hashable, float, int] | None = None
        _watches.append(self)

    def state(self, session: Session) -> Hashable:
        """The watched tables' state as this session should see it."""
        recheck = float(settings_value("TABLE_RECHECK_SECONDS", RECHECK_SECONDS))  # type: ignore[arg-type]
        written_here = session.info.get(self._flag, False)
        now = time.monotonic()
        with self._lock:
            generation = self._generation
            last = self._last
        if (
            last is not None
            and not written_here
            and last[2] == generation
            and now - last[1] < recheck
        ):
            return last[0]
        state = self._look(session)
        if not written_here:  # uncommitted rows are this session's alone: never cache them
            with self._lock:
                self._last = (state, now, generation)
        return state

    def _note_write(self, session: Session, models: Any) -> None:
        if any(model in self._models for model in models):
            session.info[self._flag] = True

    def _note_commit(self, session: Session) -> None:
        if session.info.pop(self._flag, False):
            with self._lock:
                self._generation += 1

    def _forget_writes(self, session: Session) -> None:
        session.info.pop(self._flag, None)


def look_again() -> None:
    """Every watch asks the database at its next use: the tables changed behind the sessions'
    backs (a test's outer transaction rolled back, a database restored)."""
    for watch in _watches:
        with watch._lock:
            watch._generation += 1


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context: UOWTransaction) -> None:
    written = {type(row) for rows in (session.new, session.dirty, session.deleted) for row in rows}
    for watch in _watches:
        watch._note_write(session, written)


@event.listens_for(Session, "do_orm_execute")
def _note_statements(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        written = {mapper.class_ for mapper in state.all_mappers}
        for watch in _watches:
            watch._note_write(state.session, written)


@event.listens_for(Session, "after_commit")
def _note_commit(session: Session) -> None:
    """A commit that wrote watched rows makes every request of this process look again."""
    for watch in _watches:
        watch._note_commit(session)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    for watch in _watches:
        watch._forget_writes(session)
