"""A time taken while the customer looked keeps their zone, day and the message (a browser).

The browser is in London and the customer chose New York times: the refusal answers a POST,
so the page puts its own GET address (zone and day) in the address bar before the zone
detection runs, which therefore leaves the chosen zone alone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from tests import factories
from tests.e2e.conftest import CHROMIUM_FLAGS, screenshot

# The browser and gunicorn keep the machine's clock.
pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]


def test_the_taken_message_survives_a_zone_other_than_the_browsers(app, chromium, live_portal):
    from playwright.sync_api import expect, sync_playwright

    alice = factories.agent("alice@example.com", "Alice Martin")
    factories.weekly_hours(alice, [(13 * 60, 17 * 60)])  # 08:00-12:00 in New York (or 09:00-13:00)
    service = factories.service([alice], slug="consult", timezone="Europe/London")
    day = datetime.now(UTC).date() + timedelta(days=3)
    db.session.close()

    with live_portal() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, timezone_id="Europe/London", locale="en-US"
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(f"{server.url}/book/consult?timezone=America/New_York&day={day.isoformat()}")
        first = page.locator("#slots button.slot").first
        expect(first).to_be_visible()
        start = datetime.fromisoformat(first.get_attribute("value").replace("Z", "+00:00"))

        # Someone else books that time while this customer is still looking.
        factories.appointment(db.session.merge(service), db.session.merge(alice), start)
        db.session.close()
        first.click()

        expect(page.locator(".slots__message")).to_have_text(
            "That time was just taken. Please pick another."
        )
        expect(page).to_have_url(
            re.compile(rf"/book/consult\?timezone=America(%2F|/)New_York&day={day.isoformat()}$")
        )
        page.wait_for_timeout(1000)  # time for the zone detection to (wrongly) act
        expect(page.locator("#timezone")).to_have_value("America/New_York")
        expect(page.locator(".slots__message")).to_be_visible()
        expect(page.locator("#slots-title")).to_contain_text(day.strftime("%B"))
        screenshot(page, "booking-slot-taken-other-zone")

        # Reload shows the same day in the same zone (a GET, nothing re-posted).
        page.reload()
        expect(page.locator("#timezone")).to_have_value("America/New_York")
        expect(page.locator("#slots-title")).to_contain_text(day.strftime("%B"))
        browser.close()
        assert "Traceback" not in server.log()
