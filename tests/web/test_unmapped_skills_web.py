"""The admins' page of unknown skill phrases: no guess pre-selected, "not a skill" and
"propose a new skill" as answers, and the vocabulary sent once, not once per row."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import AuditEntry, ReturneeSkill, SkillPhraseDecision
from tests.builders import PASSWORD, make_returnee, make_user
from tests.conftest import csrf_token, log_in


def _admin_page(client: FlaskClient, db_session: Session, phrases: tuple[str, ...]) -> str:
    officer = make_user(db_session)
    make_returnee(db_session, officer, skills=phrases)
    log_in(client, make_user(db_session, "admin").email, PASSWORD)
    response = client.get("/skills/unmapped")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _row(page: str, phrase: str) -> str:
    match = re.search(rf"<td>{re.escape(phrase)}</td>.*?</tr>", page, re.S)
    assert match, phrase
    return match.group(0)


def test_a_weak_guess_is_offered_but_not_chosen(client: FlaskClient, db_session: Session) -> None:
    page = _admin_page(client, db_session, ("composting", "pond digging"))
    for phrase in ("composting", "pond digging"):
        row = _row(page, phrase)
        selected = re.findall(r'<option value="([^"]*)" selected>', row)
        assert selected == [""], (phrase, selected)
        assert 'value="not_a_skill"' in row and 'value="proposed"' in row
    assert 'value="skill:cooking"' in _row(page, "composting")  # still offered, as a choice


def test_the_vocabulary_is_sent_once_for_the_whole_page(
    client: FlaskClient, db_session: Session
) -> None:
    phrases = tuple(f"kwazzle {chr(97 + n % 26)}{chr(97 + n // 26)}q" for n in range(30))
    page = _admin_page(client, db_session, phrases)
    assert page.count('<datalist id="skill-names">') == 1
    assert page.count(">Welding<") + page.count('"Welding"') == 1
    assert page.count('list="skill-names"') == 30
    assert len(page.encode()) < 60_000  # 30 rows; every row repeated 154 skills before


def test_not_a_skill_takes_the_phrase_off_the_list(
    client: FlaskClient, db_session: Session
) -> None:
    _admin_page(client, db_session, ("karaoke singer",))
    token = csrf_token(client, "/skills/unmapped")
    answer = client.post(
        "/skills/unmapped",
        data={"phrase": "karaoke singer", "answer": "not_a_skill", "csrf_token": token},
        follow_redirects=True,
    )
    page = answer.get_data(as_text=True)
    assert "“karaoke singer” is marked as not a skill." in page
    assert 'name="phrase" value="karaoke singer"' not in page
    decision = db_session.scalars(select(SkillPhraseDecision)).one()
    assert decision.decision == "not_a_skill"
    assert db_session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "skill_phrase")
    ).one()


def test_a_new_skill_is_proposed_with_its_name_and_a_missing_name_keeps_the_choice(
    client: FlaskClient, db_session: Session
) -> None:
    _admin_page(client, db_session, ("pond digging",))
    token = csrf_token(client, "/skills/unmapped")
    refused = client.post(
        "/skills/unmapped",
        data={"phrase": "pond digging", "answer": "proposed", "name": "", "csrf_token": token},
    )
    assert refused.status_code == 422
    row = _row(refused.get_data(as_text=True), "pond digging")
    assert "Name the new skill." in row and '<option value="proposed" selected>' in row
    saved = client.post(
        "/skills/unmapped",
        data={
            "phrase": "pond digging",
            "answer": "proposed",
            "name": "Pond and canal digging",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    page = saved.get_data(as_text=True)
    assert "Proposed as a new skill: Pond and canal digging" in page
    assert db_session.scalars(select(SkillPhraseDecision.proposed_name)).one() == (
        "Pond and canal digging"
    )


def test_another_skill_is_typed_by_its_name_in_either_language(
    client: FlaskClient, db_session: Session
) -> None:
    _admin_page(client, db_session, ("moto fixing",))
    token = csrf_token(client, "/skills/unmapped")
    unknown = client.post(
        "/skills/unmapped",
        data={"phrase": "moto fixing", "answer": "other", "name": "Wizardry", "csrf_token": token},
    )
    assert unknown.status_code == 422
    assert 'value="Wizardry"' in _row(unknown.get_data(as_text=True), "moto fixing")
    from reintegrate.services.skills import base_vocabulary

    khmer = base_vocabulary().label("motorbike_repair", "km")
    mapped = client.post(
        "/skills/unmapped",
        data={"phrase": "moto fixing", "answer": "other", "name": khmer, "csrf_token": token},
    )
    assert mapped.status_code == 302
    db_session.expire_all()
    codes = db_session.scalars(
        select(ReturneeSkill.code).where(ReturneeSkill.raw_text == "moto fixing")
    ).all()
    assert codes == ["motorbike_repair"]
