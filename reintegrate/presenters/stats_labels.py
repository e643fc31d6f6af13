"""Translated names for the groups, columns and codes of the outcome statistics."""

from __future__ import annotations

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

from reintegrate import reference
from reintegrate.models.statistics import GroupBy
from reintegrate.presenters import labels
from reintegrate.services.outcomes import LOCAL_JOBS

GROUP_BY = {
    "province": _l("Province"),
    "programme": _l("Programme"),
    "sector": _l("Sector"),
    "sex": _l("Sex"),
}
EVENT = {"remigration": _l("Re-migration"), "out_of_work": _l("Out of work")}
OUTCOME_COLUMNS = {
    "placed": _l("Placed"),
    "contacted": _l("Contacted"),
    "contacted_3m": _l("Contacted at 3 months"),
    "retained_3m": _l("In work at 3 months"),
    "contacted_6m": _l("Contacted at 6 months"),
    "retained_6m": _l("In work at 6 months"),
    "contacted_12m": _l("Contacted at 12 months"),
    "retained_12m": _l("In work at 12 months"),
    "remigrated": _l("Re-migrated"),
    "lost_to_follow_up": _l("Lost to follow-up"),
}
PAGE_OUTCOME_COLUMNS = {
    "placed": _l("Placed"),
    "contacted": _l("Contacted"),
    "retained_3m": _l("In work at 3 months, of those contacted then"),
    "retained_6m": _l("In work at 6 months, of those contacted then"),
    "retained_12m": _l("In work at 12 months, of those contacted then"),
    "remigrated": _l("Re-migrated, of those placed"),
    "lost_to_follow_up": _l("Lost to follow-up"),
}
COVERAGE_COLUMNS = {
    "due": _l("Follow-ups due"),
    "on_time": _l("Done on time"),
    "late": _l("Done late"),
    "missed": _l("Missed"),
    "overdue": _l("Open, overdue"),
    "open": _l("Open, not yet overdue"),
}
CHANNEL = {
    "irregular": _l("Irregular"),
    "regular": _l("Regular"),
    "unknown": _l("Unknown"),
    "": _l("Not recorded"),
}
NOT_RECORDED = _l("Not recorded")
LOCAL_JOBS_LABEL = labels.INTEREST["job"]


def _locale() -> str:
    return str(get_locale() or "en")


def group_label(group_by: GroupBy, key: str) -> str:
    """A group as a manager reads it: province name, "Local jobs", a programme's name..."""
    if group_by is GroupBy.PROVINCE:
        return reference.province_name(key, _locale())
    if group_by is GroupBy.SEX:
        return str(labels.SEX.get(key, key))
    if group_by is GroupBy.SECTOR:
        if key == LOCAL_JOBS:
            return str(NOT_RECORDED)
        return str(labels.SECTOR.get(key, key))
    return str(LOCAL_JOBS_LABEL) if key == LOCAL_JOBS else key


def channel_label(key: str) -> str:
    label: LazyString | str = CHANNEL.get(key, key)
    return str(label)


def country_label(code: str) -> str:
    return reference.country_name(code, _locale()) if code else str(NOT_RECORDED)
