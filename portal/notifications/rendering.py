"""Placeholder values for one appointment and recipient, and rendered messages.

Dates and times are shown in the appointment's time zone and locale (Babel);
the zone is shown by its IANA name, which is unambiguous in every language, and
the time by the zone's abbreviation at that instant (``{{zoneAbbr}}``: "CEST" or
"CET"), which tells the two occurrences of a repeated autumn hour apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from markupsafe import escape

from portal.booking.lifecycle import Action, deadline, format_deadline, format_moment
from portal.booking.questions import readable
from portal.calendars.details import join_link, zone_of
from portal.models import Appointment, NotificationTemplate, Participant
from portal.notifications.defaults import wording_for
from portal.notifications.language import parse_locale
from portal.notifications.placeholders import render, render_subject

_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text_body: str
    html_body: str | None


def babel_locale(name: str | None) -> Locale:
    return parse_locale(name)


def zone_abbreviation(local: datetime) -> str:
    """The zone's abbreviation at this aware local time: "CEST", "CET", "EST", "UTC".

    Zones without a letters abbreviation (tzdata writes "+0545" for Asia/Kathmandu)
    show the offset instead: "UTC+05:45".
    """
    name = local.tzname() or ""
    if name.isalpha():
        return name
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def time_values(start: datetime, zone: ZoneInfo, locale_name: str | None) -> dict[str, str]:
    local = start.astimezone(zone)
    locale = babel_locale(locale_name)
    clock = time(local.hour, local.minute)
    return {
        "dd-MM-yyyy": format_date(local.date(), "dd-MM-yyyy", locale=locale),
        "time24": format_time(clock, "HH:mm", locale=locale),
        "time12": format_time(clock, "h:mm a", locale=locale),
        "date": format_date(local.date(), "full", locale=locale),
        "time": format_time(clock, "short", locale=locale),
        "zone": zone.key,
        "zoneAbbr": zone_abbreviation(local),
    }


def placeholder_values(
    appointment: Appointment, recipient: Participant | None, *, manage: str
) -> dict[str, str]:
    values = {
        "firstName": recipient.first_name if recipient else "",
        "lastName": recipient.last_name if recipient else "",
        "title": appointment.title or appointment.service.name,
        "roomLink": join_link(appointment) or "",
        "manageLink": manage,
        "agentName": appointment.organizer.name if appointment.organizer else "",
        # Until when the customer may change it online (the lifecycle's cut-offs).
        "cancelDeadline": format_deadline(appointment, deadline(appointment, Action.CANCEL)),
        "rescheduleDeadline": format_deadline(
            appointment, deadline(appointment, Action.RESCHEDULE)
        ),
        "answers": readable(appointment.answers),
    }
    values |= time_values(appointment.start_at, zone_of(appointment), appointment.locale)
    return values


def sample_values(zone: ZoneInfo, locale_name: str | None, now: datetime) -> dict[str, str]:
    """Believable values for a test mail: tomorrow at 10:00 in the given zone."""
    tomorrow = (now.astimezone(zone) + timedelta(days=1)).date()
    start = datetime.combine(tomorrow, time(10, 0), tzinfo=zone)
    return {
        "firstName": "Jane",
        "lastName": "Doe",
        "title": "Sample appointment",
        "roomLink": "https://meet.example.com/sample-room",
        "manageLink": "https://portal.example.com/manage/sample",
        "agentName": "Alex Agent",
        "cancelDeadline": format_moment(start - timedelta(days=1), zone.key, locale_name),
        "rescheduleDeadline": format_moment(start - timedelta(days=1), zone.key, locale_name),
        "answers": "Reason for the visit: A first talk",
    } | time_values(start, zone, locale_name)


def render_texts(
    subject: str,
    text_body: str,
    html_body: str | None,
    values: dict[str, str],
    *,
    preface: str | None = None,
) -> Rendered:
    """Render the three parts; ``preface`` (a custom cancel message) goes first."""
    text = render(text_body, values)
    html = render(html_body, values, html=True) if (html_body or "").strip() else None
    if preface and preface.strip():
        preface = preface.strip()
        text = f"{preface}\n\n{text}"
        if html is not None:
            block = "<p>" + str(escape(preface)).replace("\n", "<br>\n") + "</p>\n"
            match = _BODY_OPEN.search(html)
            html = html[: match.end()] + block + html[match.end() :] if match else block + html
    return Rendered(render_subject(subject, values), text, html)


def render_template(
    template: NotificationTemplate,
    appointment: Appointment,
    recipient: Participant | None,
    *,
    manage: str,
    preface: str | None = None,
) -> Rendered:
    """``template`` for one recipient, worded in the appointment's language (``wording_for``)."""
    values = placeholder_values(appointment, recipient, manage=manage)
    texts = wording_for(template, appointment.locale, appointment.service.locale)
    return render_texts(texts.subject, texts.text_body, texts.html_body, values, preface=preface)
