"""Local wall-clock times to absolute UTC instants (DESIGN.md section 4, step 1).

A local time that does not exist (spring-forward gap) moves forward to the
first instant that exists, i.e. the transition; an ambiguous one (fall-back)
takes its first occurrence (fold=0).

The engine works in integer seconds since the Unix epoch (``utc_seconds``);
the datetime functions here are thin wrappers for callers and tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, UTC
from functools import lru_cache
from zoneinfo import ZoneInfo

from portal.scheduling.intervals import Interval

UTC = UTC
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_SECOND = timedelta(seconds=1)
DAY_SECONDS = 86400
_ONE_DAY = timedelta(days=1)


def epoch_seconds(instant: datetime) -> int:
    """Whole seconds since the epoch (floor); refuses naive datetimes."""
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: the scheduler needs aware UTC instants")
    return (instant - EPOCH) // ONE_SECOND


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _offset_at(seconds: int, tz: ZoneInfo) -> timedelta | None:
    return tz.utcoffset(from_epoch(seconds).astimezone(tz))


def _exact_utc_seconds(day: date, second: int, tz: ZoneInfo) -> int:
    """The rule applied literally, by round trip; used on days with a transition."""
    wall = datetime.combine(day, time()) + timedelta(seconds=second)
    first = wall.replace(tzinfo=tz, fold=0)
    instant = epoch_seconds(first)
    if from_epoch(instant).astimezone(tz).replace(tzinfo=None) == wall:
        return instant  # exists; if ambiguous, fold=0 is the first occurrence
    # In a gap the two folds read the wall time with the offsets either side of
    # the transition, so the transition lies between them: bisect for it.
    other = epoch_seconds(wall.replace(tzinfo=tz, fold=1))
    low, high = min(instant, other), max(instant, other)
    before = _offset_at(low, tz)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(middle, tz) == before:
            low = middle
        else:
            high = middle
    return high


@lru_cache(maxsize=4096)
def _plain_midnight(tz: ZoneInfo, day: date) -> int | None:
    """UTC seconds of local midnight if the offset is the same all through ``day``.

    On such a day every local second n maps to midnight + n, 24:00 included,
    which lets the engine skip zoneinfo for almost every conversion. The offset
    is compared at both midnights (a transition exactly at the next midnight
    makes the day not plain); two transitions cancelling out within one day do
    not occur in the tz database.
    """
    midnight = _exact_utc_seconds(day, 0, tz)
    if from_epoch(midnight).astimezone(tz).replace(tzinfo=None) != datetime.combine(day, time()):
        return None  # midnight itself was in a gap
    if _offset_at(midnight, tz) != _offset_at(midnight + DAY_SECONDS, tz):
        return None
    return midnight


def utc_seconds(day: date, second: int, tz: ZoneInfo) -> int:
    """Local ``day`` + ``second`` (0..86400; 86400 = next midnight) as UTC epoch seconds."""
    midnight = _plain_midnight(tz, day)
    if midnight is not None:
        return midnight + second
    return _exact_utc_seconds(day, second, tz)


def to_utc(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """Local wall time ``minute`` (0..1440; 1440 = next midnight) on ``day`` in UTC."""
    return from_epoch(utc_seconds(day, minute * 60, tz))


def local_date(seconds: int, tz: ZoneInfo) -> date:
    return from_epoch(seconds).astimezone(tz).date()


def date_range_utc(first_day: date, last_day: date, tz: ZoneInfo) -> Interval:
    """[first_day 00:00, last_day + 1 day 00:00) of ``tz``, in UTC."""
    return to_utc(first_day, 0, tz), to_utc(last_day + _ONE_DAY, 0, tz)


def days(first_day: date, last_day: date) -> Iterable[date]:
    day = first_day
    while day <= last_day:
        yield day
        day += _ONE_DAY


@lru_cache(maxsize=256)
def _calendar(
    tz: ZoneInfo, first_day: date, last_day: date
) -> tuple[tuple[date, int, int | None], ...]:
    """(date, ISO weekday, plain midnight or None) for each day: shared by every agent in ``tz``."""
    return tuple(
        (day, day.isoweekday(), _plain_midnight(tz, day)) for day in days(first_day, last_day)
    )


def expand_weekly_seconds(
    windows: Iterable[tuple[int, int, int]], first_day: date, last_day: date, tz: ZoneInfo
) -> list[tuple[int, int]]:
    """(weekday 1..7, start second, end second) windows as UTC second intervals.

    Sorted by start, not merged: the grid needs each window's own start.
    Windows that come out empty (inside a gap, or end <= start) are dropped.
    """
    by_weekday: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in windows:
        by_weekday.setdefault(weekday, []).append((start, end))
    result: list[tuple[int, int]] = []
    for day, weekday, midnight in _calendar(tz, first_day, last_day):
        todays = by_weekday.get(weekday)
        if not todays:
            continue
        for start, end in todays:
            if midnight is not None:
                utc_start, utc_end = midnight + start, midnight + end
            else:
                utc_start = _exact_utc_seconds(day, start, tz)
                utc_end = _exact_utc_seconds(day, end, tz)
            if utc_start < utc_end:
                result.append((utc_start, utc_end))
    result.sort()
    return result


def expand_weekly(
    windows: Iterable[object], first_day: date, last_day: date, tz: ZoneInfo
) -> list[Interval]:
    """Weekly windows (``weekday``, ``start_minute``, ``end_minute``) as UTC intervals.

    Accepts ``WeeklyWindow``-like objects or plain (weekday, start, end) tuples.
    """
    triples = []
    for window in windows:
        if isinstance(window, tuple):
            weekday, start, end = window
        else:
            weekday, start, end = window.weekday, window.start_minute, window.end_minute  # type: ignore[attr-defined]
        triples.append((weekday, start * 60, end * 60))
    return [
        (from_epoch(start), from_epoch(end))
        for start, end in expand_weekly_seconds(triples, first_day, last_day, tz)
    ]
