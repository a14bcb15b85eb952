"""The offered slots of a service: DESIGN.md section 4, steps 1-6, in one pure function.

Internally every instant is an integer count of seconds since the Unix epoch:
building free time and walking the grid on ints is what keeps a month of 20
agents within a few milliseconds. Datetimes appear only at the edges.

Reading of the grid rule (step 2) where the text is silent: a working window
anchors the candidates ``start + k*interval`` that fall inside that window
(``start <= s < end``); the slot ``[s, s + d)`` itself only has to lie in free
time, so it may run on into a touching window.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from portal.scheduling.intervals import intersect, subtract, union
from portal.scheduling.localtime import (
    DAY_SECONDS,
    EPOCH,
    ONE_SECOND,
    days,
    expand_weekly_seconds,
    local_date,
    utc_seconds,
)
from portal.scheduling.rules import (
    AgentSchedule,
    OfficeHoursRule,
    ServiceRules,
    Slot,
    TimeExceptionRule,
)

Span = tuple[int, int]
_ONE_DAY = timedelta(days=1)


def free_slots(
    service: ServiceRules,
    agents: Sequence[AgentSchedule],
    *,
    office_hours: Sequence[OfficeHoursRule],
    office_timezone: str,
    first_day: date,
    last_day: date,
    timezone: str,
    now: datetime,
) -> list[Slot]:
    """Offered slots of ``service`` starting on ``first_day``..``last_day`` in ``timezone``.

    One agent is a one-element list. Slots are sorted by start; each lists the
    agents free for it in input order and the seats remaining summed across them.
    """
    bounds = _bounds(
        service, agents, office_hours, office_timezone, first_day, last_day, timezone, now
    )
    if bounds is None:
        return []
    duration, step, buffer_before, buffer_after, low, high, reach, allowed = bounds

    capacity = service.capacity
    # Offered start -> its free agents in input order; seats already taken there
    # by those agents (capacity > 1), so remaining = capacity * agents - taken.
    found: defaultdict[int, list[object]] = defaultdict(list)
    taken_seats: dict[int, int] = {}
    windows_of = _shared_working(low, reach, allowed)
    for agent in agents:
        _agent_slots(
            agent,
            service,
            allowed,
            found,
            taken_seats,
            low=low,
            high=high,
            reach=reach,
            duration=duration,
            step=step,
            buffer_before=buffer_before,
            buffer_after=buffer_after,
            capacity=capacity,
            working=windows_of(agent),
        )

    # Slots stay in epoch seconds: most answers are written out without a datetime.
    make = Slot.from_seconds
    taken = taken_seats.get
    return [
        make(start, start + duration, tuple(ids), capacity * len(ids) - taken(start, 0))
        for start, ids in sorted(found.items())
    ]


def _bounds(service, agents, office_hours, office_timezone, first_day, last_day, timezone, now):
    """What every mode shares: the grid's numbers, the allowed starts and the shared free time."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (UTC)")
    duration = _exact_seconds(service.duration, "duration")
    step = _exact_seconds(service.slot_interval, "slot_interval")
    if service.capacity < 1 or not agents:
        return None
    # A wider buffer is the safe side of a fractional one; a negative one means none.
    buffer_before = max(0, _ceil_seconds(service.buffer_before))
    buffer_after = max(0, _ceil_seconds(service.buffer_after))

    # Step 4 and 5 bounds on s, as one window [low, high) of allowed starts. With
    # integer s, "s >= x" and "s < x" both compare against ceil(x).
    query_zone = ZoneInfo(timezone)
    low = max(
        utc_seconds(first_day, 0, query_zone),
        _ceil_instant(now + service.minimum_notice),
    )
    high = min(
        utc_seconds(last_day + _ONE_DAY, 0, query_zone),
        _ceil_instant(now + service.horizon),
    )
    if low >= high:
        return None
    reach = high + duration  # free time matters only in [low, reach)

    allowed = _service_and_office_time(service, office_hours, office_timezone, low, reach)
    if not allowed:
        return None
    return duration, step, buffer_before, buffer_after, low, high, reach, allowed


def first_free_starts(
    service: ServiceRules,
    agents: Sequence[AgentSchedule],
    *,
    office_hours: Sequence[OfficeHoursRule],
    office_timezone: str,
    first_day: date,
    last_day: date,
    timezone: str,
    now: datetime,
    covering_before: int | None = None,
    fill_busy: Callable[[list[AgentSchedule]], list[AgentSchedule]] | None = None,
) -> dict[date, int]:
    """Which days of ``first_day``..``last_day`` (in ``timezone``) have an offered slot.

    The month grid's question. Each day maps to the epoch seconds of a slot
    offered that day (the earliest of the first agent found free that day, not
    necessarily the earliest of all). Once a day is known to be free, later
    agents' windows on it are skipped, so a month where the first agents cover
    every working day costs little more than one agent. Only starts before
    ``covering_before`` (epoch seconds) close a day; later ones are still
    reported, with the earliest of every agent (the caller's horizon).

    ``fill_busy(agents)`` → the same agents with their busy time: when given, the
    agents come without it and it is asked for in growing batches (1, 2, 4, ...
    agents), only for agents with a working window on a day still open, so a
    month the first agents cover reads little more than their calendars. The
    answer is the same as with every agent's busy time given up front.
    """
    bounds = _bounds(
        service, agents, office_hours, office_timezone, first_day, last_day, timezone, now
    )
    if bounds is None:
        return {}
    duration, step, buffer_before, buffer_after, low, high, reach, allowed = bounds
    zone = ZoneInfo(timezone)
    day_starts = [utc_seconds(day, 0, zone) for day in days(first_day, last_day + _ONE_DAY)]
    day_list = list(days(first_day, last_day))
    closing = high if covering_before is None else covering_before
    found_days: dict[date, int] = {}
    open_days = set(day_list)
    # By day index, as open_days: the window test below runs for every window of every agent.
    open_flags = [True] * len(day_list)
    final = len(day_list) - 1

    def still_open(window: Span) -> bool:
        # Days whose [midnight, next midnight) meets the window.
        first = bisect_right(day_starts, window[0]) - 1
        last = bisect_left(day_starts, window[1]) - 1
        if first == last:
            return 0 <= first <= final and open_flags[first]
        return any(open_flags[max(first, 0) : min(last, final) + 1])

    windows_of = _shared_working(low, reach, allowed)

    def works_on_open_day(agent: AgentSchedule) -> bool:
        return bool(open_days) and any(still_open(window) for window in windows_of(agent).windows)

    capacity = service.capacity
    for agent in _with_busy(agents, fill_busy, works_on_open_day):
        if not open_days:
            break
        found: defaultdict[int, list[object]] = defaultdict(list)
        _agent_slots(
            agent,
            service,
            allowed,
            found,
            {},
            low=low,
            high=high,
            reach=reach,
            duration=duration,
            step=step,
            buffer_before=buffer_before,
            buffer_after=buffer_after,
            capacity=capacity,
            keep=still_open,
            working=windows_of(agent),
        )
        for start in sorted(found):
            index = bisect_right(day_starts, start) - 1
            day = day_list[index]
            if day not in open_days:
                continue
            known = found_days.get(day)
            if known is None or start < known:
                found_days[day] = start
            if start < closing:
                open_days.discard(day)
                open_flags[index] = False
    return found_days


def _with_busy(
    agents: Sequence[AgentSchedule],
    fill_busy: Callable[[list[AgentSchedule]], list[AgentSchedule]] | None,
    needed: Callable[[AgentSchedule], bool],
) -> Iterable[AgentSchedule]:
    """``agents`` in order, their busy time filled in by batches of 1, 2, 4, ... (see
    ``first_free_starts``). ``needed(agent)``, asked when its batch is read: whether it
    can still matter; agents that cannot are passed on without busy time (they add nothing).
    """
    if fill_busy is None:
        yield from agents
        return
    position, size = 0, 1
    while position < len(agents):
        batch = agents[position : position + size]
        position, size = position + size, size * 2
        wanted = [agent for agent in batch if needed(agent)]
        filled = dict(zip(map(id, wanted), fill_busy(wanted) if wanted else (), strict=True))
        for agent in batch:
            yield filled.get(id(agent), agent)


def _agent_slots(
    agent: AgentSchedule,
    service: ServiceRules,
    allowed: list[Span],
    found: defaultdict[int, list[object]],
    taken_seats: dict[int, int],
    *,
    low: int,
    high: int,
    reach: int,
    duration: int,
    step: int,
    buffer_before: int,
    buffer_after: int,
    capacity: int,
    keep: Callable[[Span], bool] | None = None,
    working: _Working | None = None,
) -> None:
    working = working or _working_windows(agent, low, reach, allowed)
    windows, first, last, zone = working.windows, working.first, working.last, working.zone
    if keep is not None:
        windows = [window for window in windows if keep(window)]
    if agent.full_days:
        # A working window lies within one local day, so dropping the windows of a
        # full day removes exactly the slots that start on it (seats included).
        windows = [w for w in windows if local_date(w[0], zone) not in agent.full_days]
    if not windows:
        return
    # Only ever fewer windows: the same count means the same ones.
    if len(windows) == len(working.windows):
        open_time = working.open_time
    else:
        open_time = intersect(union(windows), allowed)

    blocks = _exception_blocks(agent.exceptions, first, last, zone)
    # With one seat an exact match blocks anyway, so only capacity > 1 needs seats.
    seated = capacity > 1
    service_id = service.id
    seats: dict[int, int] = {}
    floor, ceil = math.floor, math.ceil
    for busy in agent.busy:
        busy_start, busy_end = busy.start, busy.end
        if busy_start.tzinfo is None or busy_end.tzinfo is None:
            raise ValueError(f"naive datetime in {busy!r}: busy times must be aware UTC")
        # Float timestamps are exact for whole seconds; fractions round outwards.
        start, end = floor(busy_start.timestamp()), ceil(busy_end.timestamp())
        if (
            seated
            and end - start == duration
            and busy.service_id == service_id
            and busy_start.microsecond == 0
            and busy_end.microsecond == 0
        ):
            seats[start] = seats.get(start, 0) + 1
        else:
            blocks.append((start - buffer_after, end + buffer_before))
    if seated:
        for start, end, busy_service in agent.busy_seconds:
            if end - start == duration and busy_service == service_id:
                seats[start] = seats.get(start, 0) + 1
            else:
                blocks.append((start - buffer_after, end + buffer_before))
    else:
        # The usual case, thousands of rows a month: every one simply blocks.
        blocks += [
            (start - buffer_after, end + buffer_before) for start, end, _ in agent.busy_seconds
        ]

    # Step 3: free time, less every blocker that is not a seat.
    hard_free = subtract(open_time, union(blocks))
    if not hard_free:
        return
    if seats:
        # Away from its own start, a seat appointment blocks like any other.
        seat_starts = sorted(seats)
        free = subtract(
            hard_free,
            union((s - buffer_after, s + duration + buffer_before) for s in seat_starts),
        )
    else:
        free = hard_free

    agent_id = agent.id
    starts = _grid_starts(windows, free, low, high, duration, step)
    for start in starts if working.disjoint else dict.fromkeys(starts):
        found[start].append(agent_id)
    if seats:
        _emit_seats(
            agent_id,
            capacity,
            windows,
            hard_free,
            seats,
            seat_starts,
            found,
            taken_seats,
            low=low,
            high=high,
            duration=duration,
            step=step,
            buffer_before=buffer_before,
            buffer_after=buffer_after,
        )


class _Working(NamedTuple):
    """An agent's working windows near [low, reach): sorted by start, not merged."""

    windows: list[Span]
    # The local dates and the zone they were expanded for.
    first: date
    last: date
    zone: ZoneInfo
    # Their time that the service and the office allow.
    open_time: list[Span]
    # No two windows overlap, so no grid start comes twice.
    disjoint: bool


def _working_windows(agent: AgentSchedule, low: int, reach: int, allowed: list[Span]) -> _Working:
    zone = ZoneInfo(agent.timezone)
    first, last = _local_dates(low, reach, zone)
    windows = expand_weekly_seconds(
        ((w.weekday, w.start_minute * 60, w.end_minute * 60) for w in agent.working_hours),
        first,
        last,
        zone,
    )
    disjoint = all(window[1] <= after[0] for window, after in pairwise(windows))
    return _Working(windows, first, last, zone, intersect(union(windows), allowed), disjoint)


def _shared_working(
    low: int, reach: int, allowed: list[Span]
) -> Callable[[AgentSchedule], _Working]:
    """``_working_windows`` once per zone and weekly hours: agents often share both."""
    known: dict[tuple, _Working] = {}

    def windows_of(agent: AgentSchedule) -> _Working:
        key = (agent.timezone, agent.working_hours)
        found = known.get(key)
        if found is None:
            found = known[key] = _working_windows(agent, low, reach, allowed)
        return found

    return windows_of


def _grid_starts(
    windows: list[Span],
    free: list[Span],
    low: int,
    high: int,
    duration: int,
    step: int,
) -> list[int]:
    """Steps 2 and 4: grid starts whose slot lies in one free piece.

    Per window, jump (bisect) to the first free piece that can hold a slot and
    take the fitting k's as one range, so no candidate is tested one by one.
    Overlapping windows can give a start twice.
    """
    starts: list[int] = []
    if not free:
        return starts
    free_starts = [piece[0] for piece in free]
    free_ends = [piece[1] for piece in free]
    pieces = len(free)
    for window_start, window_end in windows:
        first = window_start if window_start > low else low
        top = window_end if window_end < high else high  # s < top
        if first >= top:
            continue
        p = bisect_left(free_ends, first + duration)
        while p < pieces and free_starts[p] < top:
            begin = free_starts[p] if free_starts[p] > first else first
            last = free_ends[p] - duration
            if last >= top:
                last = top - 1
            k = -((window_start - begin) // step)  # ceil((begin - window_start) / step)
            starts.extend(range(window_start + k * step, last + 1, step))
            p += 1
    return starts


def _emit_seats(
    agent_id: object,
    capacity: int,
    windows: list[Span],
    hard_free: list[Span],
    seats: dict[int, int],
    seat_starts: list[int],
    found: defaultdict[int, list[object]],
    taken_seats: dict[int, int],
    *,
    low: int,
    high: int,
    duration: int,
    step: int,
    buffer_before: int,
    buffer_after: int,
) -> None:
    """Step 4 with capacity: starts that already hold some of this service's seats."""
    hard_starts = [piece[0] for piece in hard_free]
    window_starts = [window[0] for window in windows]
    for start in seat_starts:
        taken = seats[start]
        if taken >= capacity or not low <= start < high:
            continue
        p = bisect_right(hard_starts, start) - 1
        if p < 0 or hard_free[p][1] < start + duration:
            continue
        # Any other seat appointment whose widened span meets [start, start + d)?
        near = bisect_right(seat_starts, start + duration + buffer_after - 1) - bisect_left(
            seat_starts, start - duration - buffer_before + 1
        )
        if near > 1:
            continue
        if not _on_grid(start, windows, window_starts, step):
            continue
        taken_seats[start] = taken_seats.get(start, 0) + taken
        found[start].append(agent_id)


def on_grid(service: ServiceRules, agents: Sequence[AgentSchedule], start: datetime) -> bool:
    """Step 2 alone: whether ``start`` is a grid start of one of the agents' working windows.

    Busy time, time off and the other rules play no part: a start off the grid is
    never offered, whatever the calendar holds (a different answer than "just taken").
    """
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime (UTC)")
    step = _exact_seconds(service.slot_interval, "slot_interval")
    if start.microsecond:
        return False
    instant = int(start.timestamp())
    for agent in agents:
        zone = ZoneInfo(agent.timezone)
        day = local_date(instant, zone)
        windows = expand_weekly_seconds(
            ((w.weekday, w.start_minute * 60, w.end_minute * 60) for w in agent.working_hours),
            day - _ONE_DAY - _ONE_DAY,
            day + _ONE_DAY,
            zone,
        )
        if _on_grid(instant, windows, [window[0] for window in windows], step):
            return True
    return False


def _on_grid(start: int, windows: list[Span], window_starts: list[int], step: int) -> bool:
    # Windows last at most a local day (plus a DST hour), so look back two days.
    p = bisect_right(window_starts, start) - 1
    while p >= 0 and window_starts[p] > start - 2 * DAY_SECONDS:
        window_start, window_end = windows[p]
        if start < window_end and (start - window_start) % step == 0:
            return True
        p -= 1
    return False


def _service_and_office_time(
    service: ServiceRules,
    office_hours: Sequence[OfficeHoursRule],
    office_timezone: str,
    low: int,
    reach: int,
) -> list[Span]:
    """Time every agent shares: service windows (service zone) less office hours (account zone)."""
    allowed: list[Span] = [(low, reach)]
    if service.windows:
        zone = ZoneInfo(service.timezone)
        first, last = _local_dates(low, reach, zone)
        open_ = [
            (w.weekday, w.start_minute * 60, w.end_minute * 60)
            for w in service.windows
            if w.available
        ]
        closed = [
            (w.weekday, w.start_minute * 60, w.end_minute * 60)
            for w in service.windows
            if not w.available
        ]
        if open_:
            allowed = intersect(allowed, union(expand_weekly_seconds(open_, first, last, zone)))
        if closed:
            allowed = subtract(allowed, union(expand_weekly_seconds(closed, first, last, zone)))
    if office_hours:
        zone = ZoneInfo(office_timezone)
        first, last = _local_dates(low, reach, zone)
        rules = [(o.weekday, o.start_second, o.end_second) for o in office_hours]
        allowed = subtract(allowed, union(expand_weekly_seconds(rules, first, last, zone)))
    return allowed


def _exception_blocks(
    exceptions: Iterable[TimeExceptionRule], first: date, last: date, zone: ZoneInfo
) -> list[Span]:
    blocks: list[Span] = []
    for rule in exceptions:
        if not rule.block_time:
            continue
        start = 0 if rule.from_minute is None else rule.from_minute * 60
        end = DAY_SECONDS if rule.to_minute is None else rule.to_minute * 60
        if not rule.days_of_week:
            blocks.append(
                (utc_seconds(rule.from_date, start, zone), utc_seconds(rule.to_date, end, zone))
            )
            continue
        for day in days(max(rule.from_date, first), min(rule.to_date, last)):
            if day.isoweekday() in rule.days_of_week:
                blocks.append((utc_seconds(day, start, zone), utc_seconds(day, end, zone)))
    return blocks


def _local_dates(low: int, reach: int, zone: ZoneInfo) -> tuple[date, date]:
    """The local dates in ``zone`` that can touch [low, reach), a day either side."""
    return local_date(low, zone) - _ONE_DAY, local_date(reach, zone) + _ONE_DAY


def _exact_seconds(span: timedelta, name: str) -> int:
    if span % ONE_SECOND or span <= timedelta(0):
        raise ValueError(f"{name} must be a positive whole number of seconds, got {span}")
    return span // ONE_SECOND


def _ceil_seconds(span: timedelta) -> int:
    return -(-span // ONE_SECOND)


def _ceil_instant(instant: datetime) -> int:
    return -((EPOCH - instant) // ONE_SECOND)


__all__ = ["first_free_starts", "free_slots"]
