"""The picker's view model: a month of free days and one day's slots, for the templates.

It only *reads* availability through ``portal.booking.availability.offered_slots``;
which URLs the links and the slot form use is up to the page (a ``PickerLinks``).
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy.orm import Session

from portal.booking.availability import closing_time_off_reasons, offered_slots
from portal.models import Service
from portal.scheduling import Slot
from portal.web.formatting import format_datetime, locale
from portal.web.picker.cache import DEFAULT_CACHE_SECONDS, PickerEntry, picker_cache


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
    # Public reasons of the time off that leaves the chosen day without a free time.
    day_notes: list[str] = field(default_factory=list)
    message: str | None = None  # e.g. "That time was just taken"
    zone_error: str | None = None
    current_start: datetime | None = None  # rescheduling: the appointment's own time
    mode: str = "book"
    cache_entry: PickerEntry | None = field(default=None, repr=False)

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
    cache = picker_cache()
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

    if picker.day is not None and not picker.day_slots and today <= picker.day <= last_day:
        picker.day_notes = closing_time_off_reasons(
            session, service, picker.day, zone, now=now, agent_id=agent_id
        )

    if ttl > 0:
        picker.cache_entry = PickerEntry(
            generation=generation,
            expires=time.monotonic() + ttl,
            month=picker.month,
            day=picker.day,
            today=picker.today,
            last_day=picker.last_day,
            free_days=picker.free_days,
            day_slots=picker.day_slots,
            day_notes=picker.day_notes,
        )
        cache.put(key, picker.cache_entry)
    return picker


def _picker_from(entry: PickerEntry, service, zone, links, agent_id, mode, current_start) -> Picker:
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
        day_notes=entry.day_notes,
        mode=mode,
        current_start=current_start,
        cache_entry=entry,
    )
