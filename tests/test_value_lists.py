"""Each list of values is defined once, and the database built by the migrations agrees with it.

The check constraints are generated from the enums (``reintegrate.models.values.one_of``): a value
added to an enum without the migration that widens its constraint fails here, before a user's
first save of it fails with an integrity error.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import CheckConstraint, Engine, inspect

from reintegrate.db import Base
from reintegrate.models.placement import (
    AT_HOME,
    IN_WORK,
    OUT_OF_WORK,
    OutcomeStatus,
    RemigrationChannel,
)
from reintegrate.services import safe_migration

QUOTED = re.compile(r"'([^']*)'")

LISTED = [
    (table.name, constraint.name, frozenset(QUOTED.findall(str(constraint.sqltext))))
    for table in Base.metadata.sorted_tables
    for constraint in table.constraints
    if isinstance(constraint, CheckConstraint) and " IN (" in str(constraint.sqltext)
]


def test_the_enum_backed_lists_are_all_checked() -> None:
    checked = {(table, name) for table, name, _ in LISTED}
    for expected in [
        ("outcomes", "ck_outcomes_status"),
        ("outcomes", "ck_outcomes_channel"),
        ("follow_ups", "ck_follow_ups_status"),
        ("placements", "ck_placements_status"),
        ("referrals", "ck_referrals_status"),
        ("users", "ck_users_role"),
        ("returnees", "ck_returnees_status"),
    ]:
        assert expected in checked


@pytest.mark.parametrize(("table", "name", "values"), LISTED, ids=lambda v: str(v))
def test_the_migrated_database_allows_exactly_the_values_the_models_list(
    engine: Engine, table: str, name: str, values: frozenset[str]
) -> None:
    in_database = {
        c["name"]: frozenset(QUOTED.findall(c["sqltext"]))
        for c in inspect(engine).get_check_constraints(table)
    }
    assert name in in_database, f"{table}: no constraint {name} in the migrated database"
    assert in_database[name] == values, (
        f"{table}.{name}: the models allow {sorted(values)}, the migrations "
        f"{sorted(in_database[name])}: write the migration that replaces the constraint"
    )


def test_outcome_classes_cover_every_status_but_unreachable() -> None:
    statuses = {s.value for s in OutcomeStatus}
    assert IN_WORK < AT_HOME <= statuses
    assert OUT_OF_WORK <= statuses
    assert AT_HOME & OUT_OF_WORK == {OutcomeStatus.UNEMPLOYED.value}
    assert statuses - AT_HOME - OUT_OF_WORK == {OutcomeStatus.UNREACHABLE.value}


def test_the_safer_migration_dashboard_counts_every_channel() -> None:
    assert set(safe_migration.CHANNELS) == {c.value for c in RemigrationChannel}


def test_every_value_has_a_label_for_the_pages() -> None:
    from reintegrate.models.listing import ListingKind, ListingStatus
    from reintegrate.models.placement import FollowUpStatus, ReferralStatus
    from reintegrate.models.returnee import ReturneeStatus, ReviewStatus, Sex
    from reintegrate.models.user import Role
    from reintegrate.presenters import labels

    for values, table in [
        (ReturneeStatus, labels.STATUS),
        (Sex, labels.SEX),
        (ReviewStatus, labels.REVIEW_STATUS),
        (Role, labels.ROLE),
        (ListingKind, labels.KIND),
        (ListingStatus, labels.LISTING_STATUS),
        (ReferralStatus, labels.REFERRAL_STATUS),
        (FollowUpStatus, labels.FOLLOW_UP_STATUS),
        (OutcomeStatus, labels.OUTCOME_STATUS),
        (RemigrationChannel, labels.CHANNEL),
    ]:
        assert {v.value for v in values} <= set(table), values.__name__
