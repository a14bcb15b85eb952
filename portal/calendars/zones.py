"""VTIMEZONE components built from zoneinfo, and when a wall time needs UTC instead.

icalendar's ``Timezone.from_tzinfo`` writes each spring transition at the wall
time after the change (``DTSTART:20270328T030000`` with ``TZOFFSETFROM:+0100``
is 02:00Z; Berlin changes at 01:00Z), and libical and ical.js convert with it.
Here every observance starts at the local wall time just before its change,
read off the transitions zoneinfo reports, so any offset (Lord Howe's half
hour too) comes out right.

A file's zone covers every transition from the start of the year before its
first event to the end of the year after its last, plus the change in force at
the start: clients that cache a zone by TZID (vobject in Radicale, for one)
reuse it for later files, which then stay right for any nearby date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

# zoneinfo is asked at this step; two changes closer together than this do not occur
# in tzdata since 1970 (the closest are weeks apart), and each found change is then
# placed to the second by bisection.
SCAN_STEP = timedelta(hours=6)
# How far before the span to look for the change in force at its start: every zone
# with changes has one a year.
LOOK_BACK = timedelta(days=400)
# The DTSTART of the single observance of a zone without changes near the span.
FIXED_ZONE_START = datetime(1970, 1, 1)


@dataclass(frozen=True)
class Transition:
    """One change of a zone's offset or name, at ``at`` (UTC)."""

    at: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool

    @property
    def local_start(self) -> datetime:
        """The wall time just before the change (RFC 5545 3.6.5: DTSTART in the old offset)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, timedelta, str]:
    local = instant.astimezone(zone)
    return local.utcoffset() or timedelta(0), local.dst() or timedelta(0), local.tzname() or ""


def _change_between(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first second at which the zone's state differs from its state at ``before``."""
    old = _state(zone, before)
    low, high = 0, int((after - before).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if _state(zone, before + timedelta(seconds=middle)) == old:
            low = middle
        else:
            high = middle
    return before + timedelta(seconds=high)


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """Every change of offset, DST flag or abbreviation in ``[start, end)`` (aware instants)."""
    found = []
    cursor = start.astimezone(UTC)
    end = end.astimezone(UTC)
    state = _state(zone, cursor)
    while cursor < end:
        step_end = min(cursor + SCAN_STEP, end)
        next_state = _state(zone, step_end)
        if next_state != state:
            at = _change_between(zone, cursor, step_end)
            offset_to, dst, name = _state(zone, at)
            found.append(Transition(at, state[0], offset_to, name, bool(dst)))
            state = _state(zone, at)
            cursor = at
        else:
            cursor = step_end
    return found


def zone_span(zone: ZoneInfo, first: datetime, last: datetime) -> tuple[datetime, datetime]:
    """From the start of the year before ``first`` to the end of the year after ``last``."""
    first_year = first.astimezone(zone).year
    last_year = last.astimezone(zone).year
    return (
        datetime(first_year - 1, 1, 1, tzinfo=zone).astimezone(UTC),
        datetime(last_year + 2, 1, 1, tzinfo=zone).astimezone(UTC),
    )


@lru_cache(maxsize=256)
def _observances(key: str, start: datetime, end: datetime) -> tuple[Transition, ...]:
    zone = ZoneInfo(key)
    before = transitions(zone, start - LOOK_BACK, start)
    within = transitions(zone, start, end)
    return tuple(before[-1:] + within)


def vtimezone(zone: ZoneInfo, first: datetime, last: datetime) -> Timezone:
    """The VTIMEZONE of ``zone`` for a file whose events run from ``first`` to ``last``."""
    start, end = zone_span(zone, first, last)
    component = Timezone()
    component.add("TZID", zone.key)
    changes = _observances(zone.key, start, end)
    if not changes:
        offset, dst, name = _state(zone, start)
        changes = (Transition(start, offset, offset, name, False),)
        starts = [FIXED_ZONE_START]
    else:
        starts = [change.local_start for change in changes]
    for change, local_start in zip(changes, starts, strict=True):
        observance = TimezoneDaylight() if change.daylight else TimezoneStandard()
        observance.add("DTSTART", local_start)
        observance.add("TZOFFSETFROM", change.offset_from)
        observance.add("TZOFFSETTO", change.offset_to)
        if change.name:
            observance.add("TZNAME", change.name)
        component.add_component(observance)
    return component


def is_ambiguous_or_missing(wall: datetime, zone: ZoneInfo) -> bool:
    """Whether this wall time names two instants (a repeated hour) or none (a skipped one).

    zoneinfo reads such a time with ``fold=0`` and ``fold=1`` as different instants;
    anywhere else the two agree.
    """
    wall = wall.replace(tzinfo=zone)
    return wall.replace(fold=0).astimezone(UTC) != wall.replace(fold=1).astimezone(UTC)
