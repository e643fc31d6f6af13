"""The cell-key method: fixed, small, unbiased noise per set of records."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from reintegrate.stats.cellkey import (
    KEY_RANGE,
    MAX_NOISE,
    PTABLE,
    cell_key,
    new_record_key,
    noise,
    perturb,
)
from reintegrate.stats.suppression import suppress_table, visible_value
from reintegrate.stats.survival import kaplan_meier_from_counts, kaplan_meier_from_risk

STEP = 64
"""Every 64th cell key: 16,384 evenly spread keys, enough to see the table's shares."""


def test_the_same_records_always_get_the_same_noise() -> None:
    rng = random.Random(1)
    keys = [new_record_key() for _ in range(40)]
    shuffled = keys[:]
    rng.shuffle(shuffled)
    assert cell_key(keys) == cell_key(shuffled) == cell_key(sum(keys))
    assert all(noise(40, sum(keys)) == noise(40, sum(shuffled)) for _ in range(20))


def test_noise_is_at_most_two_zero_for_empty_cells_and_at_most_one_for_one_person() -> None:
    for key_sum in range(0, KEY_RANGE, STEP):
        assert noise(0, key_sum) == 0
        assert abs(noise(1, key_sum)) <= 1
        assert abs(noise(7, key_sum)) <= MAX_NOISE


@pytest.mark.parametrize("count", [1, 2, 5, 30, 5000])
def test_noise_follows_the_perturbation_table_with_mean_zero(count: int) -> None:
    draws = Counter(noise(count, key_sum) for key_sum in range(0, KEY_RANGE, STEP))
    total = sum(draws.values())
    assert sum(value * n for value, n in draws.items()) / total == pytest.approx(0, abs=0.01)
    if count > 1:
        for value, probability in PTABLE:
            assert draws[value] / total == pytest.approx(probability, abs=0.01)


def test_one_more_person_gives_an_unrelated_noise() -> None:
    """Two windows that differ by one person: the noises are not the same, in general."""
    rng = random.Random(7)
    same = 0
    trials = 2000
    for _ in range(trials):
        base = [rng.randrange(KEY_RANGE) for _ in range(20)]
        extra = rng.randrange(KEY_RANGE)
        same += noise(20, sum(base)) == noise(21, sum(base) + extra)
    # Independent draws agree with probability sum(p^2) = 0.345.
    assert same / trials == pytest.approx(sum(p * p for _, p in PTABLE), abs=0.04)


def test_a_count_shown_is_never_below_the_minimum_cell_size() -> None:
    for key_sum in range(0, KEY_RANGE, STEP):
        assert perturb(5, key_sum, floor=5) >= 5
        assert perturb(6, key_sum, floor=5) >= 5
        assert perturb(0, key_sum, floor=5) == 0
    assert {perturb(6, key_sum, floor=5) for key_sum in range(0, KEY_RANGE, STEP)} == {5, 6, 7, 8}


def test_a_table_with_record_keys_publishes_perturbed_counts_and_hides_the_true_ones() -> None:
    rows = {
        "01": {"placed": 40, "contacted": 30},
        "02": {"placed": 50, "contacted": 3},
        "03": {"placed": 60, "contacted": 20},
    }
    keys = {
        "01": {"placed": KEY_RANGE // 2 + 5, "contacted": KEY_RANGE - 1},
        "02": {"placed": 0, "contacted": 12},
        "03": {"placed": 0, "contacted": 0},
    }
    table = suppress_table(
        rows, columns=("placed", "contacted"), base_column="placed", threshold=5, keys=keys
    )
    assert visible_value(table.cell("01", "placed")) == 40 + noise(40, keys["01"]["placed"])
    assert visible_value(table.cell("01", "placed")) != 40
    assert visible_value(table.cell("01", "contacted")) == 32
    assert visible_value(table.cell("02", "placed")) == 50
    assert visible_value(table.cell("02", "contacted")) is None
    assert visible_value(table.cell("03", "contacted")) is None
    total = table.total.cells["placed"]
    assert total.value == 150
    assert total.shown == 150 + noise(150, keys["01"]["placed"])


def test_a_curve_from_its_life_table_equals_the_curve_from_counts() -> None:
    counts = [(0, 0, 1), (1, 2, 3), (3, 1, 4), (6, 3, 10), (12, 0, 20)]
    expected = kaplan_meier_from_counts(counts)
    at_risk = 44
    rows = []
    for time, events, censored in counts:
        rows.append((time, at_risk, events))
        at_risk -= events + censored
    assert kaplan_meier_from_risk(rows) == expected


def test_a_curve_from_inconsistent_perturbed_counts_stays_a_curve() -> None:
    curve = kaplan_meier_from_risk([(0, 6, 0), (1, 7, 2), (2, 5, 7)])
    assert [p.survival for p in curve] == pytest.approx([1.0, 5 / 7, 0.0])
    assert all(p.censored >= 0 for p in curve)
