"""Pages from referral to follow-up: the officer's work list, referrals, outcomes, the inbox."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.errors import Conflict, RuleBroken
from reintegrate.reference import abroad_country_codes
from reintegrate.schemas.fields import form_id
from reintegrate.schemas.placements import (
    WORK_LIST_STATUSES,
    EnrolmentSchema,
    OutcomeAmendmentSchema,
    OutcomeSchema,
    ReferralUpdateSchema,
    WorkListArgs,
)
from reintegrate.services import followups, notifications, placements, privacy, referrals, timeline
from reintegrate.services.access import Actor
from reintegrate.services.followups import OutcomeInput
from reintegrate.services.policy import can
from reintegrate.web.auth import safe_next
from reintegrate.web.forms import Submitted, flatten_errors, submit, whole_or_text
from reintegrate.web.matching import matches_page
from reintegrate.web.returnees import Refused, case_page

bp = Blueprint("placements", __name__)


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


@bp.get("/work")
@login_required
def work() -> tuple[str, int]:
    """The officer's home: follow-ups to make (filtered and sorted), people at risk, reminders."""
    actor = current_actor()
    errors: dict[str, list[str]] = {}
    known = WorkListArgs().fields
    given = {k: v for k, v in request.args.items() if k in known and v.strip()}
    try:
        args = WorkListArgs().load(given)
    except ValidationError as exc:
        errors = flatten_errors(exc.messages_dict)
        args = WorkListArgs().load({})
    statuses = (args["status"],) if args.get("status") else ("due", "overdue")
    with db.transaction() as session:
        due = followups.list_follow_ups(
            session,
            actor,
            statuses=statuses,
            province=args.get("province"),
            due_before=args.get("due_before"),
            sort=args["sort"],
        )
        risky = followups.at_risk(session, actor)
        unread = _unread(session, actor)
        old_records = privacy.past_retention(session, actor)
    return render_template(
        "placements/work.html",
        filters=given,
        filter_errors=errors,
        statuses=WORK_LIST_STATUSES,
        sorts=followups.WORK_LIST_SORTS,
        here=request.full_path if request.query_string else request.path,
        due=due,
        risky=risky,
        unread=unread,
        old_records=old_records,
        retention_years=current_app.config["RETENTION_YEARS"],
    ), (422 if errors else 200)


@bp.post("/returnees/<int:returnee_id>/referrals")
@login_required
def refer(returnee_id: int) -> Response:
    listing_id = request.form.get("listing_id", "")
    try:
        with db.transaction() as session:
            referrals.refer(
                session,
                current_actor(),
                returnee_id,
                form_id(listing_id) or 0,
            )
    except (Conflict, RuleBroken) as exc:
        flash(_("Not referred: %(reason)s", reason=_(exc.message)), "error")
    else:
        flash(_("Referred. The employer can now answer."), "success")
    return redirect(_back(url_for("returnees.detail", returnee_id=returnee_id)))


@bp.post("/returnees/<int:returnee_id>/enrolments")
@login_required
def enrol(returnee_id: int) -> Response | tuple[str, int]:
    """Record an enrolment; a refused date comes back on the programme's row of the matches."""
    typed = {k: request.form.get(k, "") for k in ("listing_id", "start_date")}
    payload: dict[str, object] = {"returnee_id": returnee_id}
    payload |= {k: whole_or_text(v) if k == "listing_id" else v for k, v in typed.items() if v}
    try:
        done = submit(
            EnrolmentSchema(),
            payload,
            lambda session, data: placements.enrol(
                session, current_actor(), returnee_id, data["listing_id"], data["start_date"]
            ),
        )
    except (Conflict, RuleBroken) as exc:
        flash(_("Not enrolled: %(reason)s", reason=_(exc.message)), "error")
        return redirect(_back(url_for("returnees.detail", returnee_id=returnee_id)))
    if done.errors:
        return matches_page(returnee_id, Refused("enrol", done.errors, typed))
    placement = done.result
    flash(_("Enrolled. Follow-ups are scheduled."), "success")
    with db.transaction() as session:
        clashes = placements.clashing_schedules(
            session, placements.get_placement(session, current_actor(), placement.id)
        )
    if clashes:
        flash(
            _("This person already has follow-ups on another placement in the same weeks."),
            "warning",
        )
    return redirect(url_for("placements.placement", placement_id=placement.id))


@bp.get("/referrals")
@login_required
def referral_list() -> str:
    """Employers: the people referred to their openings, with what each agreed to share."""
    confirm = request.args.get("confirm", "")
    return _referrals_page(
        request.args.get("status") or None,
        confirm=form_id(confirm),
    )


def _referrals_page(
    status: str | None,
    *,
    confirm: int | None = None,
    row_errors: dict[int, dict[str, list[str]]] | None = None,
    typed: dict[int, str] | None = None,
) -> str:
    """The referral list; one row may ask to confirm a refusal or show its errors."""
    actor = current_actor()
    with db.transaction() as session:
        page = referrals.list_referrals(
            session, actor, referrals.ReferralFilters(status=status), page_size=100
        )
        views = page.items if referrals.shared_fields_only(actor) else None
    return render_template(
        "placements/referrals.html",
        page=page,
        views=views,
        status=status,
        confirm=confirm,
        row_errors=row_errors or {},
        typed=typed or {},
    )


@bp.post("/referrals/<int:referral_id>/status")
@login_required
def referral_status(referral_id: int) -> Response | tuple[str, int]:
    """An answer to a referral. "Not selected" from the page is asked to be confirmed first;
    an employer's refused answer comes back on its own row with what was typed."""
    employer = can(current_actor(), "referrals.answer")  # answers come from their list
    filter_status = request.form.get("filter_status") or None
    default = (
        url_for("placements.referral_list", status=filter_status)
        if employer
        else url_for("main.home")
    )
    payload = {k: v for k, v in request.form.items() if k in ("status", "start_date", "note") and v}
    if payload.get("status") == "rejected" and request.form.get("confirmed") != "yes":
        with db.transaction() as session:
            referrals.get_referral(session, current_actor(), referral_id)  # 404 if not theirs
        target = url_for("placements.referral_list", status=filter_status, confirm=referral_id)
        return redirect(f"{target}#referral-{referral_id}")
    errors: dict[str, list[str]] = {}
    try:
        errors = submit(
            ReferralUpdateSchema(),
            payload,
            lambda session, data: referrals.change_status(
                session,
                current_actor(),
                referral_id,
                data["status"],
                start_date=data.get("start_date"),
                note=data.get("note"),
            ),
        ).errors
    except Conflict as exc:
        flash(_(exc.message), "error")
    else:
        if not errors:
            flash(_("Saved."), "success")
    if errors and employer:
        page = _referrals_page(
            filter_status,
            row_errors={referral_id: errors},
            typed={referral_id: request.form.get("start_date", "")},
        )
        return page, 422
    if errors:
        return _refused_on_case_page(referral_id, errors)
    anchor = f"#referral-{referral_id}" if employer else ""
    return redirect(_back(default) + anchor)


def _refused_on_case_page(referral_id: int, errors: dict[str, list[str]]) -> tuple[str, int]:
    """An officer's refused answer, back on the person's case page beside that referral."""
    with db.transaction() as session:
        returnee_id = referrals.get_referral(session, current_actor(), referral_id).returnee_id
    typed = {"note": request.form.get("note", "")}
    return case_page(returnee_id, Refused(f"referral-{referral_id}", errors, typed))


@bp.route("/followups/<int:follow_up_id>", methods=["GET", "POST"])
@login_required
def follow_up(follow_up_id: int) -> Response | tuple[str, int]:
    actor = current_actor()
    back = safe_next(request.values.get("next"), url_for("placements.work"))
    done: Submitted[Any] = Submitted()
    if request.method == "POST":
        done = submit(
            OutcomeSchema(),
            _outcome_payload(),
            lambda session, data: followups.record_outcome(
                session, actor, follow_up_id, OutcomeInput(**data)
            ),
            conflict_on="status",
        )
        if not done.errors:
            flash(_("Outcome recorded."), "success")
            return redirect(back)
    with db.transaction() as session:
        item = followups.get_follow_up(session, actor, follow_up_id)
        history = timeline.timeline(session, actor, item.placement.returnee_id)
    return render_template(
        "placements/follow_up.html",
        item=item,
        errors=done.errors,
        values=request.form,
        countries=abroad_country_codes(),
        history=history[:8],
        back=back,
    ), (422 if done.errors else 200)


def _outcome_payload() -> dict[str, object]:
    """The outcome form as the schema reads it: blanks left out, the tick made a boolean."""
    payload: dict[str, object] = {
        k: v for k, v in request.form.items() if k not in ("csrf_token", "next") and v != ""
    }
    if "intends_to_remigrate" in payload:
        payload["intends_to_remigrate"] = payload["intends_to_remigrate"] == "yes"
    return payload


@bp.route("/outcomes/<int:outcome_id>/amend", methods=["GET", "POST"])
@login_required
def amend_outcome(outcome_id: int) -> Response | tuple[str, int]:
    """Correct a saved outcome with a reason; the placement page shows what it replaced."""
    actor = current_actor()
    done: Submitted[int] = Submitted()
    if request.method == "POST":
        done = submit(
            OutcomeAmendmentSchema(),
            _outcome_payload(),
            lambda session, data: (
                followups.amend_outcome(
                    session, actor, outcome_id, OutcomeInput(**data["outcome"]), data["reason"]
                ).follow_up.placement_id
            ),
        )
        if not done.errors:
            flash(_("Outcome corrected."), "success")
            return redirect(url_for("placements.placement", placement_id=done.result))
    with db.transaction() as session:
        outcome = followups.get_outcome(session, actor, outcome_id)
        posted = request.method == "POST"
        values = request.form if posted else followups.outcome_form_values(outcome)
        return render_template(
            "placements/amend_outcome.html",
            outcome=outcome,
            item=outcome.follow_up,
            errors=done.errors,
            values=values,
            countries=abroad_country_codes(),
        ), (422 if done.errors else 200)


@bp.get("/placements/<int:placement_id>")
@login_required
def placement(placement_id: int) -> str:
    with db.transaction() as session:
        item = placements.get_placement(session, current_actor(), placement_id)
        clashes = placements.clashing_schedules(session, item)
    return render_template("placements/placement.html", item=item, clashes=clashes)


@bp.post("/placements/<int:placement_id>/keep-schedule")
@login_required
def keep_schedule(placement_id: int) -> Response:
    """Keep this placement's follow-up schedule and cancel the clashing one's calls ahead."""
    drop = request.form.get("drop", "")
    try:
        with db.transaction() as session:
            placements.keep_one_schedule(session, current_actor(), placement_id, form_id(drop) or 0)
    except Conflict as exc:
        flash(_(exc.message), "error")
    else:
        flash(
            _("One schedule kept: the other placement's follow-ups ahead are cancelled."), "success"
        )
    return redirect(url_for("placements.placement", placement_id=placement_id))


@bp.get("/referrals/<int:referral_id>/letter")
@login_required
def referral_letter(referral_id: int) -> str:
    """A printable letter the person carries to the employer, in the officer's language."""
    with db.transaction() as session:
        letter = referrals.referral_letter(session, current_actor(), referral_id)
    return render_template("placements/letter.html", letter=letter)


@bp.route("/inbox", methods=["GET", "POST"])
@login_required
def inbox() -> Response | str:
    actor = current_actor()
    if request.method == "POST":
        with db.transaction() as session:
            notifications.mark_read(session, actor)
        return redirect(url_for("placements.inbox"))
    with db.transaction() as session:
        items = notifications.inbox(session, actor, limit=100)
        unread = _unread(session, actor)
    return render_template("placements/inbox.html", items=items, unread=unread)


def _unread(session: Session, actor: Actor) -> str:
    """The unread count beside "Inbox": empty for none, "99+" past what is counted."""
    count = notifications.unread_count(session, actor)
    if count >= notifications.UNREAD_COUNTED_UP_TO:
        return f"{notifications.UNREAD_COUNTED_UP_TO - 1}+"
    return str(count) if count else ""


@bp.get("/inbox/<int:notification_id>")
@login_required
def open_notice(notification_id: int) -> Response:
    """Opening a reminder marks it read and goes to the follow-up it is about."""
    with db.transaction() as session:
        follow_up_id = notifications.open_notification(session, current_actor(), notification_id)
    return redirect(url_for("placements.follow_up", follow_up_id=follow_up_id))
