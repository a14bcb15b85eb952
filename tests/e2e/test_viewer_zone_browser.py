"""A London browser that chose New York times sees its appointment in New York times (issue 16).

The manage link has no ``?timezone=``: the zone chosen on the booking page lives in the session,
the page is rendered in it, and the script's zone detection leaves it alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.booking.links import mint_manage_token
from portal.extensions import db
from tests import factories
from tests.e2e.conftest import CHROMIUM_FLAGS, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]


def test_a_chosen_zone_is_kept_on_the_manage_page(app, chromium, live_portal):
    from playwright.sync_api import expect, sync_playwright

    alice = factories.agent("alice@example.com", "Alice Martin")
    factories.weekly_hours(alice, [(13 * 60, 17 * 60)])
    service = factories.service([alice], slug="consult", timezone="Europe/London")
    day = datetime.now(UTC).date() + timedelta(days=3)
    start = datetime(day.year, day.month, day.day, 14, tzinfo=UTC)
    booked = factories.appointment(service, alice, start)
    booked.timezone = "America/New_York"  # booked with New York times
    token = mint_manage_token(db.session, booked)
    db.session.commit()
    db.session.close()

    with live_portal() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, timezone_id="Europe/London", locale="en-US"
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(f"{server.url}/book/consult?timezone=America/New_York")
        expect(page.locator("#timezone")).to_have_value("America/New_York")

        page.goto(f"{server.url}/manage/{token}?open=reschedule")
        page.wait_for_timeout(1000)  # time for the zone detection to (wrongly) act
        expect(page.locator("#timezone")).to_have_value("America/New_York")
        expect(page.locator(".booking__now")).to_contain_text("New York")
        expect(page.locator(".summary__list")).to_contain_text("America/New York")
        expect(page.locator("body")).not_to_contain_text("Greenwich Mean Time")
        expect(page.locator("body")).not_to_contain_text("British Summer Time")
        screenshot(page, "manage-chosen-zone")

        # Another London browser that chose nothing: London first, New York in brackets.
        other = browser.new_context(timezone_id="Europe/London", locale="en-US").new_page()
        other.goto(f"{server.url}/book/consult")  # its first page: detection sets the cookie
        other.goto(f"{server.url}/manage/{token}?open=reschedule")
        expect(other.locator("#timezone")).to_have_value("Europe/London")
        expect(other.locator(".booking__now")).to_contain_text("London (")
        expect(other.locator(".booking__now")).to_contain_text("New York)")
        browser.close()
        assert "Traceback" not in server.log()
