"""The referral letter prints: on paper only the letter (no menu, no buttons), in English and
Khmer, with the job, the employer's address, the officer's contact and the date."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reintegrate.db import db
from reintegrate.models import Listing, Referral, Returnee, User
from reintegrate.services import referrals
from reintegrate.services.access import Actor
from tests.browser.conftest import ARTIFACTS, DemoServer
from tests.browser.test_journeys import OFFICER, _check, _log_in, tr


def _referral_in_battambang(server: DemoServer) -> tuple[int, str, str]:
    """A referral by the Battambang officer of someone seeking work in Battambang (made once)."""
    with server.app.app_context(), db.standalone() as session:
        officer = session.scalars(select(User).where(User.email == OFFICER)).one()
        existing = session.scalars(
            select(Referral)
            .join(Returnee, Returnee.id == Referral.returnee_id)
            .where(Returnee.home_province == "02", Referral.status == "referred")
            .order_by(Referral.id)
        ).first()
        if existing is None:
            returnee = session.scalars(
                select(Returnee)
                .where(
                    Returnee.home_province == "02",
                    Returnee.consent_referral.is_(True),
                    Returnee.status == "seeking",
                )
                .order_by(Returnee.id)
            ).first()
            listing = session.scalars(
                select(Listing)
                .where(Listing.kind == "job", Listing.status == "open")
                .order_by(Listing.id)
            ).first()
            assert returnee is not None and listing is not None
            existing = referrals.refer(session, Actor.of(officer), returnee.id, listing.id)
        return existing.id, existing.listing.title, existing.returnee.full_name


@pytest.mark.parametrize("lang", ["en", "km"])
def test_the_referral_letter_prints_to_pdf_without_the_menus(
    page, demo_server: DemoServer, lang: str
) -> None:  # type: ignore[no-untyped-def]
    referral_id, job, person = _referral_in_battambang(demo_server)
    _log_in(page, demo_server, OFFICER, lang)
    page.goto(f"{demo_server.url}/referrals/{referral_id}/letter")
    page.wait_for_load_state()
    _check(page)
    letter = page.locator("article.letter")
    assert job in letter.inner_text() and person in letter.inner_text()
    assert tr(lang, "Officer to contact") in letter.inner_text()
    assert page.locator("#print-letter").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.locator("#print-letter").is_visible()
    assert letter.is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / f"referral-letter-{lang}.pdf"), format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
