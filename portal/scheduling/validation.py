"""Validation of the schedule inputs, shaped like the seeds (000, 002, 004).

Shared by the web forms and the JSON API, so the contract is one shape:
each ``validate_*`` function takes the raw values as keyword arguments and
returns ``{field: message}``; an empty dict means valid. Callers that prefer an
exception call ``ensure_valid(errors)``, which raises ``ValidationError`` with
the same dict in ``.errors``. Field names are the snake_case names used here;
messages are whole sentences a person can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from portal.domain import values
from portal.domain.errors import Invalid
from portal.domain.i18n import N_

OFFICE_HOURS_TYPES = ("nonworking", "lunchtime", "coffeebreak", "weekends")
DAYS_OF_WEEK = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
DAY_SECONDS = 86400
DAY_MINUTES = 1440
NAME_MAX = 24

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")
# 12-hour clocks: "9am", "9 AM", "9:00 AM", "9:00 p.m.", "12:30pm".
_TWELVE_HOUR = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s*m\.?$", re.IGNORECASE)
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_TIME_MESSAGE = N_("Enter a time as HH:MM between 00:00 and 24:00.")


class ValidationError(ValueError):
    """Raised by ``ensure_valid``; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


def ensure_valid(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def parse_hhmm(text: str) -> int:
    """'09:30' -> 570; '24:00' -> 1440; '9:30 AM', '9:30am', '9pm' -> 570, 570, 1260.
    Raises ValueError on anything else.

    Also accepts 'H:MM' and a zero seconds part ('10:00:00', the seeds' TimeSpan). Staff
    type times the way their locale shows them (issue 16), so one parser takes both
    clocks; '12 AM' is midnight at the start of the day, '24:00' the one at its end.
    """
    if not isinstance(text, str):
        raise ValueError(_TIME_MESSAGE)
    twelve = _TWELVE_HOUR.match(text.strip())
    if twelve is not None:
        return _twelve_hour_minute(int(twelve[1]), int(twelve[2] or 0), twelve[3].lower())
    match = _HHMM.match(text.strip())
    if match is None:
        raise ValueError(_TIME_MESSAGE)
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(_TIME_MESSAGE)
    return hours * 60 + minutes


def _twelve_hour_minute(hour: int, minutes: int, half: str) -> int:
    if not 1 <= hour <= 12 or minutes > 59:
        raise ValueError(_TIME_MESSAGE)
    return (hour % 12 + (12 if half == "p" else 0)) * 60 + minutes


def format_hhmm(minute: int) -> str:
    """570 -> '09:30'; 1440 -> '24:00'."""
    if not 0 <= minute <= DAY_MINUTES:
        raise ValueError(f"{minute} is not a minute of the day (0..1440)")
    return f"{minute // 60:02d}:{minute % 60:02d}"


def validate_office_hours(
    *,
    name: object = None,
    type: object = None,  # noqa: A002 - the seed's field name
    dow: object = None,
    time_from: object = None,
    time_to: object = None,
) -> dict[str, str]:
    """Seed 000: an account-wide closed period; times in seconds from local midnight."""
    errors: dict[str, str] = {}
    if not isinstance(name, str) or not name.strip():
        errors["name"] = N_("Enter a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = N_("The name can be at most %(max)s characters.", max=NAME_MAX)
    if type not in OFFICE_HOURS_TYPES:
        errors["type"] = N_("Choose one of: %(choices)s.", choices=", ".join(OFFICE_HOURS_TYPES))
    if dow not in DAYS_OF_WEEK:
        errors["dow"] = N_("Choose a day of the week: %(days)s.", days=", ".join(DAYS_OF_WEEK))
    for field, value in (("time_from", time_from), ("time_to", time_to)):
        if not _is_int(value) or not 0 <= value <= DAY_SECONDS:  # type: ignore[operator]
            errors[field] = N_(
                "Enter a whole number of seconds from midnight, 0 to %(max)s.", max=DAY_SECONDS
            )
    if "time_from" not in errors and "time_to" not in errors and time_from >= time_to:  # type: ignore[operator]
        errors["time_to"] = N_("The end must be later than the start.")
    return errors


def validate_time_exception(
    *,
    from_date: object = None,
    to_date: object = None,
    from_time: object = None,
    to_time: object = None,
    days_of_week: object = None,
    color: object = None,
    agent_ids: object = None,
) -> dict[str, str]:
    """Seed 002: time off for one or more agents.

    ``from_time`` / ``to_time`` are optional 'HH:MM' (missing: 00:00 / 24:00).
    ``days_of_week`` empty or missing = not recurring. ``color`` missing is
    allowed (the stored default applies); when given it must be #rrggbb.
    """
    errors: dict[str, str] = {}
    start_day = _date_or_error(from_date, "from_date", errors)
    end_day = _date_or_error(to_date, "to_date", errors)
    if start_day and end_day and start_day > end_day:
        errors["to_date"] = N_("The end date cannot be before the start date.")

    start = _optional_time(from_time, "from_time", 0, errors)
    end = _optional_time(to_time, "to_time", DAY_MINUTES, errors)

    weekdays = _days_of_week(days_of_week, errors)
    recurring = bool(weekdays)
    if start is not None and end is not None:
        if recurring and start >= end:
            errors["to_time"] = N_(
                "On each repeated day the end time must be later than the start time."
            )
        elif (
            not recurring
            and start_day
            and end_day
            and "to_date" not in errors
            and _empty_span(start_day, start, end_day, end)
        ):
            errors["to_time"] = N_("The end time must be later than the start time.")

    if color is not None and (not isinstance(color, str) or not _COLOR.match(color)):
        errors["color"] = N_("Enter a colour as #rrggbb, for example #1a2b3c.")
    if (
        isinstance(agent_ids, (str, bytes))
        or not isinstance(agent_ids, Iterable)
        or not list(agent_ids)
    ):
        errors["agent_ids"] = N_("Choose at least one agent.")
    return errors


def validate_service_time_slot(
    *,
    day_of_week: object = None,
    from_time: object = None,
    to_time: object = None,
    available: object = True,
) -> dict[str, str]:
    """Seed 004: a weekly window of a service, 'HH:MM' in the service timezone."""
    errors: dict[str, str] = {}
    if not _is_int(day_of_week) or not 1 <= day_of_week <= 7:  # type: ignore[operator]
        errors["day_of_week"] = N_("Choose a day of the week, 1 (Monday) to 7 (Sunday).")
    start = _required_time(from_time, "from_time", errors)
    end = _required_time(to_time, "to_time", errors)
    if start is not None and end is not None and start >= end:
        errors["to_time"] = N_("The end time must be later than the start time.")
    if available is not None and not isinstance(available, bool):
        errors["available"] = N_("Available must be true or false.")
    return errors


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _empty_span(start_day: date, start: int, end_day: date, end: int) -> bool:
    # Minutes since an epoch of local days: 24:00 of one day equals 00:00 of the next.
    return start_day.toordinal() * DAY_MINUTES + start >= end_day.toordinal() * DAY_MINUTES + end


def _date_or_error(value: object, field: str, errors: dict[str, str]) -> date | None:
    try:
        if isinstance(value, date):  # a datetime too: only the date part is used (seed 002)
            return values.bounded_day(value, field)
        if isinstance(value, str):
            return values.day(value.strip()[:10], field)
    except Invalid as error:
        errors[field] = error.message
        return None
    errors[field] = N_("Enter a date as YYYY-MM-DD.")
    return None


def _optional_time(value: object, field: str, default: int, errors: dict[str, str]) -> int | None:
    if value is None or value == "":
        return default
    return _required_time(value, field, errors)


def _required_time(value: object, field: str, errors: dict[str, str]) -> int | None:
    try:
        return parse_hhmm(value)  # type: ignore[arg-type]
    except ValueError as error:
        errors[field] = str(error)
        return None


def _days_of_week(value: object, errors: dict[str, str]) -> list[int]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        errors["days_of_week"] = N_(
            "Days of the week must be a list of numbers, 1 (Monday) to 7 (Sunday)."
        )
        return []
    days = list(value)
    if not all(_is_int(day) and 1 <= day <= 7 for day in days):
        errors["days_of_week"] = N_("Each day of the week must be 1 (Monday) to 7 (Sunday).")
        return []
    return days
