"""A real browser signs an agent in, pages through the week with htmx, opens an appointment,
reschedules it, sets a time off, and saves screenshots of the day, week and month views.

Playwright (sync API) drives /usr/bin/chromium against gunicorn on the test database.
Screenshots go to ``test-artifacts/agent-*.png``. Without Chromium the test is skipped
locally and FAILS when CI=true (see ``tests/e2e/conftest.py``).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.booking.operations import cancel
from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentStatus,
    DayOfWeek,
    OfficeHours,
    OfficeHoursType,
    Role,
    TimeException,
    utcnow,
)
from portal.notifications.defaults import add_default_templates
from tests import factories
from tests.conftest import make_user
from tests.e2e.conftest import CHROMIUM_FLAGS, screenshot

# The browser and gunicorn keep the machine's clock.
pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]

UTC = UTC
BERLIN = ZoneInfo("Europe/Berlin")
CUSTOMERS = [
    ("Maria", "Lopez"),
    ("Tom", "O'Neill"),
    ("Yuki", "Tanaka"),
    ("Jonas", "Weber"),
    ("Priya", "Natarajan"),
    ("Lena", "Fischer"),
    ("Omar", "Haddad"),
    ("Chloé", "Martin"),
]


def local(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


def is_free(agent, start: datetime, minutes: int) -> bool:
    """No scheduled appointment of ``agent`` overlaps ``minutes`` from ``start``."""
    overlapping = (
        select(func.count())
        .select_from(Appointment)
        .where(
            Appointment.organizer_id == agent.id,
            Appointment.status == AppointmentStatus.SCHEDULED,
            Appointment.start_at < start + timedelta(minutes=minutes),
            Appointment.end_at > start,
        )
    )
    return db.session.scalar(overlapping) == 0


def is_collision_question(response) -> bool:
    """The time-off form asking what happens to the calls it covers (409, by design)."""
    return response.status == 409 and response.url.endswith("/agent/time-off/new")


def seed():
    """Alice (Berlin) with a believable week: two services, overlaps, a cancelled call,
    a closed lunch hour; Bruno as a colleague; Sam the supervisor."""
    alice = factories.agent("alice@example.com", "Alice Schmidt", "Europe/Berlin")
    bruno = factories.agent("bruno@example.com", "Bruno Keller", "Europe/Berlin")
    for person in (alice, bruno):
        factories.weekly_hours(person, [(8 * 60, 18 * 60)])
    video = factories.service(
        [alice, bruno],
        slug="video",
        name="Video consultation",
        duration_minutes=30,
        timezone="Europe/Berlin",
        color="#4338ca",
    )
    onboarding = factories.service(
        [alice, bruno],
        slug="onboarding",
        name="Onboarding call",
        duration_minutes=60,
        timezone="Europe/Berlin",
        color="#0e7490",
    )
    for service in (video, onboarding):
        add_default_templates(service)
    for dow in DayOfWeek:
        db.session.add(
            OfficeHours(
                name="Team lunch",
                type=OfficeHoursType.LUNCHTIME,
                dow=dow,
                time_from=11 * 3600,
                time_to=11 * 3600 + 1800,
            )
        )  # 12:00-12:30 Berlin (UTC account)
    make_user("sam@example.com", Role.SUPERVISOR, name="Sam Supervisor", timezone="Europe/Berlin")
    db.session.commit()

    today = utcnow().astimezone(BERLIN).date()
    off_day = today + timedelta(days=2)  # where the browser adds a time off
    monday = off_day - timedelta(days=off_day.isoweekday() - 1)  # the week the screenshots show
    made = []
    plan = [  # (day offset from Monday, hour, minute, service, agent)
        (0, 9, 0, video, alice),
        (0, 10, 0, onboarding, alice),
        (0, 15, 30, video, alice),
        (1, 9, 30, onboarding, alice),
        (1, 14, 0, video, alice),
        (1, 14, 0, video, bruno),
        (2, 8, 30, video, alice),
        (2, 11, 0, onboarding, alice),
        (2, 16, 0, video, alice),
        (3, 10, 0, video, alice),
        (3, 13, 0, onboarding, alice),
        (4, 9, 0, video, alice),
        (4, 9, 15, video, bruno),
        (4, 14, 30, onboarding, alice),
        (5, 10, 0, video, alice),
        (6, 11, 0, video, alice),
    ]
    for index, (offset, hour, minute, service, agent) in enumerate(plan):
        first, last = CUSTOMERS[index % len(CUSTOMERS)]
        appointment = factories.appointment(
            service,
            agent,
            local(monday + timedelta(days=offset), hour, minute),
            title=f"{service.name} with {first} {last}",
        )
        appointment.customers[0].first_name, appointment.customers[0].last_name = first, last
        made.append(appointment)
    extra = factories.appointment(onboarding, alice, local(monday + timedelta(days=3), 10, 30))
    extra.customers[0].first_name, extra.customers[0].last_name = "Sofia", "Rossi"
    # Five calls one day next month-view-wise: "+N more".
    busy = monday + timedelta(days=2)
    for minute in (0, 30):
        for hour in (13, 14):
            factories.appointment(video, alice, local(busy, hour, minute))
    # Bruno's side of the busy day, and his weekly training (hatched time off).
    for hour, minute, service in (
        (9, 0, onboarding),
        (10, 30, video),
        (13, 30, video),
        (16, 0, onboarding),
    ):
        item = factories.appointment(service, bruno, local(busy, hour, minute))
        item.customers[0].first_name, item.customers[0].last_name = CUSTOMERS[
            (hour + minute) % len(CUSTOMERS)
        ]
    training = TimeException(
        from_date=monday,
        to_date=monday + timedelta(days=6),
        from_minute=11 * 60,
        to_minute=12 * 60,
        days_of_week=[busy.isoweekday()],
        reason_text="Training",
        color="#d97706",
    )
    training.agents = [bruno]
    db.session.add(training)
    # One cancelled call (hidden until asked for).
    gone = factories.appointment(video, alice, local(monday + timedelta(days=3), 15, 0))
    db.session.commit()
    cancel(db.session, gone, "Customer asked to cancel")
    # The day after tomorrow the browser adds a time off, 13:00-15:00: whatever the weekday, a
    # call sits inside it, so the page always asks what happens to it.
    if is_free(alice, local(off_day, 14, 0), minutes=video.duration_minutes):
        inside = factories.appointment(video, alice, local(off_day, 14, 0))
        inside.customers[0].first_name, inside.customers[0].last_name = "Dana", "Novak"
    # Today: calls around now, so the dashboard and the day view have something live.
    now_local = utcnow().astimezone(BERLIN)
    around = now_local.replace(minute=0, second=0, microsecond=0)
    calls = ((-1, ("Ana", "Silva")), (1, ("Ben", "Okafor")), (3, ("Cleo", "Dubois")))
    for delta, (first, last) in calls:
        start = (around + timedelta(hours=delta)).astimezone(UTC)
        # Last, in the free hours only: which of the week's hours are taken depends on the day.
        on_today = start.astimezone(BERLIN).date() == today
        if on_today and is_free(alice, start, video.duration_minutes):
            item = factories.appointment(video, alice, start)
            item.customers[0].first_name, item.customers[0].last_name = first, last
    # The one to reschedule: tomorrow 17:00 (Berlin). The plan leaves 16:30-18:00 free on every
    # weekday and the calls around now are today's, so nothing sits there, whatever day it is;
    # nothing is cancelled to make room (the month view counts exactly one cancelled call).
    tomorrow = today + timedelta(days=1)
    assert is_free(alice, local(tomorrow, 17, 0), minutes=video.duration_minutes)
    target = factories.appointment(video, alice, local(tomorrow, 17, 0), title="Kitchen planning")
    target.customers[0].first_name, target.customers[0].last_name = "Kurt", "Kovacs"
    db.session.commit()
    return target.id, today, tomorrow, busy


def test_agent_calendar_appointment_and_time_off_in_a_browser(app, chromium, live_portal):
    from playwright.sync_api import expect, sync_playwright

    target_id, today, tomorrow, busy = seed()
    db.session.close()

    with live_portal() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        context = browser.new_context(
            viewport={"width": 1360, "height": 1500}, locale="en-US", timezone_id="Europe/Berlin"
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda m: (
                problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} {r.url}")
                if r.status >= 400
                and not r.url.endswith("/favicon.ico")
                and not is_collision_question(r)
                else None
            ),
        )

        # Sign in.
        page.goto(server.url + "/login")
        page.fill("input[name=email]", "alice@example.com")
        page.fill("input[name=password]", "correct horse")
        page.click("main form button[type=submit]")
        # An agent lands on their dashboard.
        expect(page).to_have_url(server.url + "/agent/")
        expect(page.locator("h1")).to_contain_text("Alice")
        screenshot(page, "agent-dashboard")

        # The week view, paged with htmx: the page itself never reloads.
        page.goto(server.url + "/agent/calendar")
        expect(page.locator(".cal__event").first).to_be_visible()
        page.evaluate("window.__stayed = true")
        title = page.locator("#cal-title").inner_text()
        page.click("#cal-next")
        expect(page).to_have_url(re.compile(r"date="))
        expect(page.locator("#cal-title")).not_to_have_text(title)
        page.click("#cal-prev")
        expect(page.locator("#cal-title")).to_have_text(title)
        page.click("#cal-view-month")
        expect(page.locator(".cal-month")).to_be_visible()
        expect(page).to_have_url(re.compile(r"view=month"))
        page.click("#cal-view-week")
        expect(page.locator(".cal")).to_be_visible()
        assert page.evaluate("window.__stayed") is True, "htmx navigation must not reload the page"
        assert "view=week" in page.url
        page.go_back()  # history works with hx-push-url
        expect(page.locator(".cal-month")).to_be_visible()
        page.goto(server.url + "/agent/calendar?view=week")

        # Open the appointment to move: tomorrow 17:00.
        block = page.locator(f'.cal__event[href$="/{target_id}"]')
        if tomorrow.isoweekday() == 1:  # tomorrow is in next week's page
            page.click("#cal-next")
        expect(block).to_be_visible()
        block.click()
        expect(page).to_have_url(re.compile(f"/agent/appointments/{target_id}"))
        expect(page.locator("h1")).to_have_text("Kurt Kovacs")
        screenshot(page, "agent-appointment")

        # Reschedule with the picker: the last free time of the same day.
        page.click("#reschedule > summary")
        buttons = page.locator("#slots button.slot[value]")
        expect(buttons.first).to_be_visible()
        screenshot(page, "agent-reschedule")
        chosen = buttons.last
        new_value = chosen.get_attribute("value")
        new_label = chosen.inner_text().strip()
        chosen.click()
        expect(page.locator(".flash--success")).to_contain_text("Moved to")
        expect(page.locator("#summary")).to_contain_text(new_label)

        # Set a time off the day after tomorrow, 13:00-15:00.
        off_day = today + timedelta(days=2)
        page.goto(server.url + "/agent/time-off/new")
        # Issue 16: the weekday ticks show only for time off that repeats every week.
        weekdays = page.locator("#time-off-weekdays")
        expect(weekdays).to_be_hidden()
        page.check('input[name=kind][value="weekly"]')
        expect(weekdays).to_be_visible()
        page.check('input[name=kind][value="once"]')
        expect(weekdays).to_be_hidden()
        page.fill("input[name=from_date]", off_day.isoformat())
        page.fill("input[name=to_date]", off_day.isoformat())
        page.fill("input[name=from_time]", "13:00")
        page.fill("input[name=to_time]", "15:00")
        page.fill("input[name=reason_text]", "Dentist")
        save = page.locator('form[action$="/time-off/new"] button[type=submit]').last
        save.click()
        keep = page.locator('input[name=colliding][value="AddWithoutCancelingCollidingBookings"]')
        expect(keep).to_be_visible()  # the seed's call inside the time off: 409, choose
        keep.check()
        save.click()
        expect(page.locator(".flash--success")).to_contain_text("Time off added")

        # The three views, as the agent sees them now.
        page.goto(server.url + f"/agent/calendar?view=week&date={off_day.isoformat()}")
        expect(page.locator(".cal__off", has_text="Dentist")).to_be_visible()
        screenshot(page, "agent-week")
        page.goto(server.url + "/agent/calendar?view=day")
        expect(page.locator(".cal__now")).to_be_visible()
        screenshot(page, "agent-day")
        page.goto(server.url + f"/agent/calendar?view=week&date={busy.isoformat()}")
        page.click("#cal-view-month")
        expect(page.locator(".cal-month__more").first).to_be_visible()
        screenshot(page, "agent-month")
        thursday = page.locator(
            f'.cal-month__day[data-day="{(busy + timedelta(days=1)).isoformat()}"]'
        )
        before = int(thursday.get_attribute("data-count"))
        page.click("#cal-cancelled")
        expect(page.locator("#cal-cancelled")).to_contain_text("Hide cancelled")
        assert int(thursday.get_attribute("data-count")) == before + 1

        # The supervisor's team day: a column per agent.
        sup = browser.new_context(viewport={"width": 1360, "height": 1500}, locale="en-US")
        team = sup.new_page()
        team.goto(server.url + "/login")
        team.fill("input[name=email]", "sam@example.com")
        team.fill("input[name=password]", "correct horse")
        team.click("main form button[type=submit]")
        # A supervisor lands on the team calendar.
        expect(team).to_have_url(server.url + "/team/")
        team.goto(server.url + f"/team?view=day&date={busy.isoformat()}")
        expect(team.locator(".cal__head-name")).to_have_count(2)
        expect(team.locator(".cal__off", has_text="Training")).to_be_visible()
        screenshot(team, "team-day")
        team.goto(server.url + f"/team?view=week&date={busy.isoformat()}")
        screenshot(team, "team-week")
        browser.close()
        assert "Traceback" not in server.log()
        assert not problems, problems

    db.session.expire_all()
    moved = db.session.get(Appointment, target_id)
    assert moved.start_at == datetime.fromisoformat(new_value.replace("Z", "+00:00"))
    assert moved.start_at.astimezone(BERLIN).date() == tomorrow
    offs = db.session.scalars(
        select(TimeException).where(TimeException.reason_text == "Dentist")
    ).all()
    assert [(o.from_date, o.from_minute, o.to_minute, o.reason_text) for o in offs] == [
        (off_day, 13 * 60, 15 * 60, "Dentist")
    ]
