"""The slot picker shared by booking and rescheduling: month, day, zone, agent.

It only *reads* availability through ``portal.booking.availability.offered_slots``
and shapes it for the templates ``booking/_picker.html``, ``_calendar.html`` and
``_slots.html``; which URLs the links and the slot form use is up to the page
(a ``PickerLinks``). Also the date and time formatting every customer page uses
(Babel, in the viewer's zone and locale, never raw ISO).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel import dates as babel_dates
from flask import current_app, render_template, request
from flask_babel import get_locale
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm import Session as OrmSession

from portal.booking.availability import offered_slots
from portal.domain import values
from portal.models import Service
from portal.scheduling import Slot

UTC = timezone.utc


# --- request helpers -------------------------------------------------------------


def wants_partial() -> bool:
    """An htmx request for a part of the page (history restores want the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


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


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


# --- formatting (Babel) ------------------------------------------------------------


def locale() -> Locale:
    return get_locale() or Locale.parse("en")


def local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.astimezone(zone)


def format_day(day: date) -> str:
    """Thursday, May 14, 2026 (by locale)."""
    return babel_dates.format_date(day, "full", locale=locale())


def format_day_short(day: date) -> str:
    return babel_dates.format_date(day, "medium", locale=locale())


def format_time(value: datetime, zone: ZoneInfo) -> str:
    """9:00 AM or 09:00, by locale."""
    return babel_dates.format_time(value, "short", tzinfo=zone, locale=locale())


def format_month(month: date) -> str:
    return babel_dates.format_date(month, "LLLL y", locale=locale())


_ZONE_NAMES: dict[tuple[str, timedelta | None, bool, str], str] = {}


def zone_name(value: datetime, zone: ZoneInfo) -> str:
    """Central European Summer Time (the name in force at ``value``)."""
    moment = value.astimezone(zone)
    # The name only changes with the offset (summer / winter): cache on it.
    key = (zone.key, moment.utcoffset(), bool(moment.dst()), str(locale()))
    name = _ZONE_NAMES.get(key)
    if name is None:
        name = babel_dates.get_timezone_name(moment, "long", locale=key[3])
        if len(_ZONE_NAMES) < 4096:
            _ZONE_NAMES[key] = name
    return name


def format_datetime(value: datetime, zone: ZoneInfo, *, with_zone: bool = True) -> str:
    """Thursday, May 14, 2026, 9:00 AM Central European Summer Time."""
    moment = value.astimezone(zone)
    text = f"{format_day(moment.date())}, {format_time(value, zone)}"
    return f"{text} {zone_name(value, zone)}" if with_zone else text


def format_span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """9:00 – 9:30 AM style range, both ends in ``zone``."""
    return f"{format_time(start, zone)} – {format_time(end, zone)}"


def zone_label(zone: ZoneInfo, at: datetime | None = None) -> str:
    """Europe/Berlin · Central European Summer Time"""
    moment = at or datetime.now(UTC)
    return f"{zone.key.replace('_', ' ')} · {zone_name(moment, zone)}"


def weekday_headers() -> list[tuple[str, str]]:
    """(short, full) weekday names, starting on the locale's first day of the week."""
    loc = locale()
    first = loc.first_week_day  # 0 = Monday
    short = loc.days["stand-alone"]["abbreviated"]
    wide = loc.days["format"]["wide"]
    return [(short[(first + i) % 7], wide[(first + i) % 7]) for i in range(7)]


# --- the picker model --------------------------------------------------------------


@dataclass(frozen=True)
class PickerLinks:
    """Where the picker's links and its slot form go (booking or rescheduling)."""

    month_url: Callable[[date], str]
    day_url: Callable[[date], str]
    options_url: str  # GET target of the zone / agent form (the month page)
    slot_action: str  # POST target of the slot buttons
    hidden: dict[str, str] = field(default_factory=dict)  # extra fields of the slot form

    @property
    def key(self) -> tuple:
        """Everything the links depend on (for the cache)."""
        return (self.options_url, self.slot_action, tuple(sorted(self.hidden.items())))


@dataclass
class MonthDay:
    day: date
    in_month: bool
    free: int  # offered slots that day
    today: bool
    selected: bool


@dataclass
class Picker:
    service: Service
    zone: ZoneInfo
    month: date
    day: date | None
    agent_id: uuid.UUID | None
    links: PickerLinks
    today: date
    last_day: date  # the last local date inside the booking horizon
    free_days: dict[date, int] = field(default_factory=dict)
    day_slots: list[Slot] = field(default_factory=list)
    message: str | None = None  # e.g. "That time was just taken"
    zone_error: str | None = None
    current_start: datetime | None = None  # rescheduling: the appointment's own time
    mode: str = "book"
    cache_entry: _Entry | None = field(default=None, repr=False)

    def fragment(self, template: str) -> Markup:
        """``template`` rendered for this picker, once per cache entry.

        Only parts that hold no per-visitor data (no CSRF token, no message)
        are rendered this way: the month grid and the slot buttons.
        """
        entry = self.cache_entry
        if entry is None:
            return Markup(render_template(template, picker=self))  # nosec B704 # autoescaped template output
        html = entry.fragments.get(template)
        if html is None:
            html = Markup(render_template(template, picker=self))  # nosec B704 # autoescaped template output
            entry.fragments[template] = html
        return html

    @property
    def prev_month(self) -> date | None:
        first = self.today.replace(day=1)
        previous = (self.month - timedelta(days=1)).replace(day=1)
        return previous if previous >= first else None

    @property
    def next_month(self) -> date | None:
        following = (self.month + timedelta(days=32)).replace(day=1)
        return following if following <= self.last_day else None

    def weeks(self) -> list[list[MonthDay]]:
        first_weekday = locale().first_week_day
        start = self.month - timedelta(days=(self.month.weekday() - first_weekday) % 7)
        following = (self.month + timedelta(days=32)).replace(day=1)
        weeks: list[list[MonthDay]] = []
        cursor = start
        while cursor < following:
            week = []
            for _ in range(7):
                week.append(
                    MonthDay(
                        day=cursor,
                        in_month=cursor.month == self.month.month,
                        free=self.free_days.get(cursor, 0),
                        today=cursor == self.today,
                        selected=cursor == self.day,
                    )
                )
                cursor += timedelta(days=1)
            weeks.append(week)
        return weeks

    def slot_label(self, slot: Slot) -> str:
        """The full accessible name of a slot button."""
        text = format_datetime(slot.start, self.zone)
        if self.service.capacity > 1:
            seats = "1 seat left" if slot.remaining == 1 else f"{slot.remaining} seats left"
            text = f"{text}, {seats}"
        return text

    def is_current(self, slot: Slot) -> bool:
        return self.current_start is not None and slot.start == self.current_start

    @property
    def free_count(self) -> int:
        return sum(self.free_days.values())


def _horizon_last_day(service: Service, zone: ZoneInfo, now: datetime) -> date:
    return (now + timedelta(days=service.horizon_days)).astimezone(zone).date()


def _month_bounds(month: date) -> tuple[date, date]:
    following = (month + timedelta(days=32)).replace(day=1)
    return month, following - timedelta(days=1)


def _grouped(slots: list[Slot], zone: ZoneInfo) -> dict[date, list[Slot]]:
    grouped: dict[date, list[Slot]] = defaultdict(list)
    for slot in slots:
        grouped[slot.start.astimezone(zone).date()].append(slot)
    return grouped


def build_picker(
    session: Session,
    service: Service,
    *,
    zone: ZoneInfo,
    links: PickerLinks,
    now: datetime,
    month: date | None = None,
    day: date | None = None,
    agent_id: uuid.UUID | None = None,
    exclude_appointment_id: uuid.UUID | None = None,
    with_month: bool = True,
    auto_select: bool = True,
    fresh: bool = False,
    mode: str = "book",
    current_start: datetime | None = None,
) -> Picker:
    """The month's free days and the chosen day's slots.

    With no month and no day, the current month is shown (or the next one when
    nothing is free in this one) and, with ``auto_select``, its first free day is
    chosen, so the visitor sees times straight away. ``with_month=False`` skips
    the month (the day partial needs only the day). Answers are cached briefly
    (see ``PickerCache``); ``fresh=True`` recomputes, as after a failed attempt.
    """
    cache = _cache()
    ttl = float(current_app.config.get("PICKER_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))
    key = (
        service.id,
        zone.key,
        agent_id,
        exclude_appointment_id,
        month,
        day,
        with_month,
        auto_select,
        mode,
        current_start,
        links.key,
        str(locale()),
    )
    entry = None if fresh or ttl <= 0 else cache.get(key)
    if entry is not None:
        return _picker_from(entry, service, zone, links, agent_id, mode, current_start)

    generation = cache.generation
    today = now.astimezone(zone).date()
    last_day = _horizon_last_day(service, zone, now)
    if day is not None:
        month = day.replace(day=1)
    explicit_month = month is not None
    month = month or today.replace(day=1)
    picker = Picker(
        service=service,
        zone=zone,
        month=month,
        day=day,
        agent_id=agent_id,
        links=links,
        today=today,
        last_day=last_day,
        mode=mode,
        current_start=current_start,
    )

    def slots_between(first: date, last: date) -> list[Slot]:
        first, last = max(first, today), min(last, last_day)
        if first > last:
            return []
        return offered_slots(
            session,
            service,
            first,
            last,
            zone,
            now=now,
            agent_id=agent_id,
            exclude_appointment_id=exclude_appointment_id,
        )

    if not with_month:
        if day is not None:
            picker.day_slots = slots_between(day, day)
    else:
        grouped = _grouped(slots_between(*_month_bounds(month)), zone)
        if not grouped and not explicit_month and picker.next_month is not None:
            # Nothing left this month: open on the next one.
            month = picker.next_month
            picker.month = month
            grouped = _grouped(slots_between(*_month_bounds(month)), zone)
        picker.free_days = {d: len(s) for d, s in grouped.items()}
        if picker.day is None and auto_select and grouped:
            picker.day = min(grouped)
        if picker.day is not None:
            picker.day_slots = grouped.get(picker.day, [])

    if ttl > 0:
        picker.cache_entry = _Entry(
            generation=generation,
            expires=time.monotonic() + ttl,
            month=picker.month,
            day=picker.day,
            today=picker.today,
            last_day=picker.last_day,
            free_days=picker.free_days,
            day_slots=picker.day_slots,
        )
        cache.put(key, picker.cache_entry)
    return picker


def _picker_from(entry: _Entry, service, zone, links, agent_id, mode, current_start) -> Picker:
    return Picker(
        service=service,
        zone=zone,
        month=entry.month,
        day=entry.day,
        agent_id=agent_id,
        links=links,
        today=entry.today,
        last_day=entry.last_day,
        free_days=entry.free_days,
        day_slots=entry.day_slots,
        mode=mode,
        current_start=current_start,
        cache_entry=entry,
    )


# --- a short-lived cache of picker answers -------------------------------------------
#
# The month of a 20-agent service takes tens of milliseconds to compute; the
# same answer serves every visitor for a few seconds. Entries live at most
# PICKER_CACHE_SECONDS (default 3) and are dropped at once when this process
# commits anything that changes availability (appointments, holds, hours,
# time off, office hours, services, agents). Other app servers may show a
# taken slot for those few seconds; booking re-checks at commit time, so that
# can only ever end in "that time was just taken", never in a double booking.
# The checks themselves (hold, book, reschedule) never read this cache.

DEFAULT_CACHE_SECONDS = 3.0
MAX_CACHE_ENTRIES = 512


@dataclass
class _Entry:
    generation: int
    expires: float
    month: date
    day: date | None
    today: date
    last_day: date
    free_days: dict[date, int]
    day_slots: list[Slot]
    fragments: dict[str, Markup] = field(default_factory=dict)


@dataclass
class _Rendered:
    generation: int
    expires: float
    html: str
    meta: dict


# Rendered pickers are cached with this in place of the visitor's CSRF token.
CSRF_PLACEHOLDER = "__portal_csrf_token__"


def cached_render(key: tuple, compute: Callable[[], tuple[str, dict]]) -> tuple[str, dict]:
    """``compute()`` → (html, meta), shared by every visitor for the cache's lifetime.

    The html must hold no per-visitor data except ``CSRF_PLACEHOLDER``.
    """
    ttl = float(current_app.config.get("PICKER_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))
    if ttl <= 0:
        return compute()
    cache = _cache()
    key = ("rendered", str(locale()), *key)
    found = cache.get(key)
    if found is not None:
        return found.html, found.meta
    generation = cache.generation
    html, meta = compute()
    cache.put(key, _Rendered(generation, time.monotonic() + ttl, html, meta))
    return html, meta


class PickerCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, _Entry | _Rendered] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def generation(self) -> int:
        return _generation[0]

    def get(self, key: tuple):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.generation != _generation[0] or entry.expires <= time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry) -> None:
        with self._lock:
            if entry.generation != _generation[0]:
                return  # something changed while it was computed
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_CACHE_ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_generation = [0]
_generation_lock = threading.Lock()


def invalidate_picker_cache() -> None:
    """Forget every cached picker answer in this process (all apps)."""
    with _generation_lock:
        _generation[0] += 1


def _cache() -> PickerCache:
    return current_app.extensions.setdefault("portal.picker_cache", PickerCache())


def _availability_types() -> tuple[type, ...]:
    from portal.models import (
        Appointment,
        OfficeHours,
        Participant,
        ServiceTimeSlot,
        SlotHold,
        TimeException,
        User,
        WorkingHours,
    )

    return (
        Appointment,
        Participant,
        SlotHold,
        WorkingHours,
        TimeException,
        OfficeHours,
        Service,
        ServiceTimeSlot,
        User,
    )


_STALE = "portal.picker_stale"


@event.listens_for(OrmSession, "after_flush")
def _flushed(session: OrmSession, _context) -> None:
    types = _availability_types()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, types):
            session.info[_STALE] = True
            return


@event.listens_for(OrmSession, "do_orm_execute")
def _bulk_statement(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    types = _availability_types()
    if any(issubclass(mapper.class_, types) for mapper in state.all_mappers):
        state.session.info[_STALE] = True


@event.listens_for(OrmSession, "after_commit")
def _committed(session: OrmSession) -> None:
    if session.info.pop(_STALE, False):
        invalidate_picker_cache()


@event.listens_for(OrmSession, "after_soft_rollback")
def _rolled_back(session: OrmSession, _previous) -> None:
    session.info.pop(_STALE, None)
