"""Property tests of the feed parsers: only FeedError escapes, no row is lost silently.

Hypothesis builds arbitrary bytes, text, CSV files from hostile cells (quotes, delimiters,
newlines, NUL, Khmer, spreadsheet formula characters) and JSON documents; the explicit
``@example``s are inputs that once crashed a parser.
"""

from __future__ import annotations

import io
import json
import unicodedata
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jobs_import import FeedError, ListingRecord, RowIssue, parse_csv, parse_feed, parse_json

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CSV_HEADER = [
    "id",
    "title",
    "company",
    "location",
    "salary",
    "wage_min_usd",
    "employment_type",
    "closing_date",
    "description",
    "positions",
    "skills",
    "languages",
    "url",
]
INCENTIVE_HEADER = [
    "title",
    "programme",
    "provinces",
    "benefit",
    "min_age",
    "max_age",
    "sex",
    "survivors_priority",
    "returned_within_months",
]
JSON_KEYS = sorted(
    {*CSV_HEADER, *INCENTIVE_HEADER, "province", "employer", "valid_through", "eligibility"}
    | {"wage_max_usd", "external_id", "sector", "district"}
)
PROVINCE_NAMES = ["Siem Reap", "Kampot", "Phnom Penh", "បាត់ដំបង", "Poipet", "12", "Kep"]

# Characters that break naive CSV handling, plus Khmer (with vowel signs and subscripts),
# spreadsheet formula prefixes, digits of both scripts and a few awkward code points.
HOSTILE = (
    '",;\t\n\r\x00 =+-@|/$.'
    "កខគឃងចជញដណតទនបពមយរលវសហអាិីឹឺុូួើឿៀេែៃោៅំះ្។៛០១២៣៤៥៦៧៨៩"
    "0123456789eéE\u200b\ufeff\u0301\u2028"
)
cell_text = st.one_of(
    st.text(alphabet=HOSTILE, max_size=30),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            '"',
            '""',
            "=1+1",
            "+cmd",
            "-5",
            "@SUM(A1)",
            "Siem Reap",
            "$250-$300",
            "$" + "9" * 40,
            "9" * 40,
            "1e999",
            "NaN",
            "2026-12-31",
            "31/12/2026",
            "99999",
            "Full time",
            "yes",
            "ស្រី",
            "ជាងឥដ្ឋ",
        ]
    ),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(),  # NaN and Infinity too: json.dumps writes them and json.loads reads them
    st.text(max_size=20),
    cell_text,
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(JSON_KEYS) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)
json_objects = st.dictionaries(st.sampled_from(JSON_KEYS), json_values, max_size=8)


def _parse(content: bytes, gazetteer, *, filename: str, kind: str) -> list[Any]:
    return list(
        parse_feed(content, filename=filename, kind=kind, resolve_province=gazetteer.resolve)
    )


def _only_feed_errors(run) -> list[Any] | None:
    """The parsed items, or None when the whole file was refused with a FeedError."""
    try:
        items = run()
    except FeedError:
        return None
    for item in items:
        assert isinstance(item, ListingRecord | RowIssue), item
    return items


def _csv_cell(text: str) -> str:
    # csv.writer only quotes the characters of its own line terminator: a lone "\r" in a
    # cell written with "\n" endings would really end the row, so quote both by hand.
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in '",\r\n') else text


def _csv_bytes(header: list[str], rows: list[list[str]], terminator: str) -> bytes:
    lines = [",".join(_csv_cell(cell) for cell in row) for row in [header, *rows]]
    return "".join(line + terminator for line in lines).encode("utf-8")


def _rows_seen(items: list[ListingRecord | RowIssue]) -> Counter[int]:
    for item in items:
        if isinstance(item, ListingRecord):
            assert all(w.row == item.row for w in item.warnings), item
    return Counter(item.row for item in items)


# --- never anything but FeedError -------------------------------------------------------


@SETTINGS
@given(
    data=st.binary(max_size=2000),
    filename=st.sampled_from(["feed.csv", "feed.json", "page.html", "feed", ""]),
    kind=st.sampled_from(["job", "incentive"]),
)
@example(data=b'[{"title": "x", "positions": 1' + b"1" * 5000 + b"}]", filename="f", kind="job")
@example(data=b'[{"title": "x", "location": "Kep", "wage_min_usd": 1e999999999}]', filename="f",
         kind="job")  # fmt: skip
@example(data=b"title,location,salary\nx,Kep,$" + b"1" * 40 + b"\n", filename="f", kind="job")
def test_parse_feed_on_arbitrary_bytes(gazetteer, data: bytes, filename: str, kind: str) -> None:
    _only_feed_errors(lambda: _parse(data, gazetteer, filename=filename, kind=kind))


@SETTINGS
@given(
    text=st.text(max_size=500) | st.text(alphabet=HOSTILE + "[]{}<>:abc", max_size=500),
    filename=st.sampled_from(["feed.csv", "feed.json", "page.html"]),
    kind=st.sampled_from(["job", "incentive"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
@example(text='"', filename="feed.csv", kind="job", encoding="utf-8")  # header never closed
def test_parse_feed_on_arbitrary_text(gazetteer, text, filename, kind, encoding) -> None:
    data = text.encode(encoding, errors="surrogatepass")
    _only_feed_errors(lambda: _parse(data, gazetteer, filename=filename, kind=kind))


@SETTINGS
@given(data=st.binary(max_size=1000), kind=st.sampled_from(["job", "incentive"]))
def test_parse_csv_and_parse_json_on_arbitrary_bytes(gazetteer, data: bytes, kind: str) -> None:
    resolve = gazetteer.resolve
    stream = io.BytesIO(data)
    _only_feed_errors(lambda: list(parse_csv(stream, kind=kind, resolve_province=resolve)))
    _only_feed_errors(lambda: list(parse_json(data, kind=kind, resolve_province=resolve)))


@SETTINGS
@given(
    document=json_values,
    kind=st.sampled_from(["job", "incentive"]),
    ascii_only=st.booleans(),
)
@example(document=[{"title": "x", "location": "Kep", "wage_min_usd": float("nan")}], kind="job",
         ascii_only=True)  # fmt: skip
@example(document=[{"title": "x", "location": "Kep", "wage_max_usd": float("inf")}], kind="job",
         ascii_only=True)  # fmt: skip
@example(
    document={
        "@type": "JobPosting",
        "title": "x",
        "jobLocation": "Kep",
        "baseSalary": {"value": {"minValue": float("nan"), "unitText": "MONTH"}},
    },
    kind="job",
    ascii_only=True,
)
@example(
    document={"@type": "JobPosting", "title": "x", "jobLocation": "Kep", "baseSalary": 1e300},
    kind="job",
    ascii_only=True,
)
def test_parse_json_on_random_json_values(gazetteer, document, kind, ascii_only) -> None:
    data = json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", errors="surrogatepass")
    _only_feed_errors(lambda: list(parse_json(data, kind=kind, resolve_province=gazetteer.resolve)))


# --- no row is lost silently ------------------------------------------------------------


@SETTINGS
@given(
    rows=st.lists(st.lists(cell_text, max_size=len(CSV_HEADER) + 2), min_size=1, max_size=12),
    kind=st.sampled_from(["job", "incentive"]),
    terminator=st.sampled_from(["\n", "\r\n"]),
)
@example(rows=[["1", "Cook", "Co", "Kep", "$" + "9" * 40]], kind="job", terminator="\n")
@example(rows=[["1", "Cook", "Co", "Kep", "", "9" * 40]], kind="job", terminator="\n")
def test_csv_every_row_is_a_record_or_an_issue(gazetteer, rows, kind, terminator) -> None:
    header = CSV_HEADER if kind == "job" else INCENTIVE_HEADER
    data = _csv_bytes(header, rows, terminator)
    items = _only_feed_errors(lambda: _parse(data, gazetteer, filename="feed.csv", kind=kind))
    if items is None:
        return
    # Blank rows are skipped by design (they still count in the numbering).
    expected = Counter(n for n, cells in enumerate(rows, start=2) if any(c.strip() for c in cells))
    assert _rows_seen(items) == expected


@SETTINGS
@given(
    items=st.lists(json_objects | json_scalars, max_size=12),
    kind=st.sampled_from(["job", "incentive"]),
)
@example(items=[{"title": "x", "province": "Kep", "wage_min_usd": 1e300}], kind="job")
@example(items=[{"title": "x", "province": "Kep", "positions": 10**40}], kind="job")
def test_json_every_item_is_a_record_or_an_issue(gazetteer, items, kind) -> None:
    data = json.dumps(items).encode("utf-8", errors="surrogatepass")
    parsed = _only_feed_errors(
        lambda: list(parse_json(data, kind=kind, resolve_province=gazetteer.resolve))
    )
    if parsed is None:
        return
    assert _rows_seen(parsed) == Counter(range(1, len(items) + 1))


# --- valid rows round-trip --------------------------------------------------------------

valid_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x00"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip())
valid_rows = st.fixed_dictionaries(
    {
        "title": valid_text,
        "employer": valid_text,
        "location": st.sampled_from(PROVINCE_NAMES),
        "closing_date": st.dates().map(lambda d: d.isoformat()),
        "positions": st.integers(min_value=1, max_value=10_000).map(str),
    }
)


def _expected(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


@SETTINGS
@given(
    rows=st.lists(valid_rows, min_size=1, max_size=5),
    terminator=st.sampled_from(["\n", "\r\n"]),
)
@example(rows=[{"title": " Caf\u0065\u0301 ", "employer": "x", "location": "Kep",
                "closing_date": "2026-12-31", "positions": "1"}], terminator="\n")  # fmt: skip
def test_valid_csv_rows_round_trip(gazetteer, rows, terminator) -> None:
    header = list(rows[0])
    data = _csv_bytes(header, [[row[k] for k in header] for row in rows], terminator)
    items = _parse(data, gazetteer, filename="feed.csv", kind="job")
    assert [type(i) for i in items] == [ListingRecord] * len(rows), items
    for number, (row, record) in enumerate(zip(rows, items, strict=True), start=2):
        assert record.row == number
        assert record.title == _expected(row["title"])
        assert record.employer == _expected(row["employer"])
        assert record.positions == int(row["positions"])
        assert record.valid_through.isoformat() == row["closing_date"]


@SETTINGS
@given(rows=st.lists(valid_rows, min_size=1, max_size=5), ascii_only=st.booleans())
def test_valid_json_items_round_trip(gazetteer, rows, ascii_only) -> None:
    items = [
        {
            "title": r["title"],
            "employer": r["employer"],
            "province": r["location"],
            "valid_through": r["closing_date"],
            "positions": int(r["positions"]),
        }
        for r in rows
    ]
    data = json.dumps(items, ensure_ascii=ascii_only).encode("utf-8")
    parsed = list(parse_json(data, kind="job", resolve_province=gazetteer.resolve))
    assert [type(i) for i in parsed] == [ListingRecord] * len(rows), parsed
    for number, (row, record) in enumerate(zip(rows, parsed, strict=True), start=1):
        assert record.row == number
        assert record.title == _expected(row["title"])
        assert record.employer == _expected(row["employer"])
