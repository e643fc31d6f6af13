"""An officer in a real browser: log in, register, find the person, switch to Khmer."""

from __future__ import annotations

from tests.browser.conftest import LiveServer
from tests.builders import PASSWORD


def _log_in(page, server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/login")
    page.fill("#email", server.officer_email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{server.url}/work")


def test_officer_registers_and_finds_a_returnee(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    _log_in(page, live_server)
    page.click("text=Register a returnee")
    page.fill("#given_name", "Sreyneang")
    page.fill("#family_name", "Pich")
    page.fill("#name_km", "ពេជ្រ ស្រីនាង")
    page.select_option("#sex", "female")
    page.fill("#date_of_birth", "1998-03-14")
    page.fill("#phone", "096 123 4567")
    page.select_option("#home_province", "01")
    page.fill("#return_date", "2026-07-02")
    page.select_option("#destination_country", "TH")
    page.fill("#skills", "sewing\nដេរសម្លៀកបំពាក់")
    page.check("input[name=languages][value=th]")
    page.check("#consent_referral")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/returnees/*")
    assert page.locator("h1").inner_text().startswith("Sreyneang Pich")
    assert "KH01-" in page.content()
    page.goto(f"{live_server.url}/returnees?q=Sreyneng")
    assert page.locator("table.list tbody tr").count() == 1
    assert page.console_errors == []


def test_form_errors_show_next_to_the_field(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/returnees/new")
    page.fill("#given_name", "Test")
    page.fill("#date_of_birth", "2099-01-01")
    page.click("button[type=submit].primary")
    assert page.locator("#date_of_birth-error").inner_text() == "Must not be in the future."
    assert page.locator("#family_name-error").is_visible()


def test_language_switch_to_khmer_persists(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    _log_in(page, live_server)
    page.click("button[name=lang][value=km]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "km"
    assert "ការងាររបស់ខ្ញុំ" in page.content()
    page.goto(f"{live_server.url}/returnees/new")
    assert "ចុះឈ្មោះ" in page.content()
    page.click("button[name=lang][value=en]")
