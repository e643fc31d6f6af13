"""JSON feeds: API-shaped arrays, schema.org JobPosting JSON-LD, and JSON-LD inside HTML."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from feed_helpers import issues, records

from jobs_import import FeedError, ListingRecord, RowIssue, parse_json


def posting(**fields: object) -> dict[str, object]:
    return {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": "Welder",
        "hiringOrganization": {"@type": "Organization", "name": "Mekong Steel"},
        "jobLocation": {"@type": "Place", "address": {"addressRegion": "Kandal"}},
        **fields,
    }


def one(parse, document: object, **kwargs: object) -> ListingRecord | RowIssue:
    items = parse(json.dumps(document).encode(), filename="feed.json", **kwargs)
    assert len(items) == 1, items
    return items[0]


# --- API-shaped arrays ------------------------------------------------------------------


def test_api_jobs_sample(parse) -> None:
    items = parse("jobs_api.json")
    assert issues(items) == []
    jobs = records(items)
    assert len(jobs) == 10
    first = jobs[0]
    assert first.row == 1 and first.external_id == "NEA-2026-0101"
    assert first.provinces == ("12",) and first.district == "Por Sen Chey"
    assert first.skills == ("sewing", "overlock machine")
    assert (first.positions, first.wage_min_usd, first.wage_max_usd) == (
        50,
        Decimal("230"),
        Decimal("270"),
    )
    assert first.languages == ("km",) and first.valid_through == date(2026, 12, 31)
    assert jobs[1].provinces == ("02",)  # province given by name
    assert jobs[7].employment_type == "self_employment" and jobs[7].wage_max_usd is None


def test_api_incentives_sample(parse) -> None:
    programmes = records(parse("incentives.json", kind="incentive"))
    assert len(programmes) == 3
    ducks = programmes[0]
    assert ducks.provinces == ("01", "02", "24")
    assert ducks.eligibility.survivors_priority is True
    assert ducks.eligibility.max_age == 60
    assert programmes[2].provinces == () and programmes[2].warnings == ()
    assert programmes[2].eligibility.sex == "female"


def test_api_job_with_id_alias_and_bad_values(parse) -> None:
    items = parse(
        json.dumps(
            [
                {"id": 7, "title": "Cook", "province": "Kep"},
                {"title": "Cook", "province": "Atlantis"},
                {"title": ["not", "text"], "province": "Kep"},
                {"title": "Cook", "province": "Kep", "wage_min_usd": 500, "wage_max_usd": 100},
                {"title": "Cook", "province": "Kep", "positions": "lots"},
                "not an object",
                {"title": "Cook", "province": "Kep", "valid_through": "31/12/2026"},
            ]
        ).encode(),
        filename="x.json",
    )
    assert items[0].external_id == "7"
    assert [(i.row, i.field) for i in issues(items)] == [
        (2, "location"),
        (3, "title"),
        (4, "wage_min_usd"),
        (5, "positions"),
        (6, None),
    ]
    assert items[6].valid_through == date(2026, 12, 31)


def test_api_wrapped_in_an_object(parse) -> None:
    record = one(parse, {"items": [{"title": "Cook", "province": "07"}]})
    assert record.provinces == ("07",)


def test_api_incentive_invalid_eligibility(parse) -> None:
    items = parse(
        json.dumps(
            [
                {"title": "A", "provinces": ["Kep"], "eligibility": {"min_age": 60, "max_age": 20}},
                {"title": "B", "provinces": ["Kep"], "eligibility": {"sex": "other"}},
                {"title": "C", "provinces": ["Kep"], "eligibility": {"returned_within_months": -1}},
                {"title": "D", "provinces": "all", "eligibility": {"survivors_priority": "yes"}},
            ]
        ).encode(),
        filename="x.json",
        kind="incentive",
    )
    assert [(i.row, i.field) for i in issues(items)] == [
        (1, "min_age"),
        (2, "sex"),
        (3, "returned_within_months"),
    ]
    assert items[3].provinces == () and items[3].eligibility.survivors_priority is True


def test_invalid_json_reports_line_and_column(parse) -> None:
    with pytest.raises(FeedError, match="line 2, column"):
        parse(b'[{"title": "Cook",\n "province": }]', filename="x.json")


def test_json_extension_with_non_json_content_is_a_json_error(parse) -> None:
    with pytest.raises(FeedError, match="not valid JSON"):
        parse(b"title,location\nCook,Kep\n", filename="feed.json")


def test_json_scalar_is_a_feed_error(parse) -> None:
    with pytest.raises(FeedError, match="expected a JSON array"):
        parse(b'"hello"', filename="x.json")


def test_empty_json_array_yields_nothing(parse) -> None:
    assert parse(b"[]", filename="x.json") == []


def test_json_over_the_size_limit(gazetteer) -> None:
    with pytest.raises(FeedError, match="limited to 100 bytes"):
        parse_json(
            b"[" + b" " * 200 + b"]", kind="job", resolve_province=gazetteer.resolve, max_bytes=100
        )


# --- schema.org JobPosting --------------------------------------------------------------


def test_html_page_with_several_scripts(parse) -> None:
    items = parse("jobposting.jsonld.html")
    assert issues(items) == []
    jobs = records(items)
    assert [j.row for j in jobs] == [1, 2, 3, 4]
    assert [j.external_id for j in jobs] == [
        "MAP-2026-014",
        "MAP-2026-015",
        "MAP-2026-016",
        "MAP-2026-017",
    ]
    cashew, loader, supervisor, mechanic = jobs
    assert cashew.employer == "Mekong Agro Processing Co., Ltd."
    assert cashew.provinces == ("06",)
    assert (cashew.wage_min_usd, cashew.wage_max_usd) == (Decimal("220.00"), Decimal("260.00"))
    assert cashew.valid_through == date(2026, 12, 31)
    assert cashew.positions == 40 and cashew.sector == "Food processing"
    assert cashew.skills == ("cashew shelling", "sorting", "packing")
    assert "<" not in cashew.description and "Free lunch" in cashew.description
    assert loader.provinces == ("01",)  # first of two locations, with a warning
    assert [w.field for w in loader.warnings] == ["location"]
    assert loader.wage_min_usd == Decimal("286.00")  # $11 a day x 26
    assert loader.employment_type == "temporary"
    assert loader.skills == ("loading", "forklift")
    assert "&" in loader.description and "&amp;" not in loader.description
    assert supervisor.wage_min_usd == Decimal("390.24")  # 1,600,000 KHR
    assert supervisor.sector == "Field crop growers"
    assert supervisor.skills == ("rice farming", "team leading")
    assert mechanic.wage_min_usd == Decimal("468.00")  # $2.25 an hour x 208
    assert mechanic.employment_type == "contract"


def test_single_posting_and_array_and_graph(parse) -> None:
    assert one(parse, posting()).provinces == ("08",)
    assert len(parse(json.dumps([posting(), posting(title="Cook")]).encode(), filename="a")) == 2
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "Organization"}, posting()]}
    record = one(parse, graph)
    assert record.row == 1 and record.title == "Welder"


def test_itemlist_of_postings(parse) -> None:
    document = {
        "@type": "ItemList",
        "itemListElement": [{"@type": "ListItem", "item": posting()}, {"@type": "ListItem"}],
    }
    assert one(parse, document).employer == "Mekong Steel"


@pytest.mark.parametrize(
    ("salary", "low", "high"),
    [
        (
            {"currency": "USD", "value": {"minValue": 200, "maxValue": 250, "unitText": "MONTH"}},
            "200.00",
            "250.00",
        ),
        ({"currency": "USD", "value": {"value": 3600, "unitText": "YEAR"}}, "300.00", "300.00"),
        ({"currency": "USD", "value": {"value": 60, "unitText": "WEEK"}}, "260.00", "260.00"),
        ({"currency": "KHR", "value": {"value": 41000, "unitText": "DAY"}}, "260.00", "260.00"),
        ({"currency": "USD", "value": 300}, "300.00", "300.00"),
        (350, "350.00", "350.00"),
    ],
)
def test_base_salary_conversions(parse, salary: object, low: str, high: str) -> None:
    record = one(
        parse,
        posting(
            baseSalary={"@type": "MonetaryAmount", **salary} if isinstance(salary, dict) else salary
        ),
    )
    assert (record.wage_min_usd, record.wage_max_usd) == (Decimal(low), Decimal(high))


def test_implausible_base_salary_rejects_the_posting(parse) -> None:
    record = one(
        parse, posting(baseSalary={"currency": "USD", "value": {"value": 500, "unitText": "HOUR"}})
    )
    assert isinstance(record, RowIssue) and record.field == "salary"


def test_unsupported_salary_currency_is_a_warning(parse) -> None:
    record = one(parse, posting(baseSalary={"currency": "THB", "value": 9000}))
    assert record.wage_min_usd is None and [w.field for w in record.warnings] == ["salary"]


def test_posting_fields_variants(parse) -> None:
    record = one(
        parse,
        posting(
            hiringOrganization="Plain Name Ltd",
            jobLocation=[{"address": {"addressLocality": "Bavet"}}],
            identifier={"@type": "PropertyValue", "value": "ABC-1"},
            employmentType=["PART_TIME"],
            skills="welding, grinding",
            occupationalCategory="Construction",
            totalJobOpenings=3,
            validThrough="2026-12-31T17:00:00Z",
            url="https://example.kh/job",
        ),
    )
    assert record.employer == "Plain Name Ltd" and record.provinces == ("20",)
    assert record.external_id == "ABC-1" and record.employment_type == "part_time"
    assert record.skills == ("welding", "grinding") and record.sector == "Construction"
    assert record.positions == 3 and record.valid_through == date(2026, 12, 31)


def test_posting_without_known_location_is_rejected(parse) -> None:
    record = one(parse, posting(jobLocation={"address": {"addressLocality": "Bangkok"}}))
    assert isinstance(record, RowIssue) and record.field == "location" and record.row == 1


def test_html_without_json_ld_is_a_feed_error(parse) -> None:
    with pytest.raises(FeedError, match="no <script"):
        parse(b"<html><body>Jobs</body></html>", filename="jobs.html")


def test_html_with_json_ld_but_no_posting_is_a_feed_error(parse) -> None:
    page = b'<html><script type="application/ld+json">{"@type": "Organization"}</script></html>'
    with pytest.raises(FeedError, match="no schema.org JobPosting"):
        parse(page, filename="jobs.html")


def test_html_with_broken_json_ld_names_the_script(parse) -> None:
    page = (
        b'<html><script type="application/ld+json">{"@type": "JobPosting"}</script>'
        b'<script type="application/ld+json">{"@type": </script></html>'
    )
    with pytest.raises(FeedError, match="JSON-LD script 2 is not valid JSON: .* line 1"):
        parse(page, filename="jobs.html")


def test_job_postings_cannot_be_imported_as_incentives(parse) -> None:
    with pytest.raises(FeedError, match="kind job"):
        parse(json.dumps(posting()).encode(), filename="a.json", kind="incentive")


def test_xml_is_refused(parse) -> None:
    with pytest.raises(FeedError, match="XML"):
        parse(b'<?xml version="1.0"?><rss></rss>', filename="feed.xml")
