"""Every user-facing string has a Khmer translation, and the compiled catalogue is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "reintegrate" / "translations" / "km" / "LC_MESSAGES"


def _extract(tmp_path: Path) -> set[object]:
    target = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "N_",
            "-o",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with target.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_every_message_in_the_code_has_a_khmer_translation(tmp_path: Path) -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        translated = {m.id: m.string for m in read_po(handle, locale="km") if m.id}
    missing = sorted(str(m) for m in _extract(tmp_path) if not translated.get(m))
    assert missing == [], "untranslated (run `make translations` and fill the .po):\n" + "\n".join(
        missing
    )


def _as_tuples(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def test_compiled_catalogue_matches_the_po_file() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        source = {
            _as_tuples(m.id): _as_tuples(m.string) for m in read_po(handle, locale="km") if m.id
        }
    with (CATALOGUE / "messages.mo").open("rb") as handle:
        compiled = {_as_tuples(m.id): _as_tuples(m.string) for m in read_mo(handle) if m.id}
    assert compiled == source, "messages.mo is stale: run `make translations`"
