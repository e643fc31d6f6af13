"""Towns, border crossings and Phnom Penh khans that feeds give instead of a province."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from matching.text import processor

#: Town or district name -> province code (codes as in reintegrate/reference/provinces.csv).
TOWNS: dict[str, str] = {
    "Poipet": "01",
    "Paoy Paet": "01",
    "Poi Pet": "01",
    "ប៉ោយប៉ែត": "01",
    "Serei Saophoan": "01",
    "Serei Sophorn": "01",
    "Sisophon": "01",
    "សិរីសោភ័ណ": "01",
    "Mongkol Borei": "01",
    "Kamrieng": "02",
    "Chbar Mon": "05",
    "Oudong": "05",
    "Udong": "05",
    "Stueng Saen": "06",
    "Stung Sen": "06",
    "Steung Sen": "06",
    "Kampong Trach": "07",
    "Prek Chak": "07",
    "Ta Khmau": "08",
    "Takhmao": "08",
    "Ta Khmao": "08",
    "Kien Svay": "08",
    "តាខ្មៅ": "08",
    "Koh Kong town": "09",
    "Khemarak Phoumin": "09",
    "Cham Yeam": "09",
    "Snuol": "10",
    "Senmonorom": "11",
    "Sen Monorom": "11",
    "Daun Penh": "12",
    "Chamkar Mon": "12",
    "Chamkarmon": "12",
    "Tuol Kouk": "12",
    "Toul Kork": "12",
    "Boeng Keng Kang": "12",
    "Dangkao": "12",
    "Por Sen Chey": "12",
    "Pur SenChey": "12",
    "Sen Sok": "12",
    "Russey Keo": "12",
    "Chroy Changvar": "12",
    "Chbar Ampov": "12",
    "Prek Pnov": "12",
    "Tbeng Meanchey": "13",
    "Neak Loeung": "14",
    "Neak Leung": "14",
    "Banlung": "16",
    "Ban Lung": "16",
    "Sihanoukville": "18",
    "Kampong Som": "18",
    "Kompong Som": "18",
    "Ream": "18",
    "Bavet": "20",
    "បាវិត": "20",
    "Doun Kaev": "21",
    "Doun Keo": "21",
    "Samraong": "22",
    "Samrong": "22",
    "Anlong Veng": "22",
    "O Smach": "22",
    "O'Smach": "22",
    "Suong": "25",
    "Memot": "25",
}

_NOISE = {
    "city",
    "town",
    "krong",
    "district",
    "khan",
    "srok",
    "province",
    "cambodia",
    "kingdom",
    "of",
}
_PARTS = re.compile(r"[,/()\n;]|\s+-\s+")


def _key(name: str) -> str:
    words = processor(name).split()
    trimmed = [w for w in words if w not in _NOISE]
    return " ".join(trimmed or words)


_TOWN_KEYS = {_key(name): code for name, code in TOWNS.items()}


def resolve_location(
    candidates: Iterable[str], resolve_province: Callable[[str], str | None]
) -> str | None:
    """The province code for the first candidate text that names a province or known town.

    Each text is tried whole, then by its parts from the last ("Poipet, Banteay Meanchey"),
    first against the caller's resolver and then against ``TOWNS``.
    """
    for text in candidates:
        if not text or not text.strip():
            continue
        parts = [p.strip() for p in _PARTS.split(text) if p.strip()]
        for piece in [text.strip(), *reversed(parts)]:
            code = resolve_province(piece) or _TOWN_KEYS.get(_key(piece))
            if code:
                return code
    return None
