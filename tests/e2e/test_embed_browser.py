"""A real browser books inside an iframe on another site's page.

The host page is served from ``http://localhost:<port>`` (another origin, and another
site, than the portal at ``http://127.0.0.1:<port>``) with the snippet the service's
admin page shows. The portal runs with ``SameSite=None; Secure; Partitioned`` session cookies, as
docs/deploy.md asks for embeds (Chromium keeps Secure cookies for plain-http loopback
hosts, and blocks unpartitioned third-party cookies), so the frame's session and CSRF
token work. The frame reports its height and,
once booked, the appointment to the host page by postMessage.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta, UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Appointment, Service
from portal.web.admin.services import EMBED_SNIPPET
from tests import factories
from tests.e2e.conftest import CHROMIUM_FLAGS
from tests.e2e.test_booking_browser import newest_code, shot

pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]

EMAIL = "frida@example.org"


class HostSite:
    """A shop's page on http://localhost:<port> that embeds the booking page."""

    def __init__(self, portal_url: str, slug: str) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                body = site.page.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://localhost:{self.server.server_address[1]}"
        snippet = EMBED_SNIPPET.format(
            frame_id=f"portal-booking-{slug}",
            src=f"{portal_url}/embed/{slug}",
            title="Book",
            origin=portal_url,
        ).replace(
            "/* booked: data.appointmentId, data.start */",
            'document.getElementById("status").textContent = "Booked " + data.appointmentId;',
        )
        self.page = (
            "<!doctype html><html><head><title>The shop</title></head><body>"
            "<h1>Our shop</h1><p id='status'>Not booked yet</p>" + snippet + "</body></html>"
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HostSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_booking_inside_an_iframe_on_another_site(app, tmp_path, chromium, live_portal):
    from playwright.sync_api import expect, sync_playwright

    agent = factories.agent("alice@example.com", "Alice Martin")
    factories.weekly_hours(agent, [(0, 24 * 60)])
    service_id = factories.service([agent], slug="consult", name="Initial consultation").id
    day = datetime.now(UTC).date() + timedelta(days=3)
    db.session.close()

    cookies = {
        "SESSION_COOKIE_SAMESITE": "None",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_PARTITIONED": True,
    }
    with live_portal(**cookies) as portal, HostSite(portal.url, "consult") as host:
        service = db.session.get(Service, service_id)
        service.embed_origins = [host.origin]
        db.session.commit()
        db.session.close()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            context = browser.new_context(
                viewport={"width": 1100, "height": 900}, timezone_id="UTC", locale="en-US"
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "response",
                lambda r: (
                    errors.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico")
                    else None
                ),
            )
            page.goto(host.origin + "/")
            frame_element = page.locator("#portal-booking-consult")
            frame = page.frame_locator("#portal-booking-consult")

            if day.strftime("%B %Y") not in frame.locator("#month-title").inner_text():
                frame.locator("#month-next").click()
                expect(frame.locator("#month-title")).to_contain_text(day.strftime("%B"))
            frame.locator(f'a[data-day="{day.isoformat()}"]').click()
            expect(frame.locator("#slots-title")).to_contain_text(str(day.day))
            # The frame told the host its height; the snippet sized it.
            expect(frame_element).to_have_attribute("style", re.compile(r"height: \d+px"))
            frame.get_by_role("button", name=re.compile(r", 2:00\sPM")).click()

            expect(frame.get_by_role("heading", name="Your details")).to_be_visible()
            frame.get_by_label("First name").fill("Frida")
            frame.get_by_label("Last name").fill("Kahlo")
            frame.get_by_label("Email").fill(EMAIL)
            sent_after = time.time()
            frame.get_by_role("button", name="Send me the code").click()
            expect(frame.get_by_role("heading", name="Check your email")).to_be_visible()
            frame.get_by_label("6-digit code").fill(
                newest_code(tmp_path / "mail", EMAIL, sent_after)
            )
            frame.get_by_role("button", name="Confirm booking").click()

            expect(frame.get_by_role("heading", name="You are booked")).to_be_visible()
            appointment = db.session.scalars(select(Appointment)).one()
            # The confirmation told the host page, which only listens to the portal.
            expect(page.locator("#status")).to_have_text(f"Booked {appointment.id}")
            assert page.url.startswith(host.origin)  # the shop's page never left
            shot(page, "embedded")
            browser.close()
            assert errors == [], errors
    assert "Traceback" not in portal.log()
