"""What every calendar export says about an appointment: zone, title, links, people.

Pure helpers shared by the .ics builder, the Google link and the notification
placeholders, so each value is worked out in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import object_session

from portal.models import Appointment
from portal.notifications.language import Wording, wording_in

# Control characters (CR, LF, tabs, NUL, ...) that could start a new line in a header-like value.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_URI_UNSAFE = re.compile(r"[\s\"<>\\^`{|}\x00-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s\"<>(),;:\\\[\]]+@[^@\s\"<>(),;:\\\[\]]+$")


@dataclass(frozen=True)
class Person:
    """Someone named in an event: ORGANIZER or ATTENDEE."""

    name: str
    email: str


def one_line(value: str | None) -> str:
    """A value for a single-line field: line breaks and control characters become spaces."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def clean_uri(value: str | None) -> str | None:
    """An http(s) URL safe to place in a property or link, or None."""
    value = (value or "").strip()
    if not value.lower().startswith(("https://", "http://")) or _URI_UNSAFE.search(value):
        return None
    return value


def clean_email(value: str | None) -> str | None:
    """A plain address usable in ``mailto:``, or None."""
    value = (value or "").strip()
    return value if _EMAIL.match(value) else None


def zone_of(appointment: Appointment) -> ZoneInfo:
    """The appointment's IANA zone; UTC if the stored name is unknown to this system."""
    try:
        return ZoneInfo(appointment.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def event_title(appointment: Appointment) -> str:
    return one_line(appointment.title) or one_line(appointment.service.name)


def join_link(appointment: Appointment) -> str | None:
    """The video room of the newest room ticket, if the appointment was activated."""
    tickets = sorted(
        appointment.room_tickets,
        key=lambda ticket: ticket.created_at or appointment.created_at,
        reverse=True,
    )
    for ticket in tickets:
        url = clean_uri(ticket.url)
        if url:
            return url
    return None


def event_description(
    appointment: Appointment,
    *,
    join: str | None,
    manage: str | None,
    extra: list[str] | None = None,
    locale: str | None = None,
) -> str:
    """Plain text for DESCRIPTION and Google's ``details``: what, with whom, the links.

    Worded in ``locale``, by default the appointment's (the customer's language); an
    agent's feed passes the agent's.
    """
    w = wording_of(appointment, locale)
    lines = [one_line(appointment.service.name)]
    if appointment.organizer is not None:
        lines.append(w.gettext("With: %(name)s", name=one_line(appointment.organizer.name)))
    lines.extend(extra or [])
    if join:
        lines.append(w.gettext("Join the video call: %(link)s", link=join))
    if manage:
        lines.append(w.gettext("Reschedule or cancel: %(link)s", link=manage))
    return "\n".join(line for line in lines if line)


def wording_of(appointment: Appointment, locale: str | None = None) -> Wording:
    """Wording in ``locale`` (default: the appointment's), with the catalogs of its session."""
    return wording_in(object_session(appointment), locale or appointment.locale)
