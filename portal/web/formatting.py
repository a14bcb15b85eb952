"""Dates and times as people read them: Babel, in the viewer's zone and locale, never raw ISO.

Every page formats through these functions; ``portal.templating`` offers each of them to
the templates as a global and as a filter (``{{ format_day(day) }}``, ``{{ day|format_day }}``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, UTC
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from flask_babel import get_locale, gettext, ngettext
from flask_login import current_user

UTC = UTC


# --- in the request's locale (flask-babel) and a given zone --------------------------------


def locale() -> Locale:
    return get_locale() or Locale.parse("en")


def local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.astimezone(zone)


# Babel formats by interpreting its pattern on every call; a slot list formats the same
# day and the same few times of day over and over. Bounded, shared by threads (a lost
# race only formats twice).
_FORMATTED_CAP = 8192
_DAYS: dict[tuple[date, str, str], str] = {}
_TIMES: dict[tuple[object, str], str] = {}


def _remember(store: dict, key: tuple, text: str) -> str:
    if len(store) >= _FORMATTED_CAP:
        store.clear()
    store[key] = text
    return text


def format_day(day: date) -> str:
    """Thursday, May 14, 2026 (by locale)."""
    current = locale()
    return _day_text(day, current, str(current))


def _day_text(day: date, current: Locale, name: str, pattern: str = "full") -> str:
    """``day`` in Babel's ``pattern`` and ``current`` (named ``name``)."""
    key = (day, pattern, name)
    text = _DAYS.get(key)
    if text is None:
        text = _remember(_DAYS, key, babel_dates.format_date(day, pattern, locale=current))
    return text


def format_day_brief(day: date) -> str:
    """Tue, Aug 4 (by locale): where the year goes without saying."""
    current = locale()
    name = str(current)
    key = (day, "skeleton MMMEd", name)  # Babel finds the locale's pattern for the skeleton
    text = _DAYS.get(key)
    if text is None:
        text = _remember(_DAYS, key, babel_dates.format_skeleton("MMMEd", day, locale=current))
    return text


def format_day_short(day: date) -> str:
    return babel_dates.format_date(day, "medium", locale=locale())


def format_time(value: datetime, zone: ZoneInfo) -> str:
    """9:00 AM or 09:00, by locale."""
    current = locale()
    if value.tzinfo is None:
        return babel_dates.format_time(value, "short", tzinfo=zone, locale=current)
    return _time_text(value.astimezone(zone), current, str(current))


def _time_text(moment: datetime, current: Locale, name: str) -> str:
    """``format_time`` of the aware ``moment`` in its own zone, in ``current`` (named ``name``)."""
    # The short time pattern shows the local time of day only: key on it.
    key = (moment.time(), name)
    text = _TIMES.get(key)
    if text is None:
        text = _remember(
            _TIMES,
            key,
            babel_dates.format_time(moment, "short", tzinfo=moment.tzinfo, locale=current),
        )
    return text


def format_month(month: date) -> str:
    current = locale()
    return _day_text(month, current, str(current), "LLLL y")


_ZONE_NAMES: dict[tuple[str, timedelta | None, bool, str], str] = {}


def zone_name(value: datetime, zone: ZoneInfo) -> str:
    """Central European Summer Time (the name in force at ``value``)."""
    return _zone_name_text(value.astimezone(zone), zone, str(locale()))


def _zone_name_text(moment: datetime, zone: ZoneInfo, name: str) -> str:
    """``zone_name`` of ``moment`` (already in ``zone``), in the locale named ``name``."""
    # The name only changes with the offset (summer / winter): cache on it.
    key = (zone.key, moment.utcoffset(), bool(moment.dst()), name)
    text = _ZONE_NAMES.get(key)
    if text is None:
        text = babel_dates.get_timezone_name(moment, "long", locale=name)
        if len(_ZONE_NAMES) < 4096:
            _ZONE_NAMES[key] = text
    return text


def format_datetime(value: datetime, zone: ZoneInfo, *, with_zone: bool = True) -> str:
    """Thursday, May 14, 2026, 9:00 AM Central European Summer Time."""
    return LocalFormats(zone).datetime(value, with_zone=with_zone)


class LocalFormats:
    """``format_day``, ``format_time`` and ``format_datetime`` in one zone and the request's
    locale, looked up once: a page of slots or days formats dozens of values, and each
    lookup of the locale goes through Flask-Babel's request globals."""

    __slots__ = ("zone", "locale", "_name")

    def __init__(self, zone: ZoneInfo, current: Locale | None = None) -> None:
        self.zone = zone
        self.locale = current or locale()
        self._name = str(self.locale)

    def day(self, day: date) -> str:
        return _day_text(day, self.locale, self._name)

    def time(self, value: datetime) -> str:
        """An aware ``value``'s time of day in the zone."""
        return _time_text(value.astimezone(self.zone), self.locale, self._name)

    def datetime(self, value: datetime, *, with_zone: bool = True) -> str:
        moment = value.astimezone(self.zone)
        text = (
            f"{_day_text(moment.date(), self.locale, self._name)}, "
            f"{_time_text(moment, self.locale, self._name)}"
        )
        if not with_zone:
            return text
        return f"{text} {_zone_name_text(moment, self.zone, self._name)}"


def format_span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """9:00 – 9:30 AM style range, both ends in ``zone``."""
    return f"{format_time(start, zone)} – {format_time(end, zone)}"


def zone_label(zone: ZoneInfo, at: datetime | None = None) -> str:
    """Europe/Berlin · Central European Summer Time"""
    moment = at or datetime.now(UTC)
    return f"{zone.key.replace('_', ' ')} · {zone_name(moment, zone)}"


def zone_city(zone: ZoneInfo) -> str:
    """New York, London, Londres: the zone's exemplar city in the request's language."""
    return babel_dates.get_timezone_location(zone, locale=locale(), return_city=True)


def _as_zone(zone: ZoneInfo | str | None, default: ZoneInfo) -> ZoneInfo:
    if isinstance(zone, ZoneInfo):
        return zone
    try:
        return ZoneInfo(zone) if zone else default
    except (ValueError, OSError):  # an odd stored zone must not break the page
        return default


def _seen(
    text_in: Callable[[ZoneInfo], str],
    viewer_zone: ZoneInfo,
    appointment_zone: ZoneInfo | str | None,
) -> str:
    own = _as_zone(appointment_zone, viewer_zone)
    if own.key == viewer_zone.key:
        return gettext("%(time)s %(city)s", time=text_in(viewer_zone), city=zone_city(viewer_zone))
    return gettext(
        "%(time)s %(city)s (%(other_time)s %(other_city)s)",
        time=text_in(viewer_zone),
        city=zone_city(viewer_zone),
        other_time=text_in(own),
        other_city=zone_city(own),
    )


def format_time_seen(
    start: datetime,
    viewer_zone: ZoneInfo,
    appointment_zone: ZoneInfo | str | None,
    end: datetime | None = None,
) -> str:
    """An appointment's time as its viewer reads it, every time labelled with its city:
    "9:30 AM London (4:30 AM New York)" when the appointment was booked in another zone
    than the viewer's, else "9:30 AM London". With ``end``, a range ("9:30 – 10:00 AM ...").
    """

    def text_in(zone: ZoneInfo) -> str:
        return format_span(start, end, zone) if end is not None else format_time(start, zone)

    return _seen(text_in, viewer_zone, appointment_zone)


def format_datetime_seen(
    start: datetime, viewer_zone: ZoneInfo, appointment_zone: ZoneInfo | str | None
) -> str:
    """Tuesday, December 1, 2026, 9:30 AM London (Tuesday, December 1, 2026, 4:30 AM New York)
    shortened: the other zone's day is named only when it is another day."""

    def text_in(zone: ZoneInfo) -> str:
        if zone.key != viewer_zone.key and (
            start.astimezone(zone).date() == start.astimezone(viewer_zone).date()
        ):
            return format_time(start, zone)
        return format_datetime(start, zone, with_zone=False)

    return _seen(text_in, viewer_zone, appointment_zone)


def weekday_headers() -> list[tuple[str, str]]:
    """(short, full) weekday names, starting on the locale's first day of the week."""
    loc = locale()
    first = loc.first_week_day  # 0 = Monday
    short = loc.days["stand-alone"]["abbreviated"]
    wide = loc.days["format"]["wide"]
    return [(short[(first + i) % 7], wide[(first + i) % 7]) for i in range(7)]


# --- machine-readable ----------------------------------------------------------------------


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- staff pages: the request's locale (the staff user's own unless the menu says otherwise) --


def local_datetime(value: datetime, zone: str, locale: str | None = None) -> str:
    """A UTC datetime as a person reads it in ``zone``: Babel, the viewer's locale, hour cycle."""
    locale = locale or _request_locale()
    tzinfo = ZoneInfo(zone)
    try:
        day = babel_dates.format_skeleton("yMMMEd", value, tzinfo=tzinfo, locale=locale)
        time = babel_dates.format_time(value, "short", tzinfo=tzinfo, locale=locale)
    except Exception:  # an odd stored locale must not break the page
        day = babel_dates.format_skeleton("yMMMEd", value, tzinfo=tzinfo, locale="en")
        time = babel_dates.format_time(value, "short", tzinfo=tzinfo, locale="en")
    return f"{day}, {time}"


def _request_locale() -> str:
    return str(locale())


def local_date(value: date, locale: str | None = None) -> str:
    locale = locale or _request_locale()
    try:
        return babel_dates.format_date(value, "medium", locale=locale)
    except Exception:
        return babel_dates.format_date(value, "medium", locale="en")


def local_time(value: datetime | None, zone: str | None = None) -> str:
    """A UTC datetime in ``zone`` (default: the viewer's) and the viewer's locale.

    The zone is named only when it is not the viewer's own (DESIGN.md 13).
    """
    if value is None:
        return "—"
    own = current_user.timezone if current_user.is_authenticated else "UTC"
    zone = zone or own
    locale = _request_locale()
    try:
        local = value.astimezone(ZoneInfo(zone))
        text = (
            f"{babel_dates.format_date(local, 'medium', locale=locale)}, "
            f"{babel_dates.format_time(local, 'short', locale=locale)}"
        )
    except Exception:  # an odd stored zone or locale must not break the page
        local = value.astimezone(ZoneInfo("UTC"))
        zone = "UTC"
        text = (
            f"{babel_dates.format_date(local, 'medium', locale='en')}, "
            f"{babel_dates.format_time(local, 'short', locale='en')}"
        )
    return text if zone == own else f"{text} ({zone})"


def input_time(minute: int | None) -> str:
    """A minute of the day as staff type it back into a time field, in the viewer's hour
    cycle: 540 -> "9:00 AM" (en) or "09:00" (de, en_GB); 1440 (midnight at the end of the
    day) -> "24:00" in every locale, which the parser reads back (``parse_hhmm``)."""
    if minute is None:
        return ""
    if minute >= 24 * 60:
        return "24:00"
    hours, minutes = divmod(minute, 60)
    shown = babel_dates.format_time(time(hours, minutes), "short", locale=locale())
    # Babel separates "AM" with a narrow no-break space; typed back it should be plain.
    return shown.replace("\u202f", " ").replace("\xa0", " ")


def describe_period(seconds: int | None) -> str:
    """``86400`` → "1 day", ``5400`` → "1 h 30 min" (template periods; request language)."""
    if not seconds:
        return "—"
    days, rest = divmod(seconds // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [ngettext("%(num)d day", "%(num)d days", days)] if days else []
    parts += [gettext("%(num)d h", num=hours)] if hours else []
    parts += [gettext("%(num)d min", num=minutes)] if minutes else []
    return " ".join(parts)


# The names templates may call (and pipe through as filters).
TEMPLATE_FUNCTIONS = {
    "format_day": format_day,
    "format_day_short": format_day_short,
    "format_time": format_time,
    "format_month": format_month,
    "format_span": format_span,
    "format_datetime": format_datetime,
    "zone_label": zone_label,
    "zone_city": zone_city,
    "format_time_seen": format_time_seen,
    "format_datetime_seen": format_datetime_seen,
    "weekday_headers": weekday_headers,
    "iso_utc": iso_utc,
    "local_time": local_time,
    "local_datetime": local_datetime,
    "local_date": local_date,
    "describe_period": describe_period,
    "input_time": input_time,
}
