"""The cell-key method: the same small noise on a count every time it is asked for.

Statistical agencies (the Australian Bureau of Statistics' TableBuilder, Destatis, the
UK's ONS) publish counts this way so that differencing overlapping tables, or asking the
same question many times, cannot undo the protection:

- every record carries a permanent random key, an integer in [0, KEY_RANGE), drawn once
  when the record is created and never shown to anyone;
- a cell's key is the sum of its records' keys modulo KEY_RANGE, read as a fraction of 1:
  the same people give the same cell key, whatever query, table, curve or download the
  cell appears in; a set differing by one person gives an unrelated key;
- the cell key picks the noise from a fixed perturbation table (PTABLE), so the noise is
  a deterministic function of the cell's records: averaging repeated queries removes
  nothing.

The noise is between -MAX_NOISE and +MAX_NOISE, with mean 0 for every count, and zero
stays zero (an empty cell has no records to hide). Pure: no Flask, no database.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

__all__ = [
    "KEY_RANGE",
    "MAX_NOISE",
    "PTABLE",
    "cell_key",
    "new_record_key",
    "noise",
    "perturb",
]

KEY_RANGE = 2**20
MAX_NOISE = 2

PTABLE: tuple[tuple[int, float], ...] = ((0, 0.5), (-1, 0.2), (1, 0.2), (-2, 0.05), (2, 0.05))
"""(noise, probability) in the order the cell key's interval [0, 1) is cut into.
Variance 0.8 (standard deviation 0.89); 90% of counts differ by at most 1."""

_PTABLE_ONE: tuple[tuple[int, float], ...] = ((0, 0.6), (-1, 0.2), (1, 0.2))
"""For a count of 1, noise of -2 would be negative; keeping the mean at 0, -1..+1 only."""


def new_record_key() -> int:
    """A fresh record key, from the operating system's random source."""
    return secrets.randbelow(KEY_RANGE)


def cell_key(record_keys: int | Iterable[int]) -> float:
    """The key of a cell: its records' keys summed modulo KEY_RANGE, as a fraction of 1."""
    total = record_keys if isinstance(record_keys, int) else sum(record_keys)
    return (int(total) % KEY_RANGE) / KEY_RANGE


def noise(count: int, key_sum: int) -> int:
    """The noise for a cell of `count` records whose keys add up to `key_sum`."""
    if count <= 0:
        return 0
    table = _PTABLE_ONE if count == 1 else PTABLE
    key = cell_key(key_sum)
    upper = 0.0
    for value, probability in table:
        upper += probability
        if key < upper:
            return value
    return table[-1][0]


def perturb(count: int, key_sum: int, *, floor: int = 0) -> int:
    """The count as published: true count plus its noise, never below `floor`.

    `floor` is the minimum cell size for a count that is shown only because it reaches
    it: shown smaller, it would tell that the true count was at the floor.
    """
    return max(count + noise(count, key_sum), floor if count >= floor else 0, 0)
