"""Fixtures for the feed parser tests: the province gazetteer and a parse helper."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from feed_helpers import DATA, PROVINCES

from jobs_import import ListingRecord, RowIssue, parse_feed
from matching.geo import Gazetteer

Parse = Callable[..., list[ListingRecord | RowIssue]]


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_csv(PROVINCES)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture
def parse(gazetteer: Gazetteer) -> Parse:
    """Parse bytes (or a tests/data file name) into a list of records and row issues."""

    def run(
        content: bytes | str, *, filename: str = "feed.csv", kind: str = "job"
    ) -> list[ListingRecord | RowIssue]:
        if isinstance(content, str):
            filename = content
            content = (DATA / content).read_bytes()
        return list(
            parse_feed(content, filename=filename, kind=kind, resolve_province=gazetteer.resolve)
        )

    return run
