"""Bulk intake against a real database: counts, re-imports, matches, scope, bad rows and files."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from reintegrate.errors import Forbidden, InvalidInput
from reintegrate.models import (
    AuditEntry,
    DuplicateReview,
    ImportRun,
    Returnee,
    ReturneeExternalId,
    User,
)
from reintegrate.schemas.returnees import ReturneeListRows
from reintegrate.services import registry, returnee_imports
from reintegrate.services.access import Actor
from tests.builders import make_returnee, make_user
from tests.returnee_lists import HEADER, people_csv, person

Intake = Callable[..., ImportRun]


@pytest.fixture
def officer(db_session: Session) -> User:
    return make_user(db_session, provinces=["02", "01"])


@pytest.fixture
def intake(app: Flask, sessions: sessionmaker[Session], officer: User) -> Intake:
    def run(
        data: bytes,
        *,
        filename: str = "poipet.csv",
        actor: Actor | None = None,
        **options: object,
    ) -> ImportRun:
        with app.app_context():
            return returnee_imports.import_returnees(
                sessions,
                actor or Actor.of(officer),
                io.BytesIO(data),
                returnee_imports.ReturneeImportOptions(filename=filename, **options),  # type: ignore[arg-type]
                rules=ReturneeListRows(),
            )

    return run


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _issues(run: ImportRun) -> set[tuple[int, str | None]]:
    return {(issue["row"], issue["field"]) for issue in run.errors}


def test_a_list_registers_everyone_with_case_numbers_skills_and_audit(
    intake: Intake, db_session: Session, officer: User
) -> None:
    run = intake(people_csv([person(i) for i in range(12)]))
    assert (run.status, run.rows, run.created, run.linked, run.rejected) == (
        "succeeded",
        12,
        12,
        0,
        0,
    )
    assert returnee_imports.imports.exit_code(run) == 0
    people = list(db_session.scalars(select(Returnee).order_by(Returnee.id)))
    assert len(people) == 12
    first = people[0]
    assert first.case_number.startswith("KH02-")
    assert len({p.case_number for p in people}) == 12
    assert first.return_date == date(2025, 8, 12)  # 12/08/2025, day first
    assert first.skill_texts == ["bricklaying", "welding"]
    assert first.languages == ["km", "th"]
    assert first.consent == {"referral": True, "share_with_employers": True, "research": False}
    assert first.name_key and first.phone_key and first.registered_by_id == officer.id
    assert [(e.source, e.external_id) for e in first.external_ids] == [("poipet", "P-0")]
    created = db_session.scalar(
        select(func.count()).where(
            AuditEntry.action == "create", AuditEntry.entity_type == "returnee"
        )
    )
    assert created == 12


def test_reimporting_the_same_file_creates_nobody(intake: Intake, db_session: Session) -> None:
    data = people_csv([person(i) for i in range(8)])
    intake(data)
    again = intake(data)
    assert (again.status, again.created, again.linked) == ("succeeded", 0, 8)
    assert _count(db_session, Returnee) == 8
    assert _count(db_session, ReturneeExternalId) == 8
    without_ids = intake(people_csv([person(i, external_id="") for i in range(8)]), source="x")
    assert (without_ids.created, without_ids.linked) == (0, 8)
    assert _count(db_session, Returnee) == 8


def test_a_row_twice_in_one_list_is_one_person(intake: Intake, db_session: Session) -> None:
    run = intake(people_csv([person(1), person(2), person(1)]))
    assert (run.created, run.linked) == (2, 1)
    assert _count(db_session, Returnee) == 2


def test_a_registered_person_with_the_same_phone_and_name_is_linked(
    intake: Intake, db_session: Session, officer: User
) -> None:
    known = make_returnee(
        db_session, officer, given_name="Sokha", family_name="Chhay", phone="012 345 678"
    )
    row = person(40, given_name="Sokha", family_name="Chhay", phone="+855 12 345 678")
    run = intake(people_csv([row]), source="siem-reap-fair")
    assert (run.created, run.linked) == (0, 1)
    db_session.expire_all()
    assert [
        (e.source, e.external_id) for e in db_session.get_one(Returnee, known.id).external_ids
    ] == [("siem-reap-fair", "P-40")]
    found = registry.search(db_session, Actor.of(officer), registry.ReturneeFilters(q="P-40"))
    assert [r.id for r in found.items] == [known.id]


def test_a_weaker_match_is_registered_and_queued_for_review(
    intake: Intake, db_session: Session, officer: User
) -> None:
    known = make_returnee(db_session, officer, phone="011 222 333")
    row = person(41, given_name="Bopha", family_name="Mao", phone="011 222 333")
    run = intake(people_csv([row]))
    assert (run.created, run.linked, run.flagged) == (1, 0, 1)
    assert run.warnings and run.warnings[0]["row"] == 2
    new_id = db_session.scalar(select(Returnee.id).where(Returnee.given_name == "Bopha"))
    pairs = db_session.execute(select(DuplicateReview.returnee_id, DuplicateReview.other_id))
    assert [set(pair) for pair in pairs] == [{new_id, known.id}]  # stored lower id first


def test_rows_outside_the_officers_provinces_are_rejected_by_row(
    intake: Intake, db_session: Session
) -> None:
    run = intake(people_csv([person(1), person(2, home_province="12")]))
    assert (run.status, run.created, run.rejected) == ("partial", 1, 1)
    assert run.errors[0]["field"] == "home_province"
    assert run.errors[0]["row"] == 3
    assert returnee_imports.imports.exit_code(run) == 1


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"home_province": "Atlantis"}, "home_province"),
        ({"date_of_birth": "31/02/1990"}, "date_of_birth"),
        ({"return_date": "2099-01-01"}, "return_date"),
        ({"trafficking_survivor": "maybe"}, "trafficking_survivor"),
        ({"consent_research": "perhaps"}, "consent_research"),
        ({"consent_referral": ""}, "consent_referral"),
        ({"sex": "x"}, "sex"),
        ({"given_name": "A" * 10_000}, "given_name"),
        ({"family_name": '=HYPERLINK("http://evil.example","click")'}, "family_name"),
        ({"given_name": "So\x00kha"}, "given_name"),
        ({"languages": "km|klingon"}, "languages"),
        ({"external_id": "9" * 101}, "external_id"),
    ],
)
def test_bad_rows_are_rejected_with_row_field_and_message(
    intake: Intake, db_session: Session, override: dict[str, str], field: str
) -> None:
    run = intake(people_csv([person(1), person(2, **override)]))
    assert run.status == "partial", run.errors
    assert (3, field) in _issues(run)
    assert all(issue["message"] for issue in run.errors)
    assert _count(db_session, Returnee) == 1


def test_every_row_bad_imports_nothing(intake: Intake, db_session: Session) -> None:
    run = intake(people_csv([person(1, sex="x"), person(2, sex="y")]))
    assert (run.status, run.rejected, run.created) == ("failed", 2, 0)
    assert returnee_imports.imports.exit_code(run) == 2
    assert _count(db_session, Returnee) == 0


def test_strict_imports_nothing_when_a_row_is_bad(intake: Intake, db_session: Session) -> None:
    run = intake(people_csv([person(1), person(2, sex="x")]), strict=True)
    assert (run.status, run.rejected) == ("failed", 1)
    assert _count(db_session, Returnee) == 0


@pytest.mark.parametrize(
    ("data", "column"),
    [
        (people_csv([person(1)], header=[*HEADER, "sex"]), "sex"),
        (
            people_csv([person(1)], header=[h for h in HEADER if h != "date_of_birth"]),
            "date_of_birth",
        ),
    ],
)
def test_duplicate_or_missing_columns_import_nothing(
    intake: Intake, db_session: Session, data: bytes, column: str
) -> None:
    run = intake(data)
    assert run.status == "failed"
    assert column in (run.message or "")
    assert (1, column) in _issues(run)
    assert _count(db_session, Returnee) == 0


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, b"PK\x03\x04garbage" * 10],
)
def test_an_empty_or_binary_file_imports_nothing(
    intake: Intake, db_session: Session, data: bytes
) -> None:
    run = intake(data, filename="list.csv")
    assert run.status == "failed" and run.message
    assert _count(db_session, Returnee) == 0


def test_an_xlsx_list_imports_like_a_csv(intake: Intake, db_session: Session) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in range(3):
        row = person(n)
        values: list[object] = [row[name] for name in HEADER]
        values[HEADER.index("date_of_birth")] = date(1990, 1, n + 1)
        sheet.append(values)
    formula = [person(9)[name] for name in HEADER]
    formula[HEADER.index("family_name")] = "=1+1"
    sheet.append(formula)
    buffer = io.BytesIO()
    book.save(buffer)
    run = intake(buffer.getvalue(), filename="fair.xlsx")
    assert (run.status, run.created, run.rejected) == ("partial", 3, 1)
    assert (5, "family_name") in _issues(run)
    assert db_session.scalar(select(func.min(Returnee.date_of_birth))) == date(1990, 1, 1)


def test_an_admin_names_the_officer_and_others_may_not_import(
    intake: Intake, db_session: Session, officer: User
) -> None:
    admin = make_user(db_session, "admin")
    run = intake(people_csv([person(1)]), actor=Actor.of(admin), officer=officer.email)
    assert run.created == 1 and run.officer_id == officer.id and run.started_by == admin.email
    with pytest.raises(InvalidInput):
        intake(people_csv([person(2)]), actor=Actor.of(admin))
    with pytest.raises(InvalidInput):
        intake(people_csv([person(2)]), actor=Actor.of(admin), officer=admin.email)
    with pytest.raises(Forbidden):
        intake(people_csv([person(2)]), actor=Actor.of(make_user(db_session, "manager")))


def test_chunks_see_each_other_and_their_own_rows(
    intake: Intake, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(returnee_imports, "CHUNK", 3)
    rows = [person(i) for i in range(7)]
    rows.insert(2, person(1))  # the same person again in the same chunk
    rows.append(person(0))  # and in a later one
    run = intake(people_csv(rows))
    assert (run.rows, run.created, run.linked) == (9, 7, 2)
    numbers = list(db_session.scalars(select(Returnee.case_number).order_by(Returnee.id)))
    assert numbers == sorted(set(numbers)) and len(numbers) == 7
    again = intake(people_csv(rows))
    assert (again.created, again.linked) == (0, 9)
    assert _count(db_session, ReturneeExternalId) == 7


def test_a_certain_match_in_another_province_is_queued_not_linked(
    intake: Intake, db_session: Session
) -> None:
    elsewhere = make_user(db_session, provinces=["12"])
    known = make_returnee(db_session, elsewhere, home_province="12", phone="012 345 678")
    row = person(42, given_name="Sokha", family_name="Chhay", phone="012 345 678")
    run = intake(people_csv([row]))
    assert (run.created, run.linked, run.flagged) == (1, 0, 1)
    pairs = db_session.execute(select(DuplicateReview.returnee_id, DuplicateReview.other_id))
    assert [known.id in pair for pair in pairs] == [True]


def test_a_known_number_of_a_case_in_another_province_rejects_its_row(
    intake: Intake, db_session: Session
) -> None:
    """Linking would write onto a case the officer cannot see; registering again would give
    the number to two people. The row is refused with the registration form's notice."""
    elsewhere = make_user(db_session, provinces=["12"])
    known = make_returnee(db_session, elsewhere, home_province="12")
    db_session.add(ReturneeExternalId(returnee_id=known.id, source="poipet", external_id="P-7"))
    db_session.flush()
    run = intake(people_csv([person(43, external_id="P-7"), person(44)]), source="poipet")
    assert (run.created, run.linked, run.rejected) == (1, 0, 1)
    assert run.errors[0]["field"] == "external_id"
    assert "another province" in run.errors[0]["message"]
    holders = db_session.scalars(
        select(ReturneeExternalId.returnee_id).where(ReturneeExternalId.external_id == "P-7")
    )
    assert list(holders) == [known.id]


def test_a_year_alone_in_the_date_of_birth_cell_is_an_approximate_birth_date(
    intake: Intake, db_session: Session
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    typed = [person(0, date_of_birth="1985"), person(1, date_of_birth="1899")]
    for row in typed:
        sheet.append([row[name] for name in HEADER])
    as_number = [person(2)[name] for name in HEADER]
    as_number[HEADER.index("date_of_birth")] = 1979  # a spreadsheet keeps a bare year as a number
    sheet.append(as_number)
    buffer = io.BytesIO()
    book.save(buffer)
    run = intake(buffer.getvalue(), filename="fair.xlsx")
    assert (run.status, run.created, run.rejected) == ("partial", 2, 1)
    assert _issues(run) == {(3, "date_of_birth")}
    people = db_session.execute(
        select(Returnee.date_of_birth, Returnee.date_of_birth_approximate).order_by(Returnee.id)
    ).all()
    assert [tuple(p) for p in people] == [(date(1985, 1, 1), True), (date(1979, 1, 1), True)]
    csv_run = intake(people_csv([person(7, date_of_birth="1990")]), filename="border.csv")
    assert csv_run.created == 1
    assert db_session.scalar(
        select(Returnee.date_of_birth_approximate).where(Returnee.date_of_birth == date(1990, 1, 1))
    )
