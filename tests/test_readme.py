"""The README's pointers lead to files a fresh clone has."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_document_the_readme_points_to_is_in_the_project() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([^)#]+\.md)\)", readme))
    quoted = set(re.findall(r"`([^`\s]+\.md)`", readme))
    assert "docs/architecture.md" in linked
    for target in linked | quoted:
        assert (ROOT / target).resolve().is_relative_to(ROOT), target
        assert (ROOT / target).is_file(), target


def test_the_architecture_document_covers_layers_policy_data_scheduler_and_languages() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for heading in ("## Layers", "## Policy", "## Data model", "## Scheduler", "## Languages"):
        assert heading in text
    for path in re.findall(r"`((?:reintegrate|matching|jobs_import|tests)/[\w/.]+\.py)`", text):
        assert (ROOT / path).is_file(), path
