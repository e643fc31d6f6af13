"""The main journeys of each role, in a real browser, in English and in Khmer.

Every test runs against one live server loaded with the demo data (`demo_server`), switches
language with the button at the top right, saves a screenshot per step under
test-artifacts/browser/<journey>-<step>-<lang>.png, and checks after each step that the
browser logged no console error (CSP violations show there), asked nothing of any host but
127.0.0.1 and got no failed or 4xx/5xx response.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from datetime import timedelta

import pytest
from babel.support import Translations
from sqlalchemy import select

from reintegrate import TRANSLATIONS_DIR
from reintegrate.db import db
from reintegrate.models import Returnee
from reintegrate.timeutil import local_today
from tests.browser.conftest import ARTIFACTS, DemoServer

LANGS = ["en", "km"]
KHMER = re.compile("[\u1780-\u17ff]")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
CASE_NUMBER = re.compile(r"\bKH\d{2}-")
OFFICER = "officer.battambang@demo.reintegrate.kh"
FOLLOW_UP_OFFICER = "officer.siemreap@demo.reintegrate.kh"
EMPLOYER = "hr@angkor-garments.demo"
MANAGER = "manager@demo.reintegrate.kh"
# Words that stay in Latin script in the Khmer interface: the product, units, file formats.
ALWAYS_ALLOWED = {"Reintegrate", "CSV", "USD"}

_KM = Translations.load(str(TRANSLATIONS_DIR), ["km"])


def tr(lang: str, message: str, **params: object) -> str:
    """The interface text as the app shows it in `lang`, from the same catalogue."""
    text = _KM.gettext(message) if lang == "km" else message
    if lang == "km":
        assert text != message and KHMER.search(text), f"no Khmer for {message!r}"
    return text % params if params else text


def _check(page) -> None:  # type: ignore[no-untyped-def]
    assert page.console_errors == [], page.console_errors
    assert page.external_requests == [], page.external_requests
    assert page.failed_requests == [], page.failed_requests


def _step(page, journey: str, step: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    """A screenshot as an artefact, then the checks every page must pass."""
    page.wait_for_load_state()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{journey}-{step}-{lang}.png"), full_page=True)
    _check(page)


def _english_leftovers(page, selectors: str, allowed: Iterable[str] = ()) -> list[str]:  # type: ignore[no-untyped-def]
    """Latin-script words in these elements that are neither data nor always allowed."""
    allowed_words = set(ALWAYS_ALLOWED)
    for text in allowed:
        allowed_words.update(WORD.findall(text))
    leftovers = []
    texts = page.locator(selectors).evaluate_all(
        "elements => elements.map(e => e.innerText ?? e.textContent)"  # SVG has no innerText
    )
    for text in texts:
        words = [w for w in WORD.findall(text) if w not in allowed_words]
        if words:
            leftovers.append(f"{text.strip()!r}: {words}")
    return leftovers


def _assert_language(  # type: ignore[no-untyped-def]
    page, lang: str, nav: list[str], selectors: str, allowed: Iterable[str] = ()
) -> None:
    """The page is in `lang`: html lang, the role's nav labels, no English left in headings."""
    assert page.locator("html").get_attribute("lang") == lang
    nav_text = page.locator("nav.mainnav").inner_text()
    for label in nav:
        assert tr(lang, label) in nav_text
    if lang == "km":
        assert _english_leftovers(page, f"nav.mainnav a, {selectors}", allowed) == []
        assert not re.search(r"\b(My work|Returnees|Referrals|Outcomes|Log out)\b", nav_text)


def _log_in(page, server: DemoServer, email: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    email, password = server.login_for(email)
    page.goto(f"{server.url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert "/login" not in page.url
    # The choice is saved on the account, so switch every time, English included.
    with page.expect_navigation():
        page.click(f"button[name=lang][value={lang}]")
    assert page.locator("html").get_attribute("lang") == lang


def _nav(page, lang: str, label: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator("nav.mainnav a", has_text=tr(lang, label)).first.click()


def _flash(page) -> str:  # type: ignore[no-untyped-def]
    return " ".join(page.locator("p.flash").all_inner_texts())


# --- 1. Officer: register, see matches, refer -------------------------------------------------

PEOPLE = {
    "en": ("Rachana", "Ouk", "អ៊ុក រចនា", "1991-08-23", "097 515 2231"),
    "km": ("Sreymao", "Touch", "ទូច ស្រីម៉ៅ", "1993-11-05", "088 640 7719"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_officer_registers_sees_matches_and_refers(  # type: ignore[no-untyped-def]
    page, demo_server: DemoServer, lang: str
) -> None:
    journey = "officer-refers"
    given, family, name_km, born, phone = PEOPLE[lang]
    officer_nav = ["My work", "Returnees", "Register a returnee", "Listings"]
    _log_in(page, demo_server, OFFICER, lang)
    assert page.url.endswith("/work")
    _assert_language(page, lang, officer_nav, "main h1, main h2")
    _step(page, journey, "work", lang)

    _nav(page, lang, "Register a returnee")
    assert page.locator("h1").inner_text() == tr(lang, "Register a returnee")
    _assert_language(page, lang, officer_nav, "main h1, main legend, main label[for]")
    page.fill("#given_name", given)
    page.fill("#family_name", family)
    page.fill("#name_km", name_km)
    page.select_option("#sex", "female")
    page.fill("#date_of_birth", born)
    page.fill("#phone", phone)
    page.select_option("#home_province", "02")
    page.fill("#return_date", (local_today() - timedelta(days=20)).isoformat())
    page.select_option("#destination_country", "TH")
    page.select_option("#sector_abroad", "garment")
    page.fill("#skills", "sewing\nដេរសម្លៀកបំពាក់\nquality control")
    page.check("input[name=languages][value=th]")
    page.check("input[name=interests][value=job]")
    page.check("#consent_referral")
    page.check("#consent_share_with_employers")
    page.check("#consent_research")
    _step(page, journey, "form", lang)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    if page.locator("#dup-title").count():  # a demo person happened to look alike
        with page.expect_navigation():
            page.click("button[name=decision][value=new]")
    assert re.search(r"/returnees/\d+$", page.url), page.url
    full_name = f"{given} {family}"
    assert page.locator("h1").inner_text().startswith(full_name)
    assert name_km in page.locator("h1").inner_text()
    case_number = page.locator("p.muted").first.inner_text().split(" · ")[0]
    assert case_number.startswith("KH02-")
    facts = page.locator("main").inner_text()
    assert "ដេរសម្លៀកបំពាក់" in facts and "quality control" in facts
    assert tr(lang, "Female") in facts
    _assert_language(
        page, lang, officer_nav, "main h2, main dt", allowed={full_name, "sewing quality control"}
    )
    _step(page, journey, "record", lang)

    with page.expect_navigation():
        page.click(f"a.button.primary:has-text('{tr(lang, 'See matches')}')")
    assert page.url.endswith("/matches")
    assert page.locator("h1").inner_text() == tr(lang, "Matches for %(name)s", name=full_name)
    jobs = page.locator("section.card").first
    assert jobs.locator("h2").inner_text() == tr(lang, "Local jobs")
    matches = jobs.locator("ol.matches > li")
    assert matches.count() >= 1
    scores = [int(s) for s in jobs.locator(".score strong").all_inner_texts()]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    reasons = [r.strip() for r in matches.first.locator(".component-reasons").all_inner_texts()]
    assert any(reasons), "the best match gives no reason"
    if lang == "km":
        assert any(KHMER.search(r) for r in reasons), reasons
    _assert_language(
        page, lang, officer_nav, "main h2, .component-name, ol.matches button", allowed={full_name}
    )
    _step(page, journey, "matches", lang)

    title = matches.first.locator("h3 a").inner_text()
    with page.expect_navigation():
        matches.first.locator("button.primary", has_text=tr(lang, "Refer")).click()
    assert tr(lang, "Referred. The employer can now answer.") in _flash(page)
    _step(page, journey, "referred", lang)

    with page.expect_navigation():
        page.click(f"a.button:has-text('{tr(lang, 'Back to the record')}')")
    referral = page.locator("section.card li", has_text=title)
    assert referral.locator(".badge").inner_text() == tr(lang, "Referred")
    _step(page, journey, "record-referred", lang)


# --- 2. Employer: answer referrals, invite, hire ----------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_employer_invites_and_hires(page, demo_server: DemoServer, lang: str) -> None:  # type: ignore[no-untyped-def]
    journey = "employer-hires"
    employer_nav = ["My listings", "Post an opening", "Referrals"]
    _log_in(page, demo_server, EMPLOYER, lang)
    _assert_language(page, lang, employer_nav, "main h1, main th")
    _step(page, journey, "listings", lang)

    _nav(page, lang, "Referrals")
    assert page.locator("h1").inner_text() == tr(lang, "People referred to your openings")
    _assert_language(page, lang, employer_nav, "main h1, main th, main label, main button")
    _step(page, journey, "referrals", lang)

    waiting = page.locator("tbody tr", has=page.locator("button[name=status][value=interview]"))
    assert waiting.count() >= 1, "no referral waiting for an answer"
    # The answer forms go once the person is hired: find the row again by opening and person.
    opening, person = (
        waiting.first.locator(f"td:nth-child({n})").inner_text().splitlines()[0] for n in (1, 2)
    )
    row = page.locator("tbody tr").filter(has_text=opening).filter(has_text=person)
    assert row.count() == 1
    # A start date too far ahead is refused on its own row, keeping what was typed.
    typed = (local_today() + timedelta(days=400)).isoformat()
    row.locator("input[type=date][name=start_date]").fill(typed)
    with page.expect_navigation():
        row.locator("button[value=hired]").click()
    message = row.locator(".field-error").inner_text()
    assert tr(lang, "Must be within the next six months.") in message, message
    assert "start_date" not in message
    assert row.locator("input[type=date][name=start_date]").input_value() == typed
    assert row.locator(".badge").inner_text() == tr(lang, "Referred")
    # The refused answer is a 422 page, as it should be; Chromium logs that status.
    for log in (page.console_errors, page.failed_requests):
        refused = [e for e in log if "422" in e]
        assert len(refused) == 1, log
        log.remove(refused[0])
    _step(page, journey, "refused", lang)

    with page.expect_navigation():
        row.locator("button[value=interview]").click()
    assert tr(lang, "Saved.") in _flash(page)
    assert row.locator(".badge").inner_text() == tr(lang, "Interview")
    _step(page, journey, "interview", lang)

    row.locator("input[type=date][name=start_date]").fill(local_today().isoformat())
    with page.expect_navigation():
        row.locator("button[value=hired]").click()
    assert tr(lang, "Saved.") in _flash(page)
    assert row.locator(".badge").inner_text() == tr(lang, "Hired")
    assert row.locator("button").count() == 0
    _step(page, journey, "hired", lang)


# --- 3. Officer: record a follow-up outcome ---------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_officer_records_a_follow_up(page, demo_server: DemoServer, lang: str) -> None:  # type: ignore[no-untyped-def]
    journey = "officer-follow-up"
    officer_nav = ["My work", "Returnees", "Register a returnee", "Listings"]
    _log_in(page, demo_server, FOLLOW_UP_OFFICER, lang)
    assert page.locator("h1").inner_text() == tr(lang, "My work")
    due_section = page.locator("section.card", has_text=tr(lang, "Follow-ups due and overdue"))
    links = due_section.locator("a.button[href*='/followups/']")
    assert links.count() >= 1, "the demo data has no follow-up due for this officer"
    names = due_section.locator("tbody td:nth-child(2) a").all_inner_texts()
    _assert_language(page, lang, officer_nav, "main h1, main h2, main th", allowed=set(names))
    _step(page, journey, "work", lang)

    href = links.first.get_attribute("href")
    with page.expect_navigation():
        links.first.click()
    assert page.url.endswith(href)
    heading = page.locator("h1").inner_text()
    months = re.escape(tr(lang, "%(months)d-month follow-up")).replace("%\\(months\\)d", r"\d+")
    assert re.match(months + ": ", heading), heading
    assert page.locator("h2").first.inner_text() == tr(lang, "Record the outcome")
    _assert_language(
        page, lang, officer_nav, "main h2, main label, main legend, main button", allowed={heading}
    )
    _step(page, journey, "form", lang)

    page.fill("#contacted_on", local_today().isoformat())
    page.select_option("#status", "employed_same")
    page.fill("#monthly_income_usd", "265")
    page.fill("#notes", "Called; doing well." if lang == "en" else "បានទូរស័ព្ទ; សុខសប្បាយ។")
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    assert page.url.endswith("/work"), page.locator("main").inner_text()
    assert tr(lang, "Outcome recorded.") in _flash(page)
    assert page.locator(f"a[href='{href}']").count() == 0
    _step(page, journey, "saved", lang)

    page.goto(f"{demo_server.url}{href}")
    assert page.locator("#contacted_on").count() == 0
    assert page.locator("h1 + p .badge").inner_text() == tr(lang, "Done")
    _step(page, journey, "done", lang)


# --- 4. Manager: the outcomes dashboard and its CSV -------------------------------------------


def _identifying_texts(server: DemoServer) -> list[str]:
    with server.app.app_context(), db.standalone() as session:
        people = session.scalars(select(Returnee)).all()
        return [t for r in people for t in (r.full_name, r.name_km, r.case_number, r.phone) if t]


@pytest.mark.parametrize("lang", LANGS)
def test_manager_reads_the_dashboard_and_downloads_csv(  # type: ignore[no-untyped-def]
    page, demo_server: DemoServer, lang: str, tmp_path
) -> None:
    journey = "manager-dashboard"
    manager_nav = ["Outcomes", "Erasure requests"]
    _log_in(page, demo_server, MANAGER, lang)
    assert "/dashboard" in page.url
    assert page.locator("h1").inner_text() == tr(lang, "Outcomes of placements")
    assert page.locator("table.stats").count() == 4
    assert page.locator("svg[role=img]").count() >= 5
    text = page.locator("body").inner_text()
    assert not CASE_NUMBER.search(text)
    identifying = _identifying_texts(demo_server)
    assert len(identifying) > 300
    assert [t for t in identifying if t in text] == []
    _assert_language(
        page, lang, manager_nav, "main h1, main h2, main th, main label, main caption, svg text"
    )
    _step(page, journey, "dashboard", lang)

    heading = page.locator("table.stats").first.locator("thead th").first
    assert heading.inner_text() == tr(lang, "Province")
    page.select_option("#group_by", "sex")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert "group_by=sex" in page.url
    assert heading.inner_text() == tr(lang, "Sex")
    rows = page.locator("table.stats").first.locator("tbody th").all_inner_texts()
    assert set(rows) <= {tr(lang, "Female"), tr(lang, "Male"), tr(lang, "Other")}, rows
    assert page.locator("svg[role=img]").count() >= 5
    _assert_language(page, lang, manager_nav, "main th, svg text")
    _step(page, journey, "by-sex", lang)

    link = page.locator("p.export a", has_text=tr(lang, "Download as CSV")).first
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("outcomes-by-sex-")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    content = target.read_text(encoding="utf-8-sig")
    table = list(csv.reader(content.splitlines()))
    header = page.locator("table.stats").first.locator("thead th").all_inner_texts()
    # The page folds each rate into "8 of 12"; the CSV keeps every count in its own column.
    assert table[0][0] == header[0].strip() and header[1].strip() in table[0]
    assert table[0][0] == tr(lang, "Sex") and tr(lang, "Placed") in table[0]
    assert table[-1][0] == tr(lang, "Total") and len(table) >= 3
    assert not CASE_NUMBER.search(content)
    assert [t for t in identifying if t in content] == []
    _step(page, journey, "downloaded", lang)
