"""How good the duplicate check is: recall and precision on labelled pairs, and how often a
genuinely new person is warned about in a registry of a million.

Run: python bench/duplicate_quality.py [--pairs bench/data/duplicate_pairs.csv] [--people 1000000]
         [--new 1000] [--vague 0.05] [--seed 11]

1. Labelled pairs (`bench/make_duplicate_pairs.py` writes them): `compare()` from
   `reintegrate/services/duplicates.py`, the function the registration form and the API use,
   runs on each pair without a database; a pair counts as flagged when it returns any evidence
   (any warning the officer would see). Recall and precision overall; per kind, the share
   flagged (recall for kinds of one person, false alarms for kinds of two).

2. Warnings for genuinely new people, by simulation. The registry holds `--people` people with
   names drawn from `bench/registry_bench.py`'s FAMILY and GIVEN tables (Latin and Khmer), birth
   dates uniform over 45 years as there, `--vague` of them registered on 1 January of their
   year (a placeholder). Each new person is drawn the same way, with a phone of their own. A
   name alone is no evidence in `compare`, and a new person shares no phone, so only registry
   people on a related birth date can draw a warning: the same day, day and month swapped, the
   same day a year either side, and anyone with a placeholder in the three years around (all
   of those three years when the new person's own date is a placeholder). The number of them on
   each related date is drawn from its Poisson law at this registry size; up to `--cap` of them
   are drawn as people and compared, and beyond that the share warned is scaled up to their
   number ((1 - p)^n). The figure is the mean probability that a new person gets at least one
   warning, with its standard error.

   The tables have 30 family and 30 given names for a whole country, so one name in ~360 is
   exactly the new person's. That alone bounds the result from below: with ~61 people born on
   any day, ~0.17 same-name, same-day strangers per new person, about 16% warned, whatever the
   comparison does short of ignoring the same name on the same birth date. Cambodian given
   names are far more varied; the run is repeated with `--tail` of given names (default 70%)
   drawn from a long tail of 2,400 names built from Khmer syllables (Zipf weights), the tables
   keeping their relative weights for the rest. That tail is a modelling assumption, not data.

3. Costs: loading the Khmer-to-Latin transducer, romanising one new word, one comparison.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from registry_bench import FAMILY, GIVEN  # noqa: E402

from matching import names  # noqa: E402
from reintegrate.services.duplicates import compare, phone_key  # noqa: E402

PAIRS = ROOT / "bench" / "data" / "duplicate_pairs.csv"
START, YEARS = date(1960, 1, 1), 45
_ONSETS = ("s", "ch", "d", "v", "p", "r", "k", "t", "m", "n", "b", "l", "th", "ph", "sr", "y")
_RIMES = ("o", "a", "ey", "ea", "ou", "ith", "on", "am", "ang", "ol", "eng", "ina", "ak", "y")


@dataclass(frozen=True)
class Record:
    """What `compare` reads from the other record."""

    given_name: str
    family_name: str
    name_km: str | None
    date_of_birth: date
    phone_key: str | None
    date_of_birth_approximate: bool = False


def judged(path: Path) -> list[tuple[str, bool, bool]]:
    """Each labelled pair as (kind, one person?, flagged by `compare`?)."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    results = []
    for row in rows:
        other = Record(
            row["given_b"],
            row["family_b"],
            row["name_km_b"] or None,
            date.fromisoformat(row["born_b"]),
            phone_key(row["phone_b"]),
            row["approximate_b"] == "1",
        )
        evidence = compare(
            row["given_a"],
            row["family_a"],
            row["name_km_a"] or None,
            date.fromisoformat(row["born_a"]),
            phone_key(row["phone_a"]),
            other,
            approximate=row["approximate_a"] == "1",
        )
        results.append((row["kind"], row["same_person"] == "1", evidence is not None))
    return results


def labelled(path: Path) -> None:
    """Recall and precision of `compare` on the labelled pairs, overall and per kind."""
    rows = judged(path)
    flagged_by_kind: Counter[str] = Counter()
    count_by_kind: Counter[str] = Counter()
    label_of_kind: dict[str, bool] = {}
    tp = fp = fn = 0
    for kind, same, flagged in rows:
        tp += same and flagged
        fp += flagged and not same
        fn += same and not flagged
        count_by_kind[kind] += 1
        flagged_by_kind[kind] += flagged
        label_of_kind[kind] = same
    recall, precision = tp / (tp + fn), tp / (tp + fp)
    print(f"labelled pairs: {len(rows)} ({tp + fn} one person, {len(rows) - tp - fn} two)")
    print(f"  recall {recall:.3f}  precision {precision:.3f}  (flagged {tp + fp})")
    for kind, count in count_by_kind.items():
        share = flagged_by_kind[kind] / count
        what = "recall" if label_of_kind[kind] else "false alarms"
        print(f"  {kind:24} {count:4}  {what:12} {share:.3f}")


def _tail(rng: random.Random, size: int) -> list[tuple[str, str | None, float]]:
    """Given names from Khmer-like syllables, one or two of them, Zipf-weighted; Latin only."""
    syllables = [onset + rime for onset in _ONSETS for rime in _RIMES]
    made: set[str] = set()
    known = {latin.casefold() for latin, *_ in GIVEN + FAMILY}
    while len(made) < size:
        word = "".join(rng.sample(syllables, rng.choice((1, 2, 2, 2)))).capitalize()
        if word.casefold() not in known:
            made.add(word)
    return [(word, None, 1 / (rank + 1) ** 0.9) for rank, word in enumerate(sorted(made))]


class Population:
    """People drawn as the registry benchmark draws them, optionally with a long given-name
    tail carrying `tail` of the population."""

    def __init__(self, rng: random.Random, tail: float, vague: float) -> None:
        self.rng, self.vague = rng, vague
        head = [(latin, km, w / sum(g[2] for g in GIVEN) * (1 - tail)) for latin, km, w in GIVEN]
        long_tail = _tail(rng, 2400) if tail else []
        tail_total = sum(w for *_, w in long_tail) or 1
        given = head + [(latin, km, w / tail_total * tail) for latin, km, w in long_tail]
        self.given = [(latin, km) for latin, km, _ in given]
        self.given_weights = list(_cumulative([w for *_, w in given]))
        self.family = [(latin, km) for latin, km, _ in FAMILY]
        self.family_weights = list(_cumulative([w for *_, w in FAMILY]))

    def person(self, born: date) -> Record:
        given, given_km = self.rng.choices(self.given, cum_weights=self.given_weights)[0]
        family, family_km = self.rng.choices(self.family, cum_weights=self.family_weights)[0]
        phone = f"0{self.rng.choice((10, 12, 15, 77, 96, 97))}{self.rng.randrange(10**6, 10**7)}"
        name_km = f"{family_km} {given_km}" if given_km else None
        return Record(given, family, name_km, born, phone_key(phone))

    def birth_date(self) -> date:
        born = START + timedelta(days=self.rng.randrange(365 * YEARS))
        return date(born.year, 1, 1) if self.rng.random() < self.vague else born


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 50:  # normal approximation, plenty at these sizes
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _related_groups(
    rng: random.Random, population: Population, born: date, people: int
) -> list[tuple[int, list[date]]]:
    """(how many registry people, the birth dates they may have) for each related date."""
    vague_share = population.vague
    per_day = people * (1 - vague_share) / (365 * YEARS)
    per_year_placeholders = people * vague_share / YEARS
    years = [born.year - 1, born.year, born.year + 1]
    placeholders = [date(y, 1, 1) for y in years]
    if (born.month, born.day) == (1, 1):  # only the year is known: the three years around
        days = [date(y, 1, 1) + timedelta(days=d) for y in years for d in range(365)]
        return [
            (_poisson(rng, per_day * len(days)), days),
            (_poisson(rng, per_year_placeholders * 3), placeholders),
        ]
    related = {born}
    for year in (born.year - 1, born.year + 1):
        try:
            related.add(born.replace(year=year))
        except ValueError:
            pass
    if born.day <= 12:
        related.add(date(born.year, born.day, born.month))
    related.discard(date(born.year, 1, 1))
    groups = [(_poisson(rng, per_day), [day]) for day in sorted(related)]
    groups.append((_poisson(rng, per_year_placeholders * 3), placeholders))
    return groups


def warning_rate(
    people: int, new: int, vague: float, tail: float, cap: int, seed: int
) -> tuple[float, float, float]:
    """Mean probability of any warning for a new person, its standard error, and the mean
    number of registry people on a related birth date."""
    rng = random.Random(seed)
    population = Population(rng, tail, vague)
    chances, related = [], 0
    for _ in range(new):
        person = population.person(population.birth_date())
        no_warning = 1.0
        for count, dates in _related_groups(rng, population, person.date_of_birth, people):
            related += count
            drawn = min(count, cap)
            if not drawn:
                continue
            warned = sum(
                compare(
                    person.given_name,
                    person.family_name,
                    person.name_km,
                    person.date_of_birth,
                    person.phone_key,
                    population.person(rng.choice(dates)),
                )
                is not None
                for _ in range(drawn)
            )
            no_warning *= (1 - warned / drawn) ** count
        chances.append(1 - no_warning)
    mean = statistics.fmean(chances)
    return mean, statistics.stdev(chances) / math.sqrt(new), related / new


def costs() -> None:
    """Transducer load, a new word's romanisation, a comparison with warm caches."""
    began = time.perf_counter()
    names._transliterator()
    load = time.perf_counter() - began
    words = ["សុវណ្ណារី", "ច័ន្ទថា", "បូរីវណ្ណ", "មករាវី", "សុភក្ត្រា"]
    began = time.perf_counter()
    for word in words:
        names.latin_of_khmer(word)
    per_word = (time.perf_counter() - began) / len(words)
    began = time.perf_counter()
    for word in words * 1000:
        names.latin_of_khmer(word)
    cached = (time.perf_counter() - began) / (len(words) * 1000)
    other = Record("Sokhar", "Chay", None, date(1990, 3, 4), "97111222")
    compare("Sokha", "Chhay", "ឆាយ សុខា", date(1990, 3, 4), "12345678", other)
    began = time.perf_counter()
    for _ in range(20_000):
        compare("Sokha", "Chhay", "ឆាយ សុខា", date(1990, 3, 4), "12345678", other)
    per_compare = (time.perf_counter() - began) / 20_000
    print(
        f"transducer load {load:.2f} s; a new Khmer word {per_word * 1000:.0f} ms, "
        f"a cached one {cached * 1e6:.1f} µs; compare() warm {per_compare * 1e6:.1f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--vague", type=float, default=0.05)
    parser.add_argument("--tail", type=float, default=0.7)
    parser.add_argument("--cap", type=int, default=400)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    costs()
    labelled(args.pairs)
    print(f"new people with any warning in a registry of {args.people:,} ({args.new} drawn):")
    for tail in (0.0, args.tail):
        for vague in sorted({0.0, args.vague}):
            began = time.perf_counter()
            rate, error, related = warning_rate(
                args.people, args.new, vague, tail, args.cap, args.seed
            )
            model = "registry_bench tables" if not tail else f"tables + {tail:.0%} tail given"
            print(
                f"  {model:32} {vague:4.0%} placeholders: {rate:.3f} ± {error:.3f} "
                f"({related:,.0f} on a related birth date each; "
                f"{time.perf_counter() - began:.0f} s)"
            )


if __name__ == "__main__":
    main()
