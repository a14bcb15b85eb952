"""One iCalendar builder for every .ics the portal hands out (RFC 5545 / RFC 5546).

- UID is stable for the life of the appointment, SEQUENCE is the appointment's
  own counter (booking bumps it on every change), so calendars update the entry
  instead of adding a second one.
- DTSTART/DTEND carry the appointment's TZID and the file carries a VTIMEZONE
  for it (``zones``: our own, covering a year and more around the events). A
  wall time the zone repeats or skips is written in UTC instead, both
  occurrences of a repeated hour alike: libical, ical.js and others read the
  first one an hour late (docs/decisions.md, issue 14).
- METHOD:PUBLISH (downloads, feeds) has no ATTENDEE; REQUEST and CANCEL (mail)
  name the recipient as the only ATTENDEE, so customers never see each other.
- icalendar escapes TEXT values (commas, semicolons, newlines) and quotes
  parameters; a CN's ``"`` becomes ``'`` (RFC 6868's ``^'`` is shown raw or cuts
  the name in several clients); single-line values are flattened before that, and
  URIs and addresses with whitespace or control characters are left out, so
  no value can start a property of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, UTC
from enum import StrEnum
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Event, vCalAddress, vDuration

from portal.calendars.details import (
    Person,
    clean_email,
    event_description,
    event_title,
    join_link,
    one_line,
    zone_of,
)
from portal.calendars.zones import is_ambiguous_or_missing, vtimezone
from portal.models import Appointment, AppointmentStatus

PRODID = "-//Portal//Booking portal//EN"
UID_DOMAIN = "portal"


class IcsMethod(StrEnum):
    PUBLISH = "PUBLISH"
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


def event_uid(appointment: Appointment) -> str:
    return f"{appointment.id}@{UID_DOMAIN}"


def ical_time(instant: datetime, zone: ZoneInfo) -> datetime:
    """How to write this instant: the zone's wall time, or UTC where the wall time is unclear.

    A wall time the zone repeats (fall-back night) or skips (spring-forward) is
    written in UTC. RFC 5545 3.3.5 reads a repeated one as its first occurrence,
    but libical, ical.js, node-ical and khal read it as the second; UTC is read
    right by all of them.
    """
    local = instant.astimezone(zone)
    if is_ambiguous_or_missing(local.replace(tzinfo=None), zone):
        return instant.astimezone(UTC)
    return local


def display_name(value: str | None) -> str:
    """A CN parameter: one line, with ``'`` for ``"`` (which no parameter value can hold)."""
    return one_line(value).replace('"', "'")


def _address(person: Person, **params: str) -> vCalAddress | None:
    email = clean_email(person.email)
    if email is None:
        return None
    address = vCalAddress(f"mailto:{email}")
    name = display_name(person.name)
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


def zone_definitions(events: Sequence[Event]) -> list[Component]:
    """A VTIMEZONE for each zone a DTSTART or DTEND names, spanning that zone's events."""
    instants: dict[str, list[datetime]] = {}
    for event in events:
        for name in ("DTSTART", "DTEND"):
            value = event.decoded(name, None)
            zone = getattr(value, "tzinfo", None)
            if isinstance(zone, ZoneInfo) and zone.key != "UTC":
                instants.setdefault(zone.key, []).append(value.astimezone(UTC))
    return [
        vtimezone(ZoneInfo(key), min(values), max(values))
        for key, values in sorted(instants.items())
    ]


def calendar_bytes(
    events: Iterable[Event],
    *,
    method: IcsMethod,
    name: str | None = None,
    uid: str | None = None,
    refresh_interval: timedelta | None = None,
) -> bytes:
    """A VCALENDAR with a VTIMEZONE for each zone its events use, then the events.

    ``refresh_interval`` is said twice: REFRESH-INTERVAL (RFC 7986) and
    X-PUBLISHED-TTL, which Outlook and older Apple clients read instead.
    """
    events = list(events)
    calendar = Calendar.new(
        prodid=PRODID,
        method=method.value,
        name=one_line(name) or None,
        uid=uid,
        subcomponents=[*zone_definitions(events), *events],
    )
    if uid is None:
        # icalendar makes up a random one; a file that is no subscribable calendar needs none.
        calendar.pop("UID", None)
    if refresh_interval is not None:
        calendar.add("REFRESH-INTERVAL", vDuration(refresh_interval, params={"VALUE": "DURATION"}))
        calendar.add("X-PUBLISHED-TTL", vDuration(refresh_interval))
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
