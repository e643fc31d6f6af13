"""A date of birth known only by its year: stored as 1 January with a flag, read by the age
rules as the youngest the person can be, carried by merges and exports."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from marshmallow import ValidationError
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from reintegrate.errors import RuleBroken
from reintegrate.models import DuplicateReview
from reintegrate.schemas.returnees import ReturneeCreateSchema, ReturneeUpdateSchema
from reintegrate.services import merges, privacy, registry, safeguarding
from reintegrate.services.access import Actor
from reintegrate.services.registry import ReturneeInput
from reintegrate.timeutil import local_today
from tests.builders import make_returnee, make_user, returnee_json


def _load(app: Flask, **overrides: Any) -> ReturneeInput:
    with app.test_request_context():
        return ReturneeInput.of(ReturneeCreateSchema().load(returnee_json(**overrides)))


def _refusal(app: Flask, locale: str, **overrides: Any) -> dict[str, Any]:
    with app.test_request_context(), force_locale(locale), pytest.raises(ValidationError) as bad:
        ReturneeCreateSchema().load(returnee_json(**overrides))
    return bad.value.normalized_messages()


@pytest.mark.parametrize("typed", ["1985", " 1985 ", "១៩៨៥"])
def test_a_year_alone_is_registered_as_1_january_marked_approximate(
    app: Flask, db_session: Session, typed: str
) -> None:
    data = _load(app, date_of_birth=typed)
    assert (data.date_of_birth, data.date_of_birth_approximate) == (date(1985, 1, 1), True)
    assert type(data.date_of_birth) is date
    officer = make_user(db_session)
    returnee = registry.register(db_session, Actor.of(officer), data).returnee
    db_session.commit()
    db_session.expire_all()
    assert (returnee.date_of_birth, returnee.date_of_birth_approximate) == (date(1985, 1, 1), True)


def test_a_full_date_is_exact_and_an_approximate_one_keeps_only_its_year(app: Flask) -> None:
    exact = _load(app, date_of_birth="1990-07-01")
    assert (exact.date_of_birth, exact.date_of_birth_approximate) == (date(1990, 7, 1), False)
    marked = _load(app, date_of_birth="1990-07-01", date_of_birth_approximate=True)
    assert (marked.date_of_birth, marked.date_of_birth_approximate) == (date(1990, 1, 1), True)
    year = _load(app, date_of_birth="1990", date_of_birth_approximate=False)
    assert year.date_of_birth_approximate is True


@pytest.mark.parametrize("year", ["1899", "0000", "next"])
def test_a_year_outside_1900_to_this_year_is_refused_naming_the_field_in_english_and_khmer(
    app: Flask, year: str
) -> None:
    this_year = local_today().year
    typed = str(this_year + 1) if year == "next" else year
    english = _refusal(app, "en", date_of_birth=typed)
    assert english["date_of_birth"] == [f"The year of birth must be between 1900 and {this_year}."]
    khmer = _refusal(app, "km", date_of_birth=typed)
    assert khmer["date_of_birth"] == [f"ឆ្នាំកំណើតត្រូវនៅចន្លោះពី 1900 ដល់ {this_year}។"]


def test_this_year_is_a_possible_year_of_birth(app: Flask) -> None:
    this_year = local_today().year
    data = _load(app, date_of_birth=str(this_year), return_date=local_today().isoformat())
    assert data.date_of_birth == date(this_year, 1, 1)


def test_an_update_can_mark_a_birth_date_approximate_or_exact(
    app: Flask, db_session: Session
) -> None:
    officer = make_user(db_session)
    actor = Actor.of(officer)
    returnee = make_returnee(db_session, officer, date_of_birth=date(1995, 4, 12))
    registry.update_returnee(db_session, actor, returnee.id, {"date_of_birth_approximate": True})
    assert (returnee.date_of_birth, returnee.date_of_birth_approximate) == (date(1995, 1, 1), True)
    with app.test_request_context():
        changes = ReturneeUpdateSchema(partial=True).load({"date_of_birth": "1995-04-12"})
    registry.update_returnee(db_session, actor, returnee.id, changes)
    assert (returnee.date_of_birth, returnee.date_of_birth_approximate) == (
        date(1995, 4, 12),
        False,
    )


def test_a_year_only_birth_date_is_read_as_the_youngest_the_person_can_be() -> None:
    """Born "2008" may be 17 on any day of 2026, so hazardous work stays closed all year;
    born "2011" may be 14 until the last day of 2026, so is still a child until then."""
    assert safeguarding.youngest_birth(date(2008, 1, 1), True) == date(2008, 12, 31)
    assert safeguarding.youngest_birth(date(2008, 3, 5), False) == date(2008, 3, 5)
    on = date(2026, 6, 10)
    safeguarding.check_job(date(2008, 1, 1), "job", True, on)
    with pytest.raises(RuleBroken) as refused:
        safeguarding.check_job(date(2008, 1, 1), "job", True, on, approximate=True)
    assert refused.value.rule == "hazardous_under_18"
    safeguarding.check_job(date(2008, 1, 1), "job", True, date(2026, 12, 31), approximate=True)
    assert safeguarding.age(date(2008, 1, 1), on, approximate=True) == 17
    assert safeguarding.is_child(date(2011, 1, 1), date(2026, 12, 30), approximate=True)
    assert not safeguarding.is_child(date(2011, 1, 1), date(2026, 12, 30))
    assert not safeguarding.is_child(date(2011, 1, 1), date(2026, 12, 31), approximate=True)


def test_the_query_form_of_the_child_rule_agrees_with_it(db_session: Session) -> None:
    for today in (date(2026, 6, 10), date(2026, 12, 31), date(2027, 1, 1), date(2028, 2, 29)):
        for year in range(today.year - 17, today.year - 13):
            for born, approximate in ((date(year, 1, 1), True), (date(year, 12, 31), False)):
                allowed = db_session.scalar(
                    select(safeguarding.not_a_child(literal(born), literal(approximate), today))
                )
                expected = not safeguarding.is_child(born, today, approximate)
                assert bool(allowed) == expected, (today, born, approximate)


def test_a_merge_gives_a_year_only_case_the_other_records_full_date_and_undo_takes_it_back(
    db_session: Session,
) -> None:
    officer = make_user(db_session)
    actor = Actor.of(officer)
    kept = make_returnee(
        db_session,
        officer,
        phone=None,
        date_of_birth=date(1995, 1, 1),
        date_of_birth_approximate=True,
    )
    other = make_returnee(db_session, officer, phone="097 111 2222", return_date=date(2026, 6, 1))
    review = db_session.scalars(
        select(DuplicateReview).where(
            DuplicateReview.returnee_id == kept.id, DuplicateReview.other_id == other.id
        )
    ).one()
    record = merges.merge(db_session, actor, review.id, keep=kept.id)
    db_session.commit()
    db_session.refresh(kept)
    assert (kept.date_of_birth, kept.date_of_birth_approximate) == (date(1995, 4, 12), False)
    merges.undo(db_session, actor, record.id)
    db_session.commit()
    db_session.refresh(kept)
    assert (kept.date_of_birth, kept.date_of_birth_approximate) == (date(1995, 1, 1), True)


def test_a_merge_keeps_a_year_only_date_the_other_record_contradicts(db_session: Session) -> None:
    officer = make_user(db_session)
    kept = make_returnee(
        db_session, officer, date_of_birth=date(1994, 1, 1), date_of_birth_approximate=True
    )
    other = make_returnee(db_session, officer, return_date=date(2026, 6, 1))  # same phone
    pair = db_session.scalars(
        select(DuplicateReview).where(
            DuplicateReview.returnee_id == kept.id, DuplicateReview.other_id == other.id
        )
    ).one()
    record = merges.merge(db_session, Actor.of(officer), pair.id, keep=kept.id)
    db_session.refresh(kept)
    assert (kept.date_of_birth, kept.date_of_birth_approximate) == (date(1994, 1, 1), True)
    assert "date_of_birth" not in record.snapshot["kept_before"]


def test_the_copy_of_a_persons_data_says_when_only_the_year_is_known(
    db_session: Session,
) -> None:
    officer = make_user(db_session)
    returnee = make_returnee(
        db_session, officer, date_of_birth=date(1985, 1, 1), date_of_birth_approximate=True
    )
    copy = privacy.export_returnee(db_session, Actor.of(officer), returnee.id)
    assert copy["date_of_birth"] == "1985-01-01"
    assert copy["date_of_birth_approximate"] is True
