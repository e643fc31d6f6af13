"""Check constraints made from the lists of values they guard, so each list lives in one place.

Adding a value is then a change to its enum, its labels and a migration that replaces the
constraint; ``tests/test_value_lists.py`` fails when the migration is missing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import CheckConstraint


def in_list(values: Iterable[str]) -> str:
    """``('a', 'b')`` for SQL ``IN``: the values are our own enum members, never user input."""
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def one_of(
    column: str, values: Iterable[str], *, name: str, nullable: bool = False
) -> CheckConstraint:
    """The column holds one of ``values`` (or NULL, when ``nullable``)."""
    rule = f"{column} IN {in_list(values)}"
    if nullable:
        rule = f"{column} IS NULL OR {rule}"
    return CheckConstraint(rule, name=name)
