"""A safer way to leave: admins keep the options, officers see them when an outcome says the
person may leave again and record that they told them; managers count it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import (
    AuditEntry,
    FollowUp,
    Outcome,
    SafeMigrationBriefing,
    SafeMigrationOption,
    User,
)
from reintegrate.services import safe_migration
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today
from tests.builders import PASSWORD, make_placement, make_user
from tests.conftest import csrf_token, log_in

URL = "/api/v1/safe-migration-options"
Bearer = Callable[[User], dict[str, str]]


def _placed(db_session: Session, officer: User, **outcome: object):  # type: ignore[no-untyped-def]
    employer = make_user(db_session, "employer", employer="Angkor Garments")
    start = local_today() - timedelta(days=200)
    placement = make_placement(db_session, officer, employer, start)
    follow_up = db_session.scalars(
        select(FollowUp).where(FollowUp.placement_id == placement.id).order_by(FollowUp.sequence)
    ).first()
    if outcome:
        db_session.add(
            Outcome(
                follow_up_id=follow_up.id,
                contacted_on=start + timedelta(days=95),
                status=outcome.pop("status", "unemployed"),
                **outcome,
            )
        )
        db_session.commit()
    return placement


def test_admins_keep_options_and_officers_read_the_active_ones(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    admin, officer = make_user(db_session, "admin"), make_user(db_session)
    created = client.post(
        URL,
        json={
            "kind": "resource_centre",
            "name": "Migrant Worker Resource Centre, Battambang",
            "province": "02",
            "contact": "012 000 101",
            "example": True,
        },
        headers=bearer(admin),
    )
    assert created.status_code == 201, created.json
    hidden = client.post(
        URL, json={"kind": "hotline", "name": "Old line", "active": False}, headers=bearer(admin)
    ).json
    assert [o["name"] for o in client.get(URL, headers=bearer(officer)).json] == [
        "Migrant Worker Resource Centre, Battambang"
    ]
    assert len(client.get(URL, headers=bearer(admin)).json) == 2
    changed = client.patch(
        f"{URL}/{created.json['id']}", json={"contact": "012 999 999"}, headers=bearer(admin)
    )
    assert changed.json["contact"] == "012 999 999" and changed.json["example"] is True
    assert client.delete(f"{URL}/{hidden['id']}", headers=bearer(admin)).status_code == 204
    refused = client.post(URL, json={"kind": "hotline", "name": "X"}, headers=bearer(officer))
    assert refused.status_code == 403
    bad = client.post(URL, json={"kind": "broker", "name": "X"}, headers=bearer(admin))
    assert bad.status_code == 422 and "kind" in bad.json["errors"]["json"]
    assert db_session.scalar(select(func.count()).select_from(SafeMigrationOption)) == 1
    audited = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "safe_migration_option")
    ).all()
    assert sorted(audited) == ["create", "create", "delete", "update"]


def test_an_outcome_of_intending_to_leave_shows_options_and_the_briefing_is_recorded(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    officer = make_user(db_session, provinces=["02"])
    db_session.add(SafeMigrationOption(kind="resource_centre", name="MRC Battambang"))
    db_session.commit()
    quiet = _placed(db_session, officer, status="employed_same")
    leaving = _placed(db_session, officer, intends_to_remigrate=True)
    headers = bearer(officer)
    url = "/api/v1/returnees/{}/safe-migration-briefings"
    assert (
        client.get(url.format(quiet.returnee_id), headers=headers).json["needs_safer_leaving"]
        is False
    )
    answer = client.get(url.format(leaving.returnee_id), headers=headers).json
    assert answer["needs_safer_leaving"] is True and answer["briefings"] == []
    assert [o["name"] for o in answer["options"]] == ["MRC Battambang"]

    future = client.post(
        url.format(leaving.returnee_id),
        json={"informed_on": (local_today() + timedelta(days=1)).isoformat()},
        headers=headers,
    )
    assert future.status_code == 422 and "informed_on" in future.json["errors"]["json"]
    assert db_session.scalar(select(func.count()).select_from(SafeMigrationBriefing)) == 0
    told = client.post(
        url.format(leaving.returnee_id),
        json={"informed_on": local_today().isoformat()},
        headers=headers,
    )
    assert told.status_code == 201, told.json
    assert client.get(url.format(leaving.returnee_id), headers=headers).json["briefings"]
    other = make_user(db_session, provinces=["17"])
    assert (
        client.post(
            url.format(leaving.returnee_id),
            json={"informed_on": local_today().isoformat()},
            headers=bearer(other),
        ).status_code
        == 404
    )
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.entity_type == "safe_migration_briefing", AuditEntry.action == "create"
            )
        )
        == 1
    )


def test_the_officer_sees_the_options_on_the_record_and_the_briefing_on_the_timeline(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"])
    db_session.add(
        SafeMigrationOption(
            kind="resource_centre", name="MRC Prey Veng", contact="012 000 103", example=True
        )
    )
    db_session.commit()
    quiet = _placed(db_session, officer, status="employed_same")
    leaving = _placed(
        db_session,
        officer,
        status="remigrated",
        remigration_country="TH",
        remigration_channel="irregular",
    )
    log_in(client, officer.email, PASSWORD)
    assert "MRC Prey Veng" not in client.get(f"/returnees/{quiet.returnee_id}").get_data(
        as_text=True
    )
    page = client.get(f"/returnees/{leaving.returnee_id}").get_data(as_text=True)
    assert "A safer way to leave" in page and "MRC Prey Veng" in page
    assert "example contact" in page
    token = csrf_token(client, f"/returnees/{leaving.returnee_id}")
    answer = client.post(
        f"/returnees/{leaving.returnee_id}/safe-migration-briefings",
        data={"informed_on": local_today().isoformat(), "csrf_token": token},
    )
    assert answer.status_code == 302
    page = client.get(f"/returnees/{leaving.returnee_id}").get_data(as_text=True)
    assert "Recorded that the person was informed." in page
    assert "tl-safe_migration_informed" in page


def test_the_dashboard_counts_people_informed_and_later_remigrations_with_suppression(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"])
    manager = make_user(db_session, "manager")
    placements = [_placed(db_session, officer, intends_to_remigrate=True) for _ in range(2)]
    for placement in placements:
        placement.record_key = 0  # no noise: these counts are protected like every other
        safe_migration.record_informed(
            db_session,
            Actor.of(officer),
            placement.returnee_id,
            local_today() - timedelta(days=10),
        )
    follow_up = db_session.scalars(
        select(FollowUp).where(FollowUp.placement_id == placements[0].id)
    ).first()
    db_session.add(
        Outcome(
            follow_up_id=follow_up.id,
            contacted_on=local_today(),
            status="remigrated",
            remigration_country="TH",
            remigration_channel="irregular",
        )
    )
    db_session.commit()
    figures = safe_migration.dashboard_counts(db_session, Actor.of(manager), threshold=1)
    assert figures.visible() == {
        "informed": 2,
        "remigrated_regular": 0,
        "remigrated_irregular": 1,
        "remigrated_unknown": 0,
    }
    placements[0].record_key = 300_000  # the cell keys change, and so may the figures
    db_session.commit()
    noisy = safe_migration.dashboard_counts(db_session, Actor.of(manager), threshold=1)
    informed = noisy.cells["informed"]
    assert informed.published is not None and abs(informed.shown - 2) <= 2
    again = safe_migration.dashboard_counts(db_session, Actor.of(manager), threshold=1)
    assert again.visible() == noisy.visible(), "the same people always get the same noise"
    hidden = safe_migration.dashboard_counts(db_session, Actor.of(manager), threshold=5)
    assert hidden.visible()["informed"] is None and hidden.visible()["remigrated_irregular"] is None
    log_in(client, manager.email, PASSWORD)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="safer-leaving"' in page and '<td data-column="informed">' in page
    assert '<td data-column="informed">2</td>' not in page


def test_option_ticks_take_true_or_false_only(
    client: FlaskClient, db_session: Session, bearer: Bearer
) -> None:
    admin = make_user(db_session, "admin")
    answer = client.post(
        URL, json={"kind": "hotline", "name": "Line", "active": 0}, headers=bearer(admin)
    )
    assert answer.status_code == 422 and "active" in answer.json["errors"]["json"]


def test_the_api_documents_the_rule_of_a_refusal(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    default = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]
    name = default["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "rule" in spec["components"]["schemas"][name]["properties"]
