"""One iCalendar builder for every .ics the portal hands out (RFC 5545 / RFC 5546).

- UID is stable for the life of the appointment, SEQUENCE is the appointment's
  own counter (booking bumps it on every change), so calendars update the entry
  instead of adding a second one.
- DTSTART/DTEND carry the appointment's TZID and the file carries a VTIMEZONE
  for it, cut to a narrow window around the events to keep the file small
  (an instant in the repeated hour of a fall-back night is written in UTC).
- METHOD:PUBLISH (downloads, feeds) has no ATTENDEE; REQUEST and CANCEL (mail)
  name the recipient as the only ATTENDEE, so customers never see each other.
- icalendar escapes TEXT values (commas, semicolons, newlines) and encodes
  parameters per RFC 6868; single-line values are flattened before that, and
  URIs and addresses with whitespace or control characters are left out, so
  no value can start a property of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, UTC
from enum import StrEnum
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

from portal.calendars.details import (
    Person,
    clean_email,
    event_description,
    event_title,
    join_link,
    one_line,
    zone_of,
)
from portal.models import Appointment, AppointmentStatus

PRODID = "-//Portal//Booking portal//EN"
UID_DOMAIN = "portal"
# Padding around the events for the VTIMEZONE rules: enough for any local date of them.
ZONE_PADDING = timedelta(days=2)


class IcsMethod(StrEnum):
    PUBLISH = "PUBLISH"
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


def event_uid(appointment: Appointment) -> str:
    return f"{appointment.id}@{UID_DOMAIN}"


def ical_time(value: datetime, zone: ZoneInfo) -> datetime:
    """The instant in the zone's local time, or in UTC where local time cannot say it.

    RFC 5545 3.3.5 reads an ambiguous local time (the repeated hour of a
    fall-back night) as its first occurrence, so the second one is written in UTC.
    """
    local = value.astimezone(zone)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return value.astimezone(UTC)
    return local


def _address(person: Person, **params: str) -> vCalAddress | None:
    email = clean_email(person.email)
    if email is None:
        return None
    address = vCalAddress(f"mailto:{email}")
    name = one_line(person.name)
    if name:
        address.params["CN"] = name
    address.params.update(params)
    return address


def appointment_event(
    appointment: Appointment,
    *,
    organizer: Person,
    description: str,
    attendees: Sequence[Person] = (),
    cancelled: bool | None = None,
    stamp: datetime | None = None,
) -> Event:
    """The VEVENT of one appointment, in the appointment's own zone."""
    zone = zone_of(appointment)
    if cancelled is None:
        cancelled = appointment.status == AppointmentStatus.CANCELLED
    join = join_link(appointment)
    attendee_addresses = [
        address
        for person in attendees
        if (
            address := _address(
                person,
                CUTYPE="INDIVIDUAL",
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="ACCEPTED",
                RSVP="FALSE",
            )
        )
        is not None
    ]
    event = Event.new(
        uid=event_uid(appointment),
        sequence=appointment.sequence or 0,
        stamp=stamp or datetime.now(UTC),
        created=appointment.created_at,
        last_modified=appointment.updated_at,
        start=ical_time(appointment.start_at, zone),
        end=ical_time(appointment.end_at, zone),
        summary=event_title(appointment),
        description=description,
        location=join,
        url=join,
        organizer=_address(organizer),
        attendees=attendee_addresses or None,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )
    return event


def calendar_bytes(
    events: Iterable[Event],
    *,
    method: IcsMethod,
    name: str | None = None,
    refresh_interval: timedelta | None = None,
) -> bytes:
    """A VCALENDAR with these events and a VTIMEZONE for each zone they use."""
    events = list(events)
    calendar = Calendar.new(
        prodid=PRODID,
        method=method.value,
        name=one_line(name) or None,
        refresh_interval=refresh_interval,
        subcomponents=events,
    )
    if events:
        first = min(event.start for event in events)
        last = max(event.end for event in events)
        calendar.add_missing_timezones(
            first_date=(first - ZONE_PADDING).date(), last_date=(last + ZONE_PADDING).date()
        )
    return calendar.to_ical()


def appointment_ics(
    appointment: Appointment,
    *,
    method: IcsMethod,
    organizer: Person,
    attendees: Sequence[Person] = (),
    manage_link: str | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """The .ics of one appointment: a download (PUBLISH) or a mailed REQUEST / CANCEL."""
    if method == IcsMethod.PUBLISH:
        attendees = ()  # RFC 5546 3.2.1: a published event names no attendees
    description = event_description(appointment, join=join_link(appointment), manage=manage_link)
    event = appointment_event(
        appointment,
        organizer=organizer,
        description=description,
        attendees=attendees,
        # RFC 5546 3.2.5: a CANCEL carries STATUS:CANCELLED.
        cancelled=True if method == IcsMethod.CANCEL else None,
        stamp=stamp,
    )
    return calendar_bytes([event], method=method)
