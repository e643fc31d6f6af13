"""`make run` installs only the service's packages; `make test` adds the test tools on top."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _dry_run(target: str, venv: Path) -> str:
    """What `make` would run for `target` with this virtualenv (nothing is executed)."""
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, f"VENV={venv}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _stamp(venv: Path, kind: str) -> None:
    digest = hashlib.sha1((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:12]  # noqa: S324
    venv.mkdir(exist_ok=True)
    (venv / f".installed-{kind}-{digest}").touch()


def test_run_on_a_fresh_clone_installs_the_service_without_the_test_tools(
    tmp_path: Path,
) -> None:
    commands = _dry_run("run", tmp_path / "venv")
    assert "pip install --quiet -e .\n" in commands
    assert "[test]" not in commands
    assert "reintegrate serve" in commands


def test_test_on_a_fresh_clone_installs_the_test_tools(tmp_path: Path) -> None:
    commands = _dry_run("test", tmp_path / "venv")
    assert "-e '.[test]'" in commands and "pytest" in commands


def test_a_run_virtualenv_is_upgraded_in_place_for_the_tests(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _stamp(venv, "run")
    commands = _dry_run("test", venv)
    assert "-m venv" not in commands
    assert "-e '.[test]'" in commands


def test_run_after_test_reinstalls_nothing(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _stamp(venv, "run")
    _stamp(venv, "test")
    assert "pip install" not in _dry_run("run", venv)
    assert "pip install" not in _dry_run("test", venv)
