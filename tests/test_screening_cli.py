"""`reintegrate listings screen` re-screens every listing; a bad minimum-wage file is refused
naming its row, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from reintegrate.cli import main
from reintegrate.models import Listing
from reintegrate.services import screening
from tests.builders import job_board_csv, job_board_row


@pytest.fixture
def cli(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    return runner


def _flags(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    with Session(engine) as session:
        rows = session.execute(select(Listing.title, Listing.flags)).all()
    engine.dispose()
    return {title: [f["code"] for f in flags] for title, flags in rows}


def test_screen_applies_a_changed_wage_file_and_refuses_a_bad_one(
    cli: CliRunner, fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_bytes(
        job_board_csv([job_board_row(1, title="Sewer", industry="Garment", salary="$215")])
    )
    assert cli.invoke(main, ["import", "listings", str(feed), "--source", "f"]).exit_code == 0
    assert _flags(fresh_database_url) == {"Sewer": ["employer_unverified"]}

    raised = tmp_path / "minimum_wages.csv"
    raised.write_text(
        "year,sector,monthly_usd,applies_to,source\n"
        "2020,garment,220,garment,Test Prakas raising the minimum\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(screening, "MINIMUM_WAGES_CSV", raised)
    result = cli.invoke(main, ["listings", "screen"])
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output and "below_minimum_wage 1" in result.output
    assert _flags(fresh_database_url) == {"Sewer": ["below_minimum_wage", "employer_unverified"]}

    broken = tmp_path / "broken.csv"
    broken.write_text(
        "year,sector,monthly_usd,applies_to,source\n"
        "2020,garment,200,garment,Prakas\n"
        "2021,garment,USD 190,garment,Prakas\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(screening, "MINIMUM_WAGES_CSV", broken)
    refused = cli.invoke(main, ["listings", "screen"])
    assert refused.exit_code == 2
    assert "broken.csv: row 3: monthly_usd 'USD 190' is not a number" in refused.output
    assert _flags(fresh_database_url) == {"Sewer": ["below_minimum_wage", "employer_unverified"]}
