"""The import service against a real database: every format, idempotence, rules, bad input."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.errors import Forbidden, InvalidInput
from reintegrate.models import Employer, ImportRun, Listing
from reintegrate.services import imports, listings
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today
from tests.builders import in_days, job_board_csv, job_board_row, listing_record, make_user
from tests.service.conftest import Importer

DATA = Path(__file__).resolve().parents[1] / "data"


def _listings(session: Session, source: str | None = None) -> list[Listing]:
    query = select(Listing).order_by(Listing.id).execution_options(populate_existing=True)
    if source is not None:
        query = query.where(Listing.source == source)
    return list(session.scalars(query))


def _snapshot(session: Session) -> list[tuple[object, ...]]:
    """Everything about every listing a re-import could change."""
    return [
        (
            listing.id,
            listing.source,
            listing.identity_key,
            listing.status,
            listing.closed_reason,
            listing.fingerprint,
            listing.duplicate_of_id,
            listing.updated_at,
            listing.title,
        )
        for listing in _listings(session)
    ]


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Listing)) or 0


def _png() -> bytes:
    """A real (tiny) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


# --- every format ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "kind", "rows", "a_title"),
    [
        ("jobs_board.csv", "job", 31, "Sewing Machine Operator"),
        ("jobs_board_cp1252.csv", "job", 3, "Réceptionniste / Receptionist"),
        ("jobs_api.json", "job", 10, "Garment Sewer"),
        ("jobposting.jsonld.html", "job", 4, "Cashew Processing Worker"),
        ("incentives.csv", "incentive", 8, "Start a chicken-raising business"),
        ("incentives.json", "incentive", 3, "Duck raising for returnee households"),
    ],
)
def test_every_format_imports_every_row(
    import_bytes: Importer,
    db_session: Session,
    filename: str,
    kind: str,
    rows: int,
    a_title: str,
) -> None:
    run = import_bytes((DATA / filename).read_bytes(), filename=filename, kind=kind)
    assert (run.status, run.rows, run.created, run.rejected) == ("succeeded", rows, rows, 0)
    assert imports.exit_code(run) == 0
    imported = _listings(db_session, "cambodiajobs")
    assert len(imported) == rows
    assert {listing.kind for listing in imported} == {kind}
    assert a_title in {listing.title for listing in imported}
    for listing in imported:
        expired = listing.valid_through is not None and listing.valid_through < local_today()
        assert listing.status == ("closed" if expired else "open"), listing.title
        assert listing.last_import_run_id == run.id
        assert listing.provinces or listing.nationwide


def test_imported_job_fields_are_normalised(import_bytes: Importer, db_session: Session) -> None:
    import_bytes((DATA / "jobs_board.csv").read_bytes())
    sewing = db_session.scalars(select(Listing).where(Listing.identity_key == "id:CJB-10231")).one()
    assert sewing.employer_name == "Golden Thread Garment Co., Ltd."
    assert sewing.provinces == ["20"]  # "Bavet, Svay Rieng"
    assert (sewing.wage_min_usd, sewing.wage_max_usd) == (Decimal("250.00"), Decimal("300.00"))
    assert sewing.employment_type == "full_time"
    assert sewing.url == "https://jobs.example.kh/cjb-10231"


def test_cp1252_text_is_decoded_not_mangled(import_bytes: Importer, db_session: Session) -> None:
    import_bytes((DATA / "jobs_board_cp1252.csv").read_bytes())
    employers = set(db_session.scalars(select(Employer.name)))
    assert "Café Mékong Hôtel" in employers
    assert not any("\ufffd" in name for name in employers)


def test_incentive_eligibility_and_nationwide(import_bytes: Importer, db_session: Session) -> None:
    import_bytes((DATA / "incentives.json").read_bytes(), filename="i.json", kind="incentive")
    by_id = {listing.identity_key: listing for listing in _listings(db_session)}
    duck = by_id["id:MRD-BL-JSON-01"]
    assert duck.provinces == ["01", "02", "24"]
    assert (duck.returned_within_months, duck.min_age, duck.max_age) == (12, 18, 60)
    assert duck.survivors_priority is True
    tailoring = by_id["id:NEA-SE-JSON-03"]
    assert tailoring.nationwide and tailoring.eligible_sex == "female"


def test_a_job_file_imported_as_incentives_rejects_the_rows_and_imports_nothing(
    import_bytes: Importer, db_session: Session
) -> None:
    run = import_bytes((DATA / "jobs_api.json").read_bytes(), filename="a.json", kind="incentive")
    assert run.status == "failed" and imports.exit_code(run) == 2
    assert _count(db_session) == 0


# --- idempotence, updates, full feeds ------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(
    import_bytes: Importer, db_session: Session
) -> None:
    data = (DATA / "jobs_board.csv").read_bytes()
    import_bytes(data)
    before = _snapshot(db_session)
    again = import_bytes(data)
    assert (again.status, again.created, again.updated, again.unchanged) == (
        "succeeded",
        0,
        0,
        31,
    )
    assert _snapshot(db_session) == before


def test_a_changed_row_updates_its_listing_only(
    import_bytes: Importer, db_session: Session
) -> None:
    rows = [job_board_row(n) for n in range(1, 6)]
    import_bytes(job_board_csv(rows))
    before = {listing.identity_key: listing.updated_at for listing in _listings(db_session)}
    rows[2] = job_board_row(3, salary="$320-$360", description="Now with overtime pay.")
    run = import_bytes(job_board_csv(rows))
    assert (run.created, run.updated, run.unchanged) == (0, 1, 4)
    after = {listing.identity_key: listing for listing in _listings(db_session)}
    assert after["id:JB-3"].wage_min_usd == Decimal("320.00")
    assert after["id:JB-3"].description == "Now with overtime pay."
    assert after["id:JB-3"].updated_at > before["id:JB-3"]
    assert all(after[key].updated_at == before[key] for key in before if key != "id:JB-3")


def test_full_feed_closes_missing_listings_and_reopens_them_when_they_return(
    import_bytes: Importer, db_session: Session
) -> None:
    rows = [job_board_row(n) for n in range(1, 6)]
    import_bytes(job_board_csv(rows), full=True)
    partial_feed = import_bytes(job_board_csv(rows[:3]))
    assert partial_feed.closed == 0, "without --full nothing is closed"
    assert {listing.status for listing in _listings(db_session)} == {"open"}

    shorter = import_bytes(job_board_csv(rows[:3]), full=True)
    assert shorter.closed == 2
    status = {listing.identity_key: listing for listing in _listings(db_session)}
    assert status["id:JB-4"].status == "closed"
    assert status["id:JB-4"].closed_reason == "removed_from_feed"
    assert status["id:JB-1"].status == "open"

    back = import_bytes(job_board_csv(rows), full=True)
    assert (back.created, back.updated, back.unchanged, back.closed) == (0, 2, 3, 0)
    assert {listing.status for listing in _listings(db_session)} == {"open"}
    assert _count(db_session) == 5


def test_full_feed_does_not_touch_other_sources_or_posted_listings(
    import_bytes: Importer, db_session: Session
) -> None:
    employer = make_user(db_session, "employer", employer="Phsar Thmei Bakery")
    posted = listings.create_listing(
        db_session,
        Actor.of(employer),
        listing_record(title="Baker", employer=None),
    )
    db_session.commit()
    import_bytes(job_board_csv(2), source="other-board")
    run = import_bytes(job_board_csv([job_board_row(9)]), full=True)
    assert run.closed == 0
    assert db_session.get(Listing, posted.id).status == "open"
    assert {listing.status for listing in _listings(db_session, "other-board")} == {"open"}


def test_a_listing_closed_by_a_person_stays_closed_when_its_row_changes(
    import_bytes: Importer, db_session: Session
) -> None:
    officer = make_user(db_session)
    import_bytes(job_board_csv([job_board_row(1)]))
    listing = _listings(db_session)[0]
    listings.update_listing(db_session, Actor.of(officer), listing.id, {"status": "closed"})
    db_session.commit()
    run = import_bytes(job_board_csv([job_board_row(1, salary="$999")]))
    assert run.updated == 1
    assert _listings(db_session)[0].status == "closed"


def test_identity_without_an_external_id_is_the_content_hash(
    import_bytes: Importer, db_session: Session
) -> None:
    rows = [job_board_row(n, id="") for n in range(1, 4)]
    import_bytes(job_board_csv(rows))
    keys = [listing.identity_key for listing in _listings(db_session)]
    assert len(keys) == 3 and all(key.startswith("hash:") for key in keys)
    # The wage is not part of the identity: the same opening, updated.
    rows[0] = job_board_row(1, id="", salary="$400")
    run = import_bytes(job_board_csv(rows))
    assert (run.created, run.updated, run.unchanged) == (0, 1, 2)
    # A new title is a new opening.
    rows[1] = job_board_row(2, id="", title="Site Foreman")
    run = import_bytes(job_board_csv(rows))
    assert run.created == 1 and _count(db_session) == 4


def test_the_same_row_twice_in_one_file_is_one_listing(
    import_bytes: Importer, db_session: Session
) -> None:
    run = import_bytes(job_board_csv([job_board_row(1), job_board_row(2), job_board_row(1)]))
    assert (run.status, run.created, run.rows) == ("succeeded", 2, 3)
    assert any("same listing as row 2" in w["message"] for w in run.warnings)
    assert _count(db_session) == 2


# --- near-duplicates across sources ---------------------------------------------------------


def test_the_same_file_under_another_source_links_instead_of_doubling(
    import_bytes: Importer, db_session: Session
) -> None:
    trades = ["Welder", "Cook", "Security Guard", "Rice Mill Worker", "Tractor Driver"]
    data = job_board_csv([job_board_row(n, title=t) for n, t in enumerate(trades, start=1)])
    import_bytes(data, source="board-a")
    run = import_bytes(data, source="board-b")
    assert (run.created, run.linked) == (5, 5)
    originals = {listing.title: listing.id for listing in _listings(db_session, "board-a")}
    for copy in _listings(db_session, "board-b"):
        assert copy.duplicate_of_id == originals[copy.title]
    officer = make_user(db_session)
    page = listings.search_listings(db_session, Actor.of(officer), listings.ListingFilters())
    assert sorted(item.title for item in page.items) == sorted(originals)
    assert page.total == 5


def test_near_duplicate_titles_link_across_sources(
    import_bytes: Importer, db_session: Session
) -> None:
    import_bytes(job_board_csv([job_board_row(1, title="Construction Worker")]), source="a")
    run = import_bytes(
        job_board_csv(
            [job_board_row(77, title="URGENT: Construction Workers", company="ANGKOR BUILD")]
        ),
        source="b",
    )
    assert run.linked == 1


def test_welder_and_wedding_planner_are_never_linked(
    import_bytes: Importer, db_session: Session
) -> None:
    import_bytes(job_board_csv([job_board_row(1, title="Welder")]), source="a")
    run = import_bytes(job_board_csv([job_board_row(2, title="Wedding Planner")]), source="b")
    assert run.linked == 0
    assert all(listing.duplicate_of_id is None for listing in _listings(db_session))


@pytest.mark.parametrize(
    "change",
    [{"location": "Battambang"}, {"company": "Bayon Construction"}],
    ids=["other province", "other employer"],
)
def test_same_title_elsewhere_or_for_another_employer_is_not_linked(
    import_bytes: Importer, db_session: Session, change: dict[str, str]
) -> None:
    import_bytes(job_board_csv([job_board_row(1, title="Welder")]), source="a")
    run = import_bytes(job_board_csv([job_board_row(1, title="Welder", **change)]), source="b")
    assert run.linked == 0


# --- closing dates --------------------------------------------------------------------------


def test_rows_past_their_closing_date_are_imported_closed_and_not_offered(
    import_bytes: Importer, db_session: Session
) -> None:
    past = (local_today() - timedelta(days=1)).isoformat()
    run = import_bytes(
        job_board_csv([job_board_row(1), job_board_row(2, closing_date=past)]),
    )
    assert run.created == 2
    by_id = {listing.identity_key: listing for listing in _listings(db_session)}
    assert (by_id["id:JB-2"].status, by_id["id:JB-2"].closed_reason) == ("closed", "expired")
    officer = make_user(db_session)
    offered = listings.search_listings(db_session, Actor.of(officer), listings.ListingFilters())
    assert [item.identity_key for item in offered.items] == ["id:JB-1"]


def test_close_expired_closes_listings_whose_date_has_passed_and_is_idempotent(
    db_session: Session,
) -> None:
    officer = make_user(db_session)
    actor = Actor.of(officer)
    soon = listings.create_listing(db_session, actor, listing_record(valid_through=in_days(1)))
    later = listings.create_listing(db_session, actor, listing_record(valid_through=in_days(30)))
    db_session.commit()
    three_days_on = local_today() + timedelta(days=3)
    assert listings.close_expired(db_session, three_days_on) == 1
    assert listings.close_expired(db_session, three_days_on) == 0
    db_session.commit()
    db_session.expire_all()
    assert (soon.status, soon.closed_reason) == ("closed", "expired")
    assert later.status == "open"


# --- one transaction ------------------------------------------------------------------------


def _many_good_rows(count: int) -> bytes:
    return job_board_csv(count)


def test_bytes_that_stop_decoding_mid_file_leave_the_table_as_it_was(
    import_bytes: Importer, db_session: Session
) -> None:
    import_bytes(job_board_csv(3, start=900_000))
    before = _snapshot(db_session)
    bad = _many_good_rows(3000) + job_board_row(5000, title="Café").encode("cp1252") + b"\n"
    run = import_bytes(bad)
    assert run.status == "failed" and imports.exit_code(run) == 2
    assert "stops being valid UTF-8" in (run.message or "")
    assert _snapshot(db_session) == before
    kept = db_session.get(ImportRun, run.id)
    assert kept is not None and kept.status == "failed" and kept.finished_at is not None


def test_an_unclosed_quote_at_the_end_of_a_long_file_imports_nothing(
    import_bytes: Importer, db_session: Session
) -> None:
    import_bytes(job_board_csv(3, start=900_000))
    before = _snapshot(db_session)
    bad = _many_good_rows(3000) + b'"JB-x","Cook, with an open quote\n'
    run = import_bytes(bad)
    assert run.status == "failed"
    assert "never closed" in (run.message or "")
    assert _snapshot(db_session) == before


def test_strict_with_one_bad_row_imports_nothing(
    import_bytes: Importer, db_session: Session
) -> None:
    rows = [job_board_row(n) for n in range(1, 1200)]
    rows.append(job_board_row(9999, location="Atlantis"))
    run = import_bytes(job_board_csv(rows), strict=True)
    assert run.status == "failed" and imports.exit_code(run) == 2
    assert run.message and "--strict" in run.message
    assert [{k: e[k] for k in ("row", "field", "message")} for e in run.errors] == [
        {"row": 1201, "field": "location", "message": 'unknown province: "Atlantis"'}
    ]
    assert _count(db_session) == 0


def test_some_bad_rows_import_the_rest_and_report_each_rejected_row(
    import_bytes: Importer, db_session: Session
) -> None:
    run = import_bytes((DATA / "bad_rows.csv").read_bytes(), filename="bad_rows.csv")
    assert run.status == "partial" and imports.exit_code(run) == 1
    assert (run.rows, run.rejected, run.created) == (20, 14, 6)
    fields = {issue["row"]: issue["field"] for issue in run.errors}
    assert fields[3] == "location" and fields[6] == "salary" and fields[10] == "valid_through"
    assert fields[16] is None  # the row with extra cells
    assert all(issue["message"] for issue in run.errors)
    assert _count(db_session) == 6


def test_a_file_whose_every_row_is_rejected_is_a_failed_import(
    import_bytes: Importer, db_session: Session
) -> None:
    import_bytes(job_board_csv(3))
    run = import_bytes(
        job_board_csv([job_board_row(1, location="Bangkok"), job_board_row(2, location="Mars")]),
        full=True,
    )
    assert run.status == "failed" and imports.exit_code(run) == 2
    assert len(run.errors) == 2 and run.rejected == 2
    assert {listing.status for listing in _listings(db_session)} == {"open"}, (
        "a broken full feed must not close every listing"
    )


def test_a_new_import_marks_a_run_left_running_as_interrupted(
    import_bytes: Importer, db_session: Session
) -> None:
    stale = ImportRun(
        source="cambodiajobs",
        kind="job",
        filename="killed.csv",
        started_by="system:cli",
        errors=[],
        warnings=[],
    )
    other = ImportRun(
        source="another-feed", kind="job", filename="x.csv", started_by="x", errors=[], warnings=[]
    )
    db_session.add_all([stale, other])
    db_session.commit()
    import_bytes(job_board_csv(1))
    db_session.expire_all()
    assert stale.status == "failed" and "interrupted" in (stale.message or "")
    assert other.status == "running"


# --- bad input ------------------------------------------------------------------------------

HEADER = b"id,title,company,location,salary,closing_date\n"
GOOD = f"1,Cook,Riverside Hotel,Kampot,$200,{in_days(30).isoformat()}\n".encode()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"\n\n  \n", "blank.csv", "empty"),
        (HEADER, "header.csv", "no data rows"),
        (
            b"id|title|company|location\n1|Cook|X|Kampot\n",
            "pipes.csv",
            "commas, semicolons or tabs",
        ),
        (HEADER + b'1,"Cook,X,Kampot,$200,2026-12-31\n', "quotes.csv", "never closed"),
        (_png(), "photo.csv", "PNG"),
        (b"\x00\x01\x02\x03" * 500, "nul.csv", ""),
        (b"[]", "empty.json", ""),
        (b'{"not": "a feed"}', "object.json", "JSON array"),
        (b"[{broken", "broken.json", ""),
        (b"<html><body>No jobs here</body></html>", "page.html", "ld+json"),
        (b'<?xml version="1.0"?><rss></rss>', "feed.xml", "XML"),
    ],
)
def test_unreadable_files_are_refused_with_a_message_and_import_nothing(
    import_bytes: Importer, db_session: Session, data: bytes, filename: str, message: str
) -> None:
    run = import_bytes(data, filename=filename)
    assert run.status == "failed" and imports.exit_code(run) == 2
    assert run.message and message in run.message
    assert run.finished_at is not None
    assert _count(db_session) == 0


@pytest.mark.parametrize(
    ("cells", "field", "message"),
    [
        ({"title": "x" * 130_000}, "title", "130,000 characters"),
        ({"description": "y" * 130_000}, "description", "limit"),
        ({"title": "Co\x00ok"}, "title", "NUL"),
        ({"salary": "-250"}, "salary", "negative"),
        ({"salary": "$250000"}, "salary", "plausible maximum"),
        ({"location": "Atlantis"}, "location", "unknown province"),
        ({"closing_date": "next month"}, "valid_through", "not a date"),
        ({"closing_date": "2026-02-30"}, "valid_through", "not a date"),
    ],
)
def test_a_bad_cell_rejects_its_row_with_field_and_message(
    import_bytes: Importer,
    db_session: Session,
    cells: dict[str, str],
    field: str,
    message: str,
) -> None:
    run = import_bytes(job_board_csv([job_board_row(1), job_board_row(2, **cells)]))
    assert run.status == "partial" and run.created == 1
    [issue] = run.errors
    assert (issue["row"], issue["field"]) == (3, field)
    assert message in issue["message"]
    assert len(issue["message"]) < 500


def test_a_formula_cell_is_stored_verbatim_as_text(
    import_bytes: Importer, db_session: Session
) -> None:
    formula = '=HYPERLINK("http://x","y")'
    run = import_bytes(job_board_csv([job_board_row(1, title=formula, description="=1+2")]))
    assert run.created == 1
    listing = _listings(db_session)[0]
    assert listing.title == formula and listing.description == "=1+2"


def test_dates_in_mixed_formats_all_read_as_the_same_day(
    import_bytes: Importer, db_session: Session
) -> None:
    day = in_days(40)
    spellings = [
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        day.strftime("%d-%b-%Y"),
        day.strftime("%d %B %Y"),
        day.strftime("%B %d, %Y"),
    ]
    rows = [job_board_row(n, closing_date=text) for n, text in enumerate(spellings, start=1)]
    run = import_bytes(job_board_csv(rows))
    assert (run.created, run.rejected) == (len(spellings), 0)
    assert {listing.valid_through for listing in _listings(db_session)} == {day}


def test_a_row_for_another_employer_is_rejected_in_an_employers_feed(
    import_bytes: Importer, db_session: Session
) -> None:
    rows = [
        job_board_row(1, company="Angkor Build Co., Ltd."),
        job_board_row(2, company="ANGKOR BUILD"),
        job_board_row(3, company="Bayon Construction"),
    ]
    run = import_bytes(job_board_csv(rows), employer="Angkor Build Co., Ltd.")
    assert (run.status, run.created, run.rejected) == ("partial", 2, 1)
    assert run.errors[0]["row"] == 4 and run.errors[0]["field"] == "employer"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"source": ""}, "source"),
        ({"source": "posted"}, "source"),
        ({"source": "x" * 101}, "source"),
        ({"kind": "house"}, "kind"),
    ],
)
def test_bad_options_are_refused_before_anything_is_recorded(
    import_bytes: Importer, db_session: Session, options: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_bytes(GOOD, **options)
    assert field in caught.value.errors
    assert db_session.scalar(select(func.count()).select_from(ImportRun)) == 0


@pytest.mark.parametrize("role", ["officer", "employer", "manager"])
def test_only_admins_import(import_bytes: Importer, db_session: Session, role: str) -> None:
    user = make_user(db_session, role)
    with pytest.raises(Forbidden):
        import_bytes(HEADER + GOOD, actor=Actor.of(user))
    assert db_session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_reports_are_kept_and_listed_newest_first_for_admins(
    import_bytes: Importer, db_session: Session
) -> None:
    first = import_bytes(HEADER + GOOD)
    second = import_bytes(b"", filename="empty.csv")
    admin = Actor.of(make_user(db_session, "admin"))
    runs = imports.recent_runs(db_session, admin)
    assert [run.id for run in runs[:2]] == [second.id, first.id]
    assert imports.get_run(db_session, admin, first.id).created == 1
    with pytest.raises(Forbidden):
        imports.recent_runs(db_session, Actor.of(make_user(db_session)))


# --- large feeds --------------------------------------------------------------------------


_COLUMNS = [
    column.key
    for column in Listing.__table__.columns
    if column.key
    not in {"id", "source", "identity_key", "last_import_run_id", "created_at", "updated_at"}
]


def test_an_imported_listing_is_the_listing_apply_record_writes(
    import_bytes: Importer, db_session: Session
) -> None:
    """New feed rows are written as rows, not objects; they must be the same listings."""
    data = job_board_csv(
        [
            job_board_row(1, title="Brick kiln worker", salary="$90", description="Pay a $50 fee."),
            job_board_row(2, title="Sewing Machine Operator", location="បាត់ដំបង"),
            job_board_row(3, closing_date=in_days(-3).isoformat()),
        ]
    )
    import_bytes(data, source="first")
    imported = _listings(db_session, "first")
    changed = job_board_csv([job_board_row(n, description="changed") for n in (1, 2, 3)])
    import_bytes(changed, source="second")
    import_bytes(data, source="second")  # each row applied again onto an existing object
    applied = _listings(db_session, "second")

    def shape(listing: Listing) -> tuple[object, ...]:
        return (
            tuple(
                getattr(listing, name)
                for name in _COLUMNS
                if name not in {"duplicate_of_id", "closed_at"}
            ),
            listing.provinces,
            [(s.position, s.raw_text, s.phrase_key, s.code, s.confidence) for s in listing.skills],
        )

    assert imported[0].hazardous and imported[0].flags and imported[2].status == "closed"
    assert [shape(listing) for listing in imported] == [shape(listing) for listing in applied]


def test_a_feed_of_many_chunks_is_found_again_whole_on_reimport(
    import_bytes: Importer, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Across chunks (and PostgreSQL's statistics refreshed mid-run), every row is known."""
    monkeypatch.setattr(imports, "CHUNK", 40)
    monkeypatch.setattr(imports, "ANALYSE_AFTER", 50)
    data = job_board_csv(230)
    first = import_bytes(data)
    again = import_bytes(data)
    assert (first.status, first.created) == ("succeeded", 230)
    assert (again.status, again.created, again.unchanged) == ("succeeded", 0, 230)
    assert _count(db_session) == 230
