"""Issue 16 in a real browser: axe-core finds nothing, phones do not scroll sideways,
the month calendar works with arrow keys and the staff time grid opens on "now".

axe-core is pinned by ``tests/e2e/js/package-lock.json`` (``npm ci --prefix
tests/e2e/js``); without it these tests skip locally and fail when CI=true.
``bench/axe_report.py`` reports every page with the demo data.
"""

from __future__ import annotations

import re
import time
from uuid import UUID
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.extensions import db
from portal.models import Role
from portal.models.appointment import AppointmentStatus
from portal.models.notification import (
    Channel,
    NotificationTemplate,
    OutboxChannel,
    OutboxMessage,
    TemplateType,
)
from portal.models.schedule import DayOfWeek, OfficeHours, OfficeHoursType, TimeException
from portal.models.service import Service, ServiceTimeSlot
from portal.models.user import User
from portal.webhooks.events import APPOINTMENT_CREATED
from portal.webhooks.subscriptions import create_subscription
from tests import factories
from tests.conftest import make_user
from tests.e2e.accessibility import (
    axe_script,
    axe_violations,
    settle,
    describe,
    overflowing_elements,
    page_overflow,
)
from tests.e2e.conftest import CHROMIUM_FLAGS, in_ci, screenshot
from tests.e2e.test_booking_browser import newest_code

pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]

PASSWORD = "correct horse"  # nosec B105 # test users' password (tests/conftest.make_user)
WIDTHS = (1366, 390)


@pytest.fixture
def axe() -> str:
    script = axe_script()
    if script is None:
        reason = "axe-core is not installed (npm ci --prefix tests/e2e/js)"
        if in_ci():
            pytest.fail(f"{reason}; the accessibility tests must run in CI")
        pytest.skip(reason)
    return script


def seed() -> dict[str, str]:
    """An agent free all day every day, with a call within the hour and one tomorrow (with a
    manage link); an admin. Returns ids and paths the pages need."""
    alice = factories.agent("alice@example.com", "Alice Schmidt", "Europe/Berlin")
    factories.weekly_hours(alice, [(0, 24 * 60)])
    service = factories.service(
        [alice],
        slug="consult",
        name="Initial consultation",
        timezone="Europe/Berlin",
        description="A first 30-minute video call to understand what you need.",
    )
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    soon = now + timedelta(hours=1) - timedelta(minutes=now.minute)
    appointment = factories.appointment(service, alice, soon, title="Call with Erika")
    tomorrow = factories.appointment(
        service, alice, soon + timedelta(days=1), title="Call with Jonas"
    )
    cancelled = factories.appointment(
        service,
        alice,
        soon + timedelta(days=2),
        title="Call with Mia",
        status=AppointmentStatus.CANCELLED,
        cancellation_reason="Found another date",
    )
    make_user("admin@example.com", Role.ADMIN, name="Ada Admin", timezone="Europe/Berlin")
    ids = {
        "appointment": str(appointment.id),
        "cancelled": str(cancelled.id),
        "service": str(service.id),
        "alice": str(alice.id),
        "manage": f"/manage/{factories.manage_token(tomorrow)}",
    }
    ids.update(seed_admin_items(service, alice, appointment, now))
    db.session.commit()
    db.session.close()
    return ids


def seed_admin_items(service, alice, appointment, now: datetime) -> dict[str, str]:
    """One of each thing the admin and agent edit pages show: a template, a time slot, office
    hours, a webhook, an outbox message and Alice's time off."""
    template = NotificationTemplate(
        service_id=service.id,
        channel=Channel.EMAIL,
        type=TemplateType.REMINDER,
        period_seconds=24 * 3600,
        subject="Reminder: {{ service.name }}",
        text_body="See you soon.",
    )
    # Never offered, so the other days stay free (an offered window would be the only times).
    window = ServiceTimeSlot(
        service_id=service.id,
        day_of_week=1,
        from_minute=3 * 60,
        to_minute=4 * 60,
        available=False,
    )
    lunch = OfficeHours(
        name="Lunch",
        type=OfficeHoursType.LUNCHTIME,
        dow=DayOfWeek.MON,
        time_from=12 * 3600,
        time_to=13 * 3600,
    )
    message = OutboxMessage(
        appointment_id=appointment.id,
        type="CREATE",
        channel=OutboxChannel.EMAIL,
        recipient="cora@example.org",
        subject="Your appointment is booked",
        text_body="See you soon.",
        due_at=now,
    )
    day_off = (now + timedelta(days=20)).date()
    time_off = TimeException(
        from_date=day_off, to_date=day_off, reason_text="Training", agents=[alice]
    )
    db.session.add_all([template, window, lunch, message, time_off])
    hook = create_subscription(
        db.session, {"url": "https://hooks.example.com/portal", "events": [APPOINTMENT_CREATED]}
    ).subscription
    db.session.flush()
    return {
        "template": f"/admin/services/{service.id}/templates/{template.id}",
        "window": f"/admin/services/{service.id}/time-slots/{window.id}/edit",
        "office hours": f"/admin/office-hours/{lunch.id}/edit",
        "outbox message": f"/admin/outbox/{message.id}",
        "webhook": f"/admin/webhooks/{hook.id}",
        "time off": f"/agent/time-off/{time_off.id}/edit",
    }


def new_page(browser, width: int, lang: str = "en", base: str | None = None):
    """A page of ``width`` pixels; with ``base``, ``lang`` is also the visitor's choice (the
    language menu's cookie), which comes before a staff user's or an appointment's locale."""
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 500 else 900},
        timezone_id="Europe/Berlin",
        locale={"en": "en-US", "de": "de-DE"}[lang],
        extra_http_headers={"Accept-Language": lang},
    )
    if base is not None:
        context.add_cookies([{"name": "portal_locale", "value": lang, "url": base}])
    context.set_default_timeout(15_000)
    return context, context.new_page()


def sign_in(page, base: str, email: str, lang: str = "en") -> None:
    german = lang == "de"
    page.goto(base + "/login")
    page.get_by_label("E-Mail" if german else "Email").fill(email)
    page.get_by_label("Passwort" if german else "Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("anmelden" if german else "sign in", re.I)).click()
    page.wait_for_load_state("networkidle")


def check(page, name: str, script: str, problems: list[str]) -> None:
    settle(page)
    violations = axe_violations(page, script)
    if violations:
        problems.append(f"{name}:\n{describe(violations)}")
    width = page.viewport_size["width"]
    if width <= 480 and page_overflow(page):
        problems.append(
            f"{name}: {page_overflow(page)}px wider than the viewport: "
            + "; ".join(overflowing_elements(page))
        )


def test_pages_pass_axe_and_fit_a_phone(app, chromium, live_portal, axe, tmp_path):
    from playwright.sync_api import sync_playwright

    ids = seed()
    mail_dir = tmp_path / "mail"  # live_portal's file mail backend
    waitlist_day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    customer_pages = [
        ("index", "/"),
        ("sign-in", "/login"),
        ("my sign-in", "/my"),
        ("api docs", "/api/docs"),
        ("waitlist join", f"/book/consult/waitlist?day={waitlist_day}"),
    ]
    agent_pages = [
        ("agent dashboard", "/agent"),
        ("agent appointment", f"/agent/appointments/{ids['appointment']}"),
        ("agent cancelled appointment", f"/agent/appointments/{ids['cancelled']}"),
        ("agent hours", "/agent/hours"),
        ("agent time off", "/agent/time-off"),
        ("agent new time off", "/agent/time-off/new"),
        ("agent time off edit", ids["time off"]),
        ("agent day", "/agent/calendar?view=day"),
        ("agent week", "/agent/calendar?view=week"),
        ("agent month", "/agent/calendar?view=month"),
    ]
    admin_pages = [
        ("admin home", "/admin"),
        ("admin users", "/admin/users"),
        ("admin new user", "/admin/users/new"),
        ("admin user edit", f"/admin/users/{ids['alice']}"),
        ("admin services", "/admin/services"),
        ("admin new service", "/admin/services/new"),
        ("admin service", f"/admin/services/{ids['service']}"),
        ("admin templates", f"/admin/services/{ids['service']}/templates"),
        ("admin template edit", ids["template"]),
        ("admin time slots", f"/admin/services/{ids['service']}/time-slots"),
        ("admin time slot edit", ids["window"]),
        ("admin webhooks", "/admin/webhooks"),
        ("admin webhook edit", ids["webhook"]),
        ("admin tokens", "/admin/tokens"),
        ("admin office hours", "/admin/office-hours"),
        ("admin office hours edit", ids["office hours"]),
        ("admin outbox", "/admin/outbox"),
        ("admin outbox message", ids["outbox message"]),
        ("team day", "/team?view=day"),
        ("team week", "/team?view=week"),
        ("team month", "/team?view=month"),
    ]
    problems: list[str] = []
    with live_portal() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        base = server.url
        for width in WIDTHS:
            context, page = new_page(browser, width)
            for name, path in customer_pages:
                page.goto(base + path)
                check(page, f"{name} @ {width}", axe, problems)
            page.goto(base + "/login")
            page.get_by_label("Email").fill("nobody@example.com")
            page.get_by_label("Password").fill("not the password")
            page.get_by_role("button", name=re.compile("sign in", re.I)).click()
            check(page, f"sign-in error @ {width}", axe, problems)

            # The booking flow up to the details form, with its errors.
            page.goto(base + "/book/consult")
            check(page, f"book month @ {width}", axe, problems)
            page.locator("a.month__day--free").first.click()
            page.locator("#slots button.slot").first.wait_for()
            check(page, f"book day @ {width}", axe, problems)
            # Someone else books the first time while this customer looks at it.
            take_first_time(page, ids)
            page.locator("#slots button.slot").first.click()
            page.locator(".slots__message").wait_for()
            check(page, f"book slot taken @ {width}", axe, problems)
            page.locator("#slots button.slot").first.click()
            page.get_by_role("button", name="Send me the code").click()
            page.locator(".field-error").first.wait_for()
            check(page, f"book details errors @ {width}", axe, problems)
            screenshot(page, f"a11y-details-errors-{width}")

            # The code step, a wrong code, the confirmation and /my signed in by the code.
            email = f"erika.{width}@example.org"
            page.get_by_label("First name").fill("Erika")
            page.get_by_label("Last name").fill("Mustermann")
            page.get_by_label("Email").fill(email)
            sent_after = time.time()
            page.get_by_role("button", name="Send me the code").click()
            page.get_by_label("6-digit code").wait_for()
            check(page, f"book code @ {width}", axe, problems)
            page.get_by_label("6-digit code").fill("000000")
            page.get_by_role("button", name="Confirm booking").click()
            page.locator(".field-error").first.wait_for()
            check(page, f"book wrong code @ {width}", axe, problems)
            page.get_by_label("6-digit code").fill(newest_code(mail_dir, email, sent_after))
            page.get_by_role("button", name="Confirm booking").click()
            page.get_by_role("heading", name="You are booked").wait_for()
            check(page, f"book confirmed @ {width}", axe, problems)
            page.goto(base + "/my")
            page.locator(".appointment-item").first.wait_for()
            check(page, f"my appointments @ {width}", axe, problems)
            page.goto(base + "/dev/mail")
            check(page, f"dev mail @ {width}", axe, problems)

            # The customer's manage page with the reschedule picker open (its "now" slot).
            page.goto(base + ids["manage"])
            page.locator("#reschedule > summary").click()
            page.wait_for_load_state("networkidle")
            check(page, f"manage reschedule @ {width}", axe, problems)
            context.close()

            context, page = new_page(browser, width)
            sign_in(page, base, "alice@example.com")
            for name, path in agent_pages:
                page.goto(base + path)
                check(page, f"{name} @ {width}", axe, problems)
                if name in ("agent week", "agent month"):
                    screenshot(page, f"a11y-{name.replace(' ', '-')}-{width}")
            context.close()

            context, page = new_page(browser, width)
            sign_in(page, base, "admin@example.com")
            for name, path in admin_pages:
                page.goto(base + path)
                check(page, f"{name} @ {width}", axe, problems)
                if name in ("team day", "team week"):
                    screenshot(page, f"a11y-{name.replace(' ', '-')}-{width}")
            # A new token: its secret is shown once.
            page.goto(base + "/admin/tokens")
            page.get_by_label("What is it for?").fill(f"Reports {width}")
            page.get_by_role("button", name="Create token").click()
            page.wait_for_load_state("networkidle")
            check(page, f"admin token created @ {width}", axe, problems)
            context.close()
        browser.close()
        log = server.log()
    assert not problems, "\n".join(problems)
    assert "Traceback" not in log, log


def take_first_time(page, ids: dict[str, str]) -> None:
    """Book the first time the day shows for someone else, behind the page's back."""
    value = page.locator("#slots button.slot").first.get_attribute("value")
    start = datetime.fromisoformat(value.replace("Z", "+00:00"))
    service = db.session.get(Service, UUID(ids["service"]))
    alice = db.session.get(User, UUID(ids["alice"]))
    factories.appointment(service, alice, start, title="Call with Noah")
    db.session.close()


def test_german_pages_pass_axe_and_fit_a_phone(app, chromium, live_portal, axe):
    """The same pages in German (chosen in the language menu): no violations, ``lang="de"``,
    and the longer words still fit a phone."""
    from playwright.sync_api import sync_playwright

    ids = seed()
    customer_pages = [("index", "/"), ("sign-in", "/login"), ("my sign-in", "/my")]
    staff_pages = {
        "alice@example.com": [
            ("agent dashboard", "/agent"),
            ("agent appointment", f"/agent/appointments/{ids['appointment']}"),
            ("agent hours", "/agent/hours"),
            ("agent time off", "/agent/time-off"),
            ("agent new time off", "/agent/time-off/new"),
            ("agent day", "/agent/calendar?view=day"),
            ("agent week", "/agent/calendar?view=week"),
            ("agent month", "/agent/calendar?view=month"),
        ],
        "admin@example.com": [
            ("admin home", "/admin"),
            ("admin users", "/admin/users"),
            ("admin services", "/admin/services"),
            ("admin service", f"/admin/services/{ids['service']}"),
            ("admin office hours", "/admin/office-hours"),
            ("admin outbox", "/admin/outbox"),
            ("team day", "/team?view=day"),
            ("team week", "/team?view=week"),
            ("team month", "/team?view=month"),
        ],
    }
    problems: list[str] = []
    with live_portal() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        base = server.url
        for width in WIDTHS:
            context, page = new_page(browser, width, "de", base)
            for name, path in customer_pages:
                page.goto(base + path)
                check(page, f"de {name} @ {width}", axe, problems)
            page.goto(base + "/book/consult")
            check(page, f"de book month @ {width}", axe, problems)
            page.locator("a.month__day--free").first.click()
            page.locator("#slots button.slot").first.wait_for()
            page.locator("#slots button.slot").first.click()
            page.get_by_role("button", name="Code zusenden").click()
            page.locator(".field-error").first.wait_for()
            check(page, f"de book details errors @ {width}", axe, problems)
            page.goto(base + ids["manage"])
            check(page, f"de manage @ {width}", axe, problems)
            lang = page.evaluate("() => document.documentElement.lang")
            if not lang.startswith("de"):
                problems.append(f"de manage @ {width}: lang={lang!r}")
            context.close()
            for email, pages in staff_pages.items():
                context, page = new_page(browser, width, "de", base)
                sign_in(page, base, email, "de")
                for name, path in pages:
                    page.goto(base + path)
                    check(page, f"de {name} @ {width}", axe, problems)
                    lang = page.evaluate("() => document.documentElement.lang")
                    if not lang.startswith("de"):
                        problems.append(f"de {name} @ {width}: lang={lang!r}")
                context.close()
        browser.close()
        log = server.log()
    assert not problems, "\n".join(problems)
    assert "Traceback" not in log, log


def test_details_form_errors_focus_the_first_invalid_field(app, chromium, live_portal):
    from playwright.sync_api import expect, sync_playwright

    seed()
    with live_portal() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        context, page = new_page(browser, 1366)
        page.goto(server.url + "/book/consult")
        page.locator("a.month__day--free").first.click()
        page.locator("#slots button.slot").first.click()
        page.get_by_label("Last name").fill("Mustermann")
        page.get_by_role("button", name="Send me the code").click()
        expect(page.get_by_label("First name")).to_be_focused()
        browser.close()


def test_month_calendar_with_arrow_keys(app, chromium, live_portal):
    from playwright.sync_api import expect, sync_playwright

    seed()
    with live_portal() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        context, page = new_page(browser, 1366)
        page.goto(server.url + "/book/consult")
        free = page.locator("a.month__day--free")
        expect(free.first).to_be_visible()
        # The month is one Tab stop: one day has tabindex 0, the others -1.
        expect(page.locator('.month [tabindex="0"]')).to_have_count(1)
        # A free day followed by another free day in the same month.
        days = free.evaluate_all("els => els.map(e => e.dataset.day)")
        pairs = [
            (a, b)
            for a, b in zip(days, days[1:], strict=False)
            if datetime.fromisoformat(b) - datetime.fromisoformat(a) == timedelta(days=1)
        ]
        if not pairs:  # the month's last day: the next month has whole weeks free
            page.locator("#month-next").click()
            expect(page.locator("#month-title")).not_to_have_text("")
            days = free.evaluate_all("els => els.map(e => e.dataset.day)")
            pairs = list(zip(days, days[1:], strict=False))
        first, second = pairs[0]
        page.locator(f'a[data-day="{first}"]').focus()
        page.keyboard.press("ArrowRight")
        expect(page.locator(f'a[data-day="{second}"]')).to_be_focused()
        expect(page.locator(f'a[data-day="{second}"]')).to_have_attribute("tabindex", "0")
        expect(page.locator(f'a[data-day="{first}"]')).to_have_attribute("tabindex", "-1")
        page.keyboard.press("ArrowLeft")
        expect(page.locator(f'a[data-day="{first}"]')).to_be_focused()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(rf"/book/consult/day/{second}"))
        expect(page.locator("#slots button.slot").first).to_be_visible()
        # Focus followed the new content: the list of times' heading.
        expect(page.locator("#slots-title")).to_be_focused()
        # Down moves a week; Home goes to the week's start (Monday, first column).
        page.locator(f'a[data-day="{second}"]').focus()
        page.keyboard.press("Home")
        focused_index = page.evaluate(
            "() => Array.from(document.querySelectorAll('.month .month__day'))"
            ".indexOf(document.activeElement)"
        )
        assert focused_index % 7 == 0
        browser.close()


def test_time_grid_opens_scrolled_to_now(app, chromium, live_portal):
    """The week grid shows "now" (the server's clock: a live server keeps the real one).
    Phones get the agenda list instead (below)."""
    from playwright.sync_api import expect, sync_playwright

    seed()
    with live_portal() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for width in (1366,):
            context, page = new_page(browser, width)
            sign_in(page, server.url, "alice@example.com")
            page.goto(server.url + "/agent/calendar?view=week")
            now = page.locator(".cal .cal__now")
            expect(now).to_have_count(1)  # Alice works all day, every day
            page.wait_for_timeout(100)
            inside = page.evaluate(
                """() => {
                    const grid = document.querySelector('.cal').getBoundingClientRect();
                    const line = document.querySelector('.cal__now').getBoundingClientRect();
                    const head = document.querySelector('.cal__head').getBoundingClientRect();
                    return line.top >= head.bottom && line.bottom <= grid.bottom
                        && line.left >= grid.left && line.right <= grid.right + 1;
                }"""
            )
            screenshot(page, f"a11y-week-now-{width}")
            assert inside, f"the now line is scrolled out of the week grid at {width}px"
            context.close()
        browser.close()


def test_week_is_an_agenda_list_on_a_phone(app, chromium, live_portal):
    """At 390 pixels the week is a list, today first on screen with today's appointments; the
    grid is not shown (nor in the accessibility tree). At 1366 it is the other way round."""
    from playwright.sync_api import expect, sync_playwright

    ids = seed()
    zone = ZoneInfo("Europe/Berlin")
    today = datetime.now(UTC).astimezone(zone).date()
    soon = datetime.now(UTC).replace(second=0, microsecond=0)
    soon = soon + timedelta(hours=1) - timedelta(minutes=soon.minute)
    with live_portal() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        context, page = new_page(browser, 390)
        sign_in(page, server.url, "alice@example.com")
        page.goto(server.url + "/agent/calendar?view=week")
        expect(page.locator(".cal")).to_be_hidden()
        today_list = page.locator(f'.cal-agenda__day[data-day="{today.isoformat()}"]')
        expect(today_list).to_be_visible()
        expect(today_list.get_by_role("heading", level=3)).to_contain_text("Today")
        expect(today_list).to_be_in_viewport()
        if soon.astimezone(zone).date() == today:  # the seed's call within the hour
            call = today_list.locator(f'li[data-appointment="{ids["appointment"]}"]')
            expect(call).to_be_visible()
            expect(call).to_contain_text("Scheduled")
        # The only days a screen reader meets: a heading per day from today on (the grid is
        # display:none; the days before today are folded in a closed <details>).
        expect(page.locator(".cal-agenda__day")).to_have_count(7)
        expect(page.get_by_role("heading", level=3)).to_have_count(8 - today.isoweekday())
        screenshot(page, "agenda-week-390")
        context.close()

        context, page = new_page(browser, 1366)
        sign_in(page, server.url, "alice@example.com")
        page.goto(server.url + "/agent/calendar?view=week")
        expect(page.locator(".cal")).to_be_visible()
        expect(page.locator(".cal-agenda")).to_be_hidden()
        expect(page.get_by_role("heading", level=3)).to_have_count(0)
        context.close()
        browser.close()
