"""The .ics builder: round trips through icalendar and the strict ``ical`` parser."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from portal.calendars.details import Person
from portal.calendars.ics import IcsMethod, appointment_ics, event_uid
from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentStatus,
    Participant,
    ParticipantType,
    Service,
    User,
)
from tests.notifications.factories import MANAGE_PREFIX, make_appointment

ORGANIZER = Person("Dana Agent", "no-reply@portal.test")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = UTC


def utc(value: datetime) -> datetime:
    """Compare instants in UTC: Python never calls an ambiguous local time equal across zones."""
    return value.astimezone(UTC)


def both_parsers(ics: bytes):
    """(icalendar event, ical event, icalendar calendar) — both parsers must accept it."""
    text = ics.decode("utf-8")
    strict = IcsCalendarStream.calendar_from_ics(text)
    assert len(strict.events) == 1
    calendar = Calendar.from_ical(text)
    assert len(calendar.events) == 1
    return calendar.events[0], strict.events[0], calendar


def build(appointment, method=IcsMethod.PUBLISH, attendees=(), manage=None) -> bytes:
    return appointment_ics(
        appointment, method=method, organizer=ORGANIZER, attendees=attendees, manage_link=manage
    )


@pytest.mark.parametrize(
    "local_start, minutes",
    [
        (datetime(2030, 6, 12, 14, 0), 30),  # an ordinary summer day
        (datetime(2030, 3, 31, 1, 30), 120),  # spans the spring-forward gap (02:00 → 03:00)
        (datetime(2030, 10, 27, 1, 30), 150),  # spans the fall-back hour (03:00 → 02:00)
    ],
)
def test_start_end_and_zone_survive_both_parsers(app, local_start, minutes):
    start = local_start.replace(tzinfo=BERLIN).astimezone(UTC)
    appointment = make_appointment(start, duration=timedelta(minutes=minutes))
    ics = build(appointment)
    event, strict, calendar = both_parsers(ics)

    assert utc(event.start) == appointment.start_at and utc(event.end) == appointment.end_at
    assert str(event.start.tzinfo) == "Europe/Berlin"
    # Real elapsed minutes across DST (same-zone subtraction in Python is wall-clock).
    assert utc(event.end) - utc(event.start) == timedelta(minutes=minutes)
    assert utc(strict.dtstart) == appointment.start_at and utc(strict.dtend) == appointment.end_at
    assert str(strict.dtstart.tzinfo) == "Europe/Berlin"
    text = ics.decode()
    assert "DTSTART;TZID=Europe/Berlin:" in text
    assert "DTEND;TZID=Europe/Berlin:" in text
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]
    assert calendar.get_missing_tzids() == set()
    # The VTIMEZONE alone (icalendar ignoring zoneinfo) gives the same instants.
    vtz = calendar.timezones[0].to_tz()
    for instant in (appointment.start_at, appointment.end_at):
        local = instant.astimezone(BERLIN).replace(tzinfo=None)
        assert utc(local.replace(tzinfo=vtz)) == instant


@pytest.mark.parametrize(
    "start, written",
    [
        # Both 02:30s of a fall-back night: either one in local time is misread somewhere.
        (datetime(2030, 10, 27, 0, 30, tzinfo=UTC), "DTSTART:20301027T003000Z"),
        (datetime(2030, 10, 27, 1, 30, tzinfo=UTC), "DTSTART:20301027T013000Z"),
    ],
)
def test_both_occurrences_of_the_repeated_hour_are_written_in_utc(app, start, written):
    appointment = make_appointment(start, duration=timedelta(minutes=30))
    text = build(appointment).decode()
    assert written in text
    event, strict, _ = both_parsers(text.encode())
    assert utc(event.start) == utc(strict.dtstart) == appointment.start_at
    assert utc(event.end) == utc(strict.dtend) == appointment.end_at


def test_end_in_the_repeated_hour_is_written_in_utc(app):
    start = datetime(2030, 10, 27, 1, 0, tzinfo=BERLIN)  # 01:00 CEST, before the repeated hour
    appointment = make_appointment(start.astimezone(UTC), duration=timedelta(minutes=90))
    text = build(appointment).decode()
    assert "DTSTART;TZID=Europe/Berlin:20301027T010000" in text
    assert "DTEND:20301027T003000Z" in text  # 02:30 CEST, the first 02:30
    event, strict, _ = both_parsers(text.encode())
    assert utc(event.end) == utc(strict.dtend) == appointment.end_at


def test_utc_appointment_needs_no_vtimezone(app):
    appointment = make_appointment(datetime(2030, 1, 5, 9, 0, tzinfo=UTC), tz="UTC")
    event, strict, calendar = both_parsers(build(appointment))
    assert event.start == appointment.start_at
    assert calendar.timezones == []


def test_uid_stable_and_sequence_grows_across_a_reschedule(app):
    appointment = make_appointment(datetime(2030, 5, 6, 8, 0, tzinfo=UTC))
    first, strict_first, _ = both_parsers(build(appointment))
    # What booking does on reschedule: new times, sequence + 1, same id.
    appointment.start_at += timedelta(days=1, hours=2)
    appointment.end_at += timedelta(days=1, hours=2)
    appointment.sequence += 1
    db.session.commit()
    second, strict_second, _ = both_parsers(build(appointment, IcsMethod.REQUEST))

    assert first["UID"] == second["UID"] == event_uid(appointment) == f"{appointment.id}@portal"
    assert strict_first.uid == strict_second.uid
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert strict_second.sequence == strict_first.sequence + 1
    assert second.start == appointment.start_at


def test_publish_has_no_attendee_request_and_cancel_do(app):
    appointment = make_appointment(datetime(2030, 5, 6, 8, 0, tzinfo=UTC))
    customer = Person("Maria Lopez", "maria@example.org")
    published = Calendar.from_ical(build(appointment, attendees=[customer]))
    assert published["METHOD"] == "PUBLISH"
    assert "ATTENDEE" not in published.events[0]
    assert published.events[0]["STATUS"] == "CONFIRMED"

    request = Calendar.from_ical(build(appointment, IcsMethod.REQUEST, attendees=[customer]))
    assert request["METHOD"] == "REQUEST"
    attendee = request.events[0]["ATTENDEE"]
    assert str(attendee) == "mailto:maria@example.org" and attendee.params["CN"] == "Maria Lopez"
    assert str(request.events[0]["ORGANIZER"]) == "mailto:no-reply@portal.test"

    appointment.status = AppointmentStatus.CANCELLED
    appointment.sequence += 1
    cancel = Calendar.from_ical(build(appointment, IcsMethod.CANCEL, attendees=[customer]))
    assert cancel["METHOD"] == "CANCEL"
    assert cancel.events[0]["STATUS"] == "CANCELLED"
    assert "ATTENDEE" in cancel.events[0]


def test_cancelled_download_says_cancelled(app):
    appointment = make_appointment(datetime(2030, 5, 6, 8, 0, tzinfo=UTC))
    appointment.status = AppointmentStatus.CANCELLED
    event, strict, _ = both_parsers(build(appointment))
    assert event["STATUS"] == "CANCELLED"
    assert strict.status == "CANCELLED"


def test_description_url_and_location_carry_the_links(app):
    appointment = make_appointment(
        datetime(2030, 5, 6, 8, 0, tzinfo=UTC), room_url="https://meet.example/room-1?x=1,2"
    )
    manage = f"{MANAGE_PREFIX}{appointment.id}"
    event, strict, _ = both_parsers(build(appointment, manage=manage))
    assert str(event["URL"]) == "https://meet.example/room-1?x=1,2"
    assert str(event["LOCATION"]) == "https://meet.example/room-1?x=1,2"
    assert "https://meet.example/room-1?x=1,2" in event["DESCRIPTION"]
    assert manage in event["DESCRIPTION"]
    assert strict.location == "https://meet.example/room-1?x=1,2"


HOSTILE = 'Smith, Jr.; <script>alert("x")</script>\r\nATTENDEE:mailto:evil@example.com\nEND:VEVENT'


def test_hostile_names_come_out_escaped(app):
    appointment = make_appointment(
        datetime(2030, 5, 6, 8, 0, tzinfo=UTC),
        title=HOSTILE,
        customers=[("Ann, B.", HOSTILE, "ann@example.org", None)],
    )
    appointment.notes = HOSTILE
    ics = build(
        appointment,
        IcsMethod.REQUEST,
        attendees=[Person(f"Ann, B. {HOSTILE}", "ann@example.org")],
        manage=f"{MANAGE_PREFIX}{appointment.id}",
    )
    text = ics.decode()
    lines = text.split("\r\n")
    # Nothing a value holds started a line of its own.
    assert sum(line.startswith("ATTENDEE") for line in lines) == 1
    assert sum(line == "END:VEVENT" for line in lines) == 1
    assert "evil@example.com" not in text.replace("\r\n ", "").split("ATTENDEE", 1)[0]
    assert "\\, Jr.\\; <script>" in text  # RFC 5545 TEXT escaping of , and ;
    event, strict, _ = both_parsers(ics)
    # SUMMARY is one line: the break became a space, everything else is intact.
    assert (
        event["SUMMARY"]
        == 'Smith, Jr.; <script>alert("x")</script> ATTENDEE:mailto:evil@example.com END:VEVENT'
    )
    assert strict.summary == event["SUMMARY"]
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ann@example.org"
    assert attendee.params["CN"].startswith("Ann, B. Smith, Jr.; <script>")
    assert "\n" not in attendee.params["CN"]


def test_addresses_with_line_breaks_are_left_out(app):
    appointment = make_appointment(
        datetime(2030, 5, 6, 8, 0, tzinfo=UTC), room_url="https://meet.example/a\r\nX-EVIL:1"
    )
    ics = build(
        appointment, IcsMethod.REQUEST, attendees=[Person("X", "x@example.org\r\nX-EVIL:1")]
    )
    assert b"X-EVIL" not in ics
    event, _, _ = both_parsers(ics)
    assert "ATTENDEE" not in event and "URL" not in event


def transient_appointment(title: str, first: str, last: str) -> Appointment:
    """Built in memory only: the property below is about the file, not the database."""
    start = datetime(2030, 5, 6, 8, 0, tzinfo=UTC)
    appointment = Appointment(
        id=uuid.uuid4(),
        service=Service(name="Video consultation", duration_minutes=30),
        organizer=User(name="Dana Agent", email="dana@example.com"),
        title=title,
        start_at=start,
        end_at=start + timedelta(minutes=30),
        timezone="Europe/Berlin",
        sequence=0,
    )
    appointment.participants = [
        Participant(
            type=ParticipantType.CUSTOMER, first_name=first, last_name=last, email="c@example.org"
        )
    ]
    return appointment


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(min_size=1, max_size=60),
    first=st.text(max_size=30),
    last=st.text(max_size=30),
)
def test_any_text_round_trips_without_breaking_the_file(title, first, last):
    appointment = transient_appointment(title, first, last)
    ics = build(
        appointment, IcsMethod.REQUEST, attendees=[Person(f"{first} {last}", "c@example.org")]
    )
    event, strict, _ = both_parsers(ics)
    lines = ics.decode().split("\r\n")
    assert sum(line.startswith("BEGIN:VEVENT") for line in lines) == 1
    assert sum(line.startswith("ATTENDEE") for line in lines) == 1
    flattened = " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", title).split())
    if flattened:
        assert event["SUMMARY"] == flattened
        assert strict.summary == flattened


def test_quotes_in_a_name_become_apostrophes(app):
    """RFC 6868's ^' is shown raw by vobject and ics-py and cuts the name in node-ical."""
    appointment = make_appointment(datetime(2030, 5, 6, 8, 0, tzinfo=UTC))
    ics = build(
        appointment,
        IcsMethod.REQUEST,
        attendees=[Person('Zoë "Zo" Łukasz, Jr.; Ünal', "zoe@example.org")],
    )
    text = ics.decode()
    assert "^'" not in text
    assert "CN=\"Zoë 'Zo' Łukasz, Jr.; Ünal\"" in text.replace("\r\n ", "")
    event, _, _ = both_parsers(ics)
    assert event["ATTENDEE"].params["CN"] == "Zoë 'Zo' Łukasz, Jr.; Ünal"
