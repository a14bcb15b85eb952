"""Staff calendar layout: where each block goes in the day / week / month grids.

Pure (no Flask, no database): the agent and team pages load appointments and
shaded periods, and this module turns them into positioned blocks the
templates draw with CSS custom properties (``--top``, ``--height`` in percent
of the visible hours, ``--lane`` / ``--lanes`` for overlaps).

The vertical axis is the local wall clock of the calendar's zone, like every
paper and phone calendar: 09:00 is at the 09:00 line on every day, also on a
day with a DST change (23 or 25 hours). Each instant is converted with
zoneinfo on its own, never with one offset for the whole week. On a
spring-forward day the skipped hour is marked as a gap; on a fall-back day
the repeated hour is marked, and a block spanning the change keeps its real
length.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, UTC
from typing import Any
from zoneinfo import ZoneInfo

UTC = UTC
DAY_MINUTES = 1440
VIEWS = ("day", "week", "month")
DEFAULT_FIRST_HOUR = 8
DEFAULT_LAST_HOUR = 18
MONTH_ITEMS = 3
# Team weeks: at most this many blocks side by side in a day's column; the rest are counted
# in a "+N more" link to that day, where every agent has a column of their own.
WEEK_LANES = 2
# Team weeks on a phone: each day lists its first few appointments and "+N more" to the day.
TEAM_AGENDA_ITEMS = 3


# --- inputs -----------------------------------------------------------------


@dataclass(frozen=True)
class CalendarItem:
    """Something with a time to draw: an appointment, usually."""

    key: str
    start: datetime  # aware
    end: datetime  # aware
    title: str
    subtitle: str = ""
    color: str = "#4338ca"
    href: str | None = None
    cancelled: bool = False
    state: str = ""
    # Which columns the item belongs to (team day view: agent ids); None = every column.
    owners: frozenset[Hashable] | None = None
    payload: Any = None


@dataclass(frozen=True)
class Shade:
    """A shaded period: ``off`` (time off, hatched), ``closed`` (office hours, outside work)."""

    start: datetime
    end: datetime
    kind: str  # "off" | "closed"
    label: str = ""
    color: str | None = None
    owners: frozenset[Hashable] | None = None


@dataclass(frozen=True)
class ColumnSpec:
    """One column: a local date, and for team views the owner (agent) it shows."""

    day: date
    label: str
    owner: Hashable | None = None
    href: str | None = None


# --- outputs ----------------------------------------------------------------


@dataclass
class Block:
    item: CalendarItem
    top: int  # wall-clock minutes from local midnight
    bottom: int
    local_start: datetime
    local_end: datetime
    continues_before: bool = False
    continues_after: bool = False
    lane: int = 0
    lanes: int = 1
    top_pct: float = 0.0
    height_pct: float = 0.0


@dataclass
class ShadeBlock:
    shade: Shade
    top: int
    bottom: int
    top_pct: float = 0.0
    height_pct: float = 0.0


@dataclass
class DstChange:
    """A clock change inside a local day, as wall-clock minutes."""

    forward: bool
    at_minute: int  # wall time of the change before it happens (02:00 for both US changes)
    minutes: int  # how far the clock moves (60)

    @property
    def note(self) -> str:
        hours = self.minutes / 60
        amount = f"{hours:g} hour" + ("" if hours == 1 else "s")
        wall = f"{self.at_minute // 60:02d}:{self.at_minute % 60:02d}"
        direction = "forward" if self.forward else "back"
        return f"Clocks go {direction} {amount} at {wall}"

    @property
    def span(self) -> tuple[int, int]:
        """The wall-clock minutes that are skipped (forward) or repeated (back)."""
        if self.forward:
            return self.at_minute, self.at_minute + self.minutes
        return self.at_minute - self.minutes, self.at_minute


@dataclass
class Column:
    spec: ColumnSpec
    start: datetime  # UTC instant of local midnight
    end: datetime  # UTC instant of the next local midnight
    blocks: list[Block] = field(default_factory=list)
    shades: list[ShadeBlock] = field(default_factory=list)
    is_today: bool = False
    now_minute: int | None = None
    now_pct: float | None = None
    dst: DstChange | None = None
    dst_top_pct: float = 0.0
    dst_height_pct: float = 0.0
    hidden: int = 0  # blocks left out by a lane cap ("+N more")

    @property
    def hours(self) -> float:
        """The real length of the local day in hours (23, 24 or 25 around DST)."""
        return (self.end - self.start).total_seconds() / 3600


@dataclass
class TimeGrid:
    zone: ZoneInfo
    columns: list[Column]
    first_hour: int
    last_hour: int

    @property
    def hour_count(self) -> int:
        return self.last_hour - self.first_hour

    @property
    def hour_marks(self) -> list[tuple[int, float]]:
        """(hour, top %) for the gutter labels."""
        return [(h, self.pct(h * 60)) for h in range(self.first_hour, self.last_hour)]

    def pct(self, minute: int) -> float:
        span = self.hour_count * 60
        return round(max(0.0, min(100.0, (minute - self.first_hour * 60) * 100 / span)), 4)


# --- local time helpers -----------------------------------------------------------------


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``zone`` (the first instant if midnight is
    skipped).
    """
    naive = datetime.combine(day, time())
    first = naive.replace(tzinfo=zone, fold=0)
    instant = first.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    # Midnight is in a gap (e.g. America/Santiago): the day begins at the transition.
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = instant
    low, high = min(low, high), max(low, high)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).date() < day:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def day_span(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight, next local midnight) of ``day`` in UTC (23, 24 or 25 hours)."""
    return local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)


def wall_minute(instant: datetime, day: date, zone: ZoneInfo) -> int:
    """Wall-clock minutes of ``instant`` from the local midnight of ``day`` (may pass 1440)."""
    local = instant.astimezone(zone)
    return (local.date() - day).days * DAY_MINUTES + local.hour * 60 + local.minute


def dst_change(day: date, zone: ZoneInfo) -> DstChange | None:
    start, end = day_span(day, zone)
    before, after = (
        start.astimezone(zone).utcoffset(),
        (end - timedelta(seconds=1)).astimezone(zone).utcoffset(),
    )
    if before == after or before is None or after is None:
        return None
    low, high = start, end
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    transition = high.replace(microsecond=0)
    shift = int((after - before).total_seconds() // 60)
    wall_before = (transition + before).replace(tzinfo=None)  # wall time just before the change
    at_minute = (
        (wall_before.date() - day).days * DAY_MINUTES + wall_before.hour * 60 + wall_before.minute
    )
    return DstChange(forward=shift > 0, at_minute=at_minute, minutes=abs(shift))


# --- navigation -------------------------------------------------------------------------


def week_start(day: date) -> date:
    """Monday of the ISO week containing ``day``."""
    return day - timedelta(days=day.isoweekday() - 1)


def visible_days(view: str, anchor: date) -> list[date]:
    if view == "day":
        return [anchor]
    if view == "week":
        monday = week_start(anchor)
        return [monday + timedelta(days=i) for i in range(7)]
    first = anchor.replace(day=1)
    start = week_start(first)
    last = _month_end(first)
    end = week_start(last) + timedelta(days=6)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def shift(view: str, anchor: date, step: int) -> date:
    """The anchor date of the previous (-1) or next (+1) page of ``view``."""
    if view == "day":
        return anchor + timedelta(days=step)
    if view == "week":
        return anchor + timedelta(weeks=step)
    year, month = divmod(anchor.year * 12 + anchor.month - 1 + step, 12)
    first = date(year, month + 1, 1)
    return first.replace(day=min(anchor.day, _month_end(first).day))


def range_utc(days: Sequence[date], zone: ZoneInfo) -> tuple[datetime, datetime]:
    return local_midnight(days[0], zone), local_midnight(days[-1] + timedelta(days=1), zone)


# --- time grids (day, week, team day) -------------------------------------------------


def _clip(start: datetime, end: datetime, low: datetime, high: datetime):
    return max(start, low), min(end, high)


def _minutes(start: datetime, end: datetime, column: Column, zone: ZoneInfo) -> tuple[int, int]:
    """Wall-clock [top, bottom) of an already clipped period inside ``column``."""
    day = column.spec.day
    top = wall_minute(start, day, zone)
    bottom = DAY_MINUTES if end >= column.end else wall_minute(end, day, zone)
    real = math.ceil((end - start).total_seconds() / 60)
    if bottom <= top:
        # Inside a repeated (fall-back) hour the wall clock runs backwards: keep the real length.
        bottom = min(DAY_MINUTES, top + real)
    return top, bottom


def _belongs(owners: frozenset[Hashable] | None, column: Column) -> bool:
    return owners is None or column.spec.owner is None or column.spec.owner in owners


def _cap_lanes(column: Column, max_lanes: int) -> None:
    """Keep the blocks of the first ``max_lanes`` lanes; count the others as hidden."""
    kept = [block for block in column.blocks if block.lane < max_lanes]
    column.hidden = len(column.blocks) - len(kept)
    for block in kept:
        block.lanes = min(block.lanes, max_lanes)
    column.blocks = kept


def _assign_lanes(blocks: list[Block]) -> None:
    """Overlapping blocks share the column side by side; each cluster gets its own lane count."""
    blocks.sort(key=lambda b: (b.top, -b.bottom, b.item.key))
    cluster: list[Block] = []
    lane_ends: list[int] = []
    cluster_end = -1

    def close() -> None:
        for member in cluster:
            member.lanes = max(1, len(lane_ends))

    for block in blocks:
        if cluster and block.top >= cluster_end:
            close()
            cluster, lane_ends = [], []
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= block.top:
                block.lane = lane
                lane_ends[lane] = block.bottom
                break
        else:
            block.lane = len(lane_ends)
            lane_ends.append(block.bottom)
        cluster.append(block)
        cluster_end = max(cluster_end, block.bottom)
    if cluster:
        close()


def time_grid(
    specs: Sequence[ColumnSpec],
    items: Iterable[CalendarItem],
    zone: ZoneInfo,
    *,
    now: datetime,
    shades: Iterable[Shade] = (),
    focus: Iterable[tuple[datetime, datetime]] = (),
    first_hour: int = DEFAULT_FIRST_HOUR,
    last_hour: int = DEFAULT_LAST_HOUR,
    max_lanes: int | None = None,
) -> TimeGrid:
    """Lay out ``items`` and ``shades`` in one column per spec.

    The visible hours start at ``first_hour`` and end at ``last_hour`` local
    time, widened to whole hours so that every item and every ``focus`` period
    (working hours) is visible. With ``max_lanes``, a column shows at most that
    many blocks side by side and counts the rest in ``Column.hidden``.
    """
    items = list(items)
    shades = list(shades)
    focus = list(focus)
    columns: list[Column] = []
    low, high = first_hour * 60, last_hour * 60
    for spec in specs:
        start, end = day_span(spec.day, zone)
        column = Column(spec=spec, start=start, end=end, dst=dst_change(spec.day, zone))
        for item in items:
            if not _belongs(item.owners, column) or item.end <= start or item.start >= end:
                continue
            a, b = _clip(item.start, item.end, start, end)
            top, bottom = _minutes(a, b, column, zone)
            column.blocks.append(
                Block(
                    item=item,
                    top=top,
                    bottom=bottom,
                    local_start=item.start.astimezone(zone),
                    local_end=item.end.astimezone(zone),
                    continues_before=item.start < start,
                    continues_after=item.end > end,
                )
            )
            low, high = min(low, top), max(high, bottom)
        for shade in shades:
            if not _belongs(shade.owners, column) or shade.end <= start or shade.start >= end:
                continue
            a, b = _clip(shade.start, shade.end, start, end)
            top, bottom = _minutes(a, b, column, zone)
            column.shades.append(ShadeBlock(shade=shade, top=top, bottom=bottom))
        for f_start, f_end in focus:
            if f_end <= start or f_start >= end:
                continue
            a, b = _clip(f_start, f_end, start, end)
            top, bottom = _minutes(a, b, column, zone)
            low, high = min(low, top), max(high, bottom)
        if start <= now < end:
            column.is_today = True
            column.now_minute = wall_minute(now, spec.day, zone)
        elif now.astimezone(zone).date() == spec.day:
            column.is_today = True
        _assign_lanes(column.blocks)
        if max_lanes is not None:
            _cap_lanes(column, max_lanes)
        columns.append(column)
    grid = TimeGrid(
        zone=zone, columns=columns, first_hour=low // 60, last_hour=min(24, -(-high // 60))
    )
    if grid.last_hour <= grid.first_hour:
        grid.last_hour = min(24, grid.first_hour + 1)
    for column in columns:
        for block in column.blocks:
            block.top_pct = grid.pct(block.top)
            block.height_pct = round(grid.pct(block.bottom) - block.top_pct, 4)
        for shade in column.shades:
            shade.top_pct = grid.pct(shade.top)
            shade.height_pct = round(grid.pct(shade.bottom) - shade.top_pct, 4)
        column.shades = [s for s in column.shades if s.height_pct > 0]
        column.shades.sort(key=lambda s: (s.shade.kind != "closed", s.top))
        if (
            column.now_minute is not None
            and grid.first_hour * 60 <= column.now_minute <= grid.last_hour * 60
        ):
            column.now_pct = grid.pct(column.now_minute)
        if column.dst is not None:
            a, b = column.dst.span
            column.dst_top_pct = grid.pct(a)
            column.dst_height_pct = round(grid.pct(b) - column.dst_top_pct, 4)
    return grid


# --- agenda list (phones) ------------------------------------------------------------------


@dataclass
class AgendaDay:
    """One day of the phone list: the items that touch the local day, by start time, and
    how many more there are when the list is capped."""

    day: date
    is_today: bool
    items: list[CalendarItem]
    more: int = 0


def agenda_days(
    days: Sequence[date],
    items: Iterable[CalendarItem],
    zone: ZoneInfo,
    *,
    today: date,
    per_day: int | None = None,
) -> list[AgendaDay]:
    """The days of a day or week view as a list; an item spanning midnight is listed on each
    day it touches. ``per_day`` caps each day (a team week: every agent's appointments in one
    list would run to hundreds); the rest are counted, for a "+N more" link to the day."""
    ordered = sorted(items, key=lambda i: (i.start, i.key))
    agenda = []
    for day in days:
        start, end = day_span(day, zone)
        listed = [item for item in ordered if item.start < end and item.end > start]
        more = 0
        if per_day is not None and len(listed) > per_day:
            listed, more = listed[:per_day], len(listed) - per_day
        agenda.append(AgendaDay(day=day, is_today=day == today, items=listed, more=more))
    return agenda


# --- month grid -----------------------------------------------------------------------------


@dataclass
class MonthDay:
    day: date
    in_month: bool
    is_today: bool
    items: list[CalendarItem]
    more: int
    total: int


@dataclass
class MonthGrid:
    first: date
    weeks: list[list[MonthDay]]


def month_grid(
    anchor: date,
    items: Iterable[CalendarItem],
    zone: ZoneInfo,
    *,
    today: date,
    per_day: int = MONTH_ITEMS,
    totals: Mapping[date, int] | None = None,
) -> MonthGrid:
    """Whole weeks (Monday first) covering ``anchor``'s month; each day lists its first
    ``per_day`` items by start time and how many more there are.

    ``totals``: each day's count when ``items`` hold only the first few of each day (counted
    in SQL); without it the items are counted."""
    days = visible_days("month", anchor)
    first = anchor.replace(day=1)
    by_day: dict[date, list[CalendarItem]] = {day: [] for day in days}
    spans = {day: day_span(day, zone) for day in days}
    for item in sorted(items, key=lambda i: (i.start, i.key)):
        local_first = item.start.astimezone(zone).date()
        local_last = (item.end - timedelta(microseconds=1)).astimezone(zone).date()
        day = max(local_first, days[0])
        while day <= min(local_last, days[-1]):
            start, end = spans[day]
            if item.start < end and item.end > start:
                by_day[day].append(item)
            day += timedelta(days=1)
    weeks: list[list[MonthDay]] = []
    for index in range(0, len(days), 7):
        week = []
        for day in days[index : index + 7]:
            listed = by_day[day]
            total = len(listed) if totals is None else max(totals.get(day, 0), len(listed))
            shown = listed[:per_day]
            week.append(
                MonthDay(
                    day=day,
                    in_month=day.month == first.month,
                    is_today=day == today,
                    items=shown,
                    more=max(0, total - len(shown)),
                    total=total,
                )
            )
        weeks.append(week)
    return MonthGrid(first=first, weeks=weeks)


__all__ = [
    "AgendaDay",
    "Block",
    "CalendarItem",
    "Column",
    "ColumnSpec",
    "DstChange",
    "MonthDay",
    "MonthGrid",
    "Shade",
    "TimeGrid",
    "VIEWS",
    "WEEK_LANES",
    "agenda_days",
    "day_span",
    "dst_change",
    "local_midnight",
    "month_grid",
    "range_utc",
    "shift",
    "time_grid",
    "visible_days",
    "wall_minute",
    "week_start",
]
