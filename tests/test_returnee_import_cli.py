"""`reintegrate import returnees` on a fresh database: exit codes 0, 1 and 2, kept reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from reintegrate.cli import main
from reintegrate.models import ImportRun, Returnee
from tests.returnee_lists import people_csv, person

OFFICER = "officer@example.org"


@pytest.fixture
def cli(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(
        main,
        ["user", "create", OFFICER, "--role", "officer", "--province", "02", "--password-stdin"],
        input="correct horse battery staple\n",
    )
    assert created.exit_code == 0, created.output
    return runner


def _counts(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return (
                session.scalar(select(func.count()).select_from(Returnee)) or 0,
                session.scalar(select(func.count()).select_from(ImportRun)) or 0,
            )
    finally:
        engine.dispose()


def _import(cli: CliRunner, path: Path, *args: str):  # type: ignore[no-untyped-def]
    return cli.invoke(main, ["import", "returnees", str(path), "--officer", OFFICER, *args])


def test_exit_codes_follow_the_report(
    cli: CliRunner, tmp_path: Path, fresh_database_url: str
) -> None:
    good = tmp_path / "poipet.csv"
    good.write_bytes(people_csv([person(i) for i in range(5)]))
    result = _import(cli, good)
    assert result.exit_code == 0, result.output
    assert "registered 5" in result.output
    again = _import(cli, good)
    assert again.exit_code == 0 and "registered 0 · linked to known cases 5" in again.output

    mixed = tmp_path / "fair.csv"
    mixed.write_bytes(people_csv([person(10), person(11, home_province="12")]))
    partial = _import(cli, mixed, "--source", "job-fair")
    assert partial.exit_code == 1, partial.output
    assert "rejected row 3, home_province:" in partial.output

    strict = _import(cli, mixed, "--source", "job-fair-2", "--strict")
    assert strict.exit_code == 2 and "--strict" in strict.output

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _import(cli, empty).exit_code == 2
    assert _counts(fresh_database_url) == (6, 5)


def test_an_unknown_officer_or_file_exits_2(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(people_csv([person(1)]))
    result = cli.invoke(main, ["import", "returnees", str(path), "--officer", "no@example.org"])
    assert result.exit_code == 2 and "officer" in result.output
    assert _import(cli, tmp_path / "missing.csv").exit_code == 2
