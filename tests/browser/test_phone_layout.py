"""At 390 px wide (a phone) every main page of every role fits without sideways scrolling,
and the top bar keeps each link whole and on screen, in English and Khmer."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DemoServer

WIDTH = 390
PAGES = {
    "officer": ["/work", "/returnees", "/returnees/new", "/listings", "/inbox"],
    "employer": ["/listings", "/listings/new", "/referrals"],
    "manager": ["/dashboard", "/erasures"],
    "admin": ["/listings", "/imports", "/skills/unmapped", "/admin/audit", "/api/docs"],
}


def _log_in(page, server: DemoServer, role: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    email, password = server.first_of(role)
    page.goto(f"{server.url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    with page.expect_navigation():
        page.click(f"button[name=lang][value={lang}]")


def _overflow(page) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const topbar = [...document.querySelectorAll('.topbar a, .topbar button')]
            .map(e => [e.textContent.trim(), e.getBoundingClientRect()])
            .filter(([, r]) => r.right > width + 0.5 || r.left < -0.5 || r.height > 80)
            .map(([t]) => t);
          return {scroll: document.documentElement.scrollWidth, topbar};
        }"""
    )


@pytest.mark.parametrize("lang", ["en", "km"])
@pytest.mark.parametrize("role", sorted(PAGES))
def test_main_pages_fit_a_phone(page, demo_server: DemoServer, role: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": WIDTH, "height": 844})
    _log_in(page, demo_server, role, lang)
    too_wide = {}
    paths = list(PAGES[role])
    while paths:
        path = paths.pop(0)
        page.goto(f"{demo_server.url}{path}")
        found = _overflow(page)
        if found["scroll"] > WIDTH or found["topbar"]:
            too_wide[path] = found
        if path == "/returnees":  # and one person's record and matches
            person = page.locator("table.list tbody a[href^='/returnees/']").first
            href = person.get_attribute("href")
            paths += [href, f"{href}/matches"]
    assert not too_wide, too_wide
