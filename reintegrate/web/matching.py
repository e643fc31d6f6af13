"""Officer pages for matches and candidates, and the admin's page of unmapped skill phrases."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.errors import InvalidInput
from reintegrate.presenters.reasons import explained, vocabulary_locale
from reintegrate.services import listings, matching, registry, skills
from reintegrate.services.skills import current_vocabulary
from reintegrate.web.returnees import Refused

bp = Blueprint("matching", __name__)


@bp.get("/returnees/<int:returnee_id>/matches")
@login_required
def returnee_matches(returnee_id: int) -> tuple[str, int]:
    return matches_page(returnee_id)


def matches_page(returnee_id: int, refused: Refused | None = None) -> tuple[str, int]:
    """The matches; after a refused enrolment, 422 with its errors on that programme's row
    (above the lists when the form named no listed programme)."""
    actor = current_actor()
    with db.transaction() as session:
        returnee = registry.get(session, actor, returnee_id, audited=False)
        vocabulary = current_vocabulary(session)
        jobs = matching.matches_for_returnee(session, actor, returnee_id, kind="job", limit=10)
        incentives = matching.matches_for_returnee(
            session, actor, returnee_id, kind="incentive", limit=10
        )
    failed = refused.values.get("listing_id", "").strip() if refused else None
    return render_template(
        "matching/returnee_matches.html",
        returnee=returnee,
        skills=[
            (s.raw_text, s.code and vocabulary.label(s.code, vocabulary_locale()))
            for s in returnee.skills
        ],
        jobs=[(m.listing, explained(m.match, vocabulary)) for m in jobs],
        incentives=[(m.listing, explained(m.match, vocabulary)) for m in incentives],
        errors=refused.errors if refused else {},
        typed=refused.values if refused else {},
        failed=failed,
        on_a_row=any(str(m.listing.id) == failed for m in incentives),
    ), (422 if refused else 200)


@bp.get("/listings/<int:listing_id>/candidates")
@login_required
def listing_candidates(listing_id: int) -> str:
    actor = current_actor()
    with db.transaction() as session:
        listing = listings.get_listing(session, actor, listing_id)
        vocabulary = current_vocabulary(session)
        found = matching.candidates_for_listing(session, actor, listing_id, limit=20)
    return render_template(
        "matching/listing_candidates.html",
        listing=listing,
        candidates=[(c.returnee, explained(c.match, vocabulary)) for c in found],
    )


@bp.route("/skills/unmapped", methods=["GET", "POST"])
@login_required
def unmapped() -> Response | tuple[str, int]:
    """Admins answer unknown phrases: a skill, not a skill, or a new skill to propose."""
    actor = current_actor()
    errors: dict[str, list[str]] = {}
    phrase = request.form.get("phrase", "")
    if request.method == "POST":
        try:
            with db.transaction() as session:
                decided = skills.answer_phrase(
                    session,
                    actor,
                    phrase,
                    request.form.get("answer", ""),
                    request.form.get("name", ""),
                )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages = {
                skills.NOT_A_SKILL: _("“%(phrase)s” is marked as not a skill.", phrase=phrase),
                skills.PROPOSED: _("“%(phrase)s” is proposed as a new skill.", phrase=phrase),
            }
            flash(messages.get(decided, _("Mapped; every record with it is updated.")), "success")
            return redirect(url_for("matching.unmapped"))
    with db.transaction() as session:
        phrases = skills.unmapped_phrases(session, actor)
        decisions = skills.phrase_decisions(session, actor)
        vocabulary = current_vocabulary(session)
    lang = vocabulary_locale()
    names = sorted({vocabulary.label(code, lang) for code in vocabulary.codes()})
    return render_template(
        "matching/unmapped.html",
        phrases=phrases,
        decisions=decisions,
        names=names,
        errors=errors,
        failed_phrase=phrase if errors else None,
        typed={k: request.form.get(k, "") for k in ("answer", "name")},
        label=lambda code: vocabulary.label(code, lang),
    ), (422 if errors else 200)
