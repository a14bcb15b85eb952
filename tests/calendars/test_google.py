"""The Google Calendar template link decodes back to the appointment's values."""

from __future__ import annotations

from datetime import datetime, UTC
from urllib.parse import parse_qs, urlsplit

from portal.calendars.google import google_calendar_url
from tests.notifications.factories import MANAGE_PREFIX, make_appointment

UTC = UTC


def test_every_parameter_decodes_back(app):
    title = "Budget & plans: 50% off? a=b, c;d #1 / ünïcødé\nnew line"
    appointment = make_appointment(
        datetime(2030, 3, 31, 0, 30, tzinfo=UTC),  # 01:30 Berlin, the night clocks spring forward
        title=title,
        room_url="https://meet.example/room?x=1&y=2",
    )
    manage = f"{MANAGE_PREFIX}{appointment.id}?t=a+b&c=d"
    url = google_calendar_url(appointment, manage_link=manage)

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    # Every value is percent-encoded: no raw separators or spaces inside values.
    for raw in parts.query.split("&"):
        name, _, value = raw.partition("=")
        assert not set(value) & set(" /?&=+#:,;\n"), (name, value)
    params = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert {name: len(values) for name, values in params.items()} == dict.fromkeys(
        ["action", "text", "dates", "details", "location", "ctz"], 1
    )
    assert params["action"] == ["TEMPLATE"]
    assert params["text"] == ["Budget & plans: 50% off? a=b, c;d #1 / ünïcødé new line"]
    assert params["dates"] == ["20300331T003000Z/20300331T010000Z"]
    assert params["ctz"] == ["Europe/Berlin"]
    assert params["location"] == ["https://meet.example/room?x=1&y=2"]
    details = params["details"][0]
    assert "https://meet.example/room?x=1&y=2" in details
    assert manage in details
    assert "Video consultation" in details


def test_no_room_yet_gives_an_empty_location(app):
    appointment = make_appointment(datetime(2030, 1, 2, 9, 0, tzinfo=UTC), tz="America/New_York")
    params = parse_qs(urlsplit(google_calendar_url(appointment)).query, keep_blank_values=True)
    assert params["location"] == [""]
    assert params["ctz"] == ["America/New_York"]
    assert params["dates"] == ["20300102T090000Z/20300102T093000Z"]
