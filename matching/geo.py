"""Cambodia's provinces: names and aliases to codes, and distances between provinces."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from matching.text import processor

_NOISE_WORDS = {
    "province",
    "provinces",
    "khaet",
    "khet",
    "krong",
    "city",
    "capital",
    "municipality",
}
_KHMER_PREFIXES = ("ខេត្ត", "រាជធានី", "ក្រុង")


@dataclass(frozen=True)
class Province:
    code: str
    name_en: str
    name_km: str
    lat: float
    lon: float
    borders: tuple[str, ...]

    @property
    def is_border(self) -> bool:
        return bool(self.borders)


def _key(name: str) -> str:
    words = []
    for word in processor(name).split():
        for prefix in _KHMER_PREFIXES:
            if word.startswith(prefix) and len(word) > len(prefix):
                word = word[len(prefix) :]
        if word not in _NOISE_WORDS:
            words.append(word)
    return " ".join(words)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


class Gazetteer:
    """Resolves province names (English, Khmer, aliases, towns) and measures distances."""

    def __init__(self, provinces: Iterable[Province], towns: Mapping[str, str] | None = None):
        self.provinces: dict[str, Province] = {p.code: p for p in provinces}
        self._names: dict[str, str] = {}
        for p in self.provinces.values():
            for name in (p.code, p.name_en, p.name_km):
                self._names[_key(name)] = p.code
        self._distances = {
            (a.code, b.code): haversine_km(a.lat, a.lon, b.lat, b.lon)
            for a in self.provinces.values()
            for b in self.provinces.values()
        }
        for town, code in (towns or {}).items():
            self._names.setdefault(_key(town), code)

    @classmethod
    def from_csv(cls, path: str | Path, towns: Mapping[str, str] | None = None) -> Gazetteer:
        """Load the project's provinces.csv (code,name_en,name_km,aliases,lat,lon,borders)."""
        provinces, aliases = [], {}
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["code"].strip()
                provinces.append(
                    Province(
                        code=code,
                        name_en=row["name_en"].strip(),
                        name_km=row["name_km"].strip(),
                        lat=float(row["lat"]),
                        lon=float(row["lon"]),
                        borders=tuple(b for b in row["borders"].split(";") if b),
                    )
                )
                for alias in filter(None, (a.strip() for a in row["aliases"].split(";"))):
                    aliases[alias] = code
        gazetteer = cls(provinces, towns)
        for alias, code in aliases.items():
            gazetteer._names.setdefault(_key(alias), code)
        return gazetteer

    def __contains__(self, code: object) -> bool:
        return code in self.provinces

    def codes(self) -> list[str]:
        return sorted(self.provinces)

    def resolve(self, name: str | None) -> str | None:
        """Province code for a name, alias, Khmer name, code or known town; None if unknown.

        A compound location such as "Poipet, Banteay Meanchey" resolves through any part.
        """
        if not name or not name.strip():
            return None
        whole = _key(name)
        if whole in self._names:
            return self._names[whole]
        if whole.isdigit() and whole.zfill(2) in self.provinces:
            return whole.zfill(2)
        for part in reversed([p for p in name.replace("/", ",").split(",") if p.strip()]):
            code = self._names.get(_key(part))
            if code:
                return code
        return None

    def distance_km(self, a: str, b: str) -> float:
        """Distance between two provinces' label points (0 for the same province)."""
        return self._distances[(a, b)]
