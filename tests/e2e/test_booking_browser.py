"""A real browser books, reschedules and cancels through the pages.

Playwright (sync API) drives Debian's Chromium (/usr/bin/chromium) against the
portal served by gunicorn on the test database, mail written to files. The
browser's time zone is Europe/Berlin, so the page must detect it. Screenshots
of the calendar, the slot list and the confirmation (and the other steps) go
to ``test-artifacts/``.

Without Chromium the test is skipped locally and fails when CI=true.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Appointment, AppointmentStatus
from tests import factories
from tests.e2e.conftest import ARTIFACTS, CHROMIUM_FLAGS
from tests.live_server import gunicorn_server

# The browser and gunicorn keep the machine's clock.
pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]

UTC = UTC
EMAIL = "erika@example.org"


def newest_code(mail_dir: Path, email: str, after: float, timeout: float = 10.0) -> str:
    """The code in the newest message to ``email`` written after ``after``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = []
        for path in mail_dir.glob("*") if mail_dir.exists() else []:
            if path.stat().st_mtime + 1 < after:
                continue
            content = path.read_text(errors="replace")
            if email in content:
                for match in re.finditer(r"Subject: (\d{6}) is your code", content):
                    found.append((path.stat().st_mtime, match.group(1)))
        if found:
            return max(found)[1]
        time.sleep(0.1)
    raise AssertionError(f"no code mail to {email} in {mail_dir}")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)  # let htmx settle and the loading hint fade
    page.screenshot(path=str(ARTIFACTS / f"booking-{name}.png"), full_page=True)


def test_book_reschedule_and_cancel_in_a_browser(app, tmp_path, chromium):
    from playwright.sync_api import expect, sync_playwright

    alice = factories.agent("alice@example.com", "Alice Martin")
    bob = factories.agent("bob@example.com", "Bob Schneider", timezone="Europe/Berlin")
    factories.weekly_hours(alice, [(9 * 60, 12 * 60), (13 * 60, 17 * 60)])
    factories.weekly_hours(bob, [(10 * 60, 16 * 60)])
    factories.service(
        [alice, bob],
        slug="consult",
        name="Initial consultation",
        timezone="Europe/London",  # so the page must switch to the browser's zone
        description="A first 30-minute video call to understand what you need.",
    )
    day = datetime.now(UTC).date() + timedelta(days=3)
    db.session.close()

    mail_dir = tmp_path / "mail"
    settings = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "file",
        "MAIL_FILE_PATH": str(mail_dir),
    }
    with (
        gunicorn_server(settings, tmp_path, workers=2, threads=4) as server,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin", locale="en-US"
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # A Content-Security-Policy violation shows as a console error (failed loads are
        # reported by URL below, so their console echo is left out).
        page.on(
            "console",
            lambda message: (
                errors.append(message.text)
                if message.type == "error"
                and not message.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on(
            "response",
            lambda r: (
                errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )

        # The index links to the service's booking page.
        page.goto(server.url + "/")
        page.get_by_role("link", name="Initial consultation").click()
        expect(page).to_have_url(re.compile(r"/book/consult"))
        # The browser's zone, detected on the index page, reached the server (a cookie, then
        # the session): the booking page opens in it at once, with no second fetch.
        expect(page.locator("#timezone")).to_have_value("Europe/Berlin")
        expect(page).not_to_have_url(re.compile(r"timezone="))
        expect(page.locator("#timezone-hint")).to_contain_text("Central European")
        # The searchable list of zones arrives once the page is up.
        expect(page.locator('#timezones option[value="America/New_York"]')).to_have_count(1)
        # The picker opens on the first month with a free time: this one, or the next late on.
        if day.strftime("%B %Y") not in page.locator("#month-title").inner_text():
            page.locator("#month-next").click()
            expect(page.locator("#month-title")).to_contain_text(day.strftime("%B"))
        shot(page, "calendar")

        # A day: only the slot list is loaded, the URL can be shared and Back works.
        day_link = page.locator(f'a[data-day="{day.isoformat()}"]')
        expect(day_link).to_be_visible()
        day_link.click()
        expect(page.locator("#slots-title")).to_have_text(
            re.compile(day.strftime("%A, %B ") + str(day.day))
        )
        expect(page).to_have_url(re.compile(rf"/book/consult/day/{day.isoformat()}"))
        expect(day_link).to_have_attribute("aria-current", "date")
        # Alice works 09-17 UTC = 10-18 in Berlin in winter, 11-19 in summer.
        first_slot = page.locator("#slots button.slot").first
        expect(first_slot).to_have_attribute(
            "aria-label", re.compile(r"Central European (Standard|Summer) Time$")
        )
        shot(page, "slots")
        # Back and forward move between the month and the day (htmx history).
        page.go_back()
        expect(page).not_to_have_url(re.compile(r"/day/"))
        page.go_forward()
        expect(page).to_have_url(re.compile(rf"/book/consult/day/{day.isoformat()}"))
        expect(page.locator("#slots-title")).to_contain_text(str(day.day))

        # Keyboard: the slot buttons are reachable and named with the full date-time.
        slot = page.get_by_role("button", name=re.compile(r", 2:00\sPM Central European"))
        slot.focus()
        expect(slot).to_be_focused()
        page.keyboard.press("Enter")

        # Details, then the code from the mail.
        expect(page.get_by_role("heading", name="Your details")).to_be_visible()
        expect(page.locator(".summary")).to_contain_text("2:00")
        # Choosing a time holds nothing: the time is held once the code goes out.
        expect(page.locator(".summary")).not_to_contain_text("We keep this time")
        page.get_by_label("First name").fill("Erika")
        page.get_by_label("Last name").fill("Mustermann")
        page.get_by_label("Email").fill(EMAIL)
        shot(page, "details")
        sent_after = time.time()
        page.get_by_role("button", name="Send me the code").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        expect(page.locator(".summary")).to_contain_text("We keep this time for you until")
        page.get_by_label("6-digit code").fill(newest_code(mail_dir, EMAIL, sent_after))
        shot(page, "code")
        page.get_by_role("button", name="Confirm booking").click()

        expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
        confirmation = page.locator(".confirmation")
        expect(confirmation).to_contain_text("Initial consultation")
        expect(confirmation).to_contain_text("2:00")
        expect(confirmation).to_contain_text("Europe/Berlin")
        expect(
            page.get_by_role("link", name=re.compile("Add to Google Calendar"))
        ).to_have_attribute("href", re.compile(r"/api/cal/events/google/[0-9a-f-]{36}/event"))
        expect(page.get_by_role("link", name="Download .ics")).to_have_attribute(
            "href", re.compile(r"/api/cal/events/ical/[0-9a-f-]{36}/event")
        )
        shot(page, "confirmation")
        appointment = db.session.scalars(select(Appointment)).one()
        booked_start = appointment.start_at
        berlin = ZoneInfo("Europe/Berlin")
        assert booked_start.astimezone(berlin).replace(tzinfo=None) == datetime(
            day.year, day.month, day.day, 14, 0
        )

        # Manage: reschedule with the same picker.
        page.get_by_role("link", name="Manage booking").click()
        expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
        page.locator("#reschedule > summary").click()
        expect(page.locator("#reschedule #slots-title")).to_be_visible()
        shot(page, "manage")
        later = page.locator("#reschedule button.slot[type=submit]").last
        later.click()
        # Issue 16: a confirm step with both times; only "Confirm" moves the appointment.
        expect(page.locator("#reschedule-old")).to_be_visible()
        expect(page.locator("#reschedule-new")).to_be_visible()
        page.get_by_role("button", name="Confirm the new time").click()
        expect(page.locator(".flash--success")).to_contain_text("Done: your appointment is now on")
        db.session.rollback()  # a fresh snapshot: the server wrote meanwhile
        moved = db.session.scalars(select(Appointment)).one()
        assert moved.id == appointment.id and moved.start_at != booked_start

        # Signed in by the code: "My appointments" lists it, with the same actions.
        page.get_by_role("link", name="My appointments").click()
        expect(page.locator(".appointment-item")).to_have_count(1)
        expect(page.locator(".appointment-item")).to_contain_text("Alice Martin")
        shot(page, "my-upcoming")
        page.locator(".appointment-item").get_by_role("link", name=re.compile("^Cancel")).click()

        # Cancel with a reason (the link opened that section).
        expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
        page.get_by_label("Reason (optional)").fill("Found another date")
        page.get_by_role("button", name="Cancel appointment").click()
        expect(page.locator(".flash--success")).to_contain_text("Your appointment is cancelled")
        expect(page.locator(".badge--cancelled")).to_be_visible()
        shot(page, "cancelled")

        # Now under "Past and cancelled".
        page.get_by_role("link", name="My appointments").click()
        expect(page.get_by_role("heading", name="My appointments")).to_be_visible()
        expect(page.locator("table")).to_contain_text("Cancelled")
        shot(page, "my")

        # A phone-width layout of the picker.
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, timezone_id="Europe/Berlin"
        )
        small = phone.new_page()
        small.goto(f"{server.url}/book/consult/day/{day.isoformat()}?timezone=Europe/Berlin")
        expect(small.locator("#slots-title")).to_be_visible()
        shot(small, "phone")
        # Another zone from the searchable list: the times follow, the URL says so.
        small.locator("#timezone").fill("Asia/Tokyo")
        small.locator("#timezone").press("Enter")
        expect(small.locator("#timezone-hint")).to_contain_text("Japan Standard Time")
        expect(small).to_have_url(re.compile(r"timezone=Asia%2FTokyo"))
        expect(small.locator("#slots .slot").first).to_have_attribute(
            "aria-label", re.compile("Japan Standard Time")
        )
        phone.close()
        browser.close()
        log = server.log()

    db.session.rollback()
    final = db.session.scalars(select(Appointment)).one()
    assert final.status == AppointmentStatus.CANCELLED
    assert final.cancellation_reason == "Found another date"
    assert errors == [], errors
    assert "Traceback" not in log, log
