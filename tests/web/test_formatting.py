"""Dates and times in templates: the formatting functions are globals and filters alike."""

from __future__ import annotations

from datetime import date, datetime, UTC
from zoneinfo import ZoneInfo

from flask import render_template_string
from flask_babel import force_locale

from portal.web import formatting

BERLIN = ZoneInfo("Europe/Berlin")


def test_templates_call_or_pipe_the_same_functions(app):
    start = datetime(2026, 5, 14, 7, 0, tzinfo=UTC)
    with app.test_request_context("/"):
        called = render_template_string(
            "{{ format_day(day) }}|{{ format_time(start, zone) }}|{{ iso_utc(start) }}",
            day=date(2026, 5, 14),
            start=start,
            zone=BERLIN,
        )
        piped = render_template_string(
            "{{ day|format_day }}|{{ start|format_time(zone) }}|{{ start|iso_utc }}",
            day=date(2026, 5, 14),
            start=start,
            zone=BERLIN,
        )
    assert called == piped == "Thursday, May 14, 2026|9:00\u202fAM|2026-05-14T07:00:00Z"


def test_every_template_function_is_registered(app):
    for name, function in formatting.TEMPLATE_FUNCTIONS.items():
        assert app.jinja_env.globals[name] is function
        assert app.jinja_env.filters[name] is function


def test_an_appointment_time_names_its_city_and_the_appointments_own_where_it_differs(app):
    start = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    london, new_york = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
    with app.test_request_context("/"):
        same = formatting.format_time_seen(start, new_york, "America/New_York")
        both = formatting.format_time_seen(start, london, new_york)
        day = formatting.format_datetime_seen(start, london, "America/New_York")
    assert same.replace("\u202f", " ") == "9:30 AM New York"
    assert both.replace("\u202f", " ") == "2:30 PM London (9:30 AM New York)"
    assert (
        day.replace("\u202f", " ") == "Tuesday, December 1, 2026, 2:30 PM London (9:30 AM New York)"
    )
    with app.test_request_context("/"), force_locale("fr"):
        assert (
            formatting.format_time_seen(start, london, new_york) == "14:30 Londres (09:30 New York)"
        )


def test_the_other_zones_day_is_named_when_it_is_another_day(app):
    start = datetime(
        2026, 12, 2, 1, 0, tzinfo=UTC
    )  # 1 AM in London, 8 PM the day before in New York
    with app.test_request_context("/"):
        text = formatting.format_datetime_seen(start, ZoneInfo("Europe/London"), "America/New_York")
    assert text.replace("\u202f", " ") == (
        "Wednesday, December 2, 2026, 1:00 AM London (Tuesday, December 1, 2026, 8:00 PM New York)"
    )
