"""The officer's inbox of reminders, and e-mailing them where SMTP is configured."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from reintegrate.db import utcnow
from reintegrate.errors import NotFound
from reintegrate.models import FollowUp, Notification, User
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


def inbox(
    session: Session, actor: Actor, *, unread_only: bool = False, limit: int = 50
) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == actor.user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(
        session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
        )
    )


def unread_count(session: Session, actor: Actor) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        )
        or 0
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
