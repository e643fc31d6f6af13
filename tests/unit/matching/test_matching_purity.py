"""`matching` stays pure: importing it loads neither Flask, SQLAlchemy nor `reintegrate`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_matching_imports_no_app_code() -> None:
    code = (
        "import json, sys\n"
        "import matching, matching.text, matching.geo, matching.vocabulary, matching.scoring, "
        "matching.index, matching.reasons, matching.names\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    modules = json.loads(out.stdout)
    for forbidden in ("flask", "sqlalchemy", "reintegrate"):
        assert not [m for m in modules if m == forbidden or m.startswith(forbidden + ".")], (
            forbidden
        )
