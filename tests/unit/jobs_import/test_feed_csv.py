"""CSV feeds: sample files, header synonyms, encodings, delimiters and every bad input."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from feed_helpers import DATA, issues, records

from jobs_import import FeedError, ListingRecord, RowIssue, parse_csv

HEADER = "id,title,company,industry,location,salary,employment_type,closing_date,description,url"


def row(**cells: str) -> str:
    """One job-board CSV line; unspecified cells get valid defaults."""
    values = {
        "id": "J-1",
        "title": "Construction Worker",
        "company": "Angkor Build",
        "industry": "Construction",
        "location": "Siem Reap",
        "salary": "$250-$300",
        "employment_type": "Full time",
        "closing_date": "2026-12-31",
        "description": "Site work",
        "url": "https://jobs.example.kh/1",
        **cells,
    }
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values[k] for k in HEADER.split(",")])
    return out.getvalue()


def feed(*lines: str) -> bytes:
    return (HEADER + "\n" + "".join(lines)).encode("utf-8")


def only(items: list[ListingRecord | RowIssue]) -> ListingRecord | RowIssue:
    assert len(items) == 1, items
    return items[0]


# --- sample files -----------------------------------------------------------------------


def test_job_board_sample_is_clean(parse) -> None:
    items = parse("jobs_board.csv")
    assert issues(items) == []
    jobs = records(items)
    assert len(jobs) == 31
    assert [j.row for j in jobs] == list(range(2, 33))
    first = jobs[0]
    assert first.external_id == "CJB-10231"
    assert first.employer == "Golden Thread Garment Co., Ltd."
    assert first.provinces == ("20",)
    assert (first.wage_min_usd, first.wage_max_usd) == (Decimal("250.00"), Decimal("300.00"))
    assert first.employment_type == "full_time"
    assert first.valid_through == date(2026, 12, 31)
    assert first.sector == "Garment"
    assert first.url == "https://jobs.example.kh/cjb-10231"
    provinces = {j.provinces[0] for j in jobs}
    assert {"01", "02", "09", "20", "22", "24"} <= provinces  # border provinces present
    assert any("សំណង់" in j.title for j in jobs)


def test_job_board_only_warns_on_negotiable_salary(parse) -> None:
    warned = [j for j in records(parse("jobs_board.csv")) if j.warnings]
    assert [(j.external_id, [w.field for w in j.warnings]) for j in warned] == [
        ("CJB-10246", ["salary"])
    ]


def test_cp1252_file_is_decoded(parse) -> None:
    jobs = records(parse("jobs_board_cp1252.csv"))
    assert [j.employer for j in jobs] == [
        "Café Mékong Hôtel",
        "Société Franco-Khmère de Restauration",
        "Boulangerie Siem Réap",
    ]
    assert jobs[0].provinces == ("10",)  # "Kratié"
    assert jobs[1].provinces == ("21",)  # "Takéo"
    assert "’" in (jobs[1].description or "")
    assert jobs[2].valid_through == date(2027, 1, 15)


def test_utf8_with_and_without_bom_give_the_same_records(parse) -> None:
    plain = (DATA / "jobs_board.csv").read_bytes()
    with_bom = b"\xef\xbb\xbf" + plain
    assert parse(plain) == parse(with_bom)


def test_utf16_with_bom_is_read(parse) -> None:
    text = HEADER + "\n" + row(title="Tailor")
    assert only(parse(text.encode("utf-16"))).title == "Tailor"


def test_incentive_sample(parse) -> None:
    items = parse("incentives.csv", kind="incentive")
    assert issues(items) == []
    programmes = records(items)
    assert len(programmes) == 8
    chicken = programmes[0]
    assert chicken.kind == "incentive"
    assert chicken.programme.startswith("Ministry of Rural Development")
    assert chicken.provinces == ("01", "02", "22", "24")
    assert chicken.skills == ("chicken raising", "poultry vaccination")
    assert chicken.eligibility is not None
    assert chicken.eligibility.returned_within_months == 12
    assert (chicken.eligibility.min_age, chicken.eligibility.max_age) == (18, 55)
    assert chicken.eligibility.survivors_priority is True
    assert chicken.employer is None and chicken.wage_min_usd is None
    shop = next(p for p in programmes if p.external_id == "MOSVY-SS-01")
    assert shop.provinces == ()  # "all" = nationwide
    mushrooms = next(p for p in programmes if "Mushroom" in p.title)
    assert mushrooms.eligibility.sex == "female"


def test_bad_rows_file_matches_its_expected_column(parse) -> None:
    items = parse("bad_rows.csv")
    by_row = {item.row: item for item in items}
    with open(DATA / "bad_rows.csv", encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    expected_column = lines[0].index("expected")
    for number, cells in enumerate(lines[1:], start=2):
        expected = cells[-1] if len(cells) > len(lines[0]) else cells[expected_column]
        outcome, _, field = expected.partition(":")
        item = by_row[number]
        if outcome == "reject":
            assert isinstance(item, RowIssue), (number, item)
            assert item.field == (field or None), (number, item)
        else:
            assert isinstance(item, ListingRecord), (number, item)
            assert [w.field for w in item.warnings] == ([field] if outcome == "warn" else [])


# --- header synonyms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field", "cell", "expected"),
    [
        ("Job Title", "title", "Welder", "Welder"),
        ("job_title", "title", "Welder", "Welder"),
        ("POSITION", "title", "Welder", "Welder"),
        ("Employer", "employer", "ABC", "ABC"),
        ("Hiring Organization", "employer", "ABC", "ABC"),
        ("company name", "employer", "ABC", "ABC"),
        ("Province", "provinces", "Kampot", ("07",)),
        ("Region", "provinces", "Kampot", ("07",)),
        ("City", "provinces", "Poipet", ("01",)),
        ("Wage", "wage_min_usd", "$200", Decimal("200.00")),
        ("Pay", "wage_min_usd", "$200", Decimal("200.00")),
        ("Deadline", "valid_through", "31/12/2026", date(2026, 12, 31)),
        ("Valid_Through", "valid_through", "31/12/2026", date(2026, 12, 31)),
        ("Expiry", "valid_through", "31/12/2026", date(2026, 12, 31)),
        ("Job ID", "external_id", "X9", "X9"),
        ("Reference", "external_id", "X9", "X9"),
        ("Type", "employment_type", "part-time", "part_time"),
        ("Job Type", "employment_type", "part-time", "part_time"),
        ("Sector", "sector", "Garment", "Garment"),
        ("Category", "sector", "Garment", "Garment"),
        ("Skills Required", "skills", "sewing; ironing", ("sewing", "ironing")),
        ("Requirements", "skills", "sewing", ("sewing",)),
        ("Link", "url", "https://x.kh/a", "https://x.kh/a"),
        ("Vacancies", "positions", "12", 12),
        ("Openings", "positions", "12", 12),
        ("Languages", "languages", "English, Thai", ("en", "th")),
        ("District", "district", "Puok", "Puok"),
        ("Description", "description", "Text", "Text"),
    ],
)
def test_header_synonyms(parse, header: str, field: str, cell: str, expected: object) -> None:
    columns = ["title", "location", header]
    values = ["Welder", "Kampot", cell]
    if field in ("title",):
        columns, values = ["location", header], ["Kampot", cell]
    if field == "provinces":
        columns, values = ["title", header], ["Welder", cell]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([columns, values])
    record = only(parse(out.getvalue().encode()))
    assert isinstance(record, ListingRecord), record
    assert getattr(record, field) == expected


def test_city_and_province_columns_both_count(parse) -> None:
    data = b"title,city,province\nWelder,Poipet,Banteay Meanchey\nCook,Unknownville,Kampot\n"
    first, second = parse(data)
    assert first.provinces == ("01",) and first.warnings == ()
    assert second.provinces == ("07",)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Programme", "programme"),
        ("Program", "programme"),
        ("Eligible Provinces", "provinces"),
        ("Activities", "skills"),
        ("Benefits", "benefit"),
        ("Months since return", "eligibility.returned_within_months"),
        ("Minimum Age", "eligibility.min_age"),
        ("Maximum age", "eligibility.max_age"),
        ("Gender", "eligibility.sex"),
        ("Survivor priority", "eligibility.survivors_priority"),
    ],
)
def test_incentive_synonyms(parse, header: str, field: str) -> None:
    samples = {
        "programme": ("MRD pilot", "MRD pilot"),
        "provinces": ("Pailin; Kep", ("23", "24")),
        "skills": ("fish farming; pig raising", ("fish farming", "pig raising")),
        "benefit": ("$300 grant", "$300 grant"),
        "eligibility.returned_within_months": ("12", 12),
        "eligibility.min_age": ("18", 18),
        "eligibility.max_age": ("45", 45),
        "eligibility.sex": ("Women", "female"),
        "eligibility.survivors_priority": ("Yes", True),
    }
    cell, expected = samples[field]
    record = only(parse(f"title,{header}\nChicken raising,{cell}\n".encode(), kind="incentive"))
    assert isinstance(record, ListingRecord), record
    value: object = record
    for part in field.split("."):
        value = getattr(value, part)
    assert value == expected


@pytest.mark.parametrize(
    ("column", "cell", "field"),
    [
        ("min_age", "-3", "min_age"),
        ("returned_within_months", "-6", "returned_within_months"),
        ("returned_within_months", "soon", "returned_within_months"),
        ("sex", "unknown", "sex"),
        ("survivors_priority", "maybe", "survivors_priority"),
        ("provinces", "Pailin; Narnia", "provinces"),
        ("closing date", "31/31/2026", "valid_through"),
    ],
)
def test_invalid_eligibility_rejects_the_row(parse, column: str, cell: str, field: str) -> None:
    issue = only(parse(f"title,{column}\nPig raising,{cell}\n".encode(), kind="incentive"))
    assert isinstance(issue, RowIssue) and issue.field == field and issue.row == 2


def test_min_age_above_max_age_is_rejected(parse) -> None:
    issue = only(parse(b"title,min_age,max_age\nPig raising,50,30\n", kind="incentive"))
    assert isinstance(issue, RowIssue) and issue.field == "min_age"


def test_empty_incentive_provinces_means_nationwide_with_a_warning(parse) -> None:
    record = only(parse(b"title,provinces,benefit\nShop grant,,$500\n", kind="incentive"))
    assert record.provinces == ()
    assert [w.field for w in record.warnings] == ["provinces"]


# --- delimiters, headers, file-level errors ----------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_sniffed(parse, delimiter: str) -> None:
    text = f"title{delimiter}location{delimiter}salary\nCook{delimiter}Kep{delimiter}$200\n"
    record = only(parse(text.encode()))
    assert (record.title, record.provinces, record.wage_min_usd) == (
        "Cook",
        ("23",),
        Decimal("200.00"),
    )


def test_pipe_separated_file_is_a_feed_error_naming_the_columns(parse) -> None:
    with pytest.raises(FeedError, match=r"no known column.*id\|title\|company"):
        parse(b"id|title|company|location\n1|Cook|Hotel|Kep\n")


def test_missing_required_column_is_named(parse) -> None:
    with pytest.raises(FeedError, match="missing required column.*location"):
        parse(b"title,company,salary\nCook,Hotel,$200\n")
    with pytest.raises(FeedError, match="missing required column.*title"):
        parse(b"provinces,benefit\nKep,$100\n", kind="incentive")


def test_empty_file_is_a_feed_error(parse) -> None:
    for content in (b"", b"   \r\n\n", b"\xef\xbb\xbf"):
        with pytest.raises(FeedError, match="the file is empty"):
            parse(content)


def test_header_only_yields_no_rows(parse) -> None:
    assert parse((HEADER + "\n").encode()) == []
    assert parse(HEADER.encode()) == []


def test_blank_lines_are_skipped_but_counted(parse) -> None:
    items = parse(feed("\n", row(title="A"), "\n\n", row(title="B")))
    assert [(r.row, r.title) for r in items] == [(3, "A"), (6, "B")]


def test_multiline_quoted_field_is_one_row(parse) -> None:
    items = parse(feed(row(description="line one\nline two"), row(title="Next")))
    assert [r.row for r in items] == [2, 3]
    assert items[0].description == "line one\nline two"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG image"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, "ZIP archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "Excel"),
        (bytes(range(32)) * 20, "binary data"),
        (b"title,location\n" + b"\x00\x01\x02\x03" * 100, "binary data"),
    ],
)
def test_binary_data_named_csv_is_a_feed_error(parse, content: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse(content, filename="jobs.csv")


def test_unbalanced_quotes_are_a_feed_error_with_the_row(parse) -> None:
    data = feed(row(title="Fine"), 'J-2,"Cook,Hotel,Hospitality,Kep,$200,Full time,2026-12-31,x,\n')
    with pytest.raises(FeedError, match=r"row 3: .*never closed"):
        parse(data)


def test_text_after_a_closing_quote_is_a_feed_error_with_the_row(parse) -> None:
    data = feed(row(), 'J-2,"Cook" extra,Hotel,Hospitality,Kep,$200,Full time,2026-12-31,x,\n')
    with pytest.raises(FeedError, match=r"row 3: .*quotes"):
        parse(data)


def test_quote_never_closed_in_a_huge_file_stops_at_the_field_limit(gazetteer) -> None:
    data = feed('J-1,"Cook,Hotel\n') + b"x" * 200_000
    with pytest.raises(FeedError, match="row 2: .*never closed"):
        list(
            parse_csv(
                io.BytesIO(data),
                kind="job",
                resolve_province=gazetteer.resolve,
                max_field_chars=150_000,
            )
        )


def test_decoding_breaking_later_is_a_feed_error(parse) -> None:
    good = feed(*[row(id=f"J-{i}") for i in range(2000)])
    bad = good + b"J-x,Caf" + b"\xe9" + b",Hotel,Hosp,Kep,$1,,2026-12-31,,\n"
    with pytest.raises(FeedError, match=r"row \d+: the text stops being valid UTF-8"):
        parse(bad)


def test_undecodable_cp1252_is_a_feed_error(parse) -> None:
    with pytest.raises(FeedError, match="neither UTF-8 nor Windows-1252"):
        parse(b"title,location\nCaf\xe9 \x81,Kep\n")


def test_unknown_kind_is_a_programming_error(gazetteer) -> None:
    with pytest.raises(ValueError, match="kind"):
        parse_csv(io.BytesIO(b"title\nx\n"), kind="jobs", resolve_province=gazetteer.resolve)


# --- row-level bad inputs ---------------------------------------------------------------


def test_130000_character_field_rejects_only_that_row(parse) -> None:
    items = parse(feed(row(description="x" * 130_000), row(title="After")))
    issue, record = items
    assert isinstance(issue, RowIssue) and issue.row == 2 and issue.field == "description"
    assert "130,000 characters" in issue.message
    assert record.title == "After"


def test_field_longer_than_csv_default_limit_is_a_row_error(parse) -> None:
    issue = only(parse(feed(row(title="t" * 300_000))))
    assert isinstance(issue, RowIssue) and issue.field == "title"


@pytest.mark.parametrize(
    ("column", "field", "limit"),
    [("title", "title", 200), ("company", "employer", 200), ("url", "url", 2000)],
)
def test_per_field_length_limits(parse, column: str, field: str, limit: int) -> None:
    value = "https://x.kh/" + "a" * limit if column == "url" else "a" * (limit + 1)
    issue = only(parse(feed(row(**{column: value}))))
    assert isinstance(issue, RowIssue) and issue.field == field
    ok = only(parse(feed(row(**{column: "a" * limit if column != "url" else "https://x.kh"}))))
    assert isinstance(ok, ListingRecord)


def test_overlong_single_skill_is_rejected(parse) -> None:
    data = f"title,location,skills\nCook,Kep,{'s' * 201}; baking\n".encode()
    issue = only(parse(data))
    assert isinstance(issue, RowIssue) and issue.field == "skills"


def test_nul_byte_rejects_the_row_naming_the_field(parse) -> None:
    items = parse(feed(row(company="Bad\x00Co"), row(title="Fine")))
    assert isinstance(items[0], RowIssue) and items[0].field == "employer"
    assert "NUL" in items[0].message and 'column "company"' in items[0].message
    assert items[1].title == "Fine"


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://evil.example","click")', "+1 555 0100", "-5", "@SUM(A1:A2)", "=1+2"],
)
def test_formula_looking_cells_are_kept_verbatim(parse, cell: str) -> None:
    record = only(parse(feed(row(title=cell, company=cell, description=cell))))
    assert (record.title, record.employer, record.description) == (cell, cell, cell)


def test_mixed_date_formats_in_one_file(parse) -> None:
    cells = [
        "2026-12-31",
        "31/12/2026",
        "31-12-2026",
        "2026/12/31",
        "31-Dec-2026",
        "31 December 2026",
        "December 31, 2026",
        "12/31/2026",
        "2026-12-31T23:00:00+07:00",
    ]
    items = parse(feed(*[row(closing_date=c) for c in cells]))
    assert {r.valid_through for r in items} == {date(2026, 12, 31)}


@pytest.mark.parametrize(
    ("salary", "message"),
    [("-250", "negative"), ("$-300", "negative"), ("$25000", "plausible"), ("$500-$200", "above")],
)
def test_negative_absurd_and_inverted_wages_are_rejected(parse, salary: str, message: str) -> None:
    issue = only(parse(feed(row(salary=salary))))
    assert isinstance(issue, RowIssue) and issue.field == "salary" and message in issue.message


def test_numeric_wage_columns_are_checked(parse) -> None:
    issue = only(parse(b"title,location,wage_min_usd,wage_max_usd\nCook,Kep,-1,300\n"))
    assert isinstance(issue, RowIssue) and issue.field == "wage_min_usd"
    issue = only(parse(b"title,location,wage_min_usd,wage_max_usd\nCook,Kep,300,200\n"))
    assert isinstance(issue, RowIssue) and issue.field == "wage_min_usd"
    record = only(parse(b"title,location,wage_min_usd,wage_max_usd\nCook,Kep,250,300\n"))
    assert (record.wage_min_usd, record.wage_max_usd) == (Decimal("250"), Decimal("300"))


@pytest.mark.parametrize("location", ["Bangkok", "Narnia", "Ho Chi Minh City", "12345"])
def test_unknown_provinces_are_rejected(parse, location: str) -> None:
    issue = only(parse(feed(row(location=location))))
    assert isinstance(issue, RowIssue) and issue.field == "location"
    assert location in issue.message


@pytest.mark.parametrize("positions", ["many", "2.5", "-1", "0"])
def test_bad_positions_are_rejected(parse, positions: str) -> None:
    issue = only(parse(f"title,location,positions\nCook,Kep,{positions}\n".encode()))
    assert isinstance(issue, RowIssue) and issue.field == "positions"


def test_skills_and_languages_columns(parse) -> None:
    data = (
        'title,location,skills,languages\nCook,Kep,"cooking\nbaking; grilling, Khmer food/'
        'soups | ធ្វើម្ហូប",English; ខ្មែរ; Klingon\n'
    ).encode()
    record = only(parse(data))
    assert record.skills == ("cooking", "baking", "grilling", "Khmer food", "soups", "ធ្វើម្ហូប")
    assert record.languages == ("en", "km")
    assert [w.field for w in record.warnings] == ["languages"]


def test_row_with_extra_cells_is_rejected(parse) -> None:
    issue = only(parse(feed("J-1,Cook,Hotel,Hosp,Kep,1,000,000 riel,Full time,2026-12-31,x,y\n")))
    assert isinstance(issue, RowIssue) and issue.field is None and "unquoted comma" in issue.message


def test_short_rows_are_padded(parse) -> None:
    record = only(parse(b"title,location,salary,closing_date\nCook,Kep\n"))
    assert record.provinces == ("23",) and record.valid_through is None
