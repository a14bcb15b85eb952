"""Our VTIMEZONEs: changes at the wall time just before them, a span a client can cache."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from portal.calendars.ics import ical_time
from portal.calendars.zones import transitions, vtimezone, zone_span


def observances(key: str, first: datetime, last: datetime | None = None) -> list[dict]:
    component = vtimezone(ZoneInfo(key), first, last or first)
    # Through text and back, as a client sees it.
    parsed = Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        + component.to_ical()
        + b"END:VCALENDAR\r\n"
    ).timezones[0]
    assert parsed.tz_name == key
    return [
        {
            "kind": sub.name,
            "start": sub.DTSTART,
            "from": sub["TZOFFSETFROM"].td,
            "to": sub["TZOFFSETTO"].td,
            "name": str(sub.get("TZNAME", "")),
        }
        for sub in parsed.subcomponents
    ]


def onset_utc(observance: dict) -> datetime:
    """The instant a STANDARD/DAYLIGHT starts: its DTSTART read in TZOFFSETFROM (RFC 5545)."""
    return (observance["start"] - observance["from"]).replace(tzinfo=UTC)


def test_berlin_spring_change_is_at_0100z_and_autumn_at_0100z():
    found = observances("Europe/Berlin", datetime(2027, 6, 1, tzinfo=UTC))
    spring = next(o for o in found if o["start"].date() == datetime(2027, 3, 28).date())
    assert spring == {
        "kind": "DAYLIGHT",
        "start": datetime(2027, 3, 28, 2, 0),
        "from": timedelta(hours=1),
        "to": timedelta(hours=2),
        "name": "CEST",
    }
    assert onset_utc(spring) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    autumn = next(o for o in found if o["start"].date() == datetime(2027, 10, 31).date())
    assert (autumn["kind"], autumn["start"], autumn["name"]) == (
        "STANDARD",
        datetime(2027, 10, 31, 3, 0),
        "CET",
    )
    assert onset_utc(autumn) == datetime(2027, 10, 31, 1, 0, tzinfo=UTC)


def test_new_york_changes_at_0700z_and_0600z():
    found = observances("America/New_York", datetime(2027, 6, 1, tzinfo=UTC))
    onsets = {o["kind"]: onset_utc(o) for o in found if o["start"].year == 2027}
    assert onsets == {
        "DAYLIGHT": datetime(2027, 3, 14, 7, 0, tzinfo=UTC),
        "STANDARD": datetime(2027, 11, 7, 6, 0, tzinfo=UTC),
    }


@pytest.mark.parametrize(
    "key",
    ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo"],
)
def test_every_change_from_the_year_before_to_the_year_after_is_there(key):
    zone = ZoneInfo(key)
    first = datetime(2027, 3, 1, tzinfo=UTC)
    last = datetime(2027, 12, 1, tzinfo=UTC)
    found = observances(key, first, last)
    start, end = zone_span(zone, first, last)
    assert start == datetime(2026, 1, 1, tzinfo=zone) and end == datetime(2029, 1, 1, tzinfo=zone)
    expected = transitions(zone, start, end)
    onsets = [onset_utc(o) for o in found]
    # The change in force at the start of the span, then every change within it.
    assert onsets[1:] == [change.at for change in expected]
    assert onsets[0] <= start
    # Each observance is read right at every hour of the span: offset before and after it.
    for observance in found[1:]:
        at = onset_utc(observance)
        assert (at - timedelta(seconds=1)).astimezone(zone).utcoffset() == observance["from"]
        assert at.astimezone(zone).utcoffset() == observance["to"]
    if key != "America/Sao_Paulo":
        assert len(found) == 7  # 2026, 2027 and 2028: two changes each, plus the one before


def test_lord_howe_moves_half_an_hour():
    found = observances("Australia/Lord_Howe", datetime(2027, 6, 1, tzinfo=UTC))
    by_start = {o["start"]: o for o in found}
    autumn = by_start[datetime(2027, 4, 4, 2, 0)]  # 02:00 +11:00 becomes 01:30 +10:30
    spring = by_start[datetime(2027, 10, 3, 2, 0)]  # 02:00 +10:30 becomes 02:30 +11:00
    assert (autumn["kind"], autumn["from"], autumn["to"]) == (
        "STANDARD",
        timedelta(hours=11),
        timedelta(hours=10, minutes=30),
    )
    assert (spring["kind"], spring["from"], spring["to"]) == (
        "DAYLIGHT",
        timedelta(hours=10, minutes=30),
        timedelta(hours=11),
    )
    assert onset_utc(autumn) == datetime(2027, 4, 3, 15, 0, tzinfo=UTC)
    assert onset_utc(spring) == datetime(2027, 10, 2, 15, 30, tzinfo=UTC)


def test_a_zone_without_changes_has_one_standard_observance():
    (only,) = observances("Asia/Kathmandu", datetime(2027, 6, 1, tzinfo=UTC))
    assert only["kind"] == "STANDARD"
    assert only["from"] == only["to"] == timedelta(hours=5, minutes=45)


@pytest.mark.parametrize(
    "key, instant, local",
    [
        # Before, inside (both occurrences) and after Berlin's repeated hour.
        ("Europe/Berlin", datetime(2027, 10, 30, 23, 59, tzinfo=UTC), True),
        ("Europe/Berlin", datetime(2027, 10, 31, 0, 0, tzinfo=UTC), False),
        ("Europe/Berlin", datetime(2027, 10, 31, 1, 0, tzinfo=UTC), False),
        ("Europe/Berlin", datetime(2027, 10, 31, 2, 0, tzinfo=UTC), True),
        # Right after the spring gap (03:00 CEST): a wall time that exists once.
        ("Europe/Berlin", datetime(2027, 3, 28, 1, 0, tzinfo=UTC), True),
        ("America/New_York", datetime(2027, 11, 7, 5, 30, tzinfo=UTC), False),
        ("America/New_York", datetime(2027, 11, 7, 6, 30, tzinfo=UTC), False),
        # Lord Howe repeats 01:30-02:00.
        ("Australia/Lord_Howe", datetime(2027, 4, 3, 14, 45, tzinfo=UTC), False),
        ("Australia/Lord_Howe", datetime(2027, 4, 3, 15, 15, tzinfo=UTC), False),
        ("Australia/Lord_Howe", datetime(2027, 4, 3, 15, 30, tzinfo=UTC), True),
        ("Asia/Kathmandu", datetime(2027, 4, 3, 15, 30, tzinfo=UTC), True),
    ],
)
def test_wall_times_the_zone_repeats_are_written_in_utc(key, instant, local):
    written = ical_time(instant, ZoneInfo(key))
    assert written == instant
    assert (written.tzinfo == ZoneInfo(key)) is local
    assert (written.tzinfo is UTC) is not local
