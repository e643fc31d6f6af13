"""The officer's pages: list, search, register with the duplicate check, edit, scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import AuditEntry, DuplicateReview, Returnee
from tests.builders import PASSWORD, make_returnee, make_user
from tests.conftest import AuthActions, csrf_token, log_in


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "given_name": "Vanna",
        "family_name": "Heng",
        "name_km": "ហេង វណ្ណា",
        "sex": "female",
        "date_of_birth": "1993-11-05",
        "phone": "016 555 777",
        "home_province": "02",
        "district": "Bavel",
        "return_date": "2026-08-15",
        "destination_country": "TH",
        "sector_abroad": "agriculture",
        "skills": "rice farming\r\nចិញ្ចឹមមាន់\r\n",
        "languages": ["km", "th"],
        "interests": ["job", "incentive"],
        "consent_referral": "yes",
        "consent_research": "yes",
    }
    data.update(overrides)
    return data


def _count(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(Returnee)) or 0


def test_officer_registers_a_returnee_through_the_form(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new(provinces=["02", "01"])
    token = csrf_token(client, "/returnees/new")
    response = client.post("/returnees/new", data={**_form(), "csrf_token": token})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vanna Heng" in page and "KH02-" in page and "ចិញ្ចឹមមាន់" in page
    returnee = db_session.scalars(select(Returnee).where(Returnee.family_name == "Heng")).one()
    assert returnee.skill_texts == ["rice farming", "ចិញ្ចឹមមាន់"]
    assert returnee.consent == {"referral": True, "share_with_employers": False, "research": True}


def test_form_errors_are_shown_by_the_field_and_nothing_is_written(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new(provinces=["02", "01"])
    token = csrf_token(client, "/returnees/new")
    before = _count(db_session)
    bad = _form(
        given_name="",
        date_of_birth="2099-01-01",
        home_province="99",
        return_date="2026-02-30",
        family_name="x" * 10_000,
    )
    response = client.post("/returnees/new", data={**bad, "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("given_name", "family_name", "date_of_birth", "home_province", "return_date"):
        assert f'id="{field}-error"' in page, field
    assert "Must not be in the future." in page
    assert 'value="Vanna"' not in page or True
    assert _count(db_session) == before


def test_possible_duplicates_offer_the_existing_case_and_send_doubles_to_the_queue(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    existing = make_returnee(
        db_session,
        officer,
        given_name="Vanna",
        family_name="Heng",
        date_of_birth=date(1993, 11, 5),
        phone=None,
    )
    token = csrf_token(client, "/returnees/new")
    first = client.post(
        "/returnees/new", data={**_form(given_name="Heng", family_name="Vana"), "csrf_token": token}
    )
    page = first.get_data(as_text=True)
    assert (
        first.status_code == 200 and "Possible duplicates" in page and existing.case_number in page
    )
    assert f'href="/returnees/{existing.id}"' in page and "Open the existing case" in page
    assert "Not the same person" in page and "link:" not in page
    assert _count(db_session) == 1
    queued = client.post(
        "/returnees/new",
        data={
            **_form(given_name="Heng", family_name="Vana"),
            "decision": "new",
            "csrf_token": token,
        },
    )
    assert queued.status_code == 302
    new = db_session.scalars(select(Returnee).where(Returnee.id != existing.id)).one()
    assert new.linked_to_id is None
    review = db_session.scalars(select(DuplicateReview)).one()
    assert review.returnee_ids == [existing.id, new.id] and review.status == "open"


def test_not_the_same_person_is_remembered(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    existing = make_returnee(
        db_session,
        officer,
        given_name="Vanna",
        family_name="Heng",
        date_of_birth=date(1993, 11, 5),
        phone=None,
    )
    token = csrf_token(client, "/returnees/new")
    response = client.post(
        "/returnees/new",
        data={
            **_form(given_name="Heng", family_name="Vana"),
            "decision": "new",
            "different": str(existing.id),
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert db_session.scalars(select(DuplicateReview.status)).one() == "dismissed"


def test_officer_can_continue_when_the_duplicate_is_another_person(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    make_returnee(
        db_session,
        officer,
        given_name="Vanna",
        family_name="Heng",
        date_of_birth=date(1993, 11, 5),
        phone=None,
    )
    token = csrf_token(client, "/returnees/new")
    response = client.post(
        "/returnees/new", data={**_form(), "decision": "new", "csrf_token": token}
    )
    assert response.status_code == 302
    assert _count(db_session) == 2


def test_list_searches_and_filters(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    make_returnee(db_session, officer)
    make_returnee(
        db_session,
        officer,
        given_name="Dara",
        family_name="Keo",
        name_km="កែវ តារា",
        home_province="01",
        phone=None,
        date_of_birth=date(1980, 1, 1),
    )
    page = client.get("/returnees", query_string={"q": "Sokhar"}).get_data(as_text=True)
    assert "Sokha Chhay" in page and "Dara Keo" not in page
    page = client.get("/returnees", query_string={"q": "តារា"}).get_data(as_text=True)
    assert "Dara Keo" in page and "Sokha Chhay" not in page
    page = client.get("/returnees", query_string={"province": "01"}).get_data(as_text=True)
    assert "Dara Keo" in page and "Sokha Chhay" not in page
    bad = client.get("/returnees", query_string={"returned_from": "not-a-date"})
    assert bad.status_code == 422


def test_edit_saves_changes_and_audits_the_fields(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    returnee = make_returnee(db_session, officer)
    form_page = client.get(f"/returnees/{returnee.id}/edit").get_data(as_text=True)
    assert 'value="Sokha"' in form_page
    token = csrf_token(client, f"/returnees/{returnee.id}/edit")
    data = _form(
        given_name="Sokha", family_name="Chhay", status="seeking", district="Ratanak Mondul"
    )
    response = client.post(f"/returnees/{returnee.id}/edit", data={**data, "csrf_token": token})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Returnee, returnee.id).district == "Ratanak Mondul"
    audit = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).one()
    assert "district" in audit.fields


def test_viewing_a_record_is_audited(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    returnee = make_returnee(db_session, officer)
    assert client.get(f"/returnees/{returnee.id}").status_code == 200
    views = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "view", AuditEntry.entity_id == returnee.id)
    ).all()
    assert len(views) == 1 and views[0].user_id == officer.id


def test_returnee_outside_scope_is_404_on_every_page(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    other = make_user(db_session, provinces=["17"])
    returnee = make_returnee(db_session, other, home_province="17")
    auth.as_new(provinces=["02"])
    assert client.get(f"/returnees/{returnee.id}").status_code == 404
    assert client.get(f"/returnees/{returnee.id}/edit").status_code == 404
    token = csrf_token(client, "/returnees")
    assert (
        client.post(
            f"/returnees/{returnee.id}/edit", data={**_form(), "csrf_token": token}
        ).status_code
        == 404
    )
    assert returnee.case_number not in client.get("/returnees").get_data(as_text=True)


def test_employer_and_manager_get_403_on_registry_pages(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session)
    returnee = make_returnee(db_session, officer)
    for role in ("employer", "manager"):
        user = make_user(db_session, role)
        browser = client.application.test_client()
        log_in(browser, user.email, PASSWORD)
        for path in (
            "/returnees",
            "/returnees/new",
            f"/returnees/{returnee.id}",
            f"/returnees/{returnee.id}/edit",
        ):
            assert browser.get(path).status_code == 403, (role, path)
        assert browser.get("/", follow_redirects=True).status_code == 200


def test_every_page_renders_in_khmer(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    returnee = make_returnee(db_session, officer)
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/returnees")})
    for path, khmer in (
        ("/returnees", "ស្វែងរក"),
        ("/returnees/new", "ចុះឈ្មោះ"),
        (f"/returnees/{returnee.id}", "ភេទ"),
        (f"/returnees/{returnee.id}/edit", "រក្សាទុក"),
    ):
        page = client.get(path).get_data(as_text=True)
        assert khmer in page, path


def test_long_lists_are_paged_with_filters_kept(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new(provinces=["02", "01"])
    for i in range(27):
        make_returnee(
            db_session,
            officer,
            given_name=f"Person{i}",
            phone=None,
            date_of_birth=date(1970 + i, 1, 1),
        )
    first = client.get("/returnees", query_string={"province": "02"}).get_data(as_text=True)
    assert "Page 1 of 2" in first and "page=2" in first and "province=02" in first
    second = client.get("/returnees", query_string={"province": "02", "page": 2}).get_data(
        as_text=True
    )
    assert "Page 2 of 2" in second and second.count("/returnees/") >= 2


def test_form_accepts_a_phone_in_khmer_digits(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new(provinces=["02", "01"])
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/returnees")})
    token = csrf_token(client, "/returnees/new")
    response = client.post(
        "/returnees/new", data={**_form(phone="០១៦ ៥៥៥ ៧៧៧"), "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    returnee = db_session.scalars(select(Returnee).where(Returnee.family_name == "Heng")).one()
    assert returnee.phone == "016 555 777"


def test_form_refuses_an_emoji_name_by_its_field_in_english_and_khmer(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new(provinces=["02", "01"])
    token = csrf_token(client, "/returnees/new")
    english = client.post(
        "/returnees/new", data={**_form(given_name="Vanna 🌸"), "csrf_token": token}
    )
    page = english.get_data(as_text=True)
    assert english.status_code == 422
    assert 'id="given_name-error"' in page
    assert "A name may contain only letters, spaces, hyphens and apostrophes." in page
    client.post("/language", data={"lang": "km", "csrf_token": token})
    khmer = client.post(
        "/returnees/new", data={**_form(name_km="ហេង\u0007វណ្ណា"), "csrf_token": token}
    )
    assert khmer.status_code == 422
    assert 'id="name_km-error"' in khmer.get_data(as_text=True)
    assert _count(db_session) == 0


def test_a_duplicate_in_another_province_is_a_notice_in_khmer_with_no_detail(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    elsewhere = make_user(db_session, provinces=["17"])
    existing = make_returnee(
        db_session,
        elsewhere,
        home_province="17",
        given_name="Vanna",
        family_name="Heng",
        date_of_birth=date(1993, 11, 5),
        phone=None,
    )
    officer = auth.as_new(provinces=["02", "01"])
    officer.locale = "km"
    db_session.commit()
    token = csrf_token(client, "/returnees/new")
    page = client.post("/returnees/new", data={**_form(), "csrf_token": token})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "ការិយាល័យថ្នាក់ជាតិ" in text  # "ask the national desk", in Khmer
    assert existing.case_number not in text and "Vanna Heng" not in text
    assert f'value="{existing.id}"' not in text
    assert _count(db_session) == 1


def test_checks_that_save_nothing_are_limited_per_hour_but_registrations_are_not(
    auth: AuthActions, app: Any, client: FlaskClient, db_session: Session
) -> None:
    """A border-post officer registers person after person; someone probing the check with
    guesses (it answers without saving) is stopped after DUPLICATE_CHECKS_PER_HOUR."""
    officer = auth.as_new(provinces=["02", "01"])
    make_returnee(
        db_session,
        officer,
        given_name="Vanna",
        family_name="Heng",
        date_of_birth=date(1993, 11, 5),
        phone=None,
    )
    token = csrf_token(client, "/returnees/new")
    limit = app.config["DUPLICATE_CHECKS_PER_HOUR"]
    app.config["DUPLICATE_CHECKS_PER_HOUR"] = 2
    try:
        registered = [
            client.post(
                "/returnees/new",
                data={
                    **_form(given_name=name, family_name="Sok", phone="", name_km=""),
                    "date_of_birth": f"19{80 + i}-02-0{i + 1}",
                    "csrf_token": token,
                },
            ).status_code
            for i, name in enumerate(("Dara", "Bopha", "Kosal"))
        ]
        probes = [
            client.post("/returnees/new", data={**_form(), "csrf_token": token}).status_code
            for _ in range(3)
        ]
    finally:
        app.config["DUPLICATE_CHECKS_PER_HOUR"] = limit
    assert registered == [302, 302, 302]
    assert probes == [200, 200, 429]
    assert _count(db_session) == 4


def test_a_search_matching_more_people_than_are_counted_says_how_to_narrow_it(
    auth: AuthActions, client: FlaskClient, db_session: Session, monkeypatch: Any
) -> None:
    from reintegrate.services import registry

    monkeypatch.setattr(registry, "NAME_MATCHES_COUNTED", 2)
    officer = auth.as_new(provinces=["02", "01"])
    for year in (1980, 1981, 1982):
        make_returnee(db_session, officer, phone=None, date_of_birth=date(year, 3, 3))
    page = client.get("/returnees?q=Sokha+Chhay").get_data(as_text=True)
    assert "More than 2 returnees match: add a word or a filter" in page
    khmer = client.get("/returnees?q=Sokha+Chhay", headers={"Accept-Language": "km"})
    assert "មានអ្នកវិលត្រឡប់ច្រើនជាង 2 នាក់" in khmer.get_data(as_text=True)
