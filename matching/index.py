"""Ranking through indexes on canonical skill codes and provinces: top listings for a returnee,
top returnees (candidates) for a listing.

How it stays exact and fast: posting lists (skill code -> rows) give, in one vectorised pass, the
skill credit of every row that shares a skill or a related skill; every other component value
comes from small per-query tables (location by province, languages by distinct set, eligibility
by profile). Every value is a Python float computed by the same functions as ``scoring.score`` and
combined with the same float operations in the same order, so scores are identical to the bit.
Rows that share nothing have a skills value of 0 and therefore a known upper bound; they are
scored (all of them, vectorised) only when fewer than k candidates beat that bound. Components and
reasons are built with ``scoring.score`` for the returned top k only.

Incentives: every incentive available in the person's province (or nationwide) is a candidate
even when it shares no skill, because officers want to see the programmes open to a returnee
(start-up grants rarely require a skill); the interests component ranks them down for people who
did not ask for incentives.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable
from datetime import date
from typing import Literal

import numpy as np

from matching.geo import Gazetteer
from matching.scoring import (
    COMPONENTS,
    NO_SKILLS_REQUIRED,
    PREFERRED_PROVINCE,
    RELATED_CREDIT,
    UNREACHABLE_MAX,
    WEIGHTS,
    Eligibility,
    Listing,
    Match,
    Person,
    age_on,
    beyond_commute,
    combine,
    distance_value,
    eligibility_value,
    interest_value,
    language_value,
    months_since,
    score,
)
from matching.vocabulary import Vocabulary

_KINDS = ("job", "incentive")
_ID_SHIFT = 1 << 40
_ELIGIBILITY = np.array([[eligibility_value(u, p) for p in (False, True)] for u in range(3)])


def _months(ty: int, tm: int, td: int, y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    months = (ty - y) * 12 + (tm - m) - (td < d)
    return np.maximum(months, 0)


def _ages(ty: int, tm: int, td: int, y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    return ty - y - ((tm < m) | ((tm == m) & (td < d)))


def _top(rows: np.ndarray, scores: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k best by score descending then id ascending; rows with a negative score (hard
    filtered) are left out. Scores are small integers, so the k-th best score is found by counting
    and only the rows at or above it are sorted."""
    counts = np.bincount(scores + 1, minlength=102)[:0:-1].cumsum()
    threshold = max(0, 100 - int(np.searchsorted(counts, k)))
    chosen = np.flatnonzero(scores >= threshold)
    rows, scores = rows[chosen], scores[chosen]
    key = (100 - scores.astype(np.int64)) * _ID_SHIFT + ids[rows]
    return rows[np.argsort(key, kind="stable")[:k]]


def _weights(kind: str) -> tuple[float, ...]:
    return tuple(WEIGHTS[kind][c] for c in COMPONENTS)


def _total(kind_weights: np.ndarray | tuple[float, ...], values: list) -> np.ndarray:
    """The vectorised twin of ``scoring.combine``: same operations, same order, same rounding."""
    rest = None
    for i, value in enumerate(values[1:], start=1):
        w = kind_weights[i] if isinstance(kind_weights, tuple) else kind_weights[:, i]
        term = w * value
        rest = term if rest is None else rest + term
    skills_weight = kind_weights[0] if isinstance(kind_weights, tuple) else kind_weights[:, 0]
    return _round(skills_weight * values[0] + rest)


def _round(total: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(total * 100.0 + 0.5), 0, 100).astype(np.int16)


class _Base:
    def __init__(self, gazetteer: Gazetteer, vocabulary: Vocabulary):
        self._gazetteer = gazetteer
        self._vocabulary = vocabulary
        self._provinces = gazetteer.codes()
        self._pidx = {code: i for i, code in enumerate(self._provinces)}
        self._sex_codes: dict[str, int] = {"female": 1, "male": 2, "other": 3}

    def _province(self, code: str) -> int:
        try:
            return self._pidx[code]
        except KeyError:
            raise ValueError(f"unknown province code {code!r}") from None

    def _sex(self, value: str | None) -> int:
        if not value:
            return 0
        return self._sex_codes.setdefault(value, len(self._sex_codes) + 1)


class ListingIndex(_Base):
    """Open listings indexed for ranking against one returnee at a time. Immutable: rebuild it
    (well under a second for 50,000 listings) when listings change.

    Listings that differ only by their skills share a "profile" (kind, province, language set,
    eligibility conditions): per query the non-skill part of the score, and the hard filters, are
    computed once per profile (a few hundred), then gathered for each candidate row.
    """

    def __init__(
        self, listings: Iterable[Listing], *, gazetteer: Gazetteer, vocabulary: Vocabulary
    ):
        super().__init__(gazetteer, vocabulary)
        rows = sorted(listings, key=lambda listing: listing.id)
        self._listings = rows
        self._row_of = {listing.id: i for i, listing in enumerate(rows)}
        if len(self._row_of) != len(rows):
            raise ValueError("listing ids must be unique")
        n, nowhere = len(rows), len(self._provinces)
        self._ids = np.fromiter((listing.id for listing in rows), np.int64, n)
        if n and (self._ids.min() < 0 or self._ids.max() >= _ID_SHIFT):
            raise ValueError("listing ids must be in 0..2**40")
        self._kind = np.fromiter((_KINDS.index(listing.kind) for listing in rows), np.int8, n)
        self._nskills = np.fromiter((len(listing.skills) for listing in rows), np.int16, n)
        self._is_job = self._kind == 0
        langsets: dict[frozenset[str], int] = {}
        profiles: dict[tuple, int] = {}
        self._profile = np.zeros(n, np.int32)
        postings: dict[str, list[int]] = {}
        incentives_in: list[list[int]] = [[] for _ in self._provinces]
        for i, listing in enumerate(rows):
            for code in listing.skills:
                postings.setdefault(code, []).append(i)
            langset = langsets.setdefault(listing.languages, len(langsets))
            where = nowhere
            if listing.kind == "job" and listing.provinces:
                where = self._province(next(iter(listing.provinces)))
            if listing.kind == "incentive":
                places = [self._province(p) for p in listing.provinces] or range(nowhere)
                for p in places:
                    incentives_in[p].append(i)
            rules = listing.eligibility
            if rules is None and listing.kind == "incentive":
                rules = Eligibility()
            key = (
                self._kind[i],
                where,
                langset,
                rules,
                self._sex(rules.sex) if rules else 0,
                -1 if listing.min_worker_age is None else listing.min_worker_age,
            )
            self._profile[i] = profiles.setdefault(key, len(profiles))
        self._postings = {code: np.array(r, np.int32) for code, r in postings.items()}
        self._incentives_in = [np.array(r, np.int32) for r in incentives_in]
        self._langsets = list(langsets)
        self._related_by: dict[str, list[str]] = {}
        for code in self._postings:
            for other in vocabulary.related(code):
                self._related_by.setdefault(other, []).append(code)

        keys = list(profiles)
        self._p_kind = np.array([key[0] for key in keys], np.int8)
        self._p_where = np.array([key[1] for key in keys], np.int16)
        self._p_langset = np.array([key[2] for key in keys], np.int16)
        self._p_ruled = np.array([key[3] is not None for key in keys], bool)
        self._p_within = np.array([_or(key[3], "returned_within_months") for key in keys], np.int32)
        self._p_min_age = np.array([_or(key[3], "min_age") for key in keys], np.int32)
        self._p_max_age = np.array([_or(key[3], "max_age") for key in keys], np.int32)
        self._p_sex = np.array([key[4] for key in keys], np.int16)
        self._p_min_worker_age = np.array([key[5] for key in keys], np.int32)
        self._p_survivors = np.array(
            [bool(key[3] and key[3].survivors_priority) for key in keys], bool
        )
        weights = np.array([_weights(kind) for kind in _KINDS])
        self._p_weights = weights[self._p_kind] if keys else np.zeros((0, len(COMPONENTS)))
        self._p_plain_job = (self._p_kind == 0) & ~self._p_ruled
        # Rows that are candidates even without a shared skill: no skill required, or conditions
        # (ruled jobs are rare; incentives are added per province).
        self._always = (self._nskills == 0) & self._is_job | (
            ~self._p_plain_job[self._profile] & self._is_job
        )
        self._locations = np.ones((2, nowhere, nowhere + 1))
        self._far = np.zeros((nowhere, nowhere + 1), bool)
        for h, home in enumerate(self._provinces):
            for p, code in enumerate(self._provinces):
                self._far[h, p] = p != h and beyond_commute(
                    gazetteer.distance_km(home, code), False
                )
        for w in (0, 1):
            for h, home in enumerate(self._provinces):
                for p, code in enumerate(self._provinces):
                    if p != h:
                        self._locations[w, h, p] = distance_value(
                            gazetteer.distance_km(home, code), bool(w)
                        )

        # Skill credit of a row is counted in half points (2 per skill held, 1 per related one):
        # (have + 0.5 * related) == 0.5 * credit exactly, so the skills value is one table lookup
        # by (credit, number of skills required), and the score one lookup by (profile, credit, n).
        if RELATED_CREDIT != 0.5:
            raise NotImplementedError("the index counts skill credit in half points")
        needs = sorted(set(self._nskills.tolist())) or [0]
        self._needs = len(needs)
        self._n_index = np.searchsorted(np.array(needs), self._nskills).astype(np.int64)
        credits = 2 * max(needs) + 1
        self._skill_values = np.array(
            [
                [NO_SKILLS_REQUIRED if need == 0 else (0.5 * credit) / need for need in needs]
                for credit in range(credits)
            ]
        ).ravel()
        self._base = self._profile.astype(np.int64) * (credits * len(needs)) + self._n_index

    def __len__(self) -> int:
        return len(self._listings)

    def top_for(
        self,
        person: Person,
        *,
        k: int = 10,
        kind: Literal["job", "incentive", "all"] = "all",
        exclude: Collection[int] = (),
        today: date,
    ) -> list[Match]:
        """The k best listings for a returnee, by score descending then listing id ascending;
        exactly what ``score`` over every listing would rank, hard-filtered ones left out."""
        n = len(self._listings)
        if n == 0 or k <= 0:
            return []
        home = self._province(person.home_province)
        credit = np.zeros(n, np.int16)
        candidates = np.zeros(n, bool)
        for code in person.skills:
            rows = self._postings.get(code)
            if rows is not None:
                credit[rows] += 2
                candidates[rows] = True
        related = {r for c in person.skills for r in self._related_by.get(c, ())} - person.skills
        for code in related:
            rows = self._postings[code]
            credit[rows] += 1
            candidates[rows] = True
        if kind == "incentive":
            candidates[:] = False
        else:
            candidates &= self._is_job
            candidates |= self._always
        if kind != "job":
            candidates[self._incentives_in[home]] = True
        excluded = [self._row_of[i] for i in exclude if i in self._row_of]
        candidates[excluded] = False

        table = self._score_table(*self._profile_values(person, home, today))
        rows = np.flatnonzero(candidates)
        scores = table[self._base[rows] + credit[rows] * self._needs]
        if kind != "incentive":
            bound = combine(
                "job",
                (
                    0.0,
                    1.0,
                    1.0,
                    eligibility_value(0, False),
                    interest_value("job", person.interests),
                ),
            )
            if np.count_nonzero(scores > bound) < k:
                everything = candidates | self._is_job
                everything[excluded] = False
                if np.count_nonzero(everything) > len(rows):
                    rows = np.flatnonzero(everything)
                    scores = table[self._base[rows] + credit[rows] * self._needs]
        best = _top(rows, scores, self._ids, k)
        matches = []
        for row in best:
            match = score(
                person,
                self._listings[row],
                gazetteer=self._gazetteer,
                vocabulary=self._vocabulary,
                today=today,
            )
            if match is not None:
                matches.append(match)
        return matches

    def _profile_values(
        self, person: Person, home: int, today: date
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per profile: the non-skill part of ``combine`` (same operations, same order),
        whether the person passes its eligibility conditions, and whether it is out of reach."""
        location = self._locations[int(person.willing_to_relocate), home].copy()
        far = (
            np.zeros(len(location), bool) if person.willing_to_relocate else self._far[home].copy()
        )
        for code in person.preferred_provinces:
            p = self._pidx.get(code)
            if p is not None and p != home:
                location[p] = PREFERRED_PROVINCE
                far[p] = False
        location = location[self._p_where]
        far = far[self._p_where] & (self._p_kind == _KINDS.index("job"))
        languages = np.array([language_value(s, person.languages) for s in self._langsets] or [1.0])
        languages = languages[self._p_langset]
        interests = np.array([interest_value(kind, person.interests) for kind in _KINDS])[
            self._p_kind
        ]

        ok = np.ones(len(self._p_kind), bool)
        unverified = np.zeros(len(self._p_kind), np.int8)
        within, min_age, max_age = self._p_within, self._p_min_age, self._p_max_age
        if person.return_date is None:
            unverified += within >= 0
        else:
            ok &= (within < 0) | (months_since(person.return_date, today) <= within)
        if person.date_of_birth is None:
            unverified += (min_age >= 0) | (max_age >= 0)
            ok &= self._p_min_worker_age < 0
        else:
            age = age_on(person.date_of_birth, today)
            ok &= ~(((min_age >= 0) & (age < min_age)) | ((max_age >= 0) & (age > max_age)))
            ok &= age >= self._p_min_worker_age
        ok &= (self._p_sex == 0) | (self._p_sex == self._sex_codes.get(person.sex, -1))
        priority = self._p_survivors & person.trafficking_survivor
        eligibility = _ELIGIBILITY[unverified, priority.astype(np.int8)]

        w = self._p_weights
        rest = w[:, 1] * location
        rest = rest + w[:, 2] * languages
        rest = rest + w[:, 3] * eligibility
        rest = rest + w[:, 4] * interests
        return rest, ok, far

    def _score_table(self, rest: np.ndarray, ok: np.ndarray, far: np.ndarray) -> np.ndarray:
        """Score by (profile, credit, number of skills required); -1 where the profile's hard
        filters exclude the person, at most UNREACHABLE_MAX where it is out of reach. Same
        float operations as ``combine``."""
        values = self._skill_values.reshape(1, -1)
        table = _round(self._p_weights[:, :1] * values + rest[:, None])
        table = np.where(far[:, None], np.minimum(table, UNREACHABLE_MAX), table)
        return np.where(ok[:, None], table, -1).astype(np.int16).ravel()


def _or(rules: Eligibility | None, name: str) -> int:
    value = getattr(rules, name) if rules is not None else None
    return -1 if value is None else value


class PersonIndex(_Base):
    """Returnees indexed for ranking against one listing at a time (a listing's candidates).
    Immutable: rebuild it when returnees change.

    Held as columns (numpy arrays, skills in compressed rows), never as an object per person:
    a million people cost about a hundred megabytes, and ``persons`` is read once, as a stream.
    The few people returned are rebuilt from the columns (``person``) for ``scoring.score``.
    """

    def __init__(self, persons: Iterable[Person], *, gazetteer: Gazetteer, vocabulary: Vocabulary):
        super().__init__(gazetteer, vocabulary)
        columns = _Columns(self)
        for person in persons:
            columns.add(person)
        order = columns.order()
        n = len(order)
        self._n = n
        self._ids = columns.ids[order]
        self._home = columns.int_column("home", np.int16)[order]
        self._willing = columns.int_column("willing", bool)[order]
        self._sex = columns.int_column("sex", np.int16)[order]
        self._survivor = columns.int_column("survivor", bool)[order]
        self._interests = columns.int_column("interests", np.int8)[order]
        self._has_dob = columns.int_column("has_dob", bool)[order]
        self._has_return = columns.int_column("has_return", bool)[order]
        self._dob = columns.date_columns("dob")[:, order]
        self._return = columns.date_columns("return")[:, order]
        new_row = np.empty(n, np.int64)
        new_row[order] = np.arange(n)
        # Few people name preferred provinces: each province keeps its rows, not a flag per person.
        self._preferred = {
            p: np.sort(new_row[np.frombuffer(rows, np.int32)]).astype(np.int32)
            for p, rows in columns.preferred.items()
        }
        self._languages = {
            language: _flags(n, new_row[np.frombuffer(rows, np.int32)])
            for language, rows in columns.languages.items()
        }
        owners = new_row[np.frombuffer(columns.skill_owners, np.int32)]
        codes = np.frombuffer(columns.skill_codes, np.int32)
        by_owner = np.argsort(owners, kind="stable")
        self._skill_names = columns.skill_names
        self._skill_codes = codes[by_owner].astype(np.int32)
        self._skill_start = np.searchsorted(owners[by_owner], np.arange(n + 1)).astype(np.int32)
        by_code = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[by_code], np.arange(len(columns.skill_names) + 1))
        self._postings = {
            name: np.sort(owners[by_code[bounds[i] : bounds[i + 1]]]).astype(np.int32)
            for i, name in enumerate(columns.skill_names)
        }
        self._sex_names = {code: name for name, code in self._sex_codes.items()}
        km = np.array(
            [[gazetteer.distance_km(a, b) for b in self._provinces] for a in self._provinces]
        )
        # _far_from[where][home]: a job in `where` is out of daily reach from `home`.
        self._far_from = np.array(
            [
                [beyond_commute(float(km[h, p]), False) for h in range(len(km))]
                for p in range(len(km))
            ]
        )
        self._distance_values = np.array(
            [
                [[distance_value(float(km[h, p]), bool(w)) for h in range(len(km))] for w in (0, 1)]
                for p in range(len(km))
            ]
        )

    def person(self, row: int) -> Person:
        """The person at a row, from the columns, as ``scoring.score`` reads it: interests other
        than jobs and incentives are kept as "other", which is all the score asks of them."""
        start, stop = self._skill_start[row], self._skill_start[row + 1]
        interests = int(self._interests[row])
        return Person(
            id=int(self._ids[row]),
            skills=frozenset(self._skill_names[c] for c in self._skill_codes[start:stop]),
            home_province=self._provinces[self._home[row]],
            willing_to_relocate=bool(self._willing[row]),
            preferred_provinces=frozenset(
                self._provinces[p] for p, rows in self._preferred.items() if _holds(rows, row)
            ),
            languages=frozenset(lang for lang, flags in self._languages.items() if flags[row]),
            sex=self._sex_names.get(int(self._sex[row])),  # type: ignore[arg-type]
            date_of_birth=_date_at(self._dob, row) if self._has_dob[row] else None,
            return_date=_date_at(self._return, row) if self._has_return[row] else None,
            trafficking_survivor=bool(self._survivor[row]),
            interests=frozenset(
                name
                for bit, name in ((1, "job"), (2, "incentive"), (4, "other"))
                if interests & bit
            ),
        )

    def _preferred_flags(self, province: int) -> np.ndarray:
        flags = np.zeros(self._n, bool)
        flags[self._preferred.get(province, flags[:0].astype(np.int32))] = True
        return flags

    def rows_of(self, person_ids: Collection[int]) -> np.ndarray:
        """Rows of the given ids that are in the index (ids are sorted, so a binary search)."""
        wanted = np.fromiter(person_ids, np.int64, len(person_ids))
        at = np.searchsorted(self._ids, wanted)
        at = np.minimum(at, max(self._n - 1, 0))
        return at[self._ids[at] == wanted] if self._n else at[:0]

    def __len__(self) -> int:
        return self._n

    def top_for(
        self,
        listing: Listing,
        *,
        k: int = 10,
        exclude: Collection[int] = (),
        today: date,
        provinces: Collection[str] | None = None,
        survivors: bool = True,
    ) -> list[Match]:
        """The k best returnees for a listing, by score descending then person id ascending.
        ``provinces`` restricts to returnees whose home province is in an officer's scope;
        ``survivors=False`` leaves survivors of trafficking out (a flagged listing)."""
        n = self._n
        if n == 0 or k <= 0:
            return []
        allowed = np.ones(n, bool)
        if provinces is not None:
            in_scope = np.zeros(len(self._provinces), bool)
            in_scope[[self._pidx[p] for p in provinces if p in self._pidx]] = True
            allowed = in_scope[self._home]
        if not survivors:
            allowed &= ~self._survivor
        if exclude:
            allowed[self.rows_of(exclude)] = False
        have = np.zeros(n, np.int16)
        rel = np.zeros(n, np.int16)
        for code in listing.skills:
            rows = self._postings.get(code)
            if rows is not None:
                have[rows] += 1
        for code in listing.skills:
            flag = np.zeros(n, bool)
            for other in self._vocabulary.related(code):
                rows = self._postings.get(other)
                if rows is not None:
                    flag[rows] = True
            if code in self._postings:
                flag[self._postings[code]] = False
            rel += flag
        if listing.skills:
            rows = np.flatnonzero(allowed & ((have + rel) > 0))
        else:
            rows = np.flatnonzero(allowed)
        scores = self._score_rows(rows, listing, have, rel, today)
        if listing.skills:
            bound = combine(listing.kind, (0.0, 1.0, 1.0, eligibility_value(0, True), 1.0))
            if np.count_nonzero(scores > bound) < k and np.count_nonzero(allowed) > len(rows):
                rows = np.flatnonzero(allowed)
                scores = self._score_rows(rows, listing, have, rel, today)
        best = _top(rows, scores, self._ids, k)
        matches = []
        for row in best:
            match = score(
                self.person(int(row)),
                listing,
                gazetteer=self._gazetteer,
                vocabulary=self._vocabulary,
                today=today,
            )
            if match is not None:
                matches.append(match)
        return matches

    def _score_rows(
        self, rows: np.ndarray, listing: Listing, have: np.ndarray, rel: np.ndarray, today: date
    ) -> np.ndarray:
        m = len(rows)
        ok = np.ones(m, bool)
        if listing.min_worker_age is not None:
            y, mo, d = self._dob[:, rows]
            age = _ages(today.year, today.month, today.day, y, mo, d)
            ok &= self._has_dob[rows] & (age >= listing.min_worker_age)
        home = self._home[rows]
        need = len(listing.skills)
        if need:
            skills = (have[rows] + RELATED_CREDIT * rel[rows]) / need
        else:
            skills = np.full(m, NO_SKILLS_REQUIRED)

        far = np.zeros(m, bool)
        if not listing.provinces:
            location = np.ones(m)
        elif listing.kind == "incentive":
            inside = np.zeros(len(self._provinces), bool)
            inside[[self._province(p) for p in listing.provinces]] = True
            ok &= inside[home]
            location = np.ones(m)
        else:
            where = self._province(next(iter(listing.provinces)))
            location = self._distance_values[where][self._willing[rows].astype(np.int8), home]
            preferred = self._preferred_flags(where)[rows]
            location = np.where(preferred, PREFERRED_PROVINCE, location)
            location = np.where(home == where, 1.0, location)
            far = self._far_from[where][home] & ~self._willing[rows]
            far &= ~preferred & (home != where)

        if listing.languages:
            spoken = np.zeros(m, np.int64)
            for language in listing.languages:
                if language in self._languages:
                    spoken += self._languages[language][rows]
            languages = spoken / len(listing.languages)
        else:
            languages = np.ones(m)

        rules = listing.eligibility
        if rules is None and listing.kind == "job":
            eligibility = np.full(m, eligibility_value(0, False))
        else:
            rules = rules or Eligibility()
            unverified = np.zeros(m, np.int8)
            if rules.returned_within_months is not None:
                known = self._has_return[rows]
                y, mo, d = self._return[:, rows]
                months = _months(today.year, today.month, today.day, y, mo, d)
                ok &= ~known | (months <= rules.returned_within_months)
                unverified += ~known
            if rules.min_age is not None or rules.max_age is not None:
                known = self._has_dob[rows]
                y, mo, d = self._dob[:, rows]
                age = _ages(today.year, today.month, today.day, y, mo, d)
                bad = np.zeros(m, bool)
                if rules.min_age is not None:
                    bad |= age < rules.min_age
                if rules.max_age is not None:
                    bad |= age > rules.max_age
                ok &= ~(known & bad)
                unverified += ~known
            if rules.sex:
                ok &= self._sex[rows] == self._sex_codes.get(rules.sex, -2)
            priority = self._survivor[rows] & rules.survivors_priority
            eligibility = _ELIGIBILITY[unverified, priority.astype(np.int8)]

        interest_table = np.array(
            [
                interest_value(
                    listing.kind,
                    frozenset(
                        name
                        for bit, name in ((1, "job"), (2, "incentive"), (4, "other"))
                        if bits & bit
                    ),
                )
                for bits in range(8)
            ]
        )
        interests = interest_table[self._interests[rows]]
        scores = _total(
            _weights(listing.kind), [skills, location, languages, eligibility, interests]
        )
        scores = np.where(far, np.minimum(scores, UNREACHABLE_MAX), scores)
        return np.where(ok, scores, -1)


def _flags(n: int, rows: np.ndarray) -> np.ndarray:
    flags = np.zeros(n, bool)
    flags[rows] = True
    return flags


def _holds(rows: np.ndarray, row: int) -> bool:
    at = int(np.searchsorted(rows, row))
    return at < len(rows) and int(rows[at]) == row


def _date_at(columns: np.ndarray, row: int) -> date:
    return date(int(columns[0, row]), int(columns[1, row]), int(columns[2, row]))


class _Columns:
    """What PersonIndex reads from a stream of persons, in compact arrays as they arrive."""

    def __init__(self, index: PersonIndex) -> None:
        self._index = index
        self._ids = array("q")
        self._ints: dict[str, array[int]] = {
            name: array("h") for name in ("home", "willing", "sex", "survivor", "interests")
        }
        self._ints.update({name: array("b") for name in ("has_dob", "has_return")})
        self._dates = {name: array("i") for name in ("dob", "return")}
        self.preferred: dict[int, array[int]] = {}
        self.languages: dict[str, array[int]] = {}
        self.skill_owners = array("i")
        self.skill_codes = array("i")
        self.skill_names: list[str] = []
        self._skill_number: dict[str, int] = {}

    def add(self, person: Person) -> None:
        row = len(self._ids)
        index = self._index
        self._ids.append(person.id)
        ints = self._ints
        ints["home"].append(index._province(person.home_province))
        ints["willing"].append(bool(person.willing_to_relocate))
        ints["sex"].append(index._sex(person.sex))
        ints["survivor"].append(bool(person.trafficking_survivor))
        ints["interests"].append(
            ("job" in person.interests)
            | ("incentive" in person.interests) << 1
            | bool(person.interests - {"job", "incentive"}) << 2
        )
        for name, value in (("dob", person.date_of_birth), ("return", person.return_date)):
            ints[f"has_{name}"].append(value is not None)
            packed = value.year * 10_000 + value.month * 100 + value.day if value else 0
            self._dates[name].append(packed)
        for code in person.preferred_provinces:
            if code in index._pidx:
                self.preferred.setdefault(index._pidx[code], array("i")).append(row)
        for language in person.languages:
            self.languages.setdefault(language, array("i")).append(row)
        for code in person.skills:
            number = self._skill_number.get(code)
            if number is None:
                number = self._skill_number[code] = len(self.skill_names)
                self.skill_names.append(code)
            self.skill_owners.append(row)
            self.skill_codes.append(number)

    @property
    def ids(self) -> np.ndarray:
        return np.frombuffer(self._ids, np.int64)

    def order(self) -> np.ndarray:
        """Rows by person id; ids must be unique and fit the ranking key."""
        ids = self.ids
        order = np.argsort(ids, kind="stable")
        ordered = ids[order]
        if len(ordered) and (np.any(ordered[1:] == ordered[:-1])):
            raise ValueError("person ids must be unique")
        if len(ordered) and (ordered[0] < 0 or ordered[-1] >= _ID_SHIFT):
            raise ValueError("person ids must be in 0..2**40")
        return order

    def int_column(self, name: str, dtype: type) -> np.ndarray:
        return np.frombuffer(self._ints[name], self._ints[name].typecode).astype(dtype)

    def date_columns(self, name: str) -> np.ndarray:
        packed = np.frombuffer(self._dates[name], np.int32)
        # int16 is wide enough for years, months and days and for the age and month sums.
        return np.stack([packed // 10_000, packed // 100 % 100, packed % 100]).astype(np.int16)
