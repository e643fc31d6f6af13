"""Write the labelled pairs behind `bench/duplicate_quality.py`: bench/data/duplicate_pairs.csv.

Run: python bench/make_duplicate_pairs.py [--seed 11]

Each row is two registrations and whether they are one person, with the kind of variation:
romanisation variants of the same name, given and family name swapped, Khmer names in the other
word order, a Khmer-only record against a Latin-only one, approximate birth dates (1 January
placeholders, a flagged guess, a year off, day and month swapped), typos and formats of phone
numbers; and different people: namesakes born within a year of each other, near names (one
word different: "Sok Dara" / "Sok Dalin", "Kim" / "Chim", "Heng" / "Eng") born the same day,
and the same name decades apart. Names come from the registry benchmark's tables plus the
variant spellings below, which were written by hand from how Khmer names are romanised in
practice (including some the comparison does not fold, so the figures are not a tautology).
The output is deterministic for a seed.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

from registry_bench import FAMILY, GIVEN

OUT = Path(__file__).resolve().parent / "data" / "duplicate_pairs.csv"
COLUMNS = (
    "kind",
    "same_person",
    "given_a",
    "family_a",
    "name_km_a",
    "born_a",
    "approximate_a",
    "phone_a",
    "given_b",
    "family_b",
    "name_km_b",
    "born_b",
    "approximate_b",
    "phone_b",
)
# Spellings of one Khmer name seen in registrations (hand-written; some differ by more than
# the comparison folds, e.g. Touch/Tuch; "Touch" is listed as its own variant too, so it is
# sometimes kept).
VARIANTS = {
    "Chhay": ("Chay", "Chhai"),
    "Sokha": ("Sokhar", "Sokkha"),
    "Chan": ("Chann",),
    "Chea": ("Chear",),
    "Ouk": ("Ok",),
    "Vann": ("Van",),
    "Sovann": ("Sovan",),
    "Vanna": ("Vana", "Wanna"),
    "Channary": ("Chanary",),
    "Pisey": ("Pisei",),
    "Vuthy": ("Vuthi", "Wuthy"),
    "Thida": ("Thyda",),
    "Mony": ("Monny",),
    "Chantha": ("Chanthar",),
    "Raksmey": ("Reaksmey", "Raksmei"),
    "Rotha": ("Ratha",),
    "Touch": ("Tuch", "Touch"),
    "Leakhena": ("Leakena",),
    "Sophea": ("Sophear",),
    "Kunthea": ("Kunthear",),
    "Nuon": ("Nuonn",),
    "Piseth": ("Pisith",),
    "Srey Mom": ("Sreymom", "Srey Mum"),
}
# Extra names beside the benchmark's tables, for the variants the issue names.
EXTRA_GIVEN = [("Vannak", "វណ្ណៈ", ("Vanak",)), ("Pheap", "ភាព", ("Pheab",))]
EXTRA_FAMILY = [("Ou", "អ៊ូ", ("O",))]
# Different people: names one word apart that a loose comparison takes for one.
NEAR_NAMES = [
    (("Dara", "Sok"), ("Dalin", "Sok")),
    (("Sokha", "Kim"), ("Sokha", "Chim")),
    (("Dara", "Heng"), ("Dara", "Eng")),
    (("Sophea", "Chan"), ("Sopheap", "Chan")),
    (("Sothea", "Lim"), ("Sophea", "Lim")),
    (("Vanna", "Keo"), ("Vannak", "Keo")),
    (("Kosal", "Sam"), ("Kosal", "Som")),
    (("Rithy", "Meas"), ("Vuthy", "Meas")),
    (("Chenda", "Ly"), ("Chanda", "Ly")),
    (("Bopha", "Kim"), ("Bopha", "Khim")),
    (("Sokha", "Seng"), ("Sokhom", "Seng")),
    (("Pisey", "Chea"), ("Piseth", "Chea")),
    (("Dara", "Sok"), ("Dara", "Sam")),
    (("Mony", "Nov"), ("Mony", "Nuon")),
    (("Visal", "Pich"), ("Vibol", "Pich")),
]
NEAR_KHMER = {
    "Dalin": "ដាលីន",
    "Chim": "ជឹម",
    "Sokhom": "សុខុម",
    "Chanda": "ចាន់ដា",
}


def _khmer(word: str) -> str:
    for latin, khmer, *_ in FAMILY + GIVEN + EXTRA_GIVEN + EXTRA_FAMILY:
        if latin == word:
            return khmer
    return NEAR_KHMER[word]


def _weighted(rng: random.Random, table: list[tuple[str, str, int]]) -> str:
    return rng.choices([t[0] for t in table], weights=[t[2] for t in table])[0]


def _name(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.15:
        given = rng.choice(EXTRA_GIVEN)[0]
    else:
        given = _weighted(rng, GIVEN)
    family = rng.choice(EXTRA_FAMILY)[0] if rng.random() < 0.05 else _weighted(rng, FAMILY)
    return given, family


def _variants(word: str) -> tuple[str, ...]:
    extra = {latin: variants for latin, _, variants in EXTRA_GIVEN + EXTRA_FAMILY}
    return VARIANTS.get(word, ()) + extra.get(word, ())


def _varied(rng: random.Random, given: str, family: str) -> tuple[str, str]:
    """Another spelling of the name: a variant of one or both words where one is known."""
    options = [w for w in (given, family) if _variants(w)]
    if not options:
        return given, family
    picked = set(rng.sample(options, rng.randint(1, len(options))))
    return (
        rng.choice(_variants(given)) if given in picked else given,
        rng.choice(_variants(family)) if family in picked else family,
    )


def _born(rng: random.Random) -> date:
    return date(1965, 1, 2) + timedelta(days=rng.randrange(365 * 40))


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(("010", "012", "015", "016", "017", "077", "078", "089", "096", "097"))
    return f"{prefix}{rng.randrange(10**6, 10**7)}"


def _typo(rng: random.Random, phone: str) -> str:
    digits = list(phone)
    at = rng.randrange(3, len(digits))
    digits[at] = rng.choice([d for d in "0123456789" if d != digits[at]])
    return "".join(digits)


def _reformat(phone: str) -> str:
    return f"+855 {phone[1:3]} {phone[3:6]} {phone[6:]}"


def _row(kind: str, same: bool, a: dict[str, object], b: dict[str, object]) -> dict[str, object]:
    row: dict[str, object] = {"kind": kind, "same_person": int(same)}
    for side, values in (("a", a), ("b", b)):
        row[f"given_{side}"] = values["given"]
        row[f"family_{side}"] = values["family"]
        row[f"name_km_{side}"] = values.get("name_km") or ""
        row[f"born_{side}"] = values["born"].isoformat()  # type: ignore[attr-defined]
        row[f"approximate_{side}"] = int(bool(values.get("approximate")))
        row[f"phone_{side}"] = values.get("phone") or ""
    return row


def _person(
    rng: random.Random,
    given: str,
    family: str,
    born: date,
    khmer: bool,
    spelt: tuple[str, str] | None = None,
) -> dict[str, object]:
    """A registration; with `khmer`, the Khmer name of `spelt` (the usual spelling of a
    variant) or of the name itself."""
    usual_given, usual_family = spelt or (given, family)
    name_km = f"{_khmer(usual_family)} {_khmer(usual_given)}" if khmer else None
    return {
        "given": given,
        "family": family,
        "name_km": name_km,
        "born": born,
        "phone": _phone(rng),
    }


def _fuzzy_date(rng: random.Random, born: date) -> tuple[date, bool]:
    """The same birth date as someone else wrote it down: a placeholder, a guess, a year off,
    day and month swapped."""
    choice = rng.choice(("placeholder", "flagged", "year", "swap"))
    if choice == "swap" and born.day <= 12 and born.day != born.month:
        return date(born.year, born.day, born.month), False
    if choice == "year":
        try:
            return born.replace(year=born.year + rng.choice((-1, 1))), False
        except ValueError:
            return date(born.year, 1, 1), False
    if choice == "flagged":
        return date(born.year + rng.choice((-1, 0, 0, 1)), 6, 15), True
    return date(born.year + rng.choice((-1, 0, 0, 0)), 1, 1), False


def _other_day(rng: random.Random, born: date, years: int) -> date:
    """A birth date `years` away that no rule ties to `born` (not 1 January, not swapped)."""
    while True:
        other = date(born.year + years, rng.randint(1, 12), rng.randint(2, 28))
        if (other.month, other.day) not in ((born.month, born.day), (born.day, born.month)):
            return other


def pairs(seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(70):  # one person, two romanisations, same birth date
        given, family = _name(rng)
        while not (_variants(given) or _variants(family)):
            given, family = _name(rng)
        born = _born(rng)
        a = _person(rng, given, family, born, khmer=rng.random() < 0.5)
        b = _person(rng, *_varied(rng, given, family), born, khmer=False)
        rows.append(_row("romanisation", True, a, b))
    for _ in range(40):  # given and family name swapped (sometimes also spelt otherwise)
        given, family = _name(rng)
        born = _born(rng)
        a = _person(rng, given, family, born, khmer=False)
        other_given, other_family = (
            _varied(rng, given, family) if rng.random() < 0.4 else (given, family)
        )
        b = _person(rng, other_family, other_given, born, khmer=False)
        rows.append(_row("swapped_order", True, a, b))
    for _ in range(30):  # the Khmer name in the other word order, or as one word
        given, family = _name(rng)
        born = _born(rng)
        a = _person(rng, given, family, born, khmer=True)
        b = _person(rng, family, given, born, khmer=False)
        b["name_km"] = (
            f"{_khmer(given)} {_khmer(family)}"
            if rng.random() < 0.7
            else f"{_khmer(family)}{_khmer(given)}"
        )
        b["given"], b["family"] = _varied(rng, given, family)
        if rng.random() < 0.5:  # a romanisation no folding reaches: only the Khmer tells
            b["given"] = b["given"] + "e"
        rows.append(_row("khmer_word_order", True, a, b))
    for _ in range(40):  # a Latin-only record against a Khmer-only one
        given, family = _name(rng)
        born = _born(rng)
        a = _person(rng, given, family, born, khmer=False)
        b = _person(rng, _khmer(given), _khmer(family), born, khmer=False)
        if rng.random() < 0.5:
            b["name_km"] = f"{_khmer(family)} {_khmer(given)}"
        rows.append(_row("khmer_vs_latin", True, a, b))
    for _ in range(60):  # approximate birth dates
        given, family = _name(rng)
        born = _born(rng)
        a = _person(rng, given, family, born, khmer=rng.random() < 0.5)
        other_born, flagged = _fuzzy_date(rng, born)
        b = _person(rng, given, family, other_born, khmer=rng.random() < 0.5)
        b["approximate"] = flagged
        if rng.random() < 0.5:
            a, b = b, a
        rows.append(_row("approximate_date", True, a, b))
    for _ in range(40):  # the phone written otherwise or mistyped
        given, family = _name(rng)
        born = _born(rng)
        a = _person(rng, given, family, born, khmer=rng.random() < 0.5)
        b = _person(rng, *_varied(rng, given, family), born, khmer=False)
        if rng.random() < 0.5:
            b["phone"] = _typo(rng, str(a["phone"]))  # name and birth date must carry it
        else:
            b["phone"] = _reformat(str(a["phone"]))
            b["born"] = born + timedelta(days=rng.choice((-1, 1, 30)))  # and a wrong date
        rows.append(_row("phone_variant", True, a, b))
    for _ in range(70):  # namesakes: same name, born within a year, not on a related day
        given, family = _name(rng)
        born = _born(rng)
        a = _person(rng, given, family, born, khmer=rng.random() < 0.7)
        other_given, other_family = (
            _varied(rng, given, family) if rng.random() < 0.3 else (given, family)
        )
        b = _person(
            rng,
            other_given,
            other_family,
            _other_day(rng, born, rng.choice((-1, 0, 1))),
            khmer=rng.random() < 0.7,
            spelt=(given, family),
        )
        rows.append(_row("namesake_close_birth", False, a, b))
    for _ in range(60):  # near names born the same day
        (given, family), (other_given, other_family) = rng.choice(NEAR_NAMES)
        if rng.random() < 0.5:
            (given, family), (other_given, other_family) = (
                (other_given, other_family),
                (
                    given,
                    family,
                ),
            )
        born = _born(rng)
        khmer = rng.random() < 0.5
        a = _person(rng, given, family, born, khmer=khmer)
        b = _person(rng, other_given, other_family, born, khmer=khmer)
        rows.append(_row("near_name_same_birth", False, a, b))
    for _ in range(40):  # the same name, years apart
        given, family = _name(rng)
        born = _born(rng)
        a = _person(rng, given, family, born, khmer=rng.random() < 0.5)
        later = _other_day(rng, born, rng.choice((-12, -5, -3, 2, 4, 9)))
        if rng.random() < 0.3:
            later = date(later.year, 1, 1)
        b = _person(rng, given, family, later, khmer=rng.random() < 0.5)
        rows.append(_row("same_name_other_person", False, a, b))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rows = pairs(args.seed)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} pairs written to {OUT}")


if __name__ == "__main__":
    main()
