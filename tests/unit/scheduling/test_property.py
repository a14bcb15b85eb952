"""free_slots against a naive, minute-by-minute reading of DESIGN.md section 4.

The reference below shares no code with the engine. It reads each local time
the way the design words it: a local wall time on a date becomes the first UTC
minute whose wall-clock reading (zoneinfo, minute by minute) is at or past it.
That is "a missing time moves forward to the transition" and "an ambiguous
time takes its first occurrence". It then marks every minute of every rule in
boolean arrays and checks each grid candidate minute by minute.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, UTC
from functools import cache
from itertools import accumulate
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.scheduling.slots import first_free_starts
from portal.scheduling import (
    AgentSchedule,
    Busy,
    OfficeHoursRule,
    ServiceRules,
    ServiceWindow,
    TimeExceptionRule,
    WeeklyWindow,
    free_slots,
)

UTC = UTC
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu"]
SERVICE_ID = "S"
MARGIN_DAYS = 3  # scanned before the first day
SCAN_DAYS = 10  # covers the longest range (3 days), exceptions up to 4 days on, and margins


# -- the reference -------------------------------------------------------------


@cache
def walls_of_utc_day(zone: str, day: date) -> tuple[datetime, ...]:
    """The naive local wall-clock reading of each UTC minute of ``day``."""
    tz = ZoneInfo(zone)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return tuple(
        (start + timedelta(minutes=m)).astimezone(tz).replace(tzinfo=None) for m in range(1440)
    )


class Clock:
    """Minute-resolution wall clock of one zone over the scanned UTC span."""

    def __init__(self, zone: str, origin: datetime, days: int) -> None:
        walls: list[datetime] = []
        for offset in range(days):
            walls += walls_of_utc_day(zone, (origin + timedelta(days=offset)).date())
        self.walls = walls
        # Running maximum: "the first minute whose reading is at or past L".
        self.reached = list(accumulate(walls, max))

    def minute_of(self, day: date, minute: int) -> int:
        target = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
        index = bisect_left(self.reached, target)
        assert 0 < index < len(self.reached), "reference scan span too short"
        return index

    def local_dates(self) -> list[date]:
        first, last = self.walls[0].date(), self.walls[-1].date()
        return [first + timedelta(days=k) for k in range((last - first).days + 1)]


@dataclass
class Case:
    service: ServiceRules
    agents: list[AgentSchedule]
    office: list[OfficeHoursRule]
    office_zone: str
    first_day: date
    last_day: date
    query_zone: str
    now: datetime


def reference(case: Case) -> list[tuple[datetime, datetime, tuple, int]]:
    svc = case.service
    origin = datetime.combine(
        case.first_day - timedelta(days=MARGIN_DAYS), datetime.min.time(), UTC
    )
    span_days = SCAN_DAYS
    size = span_days * 1440
    clocks: dict[str, Clock] = {}

    def clock(zone: str) -> Clock:
        if zone not in clocks:
            clocks[zone] = Clock(zone, origin, span_days)
        return clocks[zone]

    def instant(minute: int) -> datetime:
        return origin + timedelta(minutes=minute)

    def minute_index(moment: datetime) -> int:
        return int((moment - origin).total_seconds() // 60)

    def inner_dates(zone: str) -> list[date]:
        # Dates whose midnights are safely inside the scan.
        return clock(zone).local_dates()[1:-1]

    def weekly(zone: str, rules: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
        spans = []
        for day in inner_dates(zone):
            for weekday, start, end in rules:
                if day.isoweekday() == weekday:
                    spans.append(
                        (clock(zone).minute_of(day, start), clock(zone).minute_of(day, end))
                    )
        return spans

    def mark(spans: list[tuple[int, int]]) -> list[bool]:
        marks = [False] * size
        for start, end in spans:
            for m in range(max(start, 0), min(end, size)):
                marks[m] = True
        return marks

    service_zone = svc.timezone
    open_windows = [(w.weekday, w.start_minute, w.end_minute) for w in svc.windows if w.available]
    closed_windows = [
        (w.weekday, w.start_minute, w.end_minute) for w in svc.windows if not w.available
    ]
    service_open = mark(weekly(service_zone, open_windows)) if open_windows else [True] * size
    service_closed = mark(weekly(service_zone, closed_windows))
    office_closed = mark(
        weekly(
            case.office_zone,
            [(o.weekday, o.start_second // 60, o.end_second // 60) for o in case.office],
        )
    )

    query = clock(case.query_zone)
    range_start = query.minute_of(case.first_day, 0)
    range_end = query.minute_of(case.last_day, 1440)
    duration = int(svc.duration.total_seconds() // 60)
    step = int(svc.slot_interval.total_seconds() // 60)
    before = int(svc.buffer_before.total_seconds() // 60)
    after = int(svc.buffer_after.total_seconds() // 60)

    offered: dict[int, list] = {}
    for agent in case.agents:
        zone_clock = clock(agent.timezone)
        windows = weekly(
            agent.timezone, [(w.weekday, w.start_minute, w.end_minute) for w in agent.working_hours]
        )
        working = mark(windows)
        blocked_spans = []
        for rule in agent.exceptions:
            if not rule.block_time:
                continue
            start = 0 if rule.from_minute is None else rule.from_minute
            end = 1440 if rule.to_minute is None else rule.to_minute
            if not rule.days_of_week:
                blocked_spans.append(
                    (
                        zone_clock.minute_of(rule.from_date, start),
                        zone_clock.minute_of(rule.to_date, end),
                    )
                )
            else:
                for day in inner_dates(agent.timezone):
                    if (
                        rule.from_date <= day <= rule.to_date
                        and day.isoweekday() in rule.days_of_week
                    ):
                        blocked_spans.append(
                            (zone_clock.minute_of(day, start), zone_clock.minute_of(day, end))
                        )
        excepted = mark(blocked_spans)
        free = [
            working[m]
            and service_open[m]
            and not service_closed[m]
            and not office_closed[m]
            and not excepted[m]
            for m in range(size)
        ]
        # How many widened appointments cover each minute.
        cover = [0] * size
        for busy in agent.busy:
            for m in range(
                max(minute_index(busy.start) - after, 0), min(minute_index(busy.end) + before, size)
            ):
                cover[m] += 1

        for window_start, window_end in windows:
            s = window_start
            while s < window_end:
                start_at = instant(s)
                if (
                    range_start <= s < range_end
                    and start_at >= case.now + svc.minimum_notice
                    and start_at < case.now + svc.horizon
                ):
                    seats = sum(
                        1
                        for busy in agent.busy
                        if busy.service_id == SERVICE_ID
                        and busy.start == start_at
                        and busy.end == start_at + svc.duration
                    )
                    # Seats are not blockers; each of them covers every minute of the slot.
                    clear = all(free[m] and cover[m] - seats == 0 for m in range(s, s + duration))
                    if clear and seats < svc.capacity:
                        entry = offered.setdefault(s, [[], 0])
                        if agent.id not in entry[0]:
                            entry[0].append(agent.id)
                            entry[1] += svc.capacity - seats
                s += step

    return [
        (instant(s), instant(s + duration), tuple(ids), remaining)
        for s, (ids, remaining) in sorted(offered.items())
    ]


# -- random schedules ------------------------------------------------------------

# Each base day comes with the zone whose clocks change that day (or any zone).
BASE_DAYS = [
    (date(2026, 3, 29), "Europe/Berlin"),
    (date(2026, 10, 25), "Europe/Berlin"),
    (date(2026, 3, 8), "America/New_York"),
    (date(2026, 11, 1), "America/New_York"),
    (date(2026, 6, 10), None),
    (date(2026, 1, 5), None),
]
half_hours = st.integers(0, 48).map(lambda n: n * 30)
quarter_minutes = st.integers(0, 96).map(lambda n: n * 15)
# Around the changes at 01:00-03:00 local; all of them fall on a Sunday.
night_minutes = st.sampled_from([0, 60, 90, 120, 150, 180, 210, 240])


@st.composite
def weekly_windows(draw, max_size: int = 4) -> list[tuple[int, int, int]]:
    result = []
    for _ in range(draw(st.integers(0, max_size))):
        if draw(st.booleans()):
            weekday, start = 7, draw(night_minutes)
        else:
            weekday = draw(st.integers(1, 7))
            start = draw(st.one_of(half_hours, quarter_minutes).filter(lambda m: m < 1440))
        end = draw(
            st.one_of(st.integers(start + 15, 1440), night_minutes).map(
                lambda m: min(1440, m - m % 15)
            )
        )
        if end > start:
            result.append((weekday, start, end))
    return result


@st.composite
def cases(draw) -> Case:
    base_day, base_zone = draw(st.sampled_from(BASE_DAYS))
    first_day = base_day + timedelta(days=draw(st.integers(-1, 1)))
    last_day = first_day + timedelta(days=draw(st.integers(0, 2)))

    def zone() -> str:
        if base_zone and draw(st.booleans()):
            return base_zone
        return draw(st.sampled_from(ZONES))

    duration = draw(st.sampled_from([15, 30, 45, 60, 90]))
    step = draw(st.sampled_from([10, 15, 20, 30, 45, 60, duration, duration]))
    service_windows = [
        ServiceWindow(weekday, start, end, draw(st.booleans()))
        for weekday, start, end in draw(weekly_windows(max_size=3))
    ]
    service = ServiceRules(
        id=SERVICE_ID,
        duration=timedelta(minutes=duration),
        slot_interval=timedelta(minutes=step),
        buffer_before=timedelta(minutes=draw(st.sampled_from([0, 0, 5, 15, 30]))),
        buffer_after=timedelta(minutes=draw(st.sampled_from([0, 0, 10, 15, 30]))),
        minimum_notice=timedelta(minutes=draw(st.sampled_from([0, 0, 30, 120, 600]))),
        horizon=timedelta(hours=draw(st.sampled_from([6, 30, 50, 24 * 30, 24 * 30]))),
        capacity=draw(st.integers(1, 3)),
        timezone=zone(),
        windows=tuple(service_windows),
    )
    day_start = datetime.combine(first_day, datetime.min.time(), UTC)
    now = day_start + timedelta(
        minutes=draw(st.integers(-2 * 1440, 1440)), seconds=draw(st.integers(0, 59))
    )

    agents = []
    for index in range(draw(st.integers(1, 3))):
        agent_zone = zone()
        hours = draw(weekly_windows(max_size=5))
        if not hours or draw(st.booleans()):
            hours += [(day, 9 * 60, 17 * 60) for day in range(1, 8)] + [(7, 60, 240)]
        exceptions = []
        for _ in range(draw(st.integers(0, 2))):
            start_day = first_day + timedelta(days=draw(st.integers(-1, 2)))
            recurring = draw(st.booleans())
            exceptions.append(
                TimeExceptionRule(
                    from_date=start_day,
                    to_date=start_day + timedelta(days=draw(st.integers(0, 2))),
                    from_minute=draw(st.one_of(st.none(), half_hours, night_minutes)),
                    to_minute=draw(st.one_of(st.none(), half_hours, night_minutes)),
                    days_of_week=frozenset(draw(st.sets(st.integers(1, 7), max_size=3)))
                    if recurring
                    else frozenset(),
                    block_time=draw(st.booleans()),
                )
            )
        busy = []
        for _ in range(draw(st.integers(0, 8))):
            start = day_start + timedelta(minutes=draw(st.integers(-24 * 4, 24 * 4 * 4)) * 15)
            length = draw(st.sampled_from([duration, duration, 15, 30, 60]))
            owner = draw(st.sampled_from([SERVICE_ID, SERVICE_ID, "other", None]))
            busy.append(Busy(start, start + timedelta(minutes=length), owner))
        # Seats: this service's appointments on the 09:00 grid, some of them repeated.
        for _ in range(draw(st.integers(0, 4))):
            day = first_day + timedelta(days=draw(st.integers(0, 2)))
            nine = datetime(
                day.year, day.month, day.day, 9, tzinfo=ZoneInfo(agent_zone)
            ).astimezone(UTC)
            start = nine + timedelta(minutes=step * draw(st.integers(0, 6)))
            busy += [Busy(start, start + timedelta(minutes=duration), SERVICE_ID)] * draw(
                st.integers(1, 3)
            )
        agents.append(
            AgentSchedule(
                id=f"agent-{index}",
                name=f"Agent {index}",
                timezone=agent_zone,
                working_hours=tuple(WeeklyWindow(*window) for window in hours),
                exceptions=tuple(exceptions),
                busy=tuple(draw(st.permutations(busy))),
            )
        )

    office = [
        OfficeHoursRule(weekday, start * 60, end * 60)
        for weekday, start, end in draw(weekly_windows(max_size=2))
    ]
    return Case(
        service=service,
        agents=agents,
        office=office,
        office_zone=zone(),
        first_day=first_day,
        last_day=last_day,
        query_zone=zone(),
        now=now,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_free_slots_matches_the_minute_by_minute_reference(case: Case):
    result = free_slots(
        case.service,
        case.agents,
        office_hours=case.office,
        office_timezone=case.office_zone,
        first_day=case.first_day,
        last_day=case.last_day,
        timezone=case.query_zone,
        now=case.now,
    )
    assert [(s.start, s.end, s.agent_ids, s.remaining) for s in result] == reference(case)


def _as_seconds(agent: AgentSchedule) -> AgentSchedule:
    """The same agent with busy time in the loader's form: whole epoch seconds."""
    return AgentSchedule(
        id=agent.id,
        name=agent.name,
        timezone=agent.timezone,
        working_hours=agent.working_hours,
        exceptions=agent.exceptions,
        busy_seconds=tuple(
            (int(b.start.timestamp()), int(b.end.timestamp()), b.service_id) for b in agent.busy
        ),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_epoch_busy_and_the_month_grid_agree_with_every_slot(case: Case):
    arguments = dict(
        office_hours=case.office,
        office_timezone=case.office_zone,
        first_day=case.first_day,
        last_day=case.last_day,
        timezone=case.query_zone,
        now=case.now,
    )
    slots = free_slots(case.service, case.agents, **arguments)
    seconds = [_as_seconds(agent) for agent in case.agents]
    assert free_slots(case.service, seconds, **arguments) == slots
    zone = ZoneInfo(case.query_zone)
    days = {slot.start.astimezone(zone).date() for slot in slots}
    firsts = first_free_starts(case.service, seconds, **arguments)
    assert set(firsts) == days
    offered = {int(slot.start.timestamp()) for slot in slots}
    assert all(start in offered for start in firsts.values())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_month_grid_reads_busy_time_in_batches_with_the_same_answer(case: Case):
    arguments = dict(
        office_hours=case.office,
        office_timezone=case.office_zone,
        first_day=case.first_day,
        last_day=case.last_day,
        timezone=case.query_zone,
        now=case.now,
    )
    seconds = [_as_seconds(agent) for agent in case.agents]
    bare = [replace(agent, busy_seconds=()) for agent in seconds]
    by_id = {id(agent): full for agent, full in zip(bare, seconds, strict=True)}
    asked: list[list[object]] = []

    def fill_busy(agents):
        asked.append([agent.id for agent in agents])
        return [by_id[id(agent)] for agent in agents]

    expected = first_free_starts(case.service, seconds, **arguments)
    assert first_free_starts(case.service, bare, fill_busy=fill_busy, **arguments) == expected
    # Each agent is asked for at most once.
    assert sum(len(batch) for batch in asked) <= len(seconds)
