"""Case notes: dated notes by author on a returnee's case, for the officers of its province.

Notes typed on a follow-up's outcome belong to the same history. Employers and managers never
see notes: every function here is for officers and checks the case is in their provinces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.errors import N_, InvalidInput
from reintegrate.models import CaseNote, FollowUp, Outcome, Placement, Returnee, User
from reintegrate.services import audit, registry
from reintegrate.services.access import Actor
from reintegrate.services.policy import authorize
from reintegrate.timeutil import to_local

MAX_NOTE_LENGTH = 5000
MIN_QUERY_LENGTH = 2


@dataclass(frozen=True)
class Note:
    """A note as the case history shows it; `months` is set for a note typed on an outcome."""

    on: date
    at: datetime
    author: str | None
    text: str
    returnee_id: int
    months: int | None = None


@dataclass(frozen=True)
class NoteSearch:
    """Notes found, newest first, and the people they are about (by id)."""

    notes: list[Note]
    people: dict[int, Returnee]


def add_note(session: Session, actor: Actor, returnee_id: int, text: str) -> CaseNote:
    """Write a dated note on a case in the officer's provinces."""
    returnee = registry.get(session, actor, returnee_id, audited=False)
    body = (text or "").strip()
    if not body:
        raise InvalidInput({"body": [N_("Write the note first.")]})
    if len(body) > MAX_NOTE_LENGTH:
        raise InvalidInput({"body": [N_("A note is at most 5000 characters.")]})
    note = CaseNote(returnee_id=returnee.id, author_id=actor.user_id, body=body)
    session.add(note)
    session.flush()
    audit.record(
        session, actor, "create", "case_note", note.id, detail={"returnee_id": returnee.id}
    )
    return note


def case_notes(session: Session, actor: Actor, returnee_id: int) -> list[Note]:
    """Every note on a case, newest first: written on the case and typed on its outcomes."""
    returnee = registry.get(session, actor, returnee_id, audited=False)
    return _notes(session, [returnee.id])


def case_notes_of(session: Session, returnee: Returnee) -> list[Note]:
    """The notes of a case the caller has already checked is in scope (the timeline)."""
    return _notes(session, [returnee.id])


def search_notes(session: Session, actor: Actor, query: str, limit: int = 100) -> NoteSearch:
    """Notes containing `query` (any case) on cases in the officer's provinces, newest first."""
    authorize(actor, "notes.search")
    text = (query or "").strip()
    if len(text) < MIN_QUERY_LENGTH:
        raise InvalidInput({"q": [N_("Type at least two characters.")]})
    pattern = f"%{_escape_like(text.lower())}%"
    in_scope = select(Returnee.id).where(
        Returnee.home_province.in_(sorted(actor.provinces)), Returnee.erased_at.is_(None)
    )
    written = select(CaseNote.returnee_id).where(
        CaseNote.returnee_id.in_(in_scope), func.lower(CaseNote.body).like(pattern, escape="\\")
    )
    typed = (
        select(Placement.returnee_id)
        .join(FollowUp, FollowUp.placement_id == Placement.id)
        .join(Outcome, Outcome.follow_up_id == FollowUp.id)
        .where(
            Placement.returnee_id.in_(in_scope),
            func.lower(Outcome.notes).like(pattern, escape="\\"),
        )
    )
    ids = set(session.scalars(written)) | set(session.scalars(typed))
    found = [n for n in _notes(session, sorted(ids)) if text.lower() in n.text.lower()][:limit]
    shown = sorted({n.returnee_id for n in found})
    audit.record_shown(session, actor, "returnee", shown, detail={"what": "notes search"})
    people = {r.id: r for r in session.scalars(select(Returnee).where(Returnee.id.in_(shown)))}
    return NoteSearch(found, people)


def _notes(session: Session, returnee_ids: list[int]) -> list[Note]:
    if not returnee_ids:
        return []
    notes = [
        Note(
            on=to_local(n.written_at).date(),
            at=n.written_at,
            author=_name(n.author),
            text=n.body,
            returnee_id=n.returnee_id,
        )
        for n in session.scalars(
            select(CaseNote).where(CaseNote.returnee_id.in_(returnee_ids))
        ).unique()
    ]
    rows = session.execute(
        select(Outcome, FollowUp.months_after, Placement.returnee_id, User)
        .join(FollowUp, FollowUp.id == Outcome.follow_up_id)
        .join(Placement, Placement.id == FollowUp.placement_id)
        .outerjoin(User, User.id == Outcome.recorded_by_id)
        .where(
            Placement.returnee_id.in_(returnee_ids),
            Outcome.notes.is_not(None),
            Outcome.notes != "",
        )
    ).unique()
    for outcome, months, returnee_id, author in rows:
        notes.append(
            Note(
                on=outcome.contacted_on,
                at=outcome.recorded_at,
                author=_name(author),
                text=outcome.notes or "",
                returnee_id=returnee_id,
                months=months,
            )
        )
    return sorted(notes, key=lambda n: (n.on, n.at), reverse=True)


def _name(user: User | None) -> str | None:
    if user is None:
        return None
    return user.full_name or user.email


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
