"""`reintegrate import listings` on a fresh database: formats, exit codes, limits, a killed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from reintegrate.cli import main
from reintegrate.models import ImportRun, Listing
from tests.builders import job_board_csv, job_board_row

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cli(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    runner = CliRunner()
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return runner


@contextmanager
def _session(url: str) -> Iterator[Session]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _listings(url: str) -> list[tuple[str, str, str]]:
    with _session(url) as session:
        rows = session.execute(
            select(Listing.source, Listing.identity_key, Listing.status).order_by(Listing.id)
        )
        return [(source, key, status) for source, key, status in rows]


def _import(cli: CliRunner, path: Path, *args: str):  # type: ignore[no-untyped-def]
    return cli.invoke(main, ["import", "listings", str(path), *args])


@pytest.mark.parametrize(
    ("filename", "kind", "rows"),
    [
        ("jobs_board.csv", "job", 31),
        ("jobs_board_cp1252.csv", "job", 3),
        ("jobs_api.json", "job", 10),
        ("jobposting.jsonld.html", "job", 4),
        ("incentives.csv", "incentive", 8),
        ("incentives.json", "incentive", 3),
    ],
)
def test_every_format_imports_with_exit_0_and_prints_the_report(
    cli: CliRunner, fresh_database_url: str, filename: str, kind: str, rows: int
) -> None:
    result = _import(cli, DATA / filename, "--source", "feed", "--kind", kind)
    assert result.exit_code == 0, result.output
    assert f"from feed ({kind}): succeeded" in result.output
    assert f"rows {rows} · created {rows}" in result.output
    assert len(_listings(fresh_database_url)) == rows


def test_reimport_is_unchanged_and_a_second_source_links(
    cli: CliRunner, fresh_database_url: str
) -> None:
    path = DATA / "jobs_api.json"
    assert _import(cli, path, "--source", "nea").exit_code == 0
    again = _import(cli, path, "--source", "nea")
    assert again.exit_code == 0 and "created 0 · updated 0 · unchanged 10" in again.output
    other = _import(cli, path, "--source", "nea-mirror")
    assert other.exit_code == 0
    with _session(fresh_database_url) as session:
        mirrored = session.scalars(select(Listing).where(Listing.source == "nea-mirror")).all()
        open_mirrored = [listing for listing in mirrored if listing.status == "open"]
        assert open_mirrored and all(listing.duplicate_of_id for listing in open_mirrored)


def test_some_rows_rejected_exit_1_and_lists_them(cli: CliRunner, fresh_database_url: str) -> None:
    result = _import(cli, DATA / "bad_rows.csv", "--source", "bad")
    assert result.exit_code == 1, result.output
    assert ": partial" in result.output
    assert 'rejected row 3, location: unknown province: "Bangkok"' in result.output
    assert len(_listings(fresh_database_url)) == 6


def test_strict_with_a_bad_row_imports_nothing_exit_2(
    cli: CliRunner, fresh_database_url: str
) -> None:
    result = _import(cli, DATA / "bad_rows.csv", "--source", "bad", "--strict")
    assert result.exit_code == 2
    assert "--strict" in result.output and "failed" in result.output
    assert _listings(fresh_database_url) == []


def test_full_closes_what_the_feed_no_longer_lists(
    cli: CliRunner, fresh_database_url: str, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_bytes(job_board_csv(3))
    assert _import(cli, feed, "--source", "board", "--full").exit_code == 0
    feed.write_bytes(job_board_csv([job_board_row(1)]))
    result = _import(cli, feed, "--source", "board", "--full")
    assert result.exit_code == 0 and "closed 2" in result.output
    assert [status for *_, status in _listings(fresh_database_url)] == ["open", "closed", "closed"]


def test_employer_feed_rejects_rows_of_another_employer(
    cli: CliRunner, fresh_database_url: str, tmp_path: Path
) -> None:
    feed = tmp_path / "angkor.csv"
    feed.write_bytes(job_board_csv([job_board_row(1), job_board_row(2, company="Bayon Co")]))
    result = _import(cli, feed, "--source", "angkor", "--employer", "Angkor Build")
    assert result.exit_code == 1
    assert "rejected row 3, employer" in result.output
    assert len(_listings(fresh_database_url)) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"id,title,company,location,salary,closing_date\n", "no data rows"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG"),
        (b'id,title,location\n1,"Cook,Kampot\n', "never closed"),
    ],
    ids=["empty", "header only", "png", "unbalanced quotes"],
)
def test_unreadable_files_exit_2_with_a_message(
    cli: CliRunner, fresh_database_url: str, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes(content)
    result = _import(cli, path, "--source", "x")
    assert result.exit_code == 2
    assert message in result.output
    assert _listings(fresh_database_url) == []


def test_missing_file_and_bad_source_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    missing = _import(cli, tmp_path / "nope.csv", "--source", "x")
    assert missing.exit_code == 2 and "nope.csv" in missing.output
    path = tmp_path / "feed.csv"
    path.write_bytes(job_board_csv(1))
    posted = _import(cli, path, "--source", "posted")
    assert posted.exit_code == 2 and "source" in posted.output


def test_a_file_over_the_size_limit_exits_2_with_a_message(
    cli: CliRunner, fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPORT_MAX_MB", "1")
    path = tmp_path / "big.csv"
    path.write_bytes(job_board_csv(6000))
    assert path.stat().st_size > 1024 * 1024
    result = _import(cli, path, "--source", "big")
    assert result.exit_code == 2
    assert "the limit is 1,048,576" in result.output
    assert _listings(fresh_database_url) == []


def _poll(url: str, query: str, until: float) -> object:
    engine = create_engine(url)
    try:
        while time.monotonic() < until:
            try:
                with engine.connect() as connection:
                    value = connection.execute(text(query)).scalar()
            except Exception:  # noqa: BLE001  (the table may be locked for a moment)
                value = None
            if value:
                return value
            time.sleep(0.05)
    finally:
        engine.dispose()
    return None


@pytest.mark.slow
def test_a_killed_import_leaves_no_listings_and_the_next_run_marks_it_interrupted(
    cli: CliRunner, fresh_database_url: str, tmp_path: Path
) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(job_board_csv(50_000))
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database_url,
        "REINTEGRATE_ENV": "testing",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "reintegrate.cli",
            "import",
            "listings",
            str(big),
            "--source",
            "big",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        running = _poll(
            fresh_database_url,
            "SELECT id FROM import_runs WHERE source = 'big' AND status = 'running'",
            time.monotonic() + 120,
        )
        assert running, "the import never started"
        time.sleep(1.0)  # let it write a few chunks inside its transaction
        assert process.poll() is None, "the import finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert _listings(fresh_database_url) == []

    small = tmp_path / "small.csv"
    small.write_bytes(job_board_csv(2))
    result = _import(cli, small, "--source", "big")
    assert result.exit_code == 0, result.output
    with _session(fresh_database_url) as session:
        killed = session.get(ImportRun, running)
        assert killed is not None and killed.status == "failed"
        assert killed.message and "interrupted" in killed.message
        assert session.scalar(select(func.count()).select_from(Listing)) == 2
