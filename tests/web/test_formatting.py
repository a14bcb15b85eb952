"""Dates and times in templates: the formatting functions are globals and filters alike."""

from __future__ import annotations

from datetime import date, datetime, UTC
from zoneinfo import ZoneInfo

from flask import render_template_string

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
