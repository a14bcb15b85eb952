"""The picker's URL and form values, read leniently: a bad value is ``None``, never an error.

Also the time zone choices the pages offer (IANA names, without legacy aliases).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from markupsafe import escape

UTC = timezone.utc


def parse_zone(value: str | None) -> ZoneInfo | None:
    value = (value or "").strip()
    if not value or value.startswith(("/", ".")) or ".." in value or len(value) > 64:
        return None
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def parse_month(value: str | None) -> date | None:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1) if 1900 < year < 3000 else None
    except ValueError:
        return None


def parse_day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if len(value or "") == 10 and 1900 < day.year < 3000 else None


def parse_start(value: str | None) -> datetime | None:
    """A slot start as posted by a slot button: ISO 8601 with an offset."""
    try:
        start = datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if start.tzinfo is None:
        return None
    return start.astimezone(UTC)


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """IANA zone names for the searchable list, without the legacy aliases."""
    names = {
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    }
    return tuple(sorted(names | {"UTC"}))


@lru_cache(maxsize=1)
def timezone_options() -> str:
    return "".join(f'<option value="{escape(name)}"></option>' for name in timezone_names())
