"""/agent/calendar: day, week and month views place appointments at their true local times,
also in weeks with a DST change; time off, office hours, the now line, cancelled toggle, htmx."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, UTC

import pytest

from portal.booking.operations import cancel
from portal.extensions import db
from portal.models import DayOfWeek, OfficeHours, OfficeHoursType, Role, TimeException, utcnow
from tests import factories
from tests.conftest import make_user, sign_in
from tests.web.staff_support import column_of, events, hour_height, hour_lines, parse


UTC = UTC


@pytest.fixture
def new_york(app, client):
    """An agent in New York; the week of 2026-10-26 ends on the fall-back Sunday (Nov 1)."""
    nora = factories.agent("nora@example.com", "Nora Newyork", "America/New_York")
    factories.weekly_hours(nora, [(9 * 60, 17 * 60)], days=range(1, 6))
    service = factories.service(
        [nora], duration_minutes=30, timezone="America/New_York", color="#0e7490"
    )
    sign_in(client, "nora@example.com")
    return nora, service


@pytest.fixture
def berlin(app, client):
    """An agent in Berlin; the week of 2026-03-23 ends on the spring-forward Sunday (Mar 29)."""
    bert = factories.agent("bert@example.com", "Bert Berlin", "Europe/Berlin")
    factories.weekly_hours(bert, [(9 * 60, 17 * 60)])
    service = factories.service([bert], duration_minutes=60, timezone="Europe/Berlin")
    sign_in(client, "bert@example.com")
    return bert, service


def page(client, **params):
    response = client.get("/agent/calendar", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return parse(response.data)


def at_line(tree, label: str, minutes: int = 0) -> float:
    return round(hour_lines(tree)[label] + hour_height(tree) * minutes / 60, 3)


# --- DST weeks ---------------------------------------------------------------------------------


def test_new_york_week_with_fall_back(client, new_york):
    nora, service = new_york
    saturday = factories.appointment(
        service, nora, datetime(2026, 10, 31, 14, 0, tzinfo=UTC)
    )  # 10:00 EDT
    sunday = factories.appointment(
        service, nora, datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    )  # 10:00 EST
    first_130 = factories.appointment(
        service, nora, datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    )  # 01:30 EDT
    second_130 = factories.appointment(
        service, nora, datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    )  # 01:30 EST
    tree = page(client, view="week", date="2026-10-28")
    blocks = events(tree)
    assert set(blocks) == {str(a.id) for a in (saturday, sunday, first_130, second_130)}
    # Both 10:00 appointments sit on the 10 AM line, before and after the change.
    for appointment, day in ((saturday, "2026-10-31"), (sunday, "2026-11-01")):
        block = blocks[str(appointment.id)]
        assert column_of(block).attrs["data-day"] == day
        assert round(block.style("--top"), 3) == at_line(tree, "10 AM")
        assert round(block.style("--height"), 3) == round(hour_height(tree) / 2, 3)
    # The repeated hour: both 01:30s are at 1:30 AM, side by side, on the 25-hour day.
    for appointment in (first_130, second_130):
        assert round(blocks[str(appointment.id)].style("--top"), 3) == at_line(tree, "1 AM", 30)
    assert {
        blocks[str(first_130.id)].style("--lane"),
        blocks[str(second_130.id)].style("--lane"),
    } == {0, 1}
    sunday_column = column_of(blocks[str(sunday.id)])
    assert sunday_column.attrs["data-hours"] == "25"
    assert "Clocks go back 1 hour at 02:00" in tree.text
    assert "10:00 – 10:30 AM" in blocks[str(sunday.id)].text
    assert "Times in America/New York" in tree.text


def test_new_york_day_view_of_the_change(client, new_york):
    nora, service = new_york
    late = factories.appointment(
        service, nora, datetime(2026, 11, 1, 21, 0, tzinfo=UTC)
    )  # 16:00 EST
    tree = page(client, view="day", date="2026-11-01")
    block = events(tree)[str(late.id)]
    assert round(block.style("--top"), 3) == at_line(tree, "4 PM")
    assert tree.find("cal__dst--repeat") is not None
    assert "Sunday, November 1, 2026" in tree.text


def test_berlin_week_with_spring_forward(client, berlin):
    bert, service = berlin
    saturday = factories.appointment(
        service, bert, datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    )  # 10:00 CET
    sunday = factories.appointment(
        service, bert, datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    )  # 10:00 CEST
    monday = factories.appointment(
        service, bert, datetime(2026, 3, 23, 15, 30, tzinfo=UTC)
    )  # 16:30 CET
    tree = page(client, view="week", date="2026-03-29")
    blocks = events(tree)
    assert [c.attrs["data-day"] for c in tree.find_all("cal__col")] == [
        "2026-03-23",
        "2026-03-24",
        "2026-03-25",
        "2026-03-26",
        "2026-03-27",
        "2026-03-28",
        "2026-03-29",
    ]
    for appointment, day in ((saturday, "2026-03-28"), (sunday, "2026-03-29")):
        block = blocks[str(appointment.id)]
        assert column_of(block).attrs["data-day"] == day
        assert round(block.style("--top"), 3) == at_line(tree, "10 AM")
        assert round(block.style("--height"), 3) == round(hour_height(tree), 3)
    assert round(blocks[str(monday.id)].style("--top"), 3) == at_line(tree, "4 PM", 30)
    sunday_column = column_of(blocks[str(sunday.id)])
    assert sunday_column.attrs["data-hours"] == "23"
    assert sunday_column.find("cal__dst--gap") is not None
    assert "Clocks go forward 1 hour at 02:00" in tree.text


def test_month_view_uses_local_dates(client, berlin):
    bert, service = berlin
    # 00:30 CET on Mar 29 is still Mar 28 in UTC: it belongs on the 29th.
    early = factories.appointment(service, bert, datetime(2026, 3, 28, 23, 30, tzinfo=UTC))
    busy_day = [
        factories.appointment(service, bert, datetime(2026, 3, 10, hour, 0, tzinfo=UTC))
        for hour in range(8, 13)
    ]
    tree = page(client, view="month", date="2026-03-15")
    cells = {cell.attrs["data-day"]: cell for cell in tree.find_all("cal-month__day")}
    assert next(iter(cells)) == "2026-02-23" and list(cells)[-1] == "2026-04-05"
    assert [
        e.attrs["data-appointment"] for e in cells["2026-03-29"].find_all("cal-month__event")
    ] == [str(early.id)]
    assert cells["2026-03-28"].find_all("cal-month__event") == []
    listed = [e.attrs["data-appointment"] for e in cells["2026-03-10"].find_all("cal-month__event")]
    assert listed == [str(a.id) for a in busy_day[:3]]
    more = cells["2026-03-10"].find("cal-month__more")
    assert (
        more.text == "+2 more"
        and "view=day" in more.attrs["href"]
        and "date=2026-03-10" in more.attrs["href"]
    )
    assert "00:30" in cells["2026-03-29"].text or "12:30 AM" in cells["2026-03-29"].text
    assert "March 2026" in tree.text


# --- shading, now, cancelled -------------------------------------------------------------------


def test_time_off_and_office_hours_are_shaded(app, client, berlin):
    bert, service = berlin
    off = TimeException(
        from_date=date(2026, 3, 25),
        to_date=date(2026, 3, 25),
        from_minute=13 * 60,
        to_minute=15 * 60,
        reason_text="Dentist",
        color="#e11d48",
    )
    off.agents = [bert]
    db.session.add(off)
    db.session.add(
        OfficeHours(
            name="Lunch",
            type=OfficeHoursType.LUNCHTIME,
            dow=DayOfWeek.TUE,
            time_from=12 * 3600,
            time_to=13 * 3600,
        )
    )
    db.session.commit()
    tree = page(client, view="week", date="2026-03-25")
    columns = {c.attrs["data-day"]: c for c in tree.find_all("cal__col")}
    shade = columns["2026-03-25"].find("cal__off")
    assert shade is not None and shade.text == "Dentist"
    # 13:00 Berlin = 12:00 UTC (account zone UTC): the lunch closure is drawn at 1 PM local.
    lunch = [
        c
        for c in columns["2026-03-24"].find_all("cal__closed")
        if c.attrs.get("title") == "Closed: Lunch"
    ]
    assert len(lunch) == 1
    assert round(shade.style("--top"), 3) == at_line(tree, "1 PM")
    assert round(shade.style("--height"), 3) == round(2 * hour_height(tree), 3)
    assert round(lunch[0].style("--top"), 3) == at_line(tree, "1 PM")
    # Outside working hours is shaded too (Bert works 9-17).
    assert columns["2026-03-23"].find("cal__closed--outside") is not None


@pytest.mark.date_sensitive
def test_the_now_line_is_on_today(client, berlin):
    tree = page(client, view="week")
    nows = tree.find_all("cal__now")
    assert len(nows) == 1
    today = utcnow().astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).date().isoformat()
    assert nows[0].parent.attrs["data-day"] == today
    other_week = page(
        client, view="week", date=(date.fromisoformat(today) + timedelta(days=21)).isoformat()
    )
    assert other_week.find_all("cal__now") == []


def test_cancelled_are_hidden_until_asked_for(client, berlin):
    bert, service = berlin
    kept = factories.appointment(service, bert, datetime(2026, 3, 24, 9, 0, tzinfo=UTC))
    gone = factories.appointment(service, bert, datetime(2026, 3, 24, 12, 0, tzinfo=UTC))
    with client.application.test_request_context("/"):
        cancel(db.session, gone, "customer ill", now=datetime(2026, 3, 1, tzinfo=UTC))
    tree = page(client, view="week", date="2026-03-24")
    assert set(events(tree)) == {str(kept.id)}
    toggle = tree.find(id="cal-cancelled")
    assert "Show cancelled (1)" in toggle.text and "cancelled=1" in toggle.attrs["href"]
    shown = page(client, view="week", date="2026-03-24", cancelled="1")
    assert set(events(shown)) == {str(kept.id), str(gone.id)}
    assert "cal__event--cancelled" in events(shown)[str(gone.id)].classes
    assert "Hide cancelled" in shown.find(id="cal-cancelled").text


def test_navigation_links_and_htmx_partial(client, berlin):
    tree = page(client, view="week", date="2026-03-25")
    links = {
        node.attrs["id"]: node
        for node in tree.find_all(tag="a")
        if node.attrs.get("id", "").startswith("cal-")
    }
    assert (
        "date=2026-03-18" in links["cal-prev"].attrs["href"]
        and "view=week" in links["cal-prev"].attrs["href"]
    )
    assert "date=2026-04-01" in links["cal-next"].attrs["href"]
    assert links["cal-view-month"].attrs["hx-get"] == links["cal-view-month"].attrs["href"]
    section = tree.find(id="calendar")
    assert section.attrs["hx-push-url"] == "true" and section.attrs["hx-target"] == "#calendar"
    partial = client.get("/agent/calendar?view=day&date=2026-03-25", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="calendar"') and "<html" not in body
    assert "HX-Request" in partial.headers["Vary"]
    restore = client.get(
        "/agent/calendar?view=day&date=2026-03-25",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.get_data(as_text=True)
    full = client.get("/agent/calendar?view=day&date=2026-03-25")
    assert "<html" in full.get_data(as_text=True) and "HX-Request" in full.headers["Vary"]


def test_bad_parameters_fall_back_to_this_week(client, berlin):
    tree = page(client, view="year", date="2026-13-45")
    assert len(tree.find_all("cal__col")) == 7


# --- access ---------------------------------------------------------------------------------------


def test_only_staff_reach_the_calendar(app):
    client = app.test_client()
    response = client.get("/agent/calendar")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    make_user("cus@example.org", Role.CUSTOMER)
    sign_in(client, "cus@example.org")  # customers have no password sign-in
    assert client.get("/agent/calendar").status_code == 302


def test_agents_see_only_their_own_calendar(app, client, berlin):
    bert, service = berlin
    other = factories.agent("olga@example.com", "Olga Other")
    assert client.get(f"/agent/calendar?agent={other.id}").status_code == 404
    sam = make_user("sam@example.com", Role.SUPERVISOR, name="Sam")
    theirs = factories.appointment(service, bert, datetime(2026, 3, 24, 9, 0, tzinfo=UTC))
    supervisor = app.test_client()
    sign_in(supervisor, "sam@example.com")
    tree = parse(supervisor.get(f"/agent/calendar?agent={bert.id}&date=2026-03-24").data)
    assert str(theirs.id) in events(tree)
    assert "Bert Berlin’s calendar" in tree.text
    assert sam.role == Role.SUPERVISOR


# --- accessibility (issue 16) ------------------------------------------------------------------


def test_calendars_have_no_grid_roles_and_names_start_with_the_visible_text(client, berlin):
    bert, service = berlin
    factories.appointment(service, bert, datetime(2026, 3, 24, 9, 0, tzinfo=UTC))  # 10:00 CET
    week = client.get("/agent/calendar?view=week&date=2026-03-24").get_data(as_text=True)
    assert 'role="grid' not in week and 'role="columnheader"' not in week
    groups = re.findall(r'<div class="cal__col[^"]*" role="group" aria-labelledby="([^"]+)"', week)
    assert len(groups) == 7 and all(f'id="{label}"' in week for label in groups)
    assert '>Tue 24<span class="visually-hidden">, ' in week
    block = re.search(r'<a class="cal__event[^>]*>', week).group(0)
    assert "aria-label" not in block

    month = client.get("/agent/calendar?view=month&date=2026-03-15").get_data(as_text=True)
    assert 'role="grid' not in month and '<table class="cal-month"' in month
    assert month.count('<th class="cal-month__weekday" scope="col">') == 7
    assert len(re.findall(r"<tr>", month)) == 1 + 6  # the weekday heads, Feb 23 - Apr 5
