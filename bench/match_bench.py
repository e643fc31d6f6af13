"""Benchmark: the matching index against naive all-pairs fuzzy comparison, on a synthetic nation.

Run: python bench/match_bench.py [--quick] [--returnees N] [--listings N] [--queries N]
         [--naive-sample N] [--workers N] [--seed N]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import statistics
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.geo import Gazetteer  # noqa: E402
from matching.index import ListingIndex, PersonIndex  # noqa: E402
from matching.scoring import Eligibility, Listing, Person  # noqa: E402
from matching.text import processor  # noqa: E402
from matching.vocabulary import Vocabulary  # noqa: E402

TODAY = date(2026, 3, 15)

# Where returnees live: border provinces and the big sending provinces weigh most.
RETURNEE_PROVINCES = {
    "01": 9,
    "02": 9,
    "03": 7,
    "04": 4,
    "05": 5,
    "06": 5,
    "07": 3,
    "08": 5,
    "09": 2,
    "10": 2,
    "11": 0.5,
    "12": 8,
    "13": 2,
    "14": 9,
    "15": 3,
    "16": 0.5,
    "17": 6,
    "18": 2,
    "19": 1,
    "20": 6,
    "21": 5,
    "22": 4,
    "23": 0.3,
    "24": 1,
    "25": 4,
}
# Where jobs are: Phnom Penh and the garment belt, then the tourist and border economies.
JOB_PROVINCES = {
    "12": 30,
    "08": 9,
    "05": 7,
    "18": 5,
    "17": 6,
    "02": 4,
    "01": 4,
    "03": 3,
    "20": 4,
    "21": 2,
    "14": 2,
    "04": 2,
    "06": 2,
    "07": 2,
    "09": 1,
    "10": 1,
    "15": 1,
    "22": 1,
    "24": 0.5,
    "25": 2,
    "11": 0.3,
    "13": 0.5,
    "16": 0.5,
    "19": 0.5,
    "23": 0.3,
}
RETURNEE_SECTORS = {
    "garment": 22,
    "construction": 24,
    "agriculture": 18,
    "livestock": 4,
    "fishing": 4,
    "aquaculture": 1,
    "manufacturing": 8,
    "food_processing": 4,
    "domestic_care": 6,
    "hospitality": 4,
    "transport": 2,
    "mechanics": 1,
    "electrical": 1,
    "retail": 1,
    "security": 0.5,
    "beauty": 0.5,
}
JOB_SECTORS = {
    "garment": 30,
    "construction": 18,
    "agriculture": 8,
    "manufacturing": 10,
    "food_processing": 6,
    "hospitality": 8,
    "transport": 4,
    "retail": 5,
    "security": 3,
    "domestic_care": 3,
    "mechanics": 2,
    "electrical": 2,
    "livestock": 1,
    "fishing": 1,
    "beauty": 1,
}
INCENTIVE_SECTORS = {
    "agriculture": 35,
    "livestock": 30,
    "aquaculture": 10,
    "retail": 10,
    "beauty": 3,
    "garment": 4,
    "food_processing": 5,
    "mechanics": 3,
}


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _zipf_pick(rng: random.Random, codes: list[str], n: int) -> list[str]:
    weights = [1 / (i + 1) for i in range(len(codes))]
    picked: set[str] = set()
    while len(picked) < min(n, len(codes)):
        picked.add(rng.choices(codes, weights=weights)[0])
    return sorted(picked)


def _raw_text(rng: random.Random, vocabulary: Vocabulary, codes: list[str]) -> str:
    """What an officer might have typed for these skills: a synonym each, English or Khmer."""
    parts = []
    for code in codes:
        skill = vocabulary.skills[code]
        pool = list(skill.synonyms_km if rng.random() < 0.3 else skill.synonyms_en) or [
            skill.label_en
        ]
        parts.append(rng.choice(pool))
    return ", ".join(parts)


def build_nation(
    returnees: int, listings: int, vocabulary: Vocabulary, seed: int
) -> tuple[list[Person], list[Listing], dict[int, str], dict[int, str]]:
    rng = random.Random(seed)
    by_sector: dict[str, list[str]] = defaultdict(list)
    for code in vocabulary.codes():
        by_sector[vocabulary.sector(code)].append(code)
    for codes in by_sector.values():
        rng.shuffle(codes)
    languages = ["th", "ko", "ms", "ja", "en", "zh"]
    persons, person_text = [], {}
    for i in range(1, returnees + 1):
        if rng.random() < 0.05:
            skills: list[str] = []
        else:
            skills = _zipf_pick(
                rng, by_sector[_weighted(rng, RETURNEE_SECTORS)], rng.choice([1, 1, 2, 2, 3])
            )
            if rng.random() < 0.25:
                skills += _zipf_pick(rng, by_sector[_weighted(rng, RETURNEE_SECTORS)], 1)
        persons.append(
            Person(
                id=i,
                skills=frozenset(skills),
                home_province=_weighted(rng, RETURNEE_PROVINCES),
                willing_to_relocate=rng.random() < 0.35,
                preferred_provinces=frozenset({"12"}) if rng.random() < 0.15 else frozenset(),
                languages=frozenset(
                    {"km"} | ({rng.choice(languages)} if rng.random() < 0.5 else set())
                ),
                sex=rng.choice(["female", "male"]),
                date_of_birth=None
                if rng.random() < 0.03
                else date(1965, 1, 1) + timedelta(days=rng.randrange(15000)),
                return_date=TODAY - timedelta(days=rng.randrange(1500)),
                trafficking_survivor=rng.random() < 0.04,
                interests=frozenset(
                    rng.choice([{"job"}, {"job"}, {"incentive"}, {"job", "incentive"}])
                ),
            )
        )
        person_text[i] = _raw_text(rng, vocabulary, skills)
    all_listings, listing_text = [], {}
    provinces = list(RETURNEE_PROVINCES)
    for i in range(1, listings + 1):
        if rng.random() < 0.2:
            skills = (
                []
                if rng.random() < 0.3
                else _zipf_pick(
                    rng, by_sector[_weighted(rng, INCENTIVE_SECTORS)], rng.choice([1, 1, 2])
                )
            )
            places = (
                frozenset()
                if rng.random() < 0.4
                else frozenset(rng.sample(provinces, rng.choice([1, 1, 2, 4])))
            )
            listing = Listing(
                id=i,
                kind="incentive",
                title=f"programme {i}",
                provinces=places,
                skills=frozenset(skills),
                eligibility=Eligibility(
                    returned_within_months=rng.choice([None, 6, 12, 12, 24]),
                    min_age=rng.choice([None, None, 18]),
                    max_age=rng.choice([None, None, 35, 55]),
                    sex="female" if rng.random() < 0.15 else None,
                    survivors_priority=rng.random() < 0.1,
                ),
            )
        else:
            skills = (
                []
                if rng.random() < 0.1
                else _zipf_pick(
                    rng, by_sector[_weighted(rng, JOB_SECTORS)], rng.choice([1, 1, 2, 3])
                )
            )
            listing = Listing(
                id=i,
                kind="job",
                title=f"job {i}",
                provinces=frozenset({_weighted(rng, JOB_PROVINCES)}),
                skills=frozenset(skills),
                languages=frozenset({rng.choice(languages)})
                if rng.random() < 0.05
                else frozenset(),
            )
        all_listings.append(listing)
        listing_text[i] = _raw_text(rng, vocabulary, skills)
    return persons, all_listings, person_text, listing_text


_INDEX: ListingIndex | None = None


def _worker(persons: list[Person]) -> int:
    assert _INDEX is not None
    return sum(len(_INDEX.top_for(p, k=10, today=TODAY)) for p in persons)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returnees", type=int, default=100_000)
    parser.add_argument("--listings", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument(
        "--naive-sample", type=int, default=200, help="returnees compared the naive way"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="processes for the all-returnees pass (fork)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--quick", action="store_true", help="10,000 returnees, 5,000 listings, 200 queries"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.returnees, args.listings, args.queries, args.naive_sample = 10_000, 5_000, 200, 50

    vocabulary = Vocabulary.from_csv(ROOT / "reintegrate/reference/skills.csv")
    gazetteer = Gazetteer.from_csv(ROOT / "reintegrate/reference/provinces.csv")
    started = time.perf_counter()
    persons, listings, person_text, listing_text = build_nation(
        args.returnees, args.listings, vocabulary, args.seed
    )
    print(
        f"synthetic nation: {len(persons):,} returnees, {len(listings):,} listings "
        f"({sum(x.kind == 'incentive' for x in listings):,} incentives), "
        f"built in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    index = ListingIndex(listings, gazetteer=gazetteer, vocabulary=vocabulary)
    build = time.perf_counter() - started
    print(f"listing index build: {build:.2f} s")

    rng = random.Random(args.seed + 1)
    sample = rng.sample(persons, min(args.queries, len(persons)))
    index.top_for(sample[0], k=10, today=TODAY)
    times = []
    for person in sample:
        t0 = time.perf_counter()
        index.top_for(person, k=10, today=TODAY)
        times.append(time.perf_counter() - t0)
    times.sort()
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    print(
        f"top-10 for one returnee over {len(times):,} queries: "
        f"median {statistics.median(times) * 1000:.2f} ms, "
        f"p99 {p99 * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms"
    )

    started = time.perf_counter()
    one_core = persons[: min(len(persons), 10_000)]
    for person in one_core:
        index.top_for(person, k=10, today=TODAY)
    per_query = (time.perf_counter() - started) / len(one_core)
    print(
        f"top-10 for every returnee, 1 process: {per_query * len(persons):.1f} s "
        f"(measured on {len(one_core):,}, {per_query * 1000:.2f} ms each)"
    )

    global _INDEX
    _INDEX = index
    workers = max(1, args.workers)
    started = time.perf_counter()
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        chunks = [persons[i :: workers * 8] for i in range(workers * 8)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            total = sum(pool.map(_worker, chunks))
    else:
        total = _worker(persons)
    all_time = time.perf_counter() - started
    print(
        f"top-10 for every returnee ({len(persons):,}), {workers} process(es): {all_time:.1f} s "
        f"({total:,} matches)"
    )

    person_index = PersonIndex(persons, gazetteer=gazetteer, vocabulary=vocabulary)
    ltimes = []
    for listing in rng.sample(listings, min(200, len(listings))):
        t0 = time.perf_counter()
        person_index.top_for(listing, k=10, today=TODAY)
        ltimes.append(time.perf_counter() - t0)
    ltimes.sort()
    print(
        f"candidates (top-10 returnees) for one listing over {len(ltimes)} queries: "
        f"median {statistics.median(ltimes) * 1000:.2f} ms, "
        f"p99 {ltimes[int(0.99 * (len(ltimes) - 1))] * 1000:.2f} ms"
    )

    choices = [processor(listing_text[x.id]) for x in listings]
    naive_people = rng.sample(persons, min(args.naive_sample, len(persons)))
    queries = [processor(person_text[p.id]) for p in naive_people]
    started = time.perf_counter()
    matrix = process.cdist(
        queries, choices, scorer=fuzz.token_set_ratio, processor=None, workers=1, dtype=np.uint8
    )
    np.argpartition(-matrix.astype(np.int16), 10, axis=1)[:, :10]
    naive_each = (time.perf_counter() - started) / len(queries)
    naive_all = naive_each * len(persons)
    print(
        f"naive cdist(token_set_ratio), 1 thread: {naive_each * 1000:.2f} ms per returnee, "
        f"{naive_all:.0f} s for all (extrapolated from {len(queries)})"
    )
    print(
        f"index vs naive, per returnee on one core: {naive_each / per_query:.1f}x faster; "
        f"all returnees ({workers} process(es) vs naive 1 thread): {naive_all / all_time:.1f}x"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (ru_maxrss of this process): {peak:.0f} MB")


if __name__ == "__main__":
    main()
