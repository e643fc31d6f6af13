"""A safer way to leave: options kept by admins, shown when a person may migrate again, and
the record that an officer told them about these options."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from reintegrate.errors import N_, InvalidInput, NotFound
from reintegrate.models import (
    FollowUp,
    Outcome,
    Placement,
    Returnee,
    SafeMigrationBriefing,
    SafeMigrationOption,
)
from reintegrate.models.placement import RemigrationChannel
from reintegrate.services import audit, registry
from reintegrate.services.access import Actor
from reintegrate.services.policy import authorize, can
from reintegrate.stats.suppression import SuppressedRow, suppress_table
from reintegrate.timeutil import local_today

OPTION_FIELDS = ("kind", "name", "province", "contact", "details", "example", "active")
CHANNELS = tuple(channel.value for channel in RemigrationChannel)


def _outcomes_of(returnee_id: Any) -> Any:
    return (
        select(Outcome.id)
        .join(FollowUp, FollowUp.id == Outcome.follow_up_id)
        .join(Placement, Placement.id == FollowUp.placement_id)
        .where(Placement.returnee_id == returnee_id)
    )


def needs_safer_leaving(session: Session, returnee_id: int) -> bool:
    """An outcome said the person intends to migrate again, or left through an irregular
    channel: the officer should tell them about safer ways to leave."""
    wanted = _outcomes_of(returnee_id).where(
        or_(
            Outcome.intends_to_remigrate.is_(True),
            Outcome.remigration_channel == RemigrationChannel.IRREGULAR.value,
        )
    )
    return bool(session.scalar(select(exists(wanted))))


def list_options(session: Session, actor: Actor) -> list[SafeMigrationOption]:
    """Options for officers (the active ones) and admins (all), resource centres first."""
    authorize(actor, "safe_migration.read")
    query = select(SafeMigrationOption).order_by(
        SafeMigrationOption.kind.desc(), SafeMigrationOption.name
    )
    if not can(actor, "safe_migration.manage"):
        query = query.where(SafeMigrationOption.active.is_(True))
    return list(session.scalars(query))


def manage_options(session: Session, actor: Actor) -> list[SafeMigrationOption]:
    """Every option, for the admins' page that keeps them."""
    authorize(actor, "safe_migration.manage")
    return list_options(session, actor)


def _get_option(session: Session, option_id: int) -> SafeMigrationOption:
    option = session.get(SafeMigrationOption, option_id)
    if option is None:
        raise NotFound("option not found")
    return option


def create_option(session: Session, actor: Actor, data: Mapping[str, Any]) -> SafeMigrationOption:
    authorize(actor, "safe_migration.manage")
    option = SafeMigrationOption(**{k: v for k, v in data.items() if k in OPTION_FIELDS})
    session.add(option)
    session.flush()
    audit.record(session, actor, "create", "safe_migration_option", option.id)
    return option


def update_option(
    session: Session, actor: Actor, option_id: int, changes: Mapping[str, Any]
) -> SafeMigrationOption:
    authorize(actor, "safe_migration.manage")
    option = _get_option(session, option_id)
    for name in OPTION_FIELDS:
        if name in changes:
            setattr(option, name, changes[name])
    session.flush()
    audit.record(
        session, actor, "update", "safe_migration_option", option.id, fields=sorted(changes)
    )
    return option


def delete_option(session: Session, actor: Actor, option_id: int) -> None:
    authorize(actor, "safe_migration.manage")
    session.delete(_get_option(session, option_id))
    session.flush()
    audit.record(session, actor, "delete", "safe_migration_option", option_id)


def record_informed(
    session: Session, actor: Actor, returnee_id: int, informed_on: date
) -> SafeMigrationBriefing:
    """Record that the officer told the person about safer ways to leave (audited, dated)."""
    authorize(actor, "safe_migration.brief")
    returnee = registry.get(session, actor, returnee_id, audited=False)
    if informed_on > local_today():
        raise InvalidInput({"informed_on": [N_("The date is in the future.")]})
    if informed_on < returnee.return_date:
        raise InvalidInput({"informed_on": [N_("The date is before the person came back.")]})
    briefing = SafeMigrationBriefing(
        returnee_id=returnee.id, informed_on=informed_on, recorded_by_id=actor.user_id
    )
    session.add(briefing)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "safe_migration_briefing",
        briefing.id,
        detail={"returnee_id": returnee.id},
    )
    return briefing


def briefings_of(session: Session, returnee_id: int) -> list[SafeMigrationBriefing]:
    return list(
        session.scalars(
            select(SafeMigrationBriefing)
            .where(SafeMigrationBriefing.returnee_id == returnee_id)
            .order_by(SafeMigrationBriefing.informed_on)
        )
    )


def informed_counts(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    """People informed, and how many of them were later found re-migrated, by channel; with
    each count's cell key (the sum of its people's record keys, see stats.cellkey).

    Only people who agreed to research count, as for every other figure on the dashboard. A
    person's record key is that of their first placement (a briefing follows an outcome, so
    there is one), so these counts get the same consistent noise as every other figure.
    """
    person_key = (
        select(
            Placement.returnee_id.label("returnee_id"),
            func.min(Placement.record_key).label("record_key"),
        )
        .group_by(Placement.returnee_id)
        .subquery()
    )
    first = (
        select(
            SafeMigrationBriefing.returnee_id.label("returnee_id"),
            func.min(SafeMigrationBriefing.informed_on).label("informed_on"),
            func.min(person_key.c.record_key).label("record_key"),
        )
        .join(Returnee, Returnee.id == SafeMigrationBriefing.returnee_id)
        .join(person_key, person_key.c.returnee_id == SafeMigrationBriefing.returnee_id)
        .where(Returnee.consent_research.is_(True))
        .group_by(SafeMigrationBriefing.returnee_id)
        .subquery()
    )
    informed, informed_key = session.execute(
        select(func.count(), func.coalesce(func.sum(first.c.record_key), 0)).select_from(first)
    ).one()
    counts, keys = {"informed": int(informed)}, {"informed": int(informed_key)}
    later_people = (
        select(Outcome.remigration_channel, first.c.returnee_id, first.c.record_key)
        .join(FollowUp, FollowUp.id == Outcome.follow_up_id)
        .join(Placement, Placement.id == FollowUp.placement_id)
        .join(first, first.c.returnee_id == Placement.returnee_id)
        .where(Outcome.status == "remigrated", Outcome.contacted_on >= first.c.informed_on)
        .distinct()
    )
    by_channel = dict.fromkeys(CHANNELS, 0)
    key_by_channel = dict.fromkeys(CHANNELS, 0)
    for channel, _returnee_id, record_key in session.execute(later_people):
        by_channel[channel or "unknown"] += 1
        key_by_channel[channel or "unknown"] += int(record_key or 0)
    for channel in CHANNELS:
        counts[f"remigrated_{channel}"] = by_channel[channel]
        keys[f"remigrated_{channel}"] = key_by_channel[channel]
    return counts, keys


DASHBOARD_COLUMNS = ("informed", *(f"remigrated_{channel}" for channel in CHANNELS))


def dashboard_counts(session: Session, actor: Actor, *, threshold: int) -> SuppressedRow:
    """The manager's figures, small counts hidden like every other dashboard table."""
    authorize(actor, "statistics.read")
    counts, keys = informed_counts(session)
    table = suppress_table(
        {"all": counts},
        columns=DASHBOARD_COLUMNS,
        base_column="informed",
        threshold=threshold,
        keys={"all": keys},
    )
    return table.row("all")
