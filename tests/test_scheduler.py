"""The scheduler: feeds configured in TOML, `run_once` and `--once`, and the one-scheduler lock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from reintegrate import create_app
from reintegrate.cli import main
from reintegrate.config import ConfigError
from reintegrate.db import db
from reintegrate.feeds import load_feeds
from reintegrate.migrate import upgrade
from reintegrate.models import ImportRun, Listing
from reintegrate.scheduler import periodic_jobs, run_once, scheduler_lock
from reintegrate.timeutil import local_today
from tests.builders import job_board_csv, job_board_row

DATA = Path(__file__).resolve().parent / "data"


def _feeds_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def feed_csv(tmp_path: Path) -> Path:
    past = (local_today() - timedelta(days=1)).isoformat()
    path = tmp_path / "board.csv"
    path.write_bytes(job_board_csv([job_board_row(1), job_board_row(2, closing_date=past)]))
    return path


@pytest.fixture
def scheduler_app(fresh_database_url: str, tmp_path: Path, feed_csv: Path) -> Iterator[Flask]:
    upgrade(fresh_database_url)
    feeds = _feeds_file(
        tmp_path,
        f'[[feeds]]\nsource = "board"\npath = "{feed_csv}"\nevery_hours = 6\nfull = true\n',
    )
    app = create_app({"DATABASE_URL": fresh_database_url, "FEEDS_FILE": feeds})
    yield app
    db.engine(app).dispose()


def _rows(app: Flask) -> list[tuple[object, ...]]:
    with app.app_context(), db.sessions()() as session:
        return [
            (
                listing.id,
                listing.identity_key,
                listing.status,
                listing.closed_reason,
                listing.updated_at,
            )
            for listing in session.scalars(select(Listing).order_by(Listing.id))
        ]


def test_feeds_file_lists_each_feed_as_a_job_with_a_fixed_id(tmp_path: Path) -> None:
    path = _feeds_file(
        tmp_path,
        '[[feeds]]\nsource = "board"\npath = "/srv/board.csv"\n\n'
        '[[feeds]]\nsource = "grants"\nkind = "incentive"\nurl = "https://example.org/g.json"\n'
        "every_hours = 12\nfull = true\n",
    )
    board, grants = load_feeds(path)
    assert (board.source, board.kind, board.every_hours, board.full) == ("board", "job", 24, False)
    assert (grants.kind, grants.every_hours, grants.full, grants.filename) == (
        "incentive",
        12,
        True,
        "g.json",
    )
    app = create_app({"FEEDS_FILE": path})
    jobs = {job.id: job.every for job in periodic_jobs(app)}
    assert jobs["close-expired-listings"] == {"hours": 1}
    assert jobs["import-feed:board"] == {"hours": 24}
    assert jobs["import-feed:grants"] == {"hours": 12}
    db.engine(app).dispose()


def test_a_relative_feed_path_is_read_from_the_feeds_file_s_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    path = _feeds_file(folder, '[[feeds]]\nsource = "board"\npath = "feeds/board.csv"\n')
    monkeypatch.chdir(tmp_path)  # the scheduler may be started anywhere
    (board,) = load_feeds(path)
    assert board.path == folder / "feeds" / "board.csv"


def test_a_missing_feeds_file_means_no_feeds(tmp_path: Path) -> None:
    assert load_feeds(tmp_path / "none.toml") == []
    assert load_feeds(None) == []


GOOD = 'source = "ok"\npath = "/srv/ok.csv"\n'


@pytest.mark.parametrize(
    ("second", "field"),
    [
        ('source = ""\npath = "/x.csv"', "source"),
        ('path = "/x.csv"', "source"),
        ('source = "b"\nkind = "house"\npath = "/x.csv"', "kind"),
        ('source = "b"\nevery_hours = 0\npath = "/x.csv"', "every_hours"),
        ('source = "b"\nevery_hours = "daily"\npath = "/x.csv"', "every_hours"),
        ('source = "b"', "path or url"),
        ('source = "b"\npath = "/x.csv"\nurl = "https://x.org/f.csv"', "path or url"),
        ('source = "b"\nurl = "ftp://x.org/f.csv"', "url"),
        ('source = "b"\nurl = "file:///etc/passwd"', "url"),
        ('source = "b"\npath = 5', "path"),
        ('source = "b"\npath = "/x.csv"\nfull = "false"', "full"),
        ('source = "b"\npath = "/x.csv"\nemployer = 7', "employer"),
        ('source = "b"\npath = "/x.csv"\nevery_hour = 2', "every_hour"),
        ('source = "ok"\npath = "/y.csv"', "listed twice"),
    ],
)
def test_a_bad_feed_entry_is_refused_naming_the_entry_and_field(
    tmp_path: Path, second: str, field: str
) -> None:
    path = _feeds_file(tmp_path, f"[[feeds]]\n{GOOD}\n[[feeds]]\n{second}\n")
    with pytest.raises(ConfigError) as caught:
        load_feeds(path)
    assert "feed #2" in str(caught.value) and field in str(caught.value)


@pytest.mark.parametrize("body", ["[[feeds]\nsource =", 'feeds = "board"', "feeds = [1]"], ids=str)
def test_a_feeds_file_that_is_not_a_list_of_tables_is_refused(tmp_path: Path, body: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_feeds(_feeds_file(tmp_path, body))
    assert str(tmp_path) in str(caught.value)


def test_run_once_imports_the_feed_and_closes_expired_listings(scheduler_app: Flask) -> None:
    results = run_once(scheduler_app)
    assert results["close-expired-listings"] == 0
    assert results["import-feed:board"] == "succeeded"
    rows = _rows(scheduler_app)
    assert [(key, status, reason) for _, key, status, reason, _ in rows] == [
        ("id:JB-1", "open", None),
        ("id:JB-2", "closed", "expired"),
    ]


def test_running_it_twice_gives_the_same_rows(scheduler_app: Flask) -> None:
    run_once(scheduler_app)
    first = _rows(scheduler_app)
    second_results = run_once(scheduler_app)
    assert second_results["import-feed:board"] == "succeeded"
    assert _rows(scheduler_app) == first
    with scheduler_app.app_context(), db.sessions()() as session:
        runs = session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        assert [(run.created, run.unchanged, run.started_by) for run in runs] == [
            (2, 0, "system:scheduler"),
            (0, 2, "system:scheduler"),
        ]


def test_close_expired_job_closes_listings_that_expire_between_imports(
    scheduler_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_once(scheduler_app)
    later = local_today() + timedelta(days=400)
    monkeypatch.setattr("reintegrate.scheduler.local_today", lambda: later)
    assert run_once(scheduler_app)["close-expired-listings"] == 1
    assert [status for _, _, status, _, _ in _rows(scheduler_app)] == ["closed", "closed"]


def test_an_unreadable_feed_is_logged_not_raised(scheduler_app: Flask, feed_csv: Path) -> None:
    feed_csv.unlink()
    assert run_once(scheduler_app)["import-feed:board"] == "unreadable"
    assert _rows(scheduler_app) == []


def test_a_feed_over_the_size_limit_is_not_imported(scheduler_app: Flask) -> None:
    scheduler_app.config["IMPORT_MAX_BYTES"] = 10
    assert run_once(scheduler_app)["import-feed:board"] == "unreadable"
    assert _rows(scheduler_app) == []


def test_while_one_scheduler_holds_the_lock_a_second_gets_false(
    scheduler_app: Flask, fresh_database_url: str
) -> None:
    second_app = create_app({"DATABASE_URL": fresh_database_url})
    try:
        with scheduler_lock(scheduler_app) as first:
            assert first is True
            with scheduler_lock(second_app) as second:
                assert second is False
        with scheduler_lock(second_app) as after_release:
            assert after_release is True
    finally:
        db.engine(second_app).dispose()


@pytest.fixture
def cli(
    scheduler_app: Flask, fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("REINTEGRATE_FEEDS", str(scheduler_app.config["FEEDS_FILE"]))
    return CliRunner()


def test_scheduler_once_runs_every_job(cli: CliRunner, scheduler_app: Flask) -> None:
    result = cli.invoke(main, ["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "import-feed:board: succeeded" in result.output
    assert len(_rows(scheduler_app)) == 2
    again = cli.invoke(main, ["scheduler", "--once"])
    assert again.exit_code == 0 and len(_rows(scheduler_app)) == 2


def test_scheduler_once_does_nothing_while_another_scheduler_runs(
    cli: CliRunner, scheduler_app: Flask
) -> None:
    with scheduler_lock(scheduler_app) as held:
        assert held
        result = cli.invoke(main, ["scheduler", "--once"])
    assert result.exit_code == 0
    assert "another scheduler holds the lock" in result.output
    assert _rows(scheduler_app) == []


def test_scheduler_with_a_bad_feeds_file_exits_2_naming_the_entry(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheduler_app: Flask
) -> None:
    bad = _feeds_file(tmp_path, '[[feeds]]\nsource = "b"\nkind = "house"\npath = "/x.csv"\n')
    monkeypatch.setenv("REINTEGRATE_FEEDS", str(bad))
    result = cli.invoke(main, ["scheduler", "--once"])
    assert result.exit_code == 2
    assert "feed #1: kind" in result.output


def test_expired_listings_close_through_scheduler_once(
    cli: CliRunner, scheduler_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.invoke(main, ["scheduler", "--once"]).exit_code == 0
    monkeypatch.setenv("REINTEGRATE_FEEDS", str(tmp_path / "no-feeds.toml"))
    with scheduler_app.app_context(), db.standalone() as session:
        listing = session.scalars(select(Listing).where(Listing.status == "open")).one()
        listing.valid_through = local_today() - timedelta(days=1)
    result = cli.invoke(main, ["scheduler", "--once"])
    assert result.exit_code == 0 and "close-expired-listings: 1" in result.output
    assert {status for _, _, status, _, _ in _rows(scheduler_app)} == {"closed"}
