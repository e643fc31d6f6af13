"""Every route, every role: who gets in, who is refused, and that a refusal changes nothing.

The matrix below must classify every rule of the app's URL map; a new route fails
`test_every_route_is_classified` until someone decides, here, who may use it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from reintegrate.models import (
    FollowUp,
    ImportRun,
    Listing,
    Notification,
    Placement,
    Referral,
    Returnee,
)
from reintegrate.services import followups
from reintegrate.services.access import Actor
from reintegrate.services.followups import OutcomeInput
from reintegrate.timeutil import local_today
from tests.builders import in_days, job_board_csv, listing_json, returnee_json
from tests.security.conftest import ROLES, World, fingerprint, form_token

LOGIN = "login"  # pages: a redirect to the login page; API: 401
ANYONE = "anyone"  # the same answer for every role, anonymous included


@dataclass(frozen=True)
class Route:
    url: Callable[[World], str]
    expected: dict[str, int | str]
    body: Callable[[World, str], dict[str, Any]] | None = None
    multipart: bool = False


def allow(default: int = 403, *, public: int | None = None, **roles: int) -> dict[str, int | str]:
    """Expected answers: `default` for logged-in roles not named; anonymous must log in."""
    if public is not None:
        return dict.fromkeys(ROLES, public)
    expected: dict[str, int | str] = dict.fromkeys(ROLES, default)
    expected["anonymous"] = LOGIN
    expected.update(roles)
    return expected


def officers(ok: int, **more: int) -> dict[str, int | str]:
    """A returnee-scoped route: officer 02 may (the object is in 02), officer 17 gets 404."""
    return allow(officer02=ok, officer17=404, **more)


def _today() -> str:
    return local_today().isoformat()


def _returnee_form(w: World, role: str) -> dict[str, Any]:
    return {
        "given_name": "Chanthou",
        "family_name": "Mealea",
        "sex": "female",
        "date_of_birth": "1992-02-02",
        "home_province": "02",
        "return_date": "2026-04-01",
        "destination_country": "TH",
        "skills": "sewing",
        "languages": ["km"],
        "interests": ["job"],
        "consent_referral": "yes",
        "decision": "new",
    }


def _listing_form(w: World, role: str) -> dict[str, Any]:
    return {
        "title": "Cutter",
        "employer": "Angkor Garments",
        "province": "02",
        "skills": "sewing",
        "positions": "2",
        "employment_type": "full_time",
        "valid_through": in_days(30).isoformat(),
        "languages": ["km"],
    }


def _feed(w: World, role: str) -> dict[str, Any]:
    return {
        "source": "security-feed",
        "kind": "job",
        "file": (io.BytesIO(job_board_csv(1)), "f.csv"),
    }


def _api_listing(w: World, role: str) -> dict[str, Any]:
    if role.startswith("employer"):
        return listing_json()
    return listing_json(employer="Angkor Garments")


def _outcome_02(w: World) -> int:
    """An outcome recorded on the 02 follow-up, made once per world (to be corrected)."""
    if "outcome_02" not in w.extra:
        session = object_session(w.follow_up_02)
        assert session is not None
        outcome = followups.record_outcome(
            session,
            Actor.of(w.users["officer02"]),
            w.follow_up_02.id,
            OutcomeInput(contacted_on=local_today(), status="unemployed"),
        )
        session.commit()
        w.extra["outcome_02"] = outcome.id
    return int(w.extra["outcome_02"])


def _notice_02(w: World) -> int:
    """A reminder to officer 02 about the 02 follow-up, made once per world."""
    if "notice_02" not in w.extra:
        session = object_session(w.follow_up_02)
        assert session is not None
        notice = Notification(
            user_id=w.users["officer02"].id, kind="follow_up_due", follow_up_id=w.follow_up_02.id
        )
        session.add(notice)
        session.commit()
        w.extra["notice_02"] = notice.id
    return int(w.extra["notice_02"])


def _correction(w: World, role: str) -> dict[str, Any]:
    return {"contacted_on": _today(), "status": "employed_same", "reason": "typed in error"}


R02 = "/returnees/{w.r02.id}"
MATRIX: dict[tuple[str, str], Route] = {
    ("/", "GET"): Route(lambda w: "/", allow(302)),
    ("/account/password", "GET"): Route(lambda w: "/account/password", allow(200)),
    ("/account/password", "POST"): Route(
        lambda w: "/account/password",
        allow(422),
        lambda w, r: {"current_password": "not the password", "new_password": "short"},
    ),
    ("/admin/audit", "GET"): Route(lambda w: "/admin/audit", allow(admin=200)),
    ("/api/docs", "GET"): Route(lambda w: "/api/docs", allow(public=200)),
    ("/api/docs/assets/<path:filename>", "GET"): Route(
        lambda w: "/api/docs/assets/swagger-ui.css", allow(public=200)
    ),
    ("/api/docs/explorer", "GET"): Route(lambda w: "/api/docs/explorer", allow(public=200)),
    ("/dashboard", "GET"): Route(lambda w: "/dashboard", allow(manager=200)),
    ("/dashboard/export/<name>.csv", "GET"): Route(
        lambda w: "/dashboard/export/outcomes.csv", allow(manager=200)
    ),
    ("/erasures", "GET"): Route(lambda w: "/erasures", allow(manager=200)),
    ("/erasures", "POST"): Route(
        lambda w: "/erasures",
        allow(manager=302),
        lambda w, r: {"request_id": str(w.erasure_02.id), "decision": "reject"},
    ),
    ("/followups/<int:follow_up_id>", "GET"): Route(
        lambda w: f"/followups/{w.follow_up_02.id}", officers(200)
    ),
    ("/followups/<int:follow_up_id>", "POST"): Route(
        lambda w: f"/followups/{w.follow_up_02.id}",
        officers(302),
        lambda w, r: {"contacted_on": _today(), "status": "employed_same"},
    ),
    ("/outcomes/<int:outcome_id>/amend", "GET"): Route(
        lambda w: f"/outcomes/{_outcome_02(w)}/amend", officers(200)
    ),
    ("/outcomes/<int:outcome_id>/amend", "POST"): Route(
        lambda w: f"/outcomes/{_outcome_02(w)}/amend", officers(302), _correction
    ),
    ("/returnees/notes", "GET"): Route(
        lambda w: "/returnees/notes?q=crossing", allow(officer02=200, officer17=200)
    ),
    ("/returnees/<int:returnee_id>/notes", "POST"): Route(
        lambda w: f"/returnees/{w.r02.id}/notes", officers(302), lambda w, r: {"body": "Called"}
    ),
    ("/placements/<int:placement_id>/keep-schedule", "POST"): Route(
        lambda w: f"/placements/{w.placement_02.id}/keep-schedule",
        officers(302),
        lambda w, r: {"drop": str(w.placement_02.id)},
    ),
    ("/referrals/<int:referral_id>/letter", "GET"): Route(
        lambda w: f"/referrals/{w.referral_a.id}/letter", officers(200)
    ),
    # Officers import returnee lists (their own reports only; the world's run is a feed's).
    ("/imports", "GET"): Route(
        lambda w: "/imports", allow(admin=200, officer02=200, officer17=200)
    ),
    ("/imports", "POST"): Route(
        lambda w: "/imports",
        allow(admin=302, officer02=302, officer17=302),
        _feed,
        multipart=True,
    ),
    ("/imports/<int:run_id>", "GET"): Route(
        lambda w: f"/imports/{w.import_run.id}", allow(admin=200, officer02=404, officer17=404)
    ),
    ("/inbox", "GET"): Route(lambda w: "/inbox", allow(200)),
    ("/inbox", "POST"): Route(lambda w: "/inbox", allow(302), lambda w, r: {}),
    ("/inbox/<int:notification_id>", "GET"): Route(
        lambda w: f"/inbox/{_notice_02(w)}", allow(404, officer02=302)
    ),
    ("/language", "POST"): Route(
        lambda w: "/language", allow(public=302), lambda w, r: {"lang": "en", "next": "/"}
    ),
    ("/listings", "GET"): Route(lambda w: "/listings", allow(200, manager=403)),
    ("/listings/<int:listing_id>", "GET"): Route(
        lambda w: f"/listings/{w.listing_a.id}", allow(200, manager=403, employer_b=404)
    ),
    ("/listings/<int:listing_id>/candidates", "GET"): Route(
        lambda w: f"/listings/{w.listing_a.id}/candidates",
        allow(officer02=200, officer17=200, employer_b=404),
    ),
    ("/listings/<int:listing_id>/edit", "GET"): Route(
        lambda w: f"/listings/{w.listing_a.id}/edit", allow(403, employer_a=200, employer_b=404)
    ),
    ("/listings/<int:listing_id>/edit", "POST"): Route(
        lambda w: f"/listings/{w.listing_a.id}/edit",
        allow(403, employer_a=302, employer_b=404),
        _listing_form,
    ),
    ("/listings/<int:listing_id>/status", "POST"): Route(
        lambda w: f"/listings/{w.listing_a.id}/status",
        allow(302, manager=403, employer_b=404),
        lambda w, r: {"status": "closed"},
    ),
    ("/listings/new", "GET"): Route(lambda w: "/listings/new", allow(200, manager=403)),
    ("/listings/new", "POST"): Route(
        lambda w: "/listings/new",
        allow(302, manager=403),
        lambda w, r: {**_listing_form(w, r), "employer": "" if "employer" in r else "Bayon"},
    ),
    ("/login", "GET"): Route(lambda w: "/login", allow(public=200)),
    ("/login", "POST"): Route(
        lambda w: "/login",
        allow(public=401),
        lambda w, r: {"email": "officer02@example.org", "password": "not the password"},
    ),
    ("/logout", "POST"): Route(lambda w: "/logout", allow(public=302), lambda w, r: {}),
    ("/placements/<int:placement_id>", "GET"): Route(
        lambda w: f"/placements/{w.placement_02.id}", officers(200)
    ),
    ("/referrals", "GET"): Route(
        lambda w: "/referrals",
        allow(officer02=200, officer17=200, employer_a=200, employer_b=200),
    ),
    ("/referrals/<int:referral_id>/status", "POST"): Route(
        lambda w: f"/referrals/{w.referral_a.id}/status",
        officers(302, employer_a=302, employer_b=404),
        lambda w, r: {"status": "interview"},
    ),
    ("/returnees", "GET"): Route(lambda w: "/returnees", allow(officer02=200, officer17=200)),
    ("/returnees/<int:returnee_id>", "GET"): Route(lambda w: R02.format(w=w), officers(200)),
    ("/returnees/<int:returnee_id>/edit", "GET"): Route(
        lambda w: R02.format(w=w) + "/edit", officers(200)
    ),
    ("/returnees/<int:returnee_id>/edit", "POST"): Route(
        lambda w: R02.format(w=w) + "/edit", officers(302), _returnee_form
    ),
    ("/returnees/<int:returnee_id>/enrolments", "POST"): Route(
        lambda w: R02.format(w=w) + "/enrolments",
        officers(302),
        lambda w, r: {"listing_id": str(w.incentive.id), "start_date": _today()},
    ),
    ("/returnees/<int:returnee_id>/erasure", "POST"): Route(
        lambda w: R02.format(w=w) + "/erasure",
        officers(302),
        lambda w, r: {"reason": "person_asked"},
    ),
    ("/returnees/<int:returnee_id>/export.json", "GET"): Route(
        lambda w: R02.format(w=w) + "/export.json", officers(200)
    ),
    ("/returnees/<int:returnee_id>/matches", "GET"): Route(
        lambda w: R02.format(w=w) + "/matches", officers(200)
    ),
    ("/returnees/<int:returnee_id>/referrals", "POST"): Route(
        lambda w: R02.format(w=w) + "/referrals",
        officers(302),
        lambda w, r: {"listing_id": str(w.listing_b.id)},
    ),
    ("/returnees/new", "GET"): Route(
        lambda w: "/returnees/new", allow(officer02=200, officer17=200)
    ),
    ("/returnees/new", "POST"): Route(
        lambda w: "/returnees/new", allow(officer02=302, officer17=422), _returnee_form
    ),
    ("/skills/unmapped", "GET"): Route(lambda w: "/skills/unmapped", allow(admin=200)),
    ("/skills/unmapped", "POST"): Route(
        lambda w: "/skills/unmapped",
        allow(admin=302),
        lambda w, r: {"phrase": "brick stacking", "answer": "skill:bricklaying"},
    ),
    ("/admin/employers", "GET"): Route(lambda w: "/admin/employers", allow(admin=200)),
    ("/admin/employers/<int:employer_id>", "POST"): Route(
        lambda w: f"/admin/employers/{w.listing_a.employer_id}",
        allow(admin=302, employer_a=409),
        lambda w, r: {"verified": "yes", "registration_number": "MOC-0001"},
    ),
    ("/admin/safe-migration-options", "GET"): Route(
        lambda w: "/admin/safe-migration-options", allow(admin=200)
    ),
    ("/admin/safe-migration-options", "POST"): Route(
        lambda w: "/admin/safe-migration-options",
        allow(admin=302),
        lambda w, r: {"kind": "hotline", "name": "Help line", "active": "yes"},
    ),
    ("/admin/safe-migration-options/<int:option_id>", "POST"): Route(
        lambda w: f"/admin/safe-migration-options/{w.extra['option'].id}",
        allow(admin=302),
        lambda w, r: {"kind": "resource_centre", "name": "MRC Battambang (moved)"},
    ),
    ("/admin/safe-migration-options/<int:option_id>/delete", "POST"): Route(
        lambda w: f"/admin/safe-migration-options/{w.extra['option'].id}/delete",
        allow(admin=302),
        lambda w, r: {},
    ),
    ("/returnees/<int:returnee_id>/safe-migration-briefings", "POST"): Route(
        lambda w: R02.format(w=w) + "/safe-migration-briefings",
        officers(302),
        lambda w, r: {"informed_on": _today()},
    ),
    ("/static/<path:filename>", "GET"): Route(lambda w: "/static/css/app.css", allow(public=200)),
    ("/work", "GET"): Route(lambda w: "/work", allow(officer02=200, officer17=200)),
    # JSON API: bearer tokens (cookie sessions are checked in test_sessions.py).
    ("/api/v1/employers", "GET"): Route(lambda w: "/api/v1/employers", allow(admin=200)),
    ("/api/v1/employers/<int:employer_id>", "PATCH"): Route(
        lambda w: f"/api/v1/employers/{w.listing_a.employer_id}",
        allow(admin=200, employer_a=409),
        lambda w, r: {"verified": True, "registration_number": "MOC-0001"},
    ),
    ("/api/v1/safe-migration-options", "GET"): Route(
        lambda w: "/api/v1/safe-migration-options",
        allow(officer02=200, officer17=200, admin=200),
    ),
    ("/api/v1/safe-migration-options", "POST"): Route(
        lambda w: "/api/v1/safe-migration-options",
        allow(admin=201),
        lambda w, r: {"kind": "hotline", "name": "Help line"},
    ),
    ("/api/v1/safe-migration-options/<int:option_id>", "PATCH"): Route(
        lambda w: f"/api/v1/safe-migration-options/{w.extra['option'].id}",
        allow(admin=200),
        lambda w, r: {"contact": "012 000 000"},
    ),
    ("/api/v1/safe-migration-options/<int:option_id>", "DELETE"): Route(
        lambda w: f"/api/v1/safe-migration-options/{w.extra['option'].id}", allow(admin=204)
    ),
    ("/api/v1/returnees/<int:returnee_id>/safe-migration-briefings", "GET"): Route(
        lambda w: f"/api/v1/returnees/{w.r02.id}/safe-migration-briefings", officers(200)
    ),
    ("/api/v1/returnees/<int:returnee_id>/safe-migration-briefings", "POST"): Route(
        lambda w: f"/api/v1/returnees/{w.r02.id}/safe-migration-briefings",
        officers(201),
        lambda w, r: {"informed_on": _today()},
    ),
    ("/api/v1/enrolments", "POST"): Route(
        lambda w: "/api/v1/enrolments",
        officers(201),
        lambda w, r: {
            "returnee_id": w.r02.id,
            "listing_id": w.incentive.id,
            "start_date": _today(),
        },
    ),
    ("/api/v1/followups", "GET"): Route(
        lambda w: "/api/v1/followups", allow(officer02=200, officer17=200)
    ),
    ("/api/v1/followups/<int:follow_up_id>/outcome", "POST"): Route(
        lambda w: f"/api/v1/followups/{w.follow_up_02.id}/outcome",
        officers(201),
        lambda w, r: {"contacted_on": _today(), "status": "employed_same"},
    ),
    ("/api/v1/outcomes/<int:outcome_id>", "PATCH"): Route(
        lambda w: f"/api/v1/outcomes/{_outcome_02(w)}", officers(200), _correction
    ),
    ("/api/v1/imports", "GET"): Route(lambda w: "/api/v1/imports", allow(admin=200)),
    ("/api/v1/imports", "POST"): Route(
        lambda w: "/api/v1/imports", allow(admin=201), _feed, multipart=True
    ),
    ("/api/v1/imports/<int:run_id>", "GET"): Route(
        lambda w: f"/api/v1/imports/{w.import_run.id}",
        allow(admin=200, officer02=404, officer17=404),
    ),
    ("/api/v1/listings", "GET"): Route(lambda w: "/api/v1/listings", allow(200, manager=403)),
    ("/api/v1/listings", "POST"): Route(
        lambda w: "/api/v1/listings", allow(201, manager=403), _api_listing
    ),
    ("/api/v1/listings/<int:listing_id>", "GET"): Route(
        lambda w: f"/api/v1/listings/{w.listing_a.id}", allow(200, manager=403, employer_b=404)
    ),
    ("/api/v1/listings/<int:listing_id>", "PATCH"): Route(
        lambda w: f"/api/v1/listings/{w.listing_a.id}",
        allow(403, employer_a=200, employer_b=404),
        lambda w, r: {"title": "Sewing operator (night shift)"},
    ),
    ("/api/v1/listings/<int:listing_id>/candidates", "GET"): Route(
        lambda w: f"/api/v1/listings/{w.listing_a.id}/candidates",
        allow(officer02=200, officer17=200),
    ),
    ("/api/v1/openapi.json", "GET"): Route(lambda w: "/api/v1/openapi.json", allow(public=200)),
    ("/api/v1/placements/<int:placement_id>", "GET"): Route(
        lambda w: f"/api/v1/placements/{w.placement_02.id}", officers(200)
    ),
    ("/api/v1/referrals", "GET"): Route(
        lambda w: "/api/v1/referrals",
        allow(officer02=200, officer17=200, employer_a=200, employer_b=200),
    ),
    ("/api/v1/referrals", "POST"): Route(
        lambda w: "/api/v1/referrals",
        officers(201),
        lambda w, r: {"returnee_id": w.r02.id, "listing_id": w.listing_b.id},
    ),
    ("/api/v1/referrals/<int:referral_id>", "PATCH"): Route(
        lambda w: f"/api/v1/referrals/{w.referral_a.id}",
        officers(200, employer_a=200, employer_b=404),
        lambda w, r: {"status": "interview"},
    ),
    ("/api/v1/returnees", "GET"): Route(
        lambda w: "/api/v1/returnees", allow(officer02=200, officer17=200)
    ),
    ("/api/v1/returnees", "POST"): Route(
        lambda w: "/api/v1/returnees",
        allow(officer02=201, officer17=422),
        lambda w, r: returnee_json(given_name="Pisey", family_name="Roth", phone=None),
    ),
    ("/api/v1/returnees/<int:returnee_id>", "GET"): Route(
        lambda w: f"/api/v1/returnees/{w.r02.id}", officers(200)
    ),
    ("/api/v1/returnees/<int:returnee_id>", "PATCH"): Route(
        lambda w: f"/api/v1/returnees/{w.r02.id}",
        officers(200),
        lambda w, r: {"district": "Sangkae"},
    ),
    ("/api/v1/returnees/<int:returnee_id>/matches", "GET"): Route(
        lambda w: f"/api/v1/returnees/{w.r02.id}/matches", officers(200)
    ),
    ("/api/v1/skills/mappings", "POST"): Route(
        lambda w: "/api/v1/skills/mappings",
        allow(admin=201),
        lambda w, r: {"phrase": "brick stacking", "code": "bricklaying"},
    ),
    ("/api/v1/skills/unmapped", "GET"): Route(
        lambda w: "/api/v1/skills/unmapped", allow(admin=200)
    ),
    ("/api/v1/stats/outcomes", "GET"): Route(
        lambda w: "/api/v1/stats/outcomes", allow(manager=200)
    ),
    ("/api/v1/stats/retention", "GET"): Route(
        lambda w: "/api/v1/stats/retention", allow(manager=200)
    ),
    ("/returnees/reviews", "GET"): Route(
        lambda w: "/returnees/reviews", allow(officer02=200, officer17=200, admin=200)
    ),
    ("/returnees/reviews/<int:review_id>/merge", "GET"): Route(
        lambda w: "/returnees/reviews/2000000000/merge", allow(officer02=404, officer17=404)
    ),
    ("/returnees/reviews/<int:review_id>/merge", "POST"): Route(
        lambda w: "/returnees/reviews/2000000000/merge",
        allow(officer02=404, officer17=404),
        lambda w, r: {"keep": "1"},
    ),
    ("/returnees/reviews/<int:review_id>/dismiss", "POST"): Route(
        lambda w: "/returnees/reviews/2000000000/dismiss",
        allow(officer02=404, officer17=404, admin=404),
    ),
    ("/returnees/merges/<int:merge_id>/undo", "POST"): Route(
        lambda w: "/returnees/merges/2000000000/undo", allow(officer02=404, officer17=404)
    ),
    ("/api/v1/returnees/case/<string(maxlength=20):case_number>", "GET"): Route(
        lambda w: f"/api/v1/returnees/case/{w.r02.case_number}", officers(200)
    ),
    ("/api/v1/duplicates", "GET"): Route(
        lambda w: "/api/v1/duplicates", allow(officer02=200, officer17=200, admin=200)
    ),
    ("/api/v1/duplicates/<int:review_id>/merge", "POST"): Route(
        lambda w: "/api/v1/duplicates/2000000000/merge",
        allow(officer02=404, officer17=404),
        lambda w, r: {"keep": 1},
    ),
    ("/api/v1/duplicates/<int:review_id>/dismiss", "POST"): Route(
        lambda w: "/api/v1/duplicates/2000000000/dismiss",
        allow(officer02=404, officer17=404, admin=404),
    ),
    ("/api/v1/merges/<int:merge_id>/undo", "POST"): Route(
        lambda w: "/api/v1/merges/2000000000/undo", allow(officer02=404, officer17=404)
    ),
    ("/api/v1/tokens", "GET"): Route(lambda w: "/api/v1/tokens", allow(admin=200)),
    ("/api/v1/tokens/<int:token_id>", "DELETE"): Route(
        lambda w: f"/api/v1/tokens/{w.extra['token_ids']['officer17']}", allow(admin=204)
    ),
}


def _routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (re.sub(r"<int\([^)]*\):", "<int:", rule.rule), method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }


def test_every_route_is_classified(app: Flask) -> None:
    routes = _routes(app)
    unclassified = sorted(routes - set(MATRIX))
    assert not unclassified, f"add these routes to the access matrix: {unclassified}"
    assert not sorted(set(MATRIX) - routes), "the matrix lists routes the app no longer has"


def send(
    client: FlaskClient,
    method: str,
    url: str,
    *,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    multipart: bool = False,
) -> Any:
    """A request as a browser (form and CSRF token) or an API client (JSON, bearer) sends it."""
    if url.startswith("/api/v1/"):
        if method == "GET":
            return client.get(url, headers=headers)
        if multipart:
            return client.open(
                url, method=method, data=body, headers=headers, content_type="multipart/form-data"
            )
        return client.open(url, method=method, json=body, headers=headers)
    if method == "GET":
        return client.get(url)
    data = {**(body or {}), "csrf_token": form_token(client)}
    return client.open(url, method=method, data=data)


@contextmanager
def rolled_back(session: Session) -> Iterator[None]:
    """Run one role's request in a savepoint, so each role meets the same world."""
    session.commit()
    savepoint = session.bind.begin_nested()  # type: ignore[union-attr]
    try:
        yield
    finally:
        savepoint.rollback()
        session.expire_all()


def _check(
    route: Route,
    method: str,
    role: str,
    url: str,
    body: dict[str, Any] | None,
    client: FlaskClient,
    headers: Any,
    db_session: Session,
) -> str | None:
    """None if `role` got its documented answer (and a refusal changed nothing), else why not."""
    expected = route.expected[role]
    before = fingerprint(db_session)
    response = send(client, method, url, body=body, headers=headers, multipart=route.multipart)
    text = response.get_data(as_text=True)
    response.close()
    status = response.status_code
    if expected == LOGIN:
        wanted = "401" if url.startswith("/api/") else "302 to /login"
        ok = (
            status == 401
            if url.startswith("/api/")
            else (status == 302 and response.headers["Location"].startswith("/login"))
        )
    else:
        wanted, ok = str(expected), status == expected
    if not ok:
        return f"{role}: got {status}, expected {wanted}: {text[:200]!r}"
    if (status in (401, 403, 404, 422) or expected == LOGIN) and fingerprint(db_session) != before:
        return f"{role}: refused with {status} but the database changed"
    return None


@pytest.mark.parametrize(
    ("rule", "method"), sorted(MATRIX), ids=[f"{m} {r}" for r, m in sorted(MATRIX)]
)
def test_access_matrix(
    rule: str,
    method: str,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    """Each role in turn, each against the same world: the documented answer, nothing more."""
    route = MATRIX[(rule, method)]
    api = rule.startswith("/api/v1/")
    problems = []
    for role in ROLES:
        # API calls carry only the bearer token: the identity must come from it alone.
        client = browsers["anonymous"] if api else browsers[role]
        url = route.url(world)
        body = route.body(world, role) if route.body else None
        with rolled_back(db_session):
            problem = _check(
                route, method, role, url, body, client, tokens[role] if api else None, db_session
            )
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)


# --- Object-level checks: walk every id as every role -----------------------------------


def _ids(session: Session, model: type) -> range:
    """Every existing id, plus a few unknown ones on either side (PostgreSQL sequences do not
    roll back between tests, so the ids of this test's world need not start at 1)."""
    low, high = session.execute(select(func.min(model.id), func.max(model.id))).one()
    return range(max(1, (low or 1) - 2), (high or 0) + 3)


def _visible(session: Session, kind: str, object_id: int, role: str, world: World) -> bool:
    """Whether `role` may reach object `kind` #object_id at all (the documented scope)."""
    user = world.users.get(role)
    if user is None:
        return False
    provinces = user.provinces
    if kind == "returnee":
        row = session.get(Returnee, object_id)
        return bool(row and user.role == "officer" and row.home_province in provinces)
    if kind == "listing":
        row = session.get(Listing, object_id)
        if row is None or user.role == "manager":
            return False
        return user.role != "employer" or row.employer_id == user.employer_id
    if kind == "candidates":
        return bool(session.get(Listing, object_id)) and user.role == "officer"
    if kind == "referral":
        row = session.get(Referral, object_id)
        if row is None:
            return False
        if user.role == "employer":
            return row.listing.employer_id == user.employer_id
        return user.role == "officer" and row.returnee.home_province in provinces
    if kind in ("placement", "follow_up"):
        model = Placement if kind == "placement" else FollowUp
        row = session.get(model, object_id)
        if row is None:
            return False
        province = row.province if kind == "placement" else row.placement.province
        return user.role == "officer" and province in provinces
    if kind == "import":
        return bool(session.get(ImportRun, object_id)) and user.role == "admin"
    raise AssertionError(kind)


ID_ROUTES: list[tuple[str, str, str, type, Callable[[World, str], dict[str, Any]] | None]] = [
    ("GET", "/returnees/{}", "returnee", Returnee, None),
    ("GET", "/returnees/{}/edit", "returnee", Returnee, None),
    ("POST", "/returnees/{}/edit", "returnee", Returnee, _returnee_form),
    ("GET", "/returnees/{}/matches", "returnee", Returnee, None),
    ("GET", "/returnees/{}/export.json", "returnee", Returnee, None),
    ("POST", "/returnees/{}/referrals", "returnee", Returnee, lambda w, r: {"listing_id": "1"}),
    (
        "POST",
        "/returnees/{}/enrolments",
        "returnee",
        Returnee,
        lambda w, r: {"listing_id": str(w.incentive.id), "start_date": _today()},
    ),
    ("POST", "/returnees/{}/erasure", "returnee", Returnee, lambda w, r: {"reason": "duplicate"}),
    ("GET", "/api/v1/returnees/{}", "returnee", Returnee, None),
    ("PATCH", "/api/v1/returnees/{}", "returnee", Returnee, lambda w, r: {"district": "X"}),
    ("GET", "/api/v1/returnees/{}/matches", "returnee", Returnee, None),
    ("GET", "/listings/{}", "listing", Listing, None),
    ("GET", "/listings/{}/edit", "listing", Listing, None),
    ("POST", "/listings/{}/edit", "listing", Listing, _listing_form),
    ("POST", "/listings/{}/status", "listing", Listing, lambda w, r: {"status": "closed"}),
    ("GET", "/listings/{}/candidates", "candidates", Listing, None),
    ("GET", "/api/v1/listings/{}", "listing", Listing, None),
    ("PATCH", "/api/v1/listings/{}", "listing", Listing, lambda w, r: {"status": "closed"}),
    ("GET", "/api/v1/listings/{}/candidates", "candidates", Listing, None),
    (
        "POST",
        "/referrals/{}/status",
        "referral",
        Referral,
        lambda w, r: {"status": "rejected"},
    ),
    ("PATCH", "/api/v1/referrals/{}", "referral", Referral, lambda w, r: {"status": "rejected"}),
    ("GET", "/placements/{}", "placement", Placement, None),
    ("GET", "/api/v1/placements/{}", "placement", Placement, None),
    ("GET", "/followups/{}", "follow_up", FollowUp, None),
    (
        "POST",
        "/followups/{}",
        "follow_up",
        FollowUp,
        lambda w, r: {"contacted_on": _today(), "status": "unemployed"},
    ),
    (
        "POST",
        "/api/v1/followups/{}/outcome",
        "follow_up",
        FollowUp,
        lambda w, r: {"contacted_on": _today(), "status": "unemployed"},
    ),
    ("GET", "/imports/{}", "import", ImportRun, None),
    ("GET", "/api/v1/imports/{}", "import", ImportRun, None),
]


@pytest.mark.parametrize(
    ("method", "pattern", "kind", "model", "body"),
    ID_ROUTES,
    ids=[f"{m} {p}" for m, p, *_ in ID_ROUTES],
)
def test_walking_ids_never_reaches_what_is_out_of_scope(
    method: str,
    pattern: str,
    kind: str,
    model: type,
    body: Callable[[World, str], dict[str, Any]] | None,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    before = fingerprint(db_session)
    api = pattern.startswith("/api/")
    for role in ROLES:
        for object_id in _ids(db_session, model):
            if _visible(db_session, kind, object_id, role, world):
                if method == "GET":  # in scope: reads work (writes are in the matrix)
                    client = browsers["anonymous"] if api else browsers[role]
                    response = client.get(
                        pattern.format(object_id), headers=tokens[role] if api else None
                    )
                    # a listing's edit form is its owner's only (the matrix has who owns what)
                    allowed = (200, 403) if pattern == "/listings/{}/edit" else (200,)
                    assert response.status_code in allowed, (role, object_id)
                continue
            client = browsers["anonymous"] if api else browsers[role]
            response = send(
                client,
                method,
                pattern.format(object_id),
                body=body(world, role) if body else None,
                headers=tokens[role] if api else None,
            )
            status = response.status_code
            if role == "anonymous":
                assert status == 401 if api else status == 302, (object_id, status)
                continue
            assert status in (403, 404), (role, object_id, status)
            text = response.get_data(as_text=True)
            for secret in ("Sreymom", "Bopharith", "097 555 0102", "088 777 1717"):
                assert secret not in text
    assert fingerprint(db_session) == before, "an out-of-scope request changed the database"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/referrals", "returnee_id"),
        ("/api/v1/enrolments", "returnee_id"),
    ],
)
def test_ids_in_the_body_are_scope_checked_too(
    url: str,
    field: str,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    """Officer 02 names each returnee id in turn: those outside 02 are 404, nothing written."""
    listing = world.listing_a.id if url.endswith("referrals") else world.incentive.id
    before = fingerprint(db_session)
    client = browsers["anonymous"]
    for returnee_id in _ids(db_session, Returnee):
        row = db_session.get(Returnee, returnee_id)
        if row is not None and row.home_province == "02":
            continue
        body = {field: returnee_id, "listing_id": listing, "start_date": _today()}
        if url.endswith("referrals"):
            body.pop("start_date")
        response = client.post(url, json=body, headers=tokens["officer02"])
        assert response.status_code == 404, (returnee_id, response.get_json())
    assert fingerprint(db_session) == before


def test_a_link_to_a_record_out_of_scope_is_404(
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    before = fingerprint(db_session)
    response = browsers["anonymous"].patch(
        f"/api/v1/returnees/{world.r02.id}",
        json={"linked_to_id": world.r17.id},
        headers=tokens["officer02"],
    )
    assert response.status_code == 404
    assert fingerprint(db_session) == before


def test_lists_show_only_what_is_in_scope(
    world: World, browsers: dict[str, FlaskClient], tokens: dict[str, dict[str, str]]
) -> None:
    api = browsers["anonymous"]
    ids = {r["id"] for r in api.get("/api/v1/returnees", headers=tokens["officer02"]).json["items"]}
    assert world.r02.id in ids and world.r17.id not in ids
    follow_ups = api.get(
        "/api/v1/followups?status=scheduled,due,overdue", headers=tokens["officer02"]
    ).json
    assert {f["placement_id"] for f in follow_ups} == {world.placement_02.id}
    for role, own in (("employer_a", world.listing_a.id), ("employer_b", world.listing_b.id)):
        listed = api.get("/api/v1/listings?status=all", headers=tokens[role]).json["items"]
        employer_id = world.users[role].employer_id
        assert listed and all(item["id"] for item in listed)
        assert own in {item["id"] for item in listed}
        for item in listed:
            assert item.get("employer_id", employer_id) == employer_id
        referred = api.get("/api/v1/referrals", headers=tokens[role]).json["items"]
        assert referred and all(
            item["listing_id"] in {row["id"] for row in listed} for item in referred
        )
    officer_referrals = api.get("/api/v1/referrals", headers=tokens["officer17"]).json["items"]
    assert world.referral_a.id not in {item["id"] for item in officer_referrals}
    page = browsers["officer17"].get("/returnees").get_data(as_text=True)
    assert "Sreymom" not in page and "Bopharith" in page
    work = browsers["officer17"].get("/work").get_data(as_text=True)
    assert "Sreymom" not in work and "097 555 0102" not in work


def test_moving_a_returnee_to_another_province_moves_its_placements_out_of_scope(
    app: Flask,
    world: World,
    browsers: dict[str, FlaskClient],
    tokens: dict[str, dict[str, str]],
    db_session: Session,
) -> None:
    from reintegrate.services import registry
    from reintegrate.services.access import Actor
    from tests.builders import make_user

    both = make_user(db_session, provinces=["02", "17"])
    registry.update_returnee(
        db_session, Actor.of(both), world.placement_02.returnee_id, {"home_province": "17"}
    )
    db_session.commit()
    placed = db_session.get(Returnee, world.placement_02.returnee_id)
    assert placed.home_province == "17"
    api, headers = browsers["anonymous"], tokens["officer02"]
    leaks = []
    if api.get(f"/api/v1/placements/{world.placement_02.id}", headers=headers).status_code != 404:
        leaks.append("api placement")
    if browsers["officer02"].get(f"/placements/{world.placement_02.id}").status_code != 404:
        leaks.append("placement page")
    listed = api.get("/api/v1/followups?status=scheduled,due,overdue", headers=headers).json
    if any(item["returnee_id"] == placed.id for item in listed):
        leaks.append("follow-up list with name and phone")
    assert not leaks, leaks
