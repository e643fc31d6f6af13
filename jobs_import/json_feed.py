"""JSON feeds: arrays of API-shaped listings, and schema.org JobPosting JSON-LD (also in HTML)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from jobs_import.build import build_record
from jobs_import.decoding import check_not_binary, decode_all
from jobs_import.html_page import ld_json_scripts
from jobs_import.records import KINDS, N_, FeedError, ListingRecord, RowIssue, reason
from jobs_import.schema_org import is_json_ld, job_postings, posting_fields

#: JSON is parsed whole, and Python objects take ~10x the bytes: cap the input.
MAX_JSON_BYTES = 20 * 1024 * 1024
_WRAPPERS = ("items", "listings", "data", "jobs", "incentives", "results")
_ELIGIBILITY = ("returned_within_months", "min_age", "max_age", "sex", "survivors_priority")


def parse_json(
    data: bytes,
    *,
    kind: str,
    resolve_province: Callable[[str], str | None],
    max_bytes: int = MAX_JSON_BYTES,
) -> Iterator[ListingRecord | RowIssue]:
    """Parse a JSON or HTML (JSON-LD) feed now; yield its listings lazily.

    Rows are 1-based positions among the listings found (non-JobPosting objects in JSON-LD
    are skipped without counting). FeedError for invalid JSON (with line and column), a page
    without JobPostings, JobPostings imported as incentives, or input over ``max_bytes``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if len(data) > max_bytes:
        raise FeedError(
            N_(
                "the file is {size} bytes; JSON feeds are limited to {limit} bytes",
                size=f"{len(data):,}",
                limit=f"{max_bytes:,}",
            )
        )
    check_not_binary(data[:65536])
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        postings = _html_postings(decode_all(data, fallback="cp1252"))
        return _from_postings(postings, kind, resolve_province)
    document = _load(decode_all(data), where="the file")
    if is_json_ld(document):
        return _from_postings(list(job_postings(document)), kind, resolve_province)
    return _from_api(_items(document), kind, resolve_province)


def _load(text: str, *, where: str) -> Any:
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise FeedError(
            N_(
                "{where} is not valid JSON: {error} at line {line}, column {column}",
                where=where,
                error=error.msg,
                line=error.lineno,
                column=error.colno,
            )
        ) from None
    except RecursionError:
        raise FeedError(N_("{where} nests JSON too deeply to read", where=where)) from None
    except ValueError:  # an integer of more than 4,300 digits (sys.get_int_max_str_digits)
        raise FeedError(
            N_("{where} is not valid JSON: a number is too long to read", where=where)
        ) from None


def _html_postings(page: str) -> list[dict[str, Any]]:
    scripts = ld_json_scripts(page)
    if not scripts:
        raise FeedError(N_('the page has no <script type="application/ld+json"> with job postings'))
    postings: list[dict[str, Any]] = []
    for number, script in enumerate(scripts, start=1):
        if script.strip():
            postings.extend(job_postings(_load(script, where=f"JSON-LD script {number}")))
    if not postings:
        raise FeedError(N_("the page's JSON-LD holds no schema.org JobPosting"))
    return postings


def _items(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _WRAPPERS:
            if isinstance(document.get(key), list):
                return document[key]
        if "title" in document:
            return [document]
    raise FeedError(
        N_(
            "expected a JSON array of listings (or schema.org JobPosting JSON-LD), found a "
            "{type} without one",
            type=type(document).__name__,
        )
    )


def _from_postings(
    postings: list[dict[str, Any]], kind: str, resolve_province: Callable[[str], str | None]
) -> Iterator[ListingRecord | RowIssue]:
    if kind != "job" and postings:
        raise FeedError(N_("schema.org JobPosting feeds hold jobs; import them with kind job"))
    return _postings(postings, resolve_province)


def _postings(
    postings: list[dict[str, Any]], resolve_province: Callable[[str], str | None]
) -> Iterator[ListingRecord | RowIssue]:
    for row, posting in enumerate(postings, start=1):
        try:
            raw = posting_fields(posting)
        except ValueError as error:
            yield RowIssue(row, "salary", reason(error))
            continue
        yield build_record(row, "job", raw, resolve_province)


def _from_api(
    items: list[Any], kind: str, resolve_province: Callable[[str], str | None]
) -> Iterator[ListingRecord | RowIssue]:
    for row, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield RowIssue(
                row,
                None,
                N_("item {row} is a {type}, not an object", row=row, type=type(item).__name__),
            )
            continue
        yield build_record(row, kind, api_fields(item, kind), resolve_province)


def api_fields(item: dict[str, Any], kind: str) -> dict[str, Any]:
    """Raw builder values from an object shaped like the API's listing (POST /listings)."""
    raw: dict[str, Any] = {
        key: item[key]
        for key in ("title", "description", "skills", "valid_through", "url", "languages")
        if key in item
    }
    raw["external_id"] = item.get("external_id", item.get("id"))
    raw["sector"] = item.get("sector", item.get("industry"))
    if kind == "job":
        employer = item.get("employer", item.get("company"))
        raw["employer"] = employer.get("name") if isinstance(employer, dict) else employer
        province = item.get("province", item.get("location"))
        if province is None and isinstance(item.get("provinces"), list):
            province = item["provinces"]
        raw["location"] = province if isinstance(province, list) else [province]
        for key in (
            "district",
            "positions",
            "wage_min_usd",
            "wage_max_usd",
            "employment_type",
            "salary",
        ):
            if key in item:
                raw[key] = item[key]
        return raw
    raw["programme"] = item.get("programme", item.get("program"))
    raw["provinces"] = item.get("provinces", item.get("province"))
    raw["benefit"] = item.get("benefit")
    rules = item.get("eligibility")
    rules = rules if isinstance(rules, dict) else item
    for key in _ELIGIBILITY:
        if key in rules:
            raw[key] = rules[key]
    return raw
