"""Issue 17 in a real browser: the booking flow in German and French fits a phone.

German and French words are longer than English ones; at 390 px no page of the booking flow
(booking page, a day's times, the details form with errors, the code page, the confirmation, the
manage page) nor the team week view and an admin page, signed in, may scroll sideways. Full-page
screenshots of every step at 390 and 1366 px go to ``test-artifacts/lang-<lang>-<width>-*.png``.
"""

from __future__ import annotations

import email
import re
import time
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest

from portal.extensions import db
from portal.models import Role
from tests import factories
from tests.conftest import make_user
from tests.e2e.accessibility import overflowing_elements, page_overflow
from tests.e2e.conftest import CHROMIUM_FLAGS, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]

PASSWORD = "correct horse"  # nosec B105 # test users' password (tests/conftest.make_user)
CUSTOMER = "erika@example.org"


def newest_code(mail_dir: Path, address: str, after: float, timeout: float = 10.0) -> str:
    """The six-digit code in the newest mail to ``address`` written after ``after``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = []
        for path in mail_dir.glob("*") if mail_dir.exists() else []:
            if path.stat().st_mtime + 1 < after:
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if address not in str(message.get("To", "")):
                continue
            body = message.get_body(("plain",))
            match = re.search(r"\b(\d{6})\b", body.get_content() if body else "")
            if match:
                found.append((path.stat().st_mtime, match.group(1)))
        if found:
            return max(found)[1]
        time.sleep(0.1)
    raise AssertionError(f"no code mail to {address} in {mail_dir}")


def seed(language: str) -> str:
    alice = factories.agent("alice@example.com", "Alice Schmidt", "Europe/Berlin")
    factories.weekly_hours(alice, [(9 * 60, 17 * 60)])
    factories.service(
        [alice],
        slug="consult",
        name="Initial consultation",
        timezone="Europe/Berlin",
        description="A first 30-minute video call to understand what you need.",
    )
    admin = make_user("admin@example.com", Role.ADMIN, name="Ada Admin", timezone="Europe/Berlin")
    admin.locale = language  # a staff account's locale beats the browser's
    day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    db.session.commit()
    db.session.close()
    return day


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_booking_flow_fits_a_phone_in_german_and_french(
    app, chromium, live_portal, tmp_path, language
):
    from playwright.sync_api import expect, sync_playwright

    day = seed(language)
    problems: list[str] = []

    def look(page, width: int, name: str) -> None:
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.lang").startswith(language), name
        screenshot(page, f"lang-{language}-{width}-{name}")
        if width <= 480 and page_overflow(page):
            problems.append(
                f"{language} {name}: {page_overflow(page)}px too wide: "
                + "; ".join(overflowing_elements(page))
            )

    with live_portal() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for width in (390, 1366):
            context = browser.new_context(
                viewport={"width": width, "height": 844 if width < 500 else 900},
                timezone_id="Europe/Berlin",
                locale=f"{language}-{'DE' if language == 'de' else 'FR'}",
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.goto(f"{server.url}/book/consult")
            look(page, width, "1-book")
            page.goto(f"{server.url}/book/consult/day/{day}?timezone=Europe%2FBerlin")
            look(page, width, "2-day")
            page.locator("#slots button.slot[type=submit]").nth(width // 390).click()
            page.wait_for_load_state("networkidle")
            page.locator("input[name=email]").fill("not an address")
            page.locator("main button[type=submit]").first.click()
            expect(page.locator(".field-error, [id$=-error]").first).to_be_visible()
            look(page, width, "3-details-errors")
            page.locator("input[name=first_name]").fill("Erika")
            page.locator("input[name=last_name]").fill("Mustermann-Lüdenscheid")
            page.locator("input[name=email]").fill(CUSTOMER)
            sent_at = time.time()
            page.locator("main button[type=submit]").first.click()
            page.wait_for_load_state("networkidle")
            look(page, width, "4-code")
            code = newest_code(tmp_path / "mail", CUSTOMER, sent_at)
            page.locator("input[name=code]").fill(code)
            page.locator("main button[type=submit]").first.click()
            page.wait_for_load_state("networkidle")
            look(page, width, "5-confirmation")
            page.locator('a[href*="/manage/"]').first.click()
            look(page, width, "6-manage")

            # Signed-in staff: the header's navigation is widest in French.
            page.goto(f"{server.url}/login")
            page.locator("input[name=email]").fill("admin@example.com")
            page.locator("input[name=password]").fill(PASSWORD)
            page.locator("main button[type=submit]").first.click()
            page.wait_for_load_state("networkidle")
            page.goto(f"{server.url}/team?view=week")
            look(page, width, "7-team-week")
            page.goto(f"{server.url}/admin/services")
            look(page, width, "8-admin-services")
            context.close()
        browser.close()
    assert not problems, "\n".join(problems)
