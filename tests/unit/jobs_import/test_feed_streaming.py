"""Streaming: a large CSV is parsed in constant memory, and stdin-like streams work."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobs_import import ListingRecord, parse_feed

ROWS = 200_000
HEADER = b"id,title,company,industry,location,salary,employment_type,closing_date,description,url\n"


def lines() -> Iterator[bytes]:
    yield HEADER
    places = ["Poipet", "Battambang", "Bavet, Svay Rieng", "Phnom Penh", "Siem Reap"]
    for i in range(ROWS):
        yield (
            f'J-{i},Construction Worker {i % 97},"Builder {i % 13} Co., Ltd.",Construction,'
            f'"{places[i % 5]}",${200 + i % 50}-${260 + i % 50},Full time,31/12/2026,'
            f'"Concrete and rebar work, row {i}",https://jobs.example.kh/{i}\n'
        ).encode()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("feeds") / "big.csv"
    with open(path, "wb") as handle:
        handle.writelines(lines())
    return path


class Unseekable(io.RawIOBase):
    """A pipe-like stream: no seek, no tell, short reads."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(min(len(buffer), 1000))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.slow
def test_large_file_streams_in_constant_memory(big_file: Path, gazetteer) -> None:
    assert big_file.stat().st_size > 20_000_000
    count = 0
    tracemalloc.start()
    try:
        with open(big_file, "rb") as handle:
            for item in parse_feed(
                handle, filename="big.csv", kind="job", resolve_province=gazetteer.resolve
            ):
                assert isinstance(item, ListingRecord)
                count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == ROWS
    assert peak < 20 * 1024 * 1024


def test_unseekable_stream(gazetteer) -> None:
    data = b"".join(list(lines())[:3000])
    items = list(
        parse_feed(
            io.BufferedReader(Unseekable(data)),
            filename="",
            kind="job",
            resolve_province=gazetteer.resolve,
        )
    )
    assert len(items) == 2999 and all(isinstance(i, ListingRecord) for i in items)
    assert items[-1].row == 3000
