"""An out-of-scope record answers 404 by the very same path as a missing one.

Timing showed which ids existed in other provinces: the record was loaded, then found out of
scope. Now the scope is part of the query, so both run the same statements and fetch no row.
Comparing the statements issued is exact where a timing test would be noisy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, event

from tests.security.conftest import World

MISSING = 2_000_000_000

ROUTES: list[tuple[str, str, Callable[[World], int]]] = [
    ("officer02", "/api/v1/returnees/{}", lambda w: w.r17.id),
    ("officer02", "/returnees/{}", lambda w: w.r17.id),
    ("officer02", "/api/v1/returnees/{}/matches", lambda w: w.r17.id),
    ("officer02", "/api/v1/placements/{}", lambda w: w.placement_17.id),
    ("officer02", "/placements/{}", lambda w: w.placement_17.id),
    ("officer02", "PATCH /api/v1/referrals/{}", lambda w: w.referral_b17.id),
    ("officer02", "/followups/{}", lambda w: w.follow_up_17.id),
    ("employer_a", "/api/v1/listings/{}", lambda w: w.listing_b.id),
    ("employer_a", "/listings/{}", lambda w: w.listing_b.id),
    ("employer_a", "PATCH /api/v1/referrals/{}", lambda w: w.referral_b17.id),
]


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize(("role", "pattern", "target"), ROUTES, ids=[r[1] for r in ROUTES])
def test_out_of_scope_and_missing_ids_issue_the_same_queries(
    engine: Engine,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    role: str,
    pattern: str,
    target: Callable[[World], int],
) -> None:
    method, _, pattern = pattern.rpartition(" ")
    api = pattern.startswith("/api/")
    client = browsers["anonymous"] if api else browsers[role]
    headers = tokens[role] if api else None

    def get(object_id: int) -> list[str]:
        with statements(engine) as seen:
            response = client.open(
                pattern.format(object_id),
                method=method or "GET",
                headers=headers,
                json={"status": "interview"} if method else None,
            )
        assert response.status_code == 404
        return [re.sub(r"sa_savepoint_\d+", "sa_savepoint", sql) for sql in seen]

    get(MISSING)  # warm up: token last-use and session bookkeeping happen once
    missing = get(MISSING)
    out_of_scope = get(target(world))
    assert out_of_scope == missing
