"""The picker's URL and form values, read leniently: a bad value is ``None``, never an error.

Also the time zone choices the pages offer (IANA names, without legacy aliases).
"""

from __future__ import annotations

from datetime import date, datetime, UTC
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from markupsafe import escape

from portal.domain import values

UTC = UTC


# Lenient: a query parameter that is not valid (or out of the bounded years) is ignored.


def parse_zone(value: str | None) -> ZoneInfo | None:
    return values.zone_or_none(value)


def parse_month(value: str | None) -> date | None:
    return values.optional(values.month, value)


def parse_day(value: str | None) -> date | None:
    return values.optional(values.day, value)


def parse_start(value: str | None) -> datetime | None:
    """A slot start as posted by a slot button: ISO 8601 with an offset, as UTC."""
    return values.optional(values.aware_datetime, value)


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
