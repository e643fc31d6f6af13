"""The officer's inbox of reminders, and e-mailing them where SMTP is configured."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import Select, and_, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from reintegrate.db import utcnow
from reintegrate.errors import NotFound
from reintegrate.models import FollowUp, Notification, Placement, Returnee, User
from reintegrate.services import audit
from reintegrate.services.access import Actor

log = logging.getLogger("reintegrate.notifications")
EMAIL_BATCH = 200


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class InboxItem:
    """A reminder with whom and what it is about: the person, the case and the follow-up."""

    notification: Notification
    follow_up: FollowUp
    returnee: Returnee


def _visible(actor: Actor) -> Select[tuple[Notification, FollowUp, Returnee]]:
    """The actor's reminders on follow-ups still in their provinces.

    An overdue reminder supersedes the "due" one of the same follow-up: one line per follow-up
    and reason, never the same follow-up twice.
    """
    later = aliased(Notification)
    superseded = and_(
        Notification.kind == "follow_up_due",
        exists().where(
            later.user_id == Notification.user_id,
            later.follow_up_id == Notification.follow_up_id,
            later.kind == "follow_up_overdue",
        ),
    )
    return (
        select(Notification, FollowUp, Returnee)
        .join(FollowUp, FollowUp.id == Notification.follow_up_id)
        .join(Placement, Placement.id == FollowUp.placement_id)
        .join(Returnee, Returnee.id == Placement.returnee_id)
        .where(
            Notification.user_id == actor.user_id,
            Returnee.home_province.in_(sorted(actor.provinces)),
            ~superseded,
        )
    )


def inbox(
    session: Session, actor: Actor, *, unread_only: bool = False, limit: int = 50
) -> list[InboxItem]:
    """The actor's reminders, newest first, each naming the person, the case and the due date."""
    query = _visible(actor)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = session.execute(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ).unique()
    items = [InboxItem(n, f, r) for n, f, r in rows]
    audit.record_shown(
        session,
        actor,
        "returnee",
        sorted({item.returnee.id for item in items}),
        detail={"what": "inbox"},
    )
    return items


UNREAD_COUNTED_UP_TO = 100
"""Unread reminders are counted up to here (the page says "99+" beyond): in a mass return an
officer may have hundreds of thousands, and counting each of them, in scope and not
superseded, cost seconds on every work-list page. Nobody reads a count past a hundred."""


def unread_count(session: Session, actor: Actor) -> int:
    """How many reminders the actor has not opened, up to `UNREAD_COUNTED_UP_TO`."""
    visible = (
        _visible(actor).where(Notification.read_at.is_(None)).limit(UNREAD_COUNTED_UP_TO).subquery()
    )
    return session.scalar(select(func.count()).select_from(visible)) or 0


def open_notification(session: Session, actor: Actor, notification_id: int) -> int:
    """Mark one of the actor's reminders read (with the ones it superseded); its follow-up id."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != actor.user_id:
        raise NotFound("notification not found")
    session.execute(
        update(Notification)
        .where(
            Notification.user_id == actor.user_id,
            Notification.follow_up_id == notification.follow_up_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    if notification.follow_up_id is None:
        raise NotFound("notification not found")
    return notification.follow_up_id


def clear_for_follow_ups(session: Session, follow_up_ids: Iterable[int]) -> None:
    """Reminders about follow-ups that need nothing more are read, for every officer."""
    ids = sorted(set(follow_up_ids))
    if ids:
        session.execute(
            update(Notification)
            .where(Notification.follow_up_id.in_(ids), Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )


def mark_read(session: Session, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one of the actor's notifications read, or all of them."""
    query = update(Notification).where(
        Notification.user_id == actor.user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        if (
            session.scalar(select(Notification.user_id).where(Notification.id == notification_id))
            != actor.user_id
        ):
            raise NotFound("notification not found")
        query = query.where(Notification.id == notification_id)
    return session.execute(query.values(read_at=utcnow())).rowcount or 0


def _message(
    notification: Notification,
    user: User,
    follow_up: FollowUp,
    settings: SmtpSettings,
    base_url: str,
) -> EmailMessage:
    """A reminder that names no one: the person's details stay behind the login."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = user.email
    state = "overdue" if notification.kind.endswith("overdue") else "due"
    message["Subject"] = f"Reintegrate: a follow-up is {state}"
    message.set_content(
        f"A {follow_up.months_after}-month follow-up in your provinces is {state} "
        f"(due {follow_up.due_date.isoformat()}).\n\nOpen it: {base_url}/followups/{follow_up.id}\n"
    )
    return message


def send_pending_emails(session: Session, settings: SmtpSettings, base_url: str) -> int:
    """E-mail reminders not yet e-mailed; each is marked as sent in the same transaction.

    Messages name no returnee, so a misdirected or intercepted e-mail leaks nothing.
    """
    rows = session.execute(
        select(Notification, User, FollowUp)
        .join(User, User.id == Notification.user_id)
        .join(FollowUp, FollowUp.id == Notification.follow_up_id)
        .where(Notification.emailed_at.is_(None), User.active.is_(True))
        .order_by(Notification.id)
        .limit(EMAIL_BATCH)
    ).all()
    if not rows:
        return 0
    sent = 0
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
            if settings.user and settings.password:
                smtp.starttls()
                smtp.login(settings.user, settings.password)
            for notification, user, follow_up in rows:
                smtp.send_message(_message(notification, user, follow_up, settings, base_url))
                notification.emailed_at = utcnow()
                sent += 1
    except OSError as exc:
        # Keep the marks of those already sent (the caller commits), so they are not sent twice.
        log.error("e-mailed %d reminders, then stopped (the rest next sweep): %s", sent, exc)
        return sent
    log.info("e-mailed %d reminders", sent)
    return sent
