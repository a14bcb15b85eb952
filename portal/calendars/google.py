"""'Add to Google Calendar': the event template link of DESIGN.md 6."""

from __future__ import annotations

from datetime import datetime, UTC
from urllib.parse import quote, urlencode

from portal.calendars.details import event_description, event_title, join_link, zone_of
from portal.models import Appointment

GOOGLE_TEMPLATE_URL = "https://calendar.google.com/calendar/render"


def _utc_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(appointment: Appointment, *, manage_link: str | None = None) -> str:
    """The template URL; every value is percent-encoded (``quote``, nothing left safe)."""
    join = join_link(appointment)
    params = {
        "action": "TEMPLATE",
        "text": event_title(appointment),
        "dates": f"{_utc_stamp(appointment.start_at)}/{_utc_stamp(appointment.end_at)}",
        "details": event_description(appointment, join=join, manage=manage_link),
        "location": join or "",
        "ctz": zone_of(appointment).key,
    }
    return f"{GOOGLE_TEMPLATE_URL}?{urlencode(params, quote_via=quote, safe='')}"
