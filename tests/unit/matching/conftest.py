"""Fixtures for the matching engine: the project's data files, loaded by path."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching.geo import Gazetteer
from matching.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parents[3]
SKILLS_CSV = ROOT / "reintegrate/reference/skills.csv"
PROVINCES_CSV = ROOT / "reintegrate/reference/provinces.csv"


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return Vocabulary.from_csv(SKILLS_CSV)


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_csv(PROVINCES_CSV)
