"""The picker's view model: a month of free days and one day's slots, for the templates.

It only *reads* availability through ``portal.booking.availability`` (one
``AnswerQuery`` per picker);
which URLs the links and the slot form use is up to the page (a ``PickerLinks``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _, ngettext
from markupsafe import Markup
from sqlalchemy.orm import Session

from portal.booking.agent_menu import AgentChoice
from portal.booking.availability import AnswerQuery, closing_time_off_reasons
from portal.models import Service
from portal.scheduling import Slot
from portal.web.formatting import LocalFormats, format_day_brief, iso_utc, locale


@dataclass(frozen=True)
class PickerLinks:
    """Where the picker's links and its slot form go (booking or rescheduling)."""

    month_url: Callable[[date], str]
    day_url: Callable[[date], str]
    options_url: str  # GET target of the zone / agent form (the month page)
    slot_action: str  # POST target of the slot buttons
    hidden: dict[str, str] = field(default_factory=dict)  # extra fields of the slot form
    # "Tell me if a time frees up" on a full day (booking only; docs/waitlist.md)
    waitlist_url: Callable[[date], str] | None = None

    @property
    def key(self) -> tuple:
        """Everything the links depend on (for the cache)."""
        return (self.options_url, self.slot_action, tuple(sorted(self.hidden.items())))


@dataclass
class MonthDay:
    day: date
    in_month: bool
    free: bool  # some slot is offered that day
    today: bool
    selected: bool
    # Where the cell links (a free day, or a full one whose day view offers the waitlist).
    url: str | None = None
    label: str = ""  # its accessible name (why it is free, full or closed)


@dataclass(frozen=True)
class SlotChoice:
    """One slot button, its texts made in Python (a day lists dozens: the template only
    places them)."""

    slot: Slot
    value: str  # the start posted, ISO 8601 UTC
    time: str  # 9:00 AM
    label: str  # the full accessible name
    current: bool  # rescheduling: the appointment's own time
    seats_left: int | None  # shown on services with more than one seat


# Every day of a month is linked: through the routing map once per grid, not per day.
# ``url_for`` puts an ISO date into a path as it is.
_SAMPLE_DAY = "2000-01-01"


class DayLinks:
    """``url_of_day(day.isoformat())`` for every day: built once, on first use, when the
    day is the last segment of the path (as in every picker's day route), else each time."""

    def __init__(self, url_of_day: Callable[[str], str]) -> None:
        self._url_of_day = url_of_day
        self._parts: tuple[str, str] | None = None
        self._whole = False  # the day is elsewhere in the URL: ask for each

    def __call__(self, day: date) -> str:
        if self._parts is None and not self._whole:
            path, mark, query = self._url_of_day(_SAMPLE_DAY).partition("?")
            if path.endswith(f"/{_SAMPLE_DAY}"):
                self._parts = (path[: -len(_SAMPLE_DAY)], mark + query)
            else:
                self._whole = True
        if self._parts is None:
            return self._url_of_day(day.isoformat())
        head, tail = self._parts
        return f"{head}{day.isoformat()}{tail}"


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
    free_days: frozenset[date] = frozenset()
    day_slots: list[Slot] = field(default_factory=list)
    # Public reasons of the time off that leaves the chosen day without a free time.
    day_notes: list[str] = field(default_factory=list)
    message: str | None = None  # e.g. "That time was just taken"
    zone_error: str | None = None
    current_start: datetime | None = None  # rescheduling: the appointment's own time
    mode: str = "book"
    # Rescheduling: whether a picked time is shown for confirmation first (the customer's
    # manage page) or moves the appointment at once (staff).
    confirms: bool = False
    # The first instant at which time alone changes what this picker shows (None: never).
    changes_at: datetime | None = None
    # The earliest time offered within the horizon ("Next available"), the current one aside.
    first_free: datetime | None = None
    # The first free day after the shown month (the hint under an emptying month).
    later_free: date | None = None
    # Booking: the agents the "With" menu offers (``portal.booking.agent_menu``).
    agent_choices: tuple[AgentChoice, ...] = ()

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
        current = locale()
        formats = LocalFormats(self.zone, current)
        start = self.month - timedelta(days=(self.month.weekday() - current.first_week_day) % 7)
        following = (self.month + timedelta(days=32)).replace(day=1)
        # The template's texts, translated once: the day is put in escaped, as ``_()`` does.
        free_label = Markup(_("%(day)s, times free"))  # nosec B704 # the catalog's own text
        full_label = Markup(  # nosec B704 # the catalog's own text
            _("%(day)s, nothing free: ask to be told if a time frees up")
        )
        closed_label = Markup(_("%(day)s, nothing free"))  # nosec B704 # the catalog's own text
        # A full day is muted but can be chosen: its day view offers the waitlist.
        full_days_link = self.mode == "book" and self.links.waitlist_url is not None
        weeks: list[list[MonthDay]] = []
        cursor = start
        while cursor < following:
            week = []
            for _weekday in range(7):
                cell = MonthDay(
                    day=cursor,
                    in_month=cursor.month == self.month.month,
                    free=cursor in self.free_days,
                    today=cursor == self.today,
                    selected=cursor == self.day,
                )
                if cell.in_month and cell.free:
                    cell.url = self.links.day_url(cursor)
                    cell.label = free_label % {"day": formats.day(cursor)}
                elif cell.in_month and full_days_link and self.today <= cursor <= self.last_day:
                    cell.url = self.links.day_url(cursor)
                    cell.label = full_label % {"day": formats.day(cursor)}
                elif cell.in_month:
                    cell.label = closed_label % {"day": formats.day(cursor)}
                week.append(cell)
                cursor += timedelta(days=1)
            weeks.append(week)
        return weeks

    @staticmethod
    def _slot_label(slot: Slot, formats: LocalFormats, capacity: int) -> str:
        """The full accessible name of a slot button."""
        text = formats.datetime(slot.start)
        if capacity > 1:
            text = ngettext(
                "%(time)s, %(num)d seat left",
                "%(time)s, %(num)d seats left",
                slot.remaining,
                time=text,
            )
        return text

    def is_current(self, slot: Slot) -> bool:
        return self.current_start is not None and slot.start == self.current_start

    def slot_groups(self) -> list[tuple[str, str, list[SlotChoice]]]:
        """The day's slots as (key, heading, choices): morning, afternoon, evening, in the
        visitor's zone (before 12:00, 12:00 to 17:00, from 17:00); empty groups left out."""
        formats = LocalFormats(self.zone)
        capacity = self.service.capacity
        groups: dict[str, list[SlotChoice]] = {"morning": [], "afternoon": [], "evening": []}
        for slot in self.day_slots:
            hour = slot.start.astimezone(self.zone).hour
            key = "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"
            groups[key].append(
                SlotChoice(
                    slot=slot,
                    value=iso_utc(slot.start),
                    time=formats.time(slot.start),
                    label=self._slot_label(slot, formats, capacity),
                    current=self.is_current(slot),
                    seats_left=slot.remaining if capacity > 1 else None,
                )
            )
        headings = {"morning": _("Morning"), "afternoon": _("Afternoon"), "evening": _("Evening")}
        return [(key, headings[key], choices) for key, choices in groups.items() if choices]

    def short_day(self, day: date) -> str:
        """Tue, Aug 4 (by locale): for the shortcuts, where the year goes without saying."""
        return format_day_brief(day)

    @property
    def first_free_day(self) -> date | None:
        return None if self.first_free is None else self.first_free.astimezone(self.zone).date()

    @property
    def free_count(self) -> int:
        """How many days of the month have a free slot."""
        return len(self.free_days)


def _horizon_last_day(service: Service, zone: ZoneInfo, now: datetime) -> date:
    return (now + timedelta(days=service.horizon_days)).astimezone(zone).date()


def _month_bounds(month: date) -> tuple[date, date]:
    following = (month + timedelta(days=32)).replace(day=1)
    return month, following - timedelta(days=1)


def _next_midnight(instant: datetime, zone: ZoneInfo) -> datetime:
    local = instant.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(local, datetime.min.time(), tzinfo=zone).astimezone(UTC)


def _earliest(*instants: datetime | None) -> datetime | None:
    present = [instant for instant in instants if instant is not None]
    return min(present) if present else None


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
    mode: str = "book",
    current_start: datetime | None = None,
    apply_limits: bool = True,
) -> Picker:
    """The month's free days and the chosen day's slots.

    With no month and no day, the first month (within the horizon) with a free day
    is shown and, with ``auto_select``, its first free day is chosen, so the visitor
    sees times straight away. With the month come ``first_free`` (the earliest time
    offered, "Next available") and ``later_free`` (the first free day after the
    month). ``with_month=False`` skips all that (the day partial needs only the
    day). The month asks only which days have a free slot (``free_days``, a month
    at a time); the day lists its slots. ``changes_at`` says when time alone
    changes the answer (the shared cache keeps it until then or a change).
    """
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
        # "Today" moves at midnight; the horizon's last day when now + horizon passes one.
        changes_at=min(
            _next_midnight(now, zone),
            _next_midnight(now + timedelta(days=service.horizon_days), zone)
            - timedelta(days=service.horizon_days),
        ),
    )
    # One query for every question below: the rules and time off are read once.
    query = AnswerQuery(
        session,
        service,
        zone,
        now,
        agent_id=agent_id,
        exclude_appointment_id=exclude_appointment_id,
        apply_limits=apply_limits,
    )

    def days_between(first: date, last: date) -> frozenset[date]:
        first, last = max(first, today), min(last, last_day)
        if first > last:
            return frozenset()
        answer = query.free_days(first, last)
        picker.changes_at = _earliest(picker.changes_at, answer.changes_at)
        return answer.days

    def slots_of(chosen: date) -> list[Slot]:
        if not today <= chosen <= last_day:
            return []
        answer = query.offered(chosen, chosen)
        picker.changes_at = _earliest(picker.changes_at, answer.changes_at)
        return answer.slots

    def first_month_from(first: date, last: date) -> frozenset[date]:
        first, last = max(first, today), min(last, last_day)
        if first > last:
            return frozenset()
        answer = query.first_free_month(first, last)
        picker.changes_at = _earliest(picker.changes_at, answer.changes_at)
        return answer.days

    first_day: date | None = None
    if with_month:
        if explicit_month:
            free = days_between(*_month_bounds(month))
        else:
            # No month asked: open on the first month with a free day (within the horizon).
            free = first_month_from(today, last_day)
            if free:
                picker.month = month = min(free).replace(day=1)
        picker.free_days = free
        if picker.day is None and auto_select and free:
            picker.day = min(free)
        month_end = _month_bounds(month)[1]
        later = first_month_from(month_end + timedelta(days=1), last_day)
        picker.later_free = min(later) if later else None
        if month <= today:
            first_day = min(free) if free else picker.later_free
        else:
            before = first_month_from(today, month - timedelta(days=1))
            first_day = min(before or free or later, default=None)
    if picker.day is not None and (not with_month or picker.day in picker.free_days):
        picker.day_slots = slots_of(picker.day)
    if with_month and first_day is not None:
        slots = picker.day_slots if first_day == picker.day else slots_of(first_day)
        # Rescheduling: the appointment's own time is no "next available" one.
        picker.first_free = next((s.start for s in slots if s.start != current_start), None)
    if picker.day is not None and not picker.day_slots and today <= picker.day <= last_day:
        # Why a day has no time, when a time off closes it (its public reason).
        picker.day_notes = closing_time_off_reasons(
            session, service, picker.day, zone, now=now, agent_id=agent_id
        )
    return picker
