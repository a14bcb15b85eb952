"""DESIGN.md section 4, rule by rule, each with concrete UTC instants."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, UTC

import pytest

from portal.scheduling import (
    AgentSchedule,
    Busy,
    OfficeHoursRule,
    ServiceRules,
    ServiceWindow,
    Slot,
    TimeExceptionRule,
    WeeklyWindow,
    free_slots,
)

UTC = UTC
MONDAY = date(2026, 3, 2)  # an ordinary Monday, winter time everywhere
SERVICE_ID = "svc"
EVERY_DAY = range(1, 8)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# The default "now" of the computations below: before every date the tests use.
NEW_YEAR_2026 = utc(2026, 1, 1)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def service(
    duration: int = 60,
    interval: int | None = None,
    *,
    before: int = 0,
    after: int = 0,
    notice: timedelta = timedelta(0),
    horizon: timedelta = timedelta(days=365),
    capacity: int = 1,
    tz: str = "UTC",
    windows: Sequence[ServiceWindow] = (),
) -> ServiceRules:
    return ServiceRules(
        id=SERVICE_ID,
        duration=minutes(duration),
        slot_interval=minutes(interval if interval is not None else duration),
        buffer_before=minutes(before),
        buffer_after=minutes(after),
        minimum_notice=notice,
        horizon=horizon,
        capacity=capacity,
        timezone=tz,
        windows=tuple(windows),
    )


def agent(
    hours: Sequence[tuple[int, int, int]] | Sequence[tuple[int, int]],
    *,
    id: str = "a",
    tz: str = "UTC",
    exceptions: Sequence[TimeExceptionRule] = (),
    busy: Sequence[Busy] = (),
) -> AgentSchedule:
    """``hours`` as (weekday, start, end) or (start, end) for every day, in minutes."""
    windows = []
    for window in hours:
        if len(window) == 2:
            windows += [WeeklyWindow(day, window[0], window[1]) for day in EVERY_DAY]
        else:
            windows.append(WeeklyWindow(*window))
    return AgentSchedule(id, f"Agent {id}", tz, tuple(windows), tuple(exceptions), tuple(busy))


def slots(
    svc: ServiceRules,
    agents: Sequence[AgentSchedule],
    first: date = MONDAY,
    last: date | None = None,
    *,
    tz: str = "UTC",
    office: Sequence[OfficeHoursRule] = (),
    office_tz: str = "UTC",
    now: datetime = NEW_YEAR_2026,
) -> list[Slot]:
    return free_slots(
        svc,
        agents,
        office_hours=office,
        office_timezone=office_tz,
        first_day=first,
        last_day=last or first,
        timezone=tz,
        now=now,
    )


def starts(result: list[Slot]) -> list[datetime]:
    return [slot.start for slot in result]


def hm(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


# -- 1. working windows and 2. the grid ------------------------------------


def test_working_window_gives_grid_slots_with_end():
    result = slots(service(30), [agent([(9 * 60, 11 * 60)])])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 9, 30), hm(MONDAY, 10), hm(MONDAY, 10, 30)]
    assert result[0] == Slot(hm(MONDAY, 9), hm(MONDAY, 9, 30), ("a",), 1)
    assert all(slot.start.tzinfo is UTC and slot.end.tzinfo is UTC for slot in result)


def test_several_windows_a_day():
    result = slots(service(30), [agent([(9 * 60, 10 * 60), (14 * 60, 15 * 60)])])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 9, 30), hm(MONDAY, 14), hm(MONDAY, 14, 30)]


def test_only_the_listed_weekdays_work():
    result = slots(service(60), [agent([(2, 9 * 60, 10 * 60)])], MONDAY, MONDAY + timedelta(days=6))
    assert starts(result) == [hm(date(2026, 3, 3), 9)]


def test_grid_is_anchored_at_the_window_start_not_the_free_piece():
    busy = [Busy(hm(MONDAY, 9, 10), hm(MONDAY, 9, 20), "other")]
    result = slots(service(30), [agent([(9 * 60 + 10, 10 * 60 + 40)], busy=busy)])
    # Grid 09:10, 09:40, 10:10; free time starts again at 09:20, which is not a start.
    assert starts(result) == [hm(MONDAY, 9, 40), hm(MONDAY, 10, 10)]


def test_slot_interval_shorter_than_duration():
    result = slots(service(60, 15), [agent([(9 * 60, 10 * 60 + 30)])])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 9, 15), hm(MONDAY, 9, 30)]
    assert result[-1].end == hm(MONDAY, 10, 30)


def test_slot_interval_longer_than_duration():
    result = slots(service(30, 45), [agent([(9 * 60, 11 * 60)])])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 9, 45), hm(MONDAY, 10, 30)]


def test_touching_windows_let_a_slot_run_on_but_each_anchors_its_own_grid():
    result = slots(service(30, 25), [agent([(9 * 60, 10 * 60), (10 * 60, 11 * 60)])])
    # First window: 09:00, 09:25, 09:50 (runs into the second window); second: 10:00, 10:25.
    assert starts(result) == [
        hm(MONDAY, 9),
        hm(MONDAY, 9, 25),
        hm(MONDAY, 9, 50),
        hm(MONDAY, 10),
        hm(MONDAY, 10, 25),
    ]


def test_overlapping_windows_list_a_start_once():
    result = slots(service(60), [agent([(9 * 60, 11 * 60), (9 * 60, 12 * 60)])])
    assert result == [
        Slot(hm(MONDAY, 9), hm(MONDAY, 10), ("a",), 1),
        Slot(hm(MONDAY, 10), hm(MONDAY, 11), ("a",), 1),
        Slot(hm(MONDAY, 11), hm(MONDAY, 12), ("a",), 1),
    ]


def test_no_agents_or_no_hours_means_no_slots():
    assert slots(service(30), []) == []
    assert slots(service(30), [agent([])]) == []


def test_duration_must_be_positive_whole_seconds():
    with pytest.raises(ValueError):
        slots(service(0), [agent([(540, 600)])])
    bad = ServiceRules(
        "s",
        timedelta(minutes=30, microseconds=1),
        minutes(30),
        minutes(0),
        minutes(0),
        minutes(0),
        timedelta(days=1),
        1,
        "UTC",
    )
    with pytest.raises(ValueError):
        slots(bad, [agent([(540, 600)])])


def test_naive_now_is_refused():
    with pytest.raises((TypeError, ValueError)):
        slots(service(30), [agent([(540, 600)])], now=datetime(2026, 1, 1))


# -- 3. free time ------------------------------------------------------------


def test_office_hours_subtract_in_the_account_timezone():
    lunch = OfficeHoursRule(1, 12 * 3600, 13 * 3600)  # Monday 12:00-13:00 Berlin = 11:00-12:00 UTC
    result = slots(
        service(60), [agent([(9 * 60, 14 * 60)])], office=[lunch], office_tz="Europe/Berlin"
    )
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 10), hm(MONDAY, 12), hm(MONDAY, 13)]


def test_office_hours_are_exact_to_the_second():
    closed = OfficeHoursRule(1, 10 * 3600 + 1, 10 * 3600 + 29 * 60 + 59)  # 10:00:01-10:29:59
    result = slots(service(30), [agent([(9 * 60, 11 * 60)])], office=[closed])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 9, 30), hm(MONDAY, 10, 30)]
    closed = OfficeHoursRule(1, 9 * 3600 + 59 * 60 + 59, 10 * 3600)  # the last second before 10:00
    result = slots(service(30), [agent([(9 * 60, 11 * 60)])], office=[closed])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 10), hm(MONDAY, 10, 30)]


def test_office_hours_on_another_weekday_do_not_apply():
    result = slots(service(60), [agent([(9 * 60, 11 * 60)])], office=[OfficeHoursRule(2, 0, 86400)])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 10)]


def test_one_off_exception_blocks_from_date_time_to_date_time_in_agent_zone():
    off = TimeExceptionRule(MONDAY, MONDAY + timedelta(days=1), 10 * 60, 10 * 60)
    result = slots(
        service(60),
        [agent([(8 * 60, 12 * 60)], tz="Europe/Berlin", exceptions=[off])],
        MONDAY,
        MONDAY + timedelta(days=2),
    )
    # Berlin 08:00-12:00 is 07:00-11:00 UTC; blocked Mon 09:00 UTC .. Tue 09:00 UTC.
    tuesday, wednesday = date(2026, 3, 3), date(2026, 3, 4)
    assert starts(result) == [
        hm(MONDAY, 7),
        hm(MONDAY, 8),
        hm(tuesday, 9),
        hm(tuesday, 10),
        hm(wednesday, 7),
        hm(wednesday, 8),
        hm(wednesday, 9),
        hm(wednesday, 10),
    ]


def test_one_off_exception_defaults_to_whole_days():
    off = TimeExceptionRule(MONDAY, date(2026, 3, 3))  # 00:00 Mon .. 24:00 Tue
    result = slots(
        service(60), [agent([(9 * 60, 11 * 60)], exceptions=[off])], MONDAY, date(2026, 3, 4)
    )
    assert starts(result) == [hm(date(2026, 3, 4), 9), hm(date(2026, 3, 4), 10)]


def test_recurring_exception_blocks_listed_weekdays_within_the_dates():
    weekly = TimeExceptionRule(MONDAY, date(2026, 3, 8), 9 * 60, 10 * 60, frozenset({1, 3}))
    result = slots(
        service(60), [agent([(9 * 60, 11 * 60)], exceptions=[weekly])], MONDAY, date(2026, 3, 9)
    )
    by_day = {}
    for start in starts(result):
        by_day.setdefault(start.date(), []).append(start.hour)
    assert by_day[MONDAY] == [10]
    assert by_day[date(2026, 3, 3)] == [9, 10]  # Tuesday not listed
    assert by_day[date(2026, 3, 4)] == [10]  # Wednesday listed
    assert by_day[date(2026, 3, 9)] == [9, 10]  # next Monday is after `to`


def test_recurring_exception_default_times_block_whole_days():
    weekly = TimeExceptionRule(MONDAY, date(2026, 3, 3), days_of_week=frozenset({2}))
    result = slots(
        service(60), [agent([(9 * 60, 11 * 60)], exceptions=[weekly])], MONDAY, date(2026, 3, 3)
    )
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 10)]


def test_exception_without_block_time_blocks_nothing():
    note = TimeExceptionRule(MONDAY, MONDAY, block_time=False)
    weekly_note = TimeExceptionRule(MONDAY, MONDAY, days_of_week=frozenset({1}), block_time=False)
    result = slots(service(60), [agent([(9 * 60, 11 * 60)], exceptions=[note, weekly_note])])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 10)]


def test_available_service_windows_restrict_in_the_service_zone():
    # Berlin 10:00-12:00 = 09:00-11:00 UTC; only there is the service offered.
    svc = service(60, tz="Europe/Berlin", windows=[ServiceWindow(1, 10 * 60, 12 * 60, True)])
    result = slots(svc, [agent([(8 * 60, 17 * 60)])])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 10)]


def test_unavailable_service_windows_are_never_offered():
    svc = service(60, windows=[ServiceWindow(1, 10 * 60, 11 * 60, False)])
    result = slots(svc, [agent([(9 * 60, 13 * 60)])])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 11), hm(MONDAY, 12)]


def test_available_and_unavailable_service_windows_together():
    svc = service(
        30,
        windows=[
            ServiceWindow(1, 9 * 60, 11 * 60, True),
            ServiceWindow(1, 9 * 60 + 30, 10 * 60, False),
        ],
    )
    result = slots(svc, [agent([(8 * 60, 17 * 60)])])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 10), hm(MONDAY, 10, 30)]


def test_service_windows_on_other_days_close_this_day():
    svc = service(60, windows=[ServiceWindow(2, 9 * 60, 17 * 60, True)])
    assert slots(svc, [agent([(9 * 60, 11 * 60)])]) == []


def test_busy_any_service_blocks_and_buffers_widen_it():
    busy = [Busy(hm(MONDAY, 10), hm(MONDAY, 10, 30), "other service")]
    result = slots(service(30, 15, before=15, after=15), [agent([(9 * 60, 12 * 60)], busy=busy)])
    # Blocked [09:45, 10:45): 09:15 ends 09:45, 10:45 is the first after.
    assert starts(result) == [
        hm(MONDAY, 9),
        hm(MONDAY, 9, 15),
        hm(MONDAY, 10, 45),
        hm(MONDAY, 11),
        hm(MONDAY, 11, 15),
        hm(MONDAY, 11, 30),
    ]


def test_buffer_before_and_after_are_not_symmetric():
    busy = [Busy(hm(MONDAY, 10), hm(MONDAY, 11), None)]
    # A new slot needs buffer_before clear before it and buffer_after clear after it:
    # blocked [10:00 - 30, 11:00 + 0) = [09:30, 11:00).
    result = slots(service(30, before=0, after=30), [agent([(9 * 60, 12 * 60)], busy=busy)])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 11), hm(MONDAY, 11, 30)]
    # blocked [10:00, 11:00 + 30) = [10:00, 11:30).
    result = slots(service(30, before=30, after=0), [agent([(9 * 60, 12 * 60)], busy=busy)])
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 9, 30), hm(MONDAY, 11, 30)]


def test_buffers_need_not_lie_inside_working_hours():
    result = slots(service(60, before=30, after=30), [agent([(9 * 60, 10 * 60)])])
    assert starts(result) == [hm(MONDAY, 9)]


def test_a_live_hold_blocks_like_an_appointment():
    hold = Busy(hm(MONDAY, 9), hm(MONDAY, 10), SERVICE_ID, seat=True)
    assert starts(slots(service(60), [agent([(9 * 60, 11 * 60)], busy=[hold])])) == [hm(MONDAY, 10)]


# -- 4. notice, horizon, capacity --------------------------------------------


def test_minimum_notice():
    now = hm(MONDAY, 9, 5)
    result = slots(service(30, notice=timedelta(hours=1)), [agent([(9 * 60, 12 * 60)])], now=now)
    assert starts(result) == [hm(MONDAY, 10, 30), hm(MONDAY, 11), hm(MONDAY, 11, 30)]
    # Exactly now + notice is offered.
    result = slots(
        service(30, notice=timedelta(hours=1)), [agent([(9 * 60, 12 * 60)])], now=hm(MONDAY, 9)
    )
    assert starts(result)[0] == hm(MONDAY, 10)


def test_notice_zero_still_hides_the_past():
    now = hm(MONDAY, 10) + timedelta(seconds=1)
    result = slots(service(30), [agent([(9 * 60, 12 * 60)])], now=now)
    assert starts(result) == [hm(MONDAY, 10, 30), hm(MONDAY, 11), hm(MONDAY, 11, 30)]


def test_horizon_is_exclusive():
    now = hm(MONDAY, 0)
    result = slots(service(60, horizon=timedelta(hours=10)), [agent([(9 * 60, 12 * 60)])], now=now)
    assert starts(result) == [hm(MONDAY, 9)]
    result = slots(
        service(60, horizon=timedelta(days=1)),
        [agent([(9 * 60, 12 * 60)])],
        MONDAY,
        date(2026, 3, 4),
        now=now,
    )
    assert starts(result) == [hm(MONDAY, 9), hm(MONDAY, 10), hm(MONDAY, 11)]


def test_capacity_counts_exact_appointments_of_this_service_as_seats():
    seat = Busy(hm(MONDAY, 10), hm(MONDAY, 10, 30), SERVICE_ID)
    result = slots(service(30, 15, capacity=2), [agent([(9 * 60, 11 * 60)], busy=[seat])])
    assert [(slot.start, slot.remaining) for slot in result] == [
        (hm(MONDAY, 9), 2),
        (hm(MONDAY, 9, 15), 2),
        (hm(MONDAY, 9, 30), 2),
        # 09:45 and 10:15 overlap the seat appointment, which blocks them.
        (hm(MONDAY, 10), 1),
        (hm(MONDAY, 10, 30), 2),
    ]


def test_a_full_slot_is_not_offered():
    seats = [Busy(hm(MONDAY, 10), hm(MONDAY, 10, 30), SERVICE_ID, seat=True)] * 2
    result = slots(service(30, capacity=2), [agent([(9 * 60, 11 * 60)], busy=seats)])
    assert [(slot.start, slot.remaining) for slot in result] == [
        (hm(MONDAY, 9), 2),
        (hm(MONDAY, 9, 30), 2),
        (hm(MONDAY, 10, 30), 2),
    ]


def test_with_capacity_other_services_and_other_spans_still_block():
    other = Busy(hm(MONDAY, 9), hm(MONDAY, 9, 30), "other")
    longer = Busy(hm(MONDAY, 10), hm(MONDAY, 11), SERVICE_ID)
    result = slots(service(30, capacity=3), [agent([(9 * 60, 12 * 60)], busy=[other, longer])])
    assert [(slot.start, slot.remaining) for slot in result] == [
        (hm(MONDAY, 9, 30), 3),
        (hm(MONDAY, 11), 3),
        (hm(MONDAY, 11, 30), 3),
    ]


def test_a_seat_appointment_blocks_its_neighbours_through_buffers():
    seats = [
        Busy(hm(MONDAY, 10), hm(MONDAY, 10, 30), SERVICE_ID),
        Busy(hm(MONDAY, 10, 30), hm(MONDAY, 11), SERVICE_ID),
    ]
    plain = slots(service(30, capacity=2), [agent([(10 * 60, 11 * 60)], busy=seats)])
    assert [(slot.start, slot.remaining) for slot in plain] == [
        (hm(MONDAY, 10), 1),
        (hm(MONDAY, 10, 30), 1),
    ]
    # 10:30 needs 15 minutes clear before it, where the 10:00 appointment runs.
    buffered = slots(service(30, capacity=2, before=15), [agent([(10 * 60, 11 * 60)], busy=seats)])
    assert [(slot.start, slot.remaining) for slot in buffered] == [(hm(MONDAY, 10), 1)]


def test_a_seat_off_the_grid_is_not_a_start():
    seat = Busy(hm(MONDAY, 9, 10), hm(MONDAY, 9, 40), SERVICE_ID)
    result = slots(service(30, capacity=2), [agent([(9 * 60, 11 * 60)], busy=[seat])])
    assert starts(result) == [hm(MONDAY, 10), hm(MONDAY, 10, 30)]


# -- 5. range ----------------------------------------------------------------


def test_range_boundaries_are_in_the_query_timezone():
    result = slots(service(60), [agent([(0, 1440)])], MONDAY, tz="Asia/Kolkata")
    # Monday in Kolkata is [Sun 18:30 UTC, Mon 18:30 UTC); the grid is the agent's (UTC hours).
    assert len(result) == 24
    assert result[0].start == utc(2026, 3, 1, 19, 0)
    assert result[-1].start == utc(2026, 3, 2, 18, 0)


def test_range_end_is_exclusive_but_a_slot_may_end_after_it():
    result = slots(service(60), [agent([(23 * 60, 1440), (0, 60)])], MONDAY)
    assert starts(result) == [hm(MONDAY, 0), hm(MONDAY, 23)]
    assert result[-1].end == utc(2026, 3, 3, 0, 0)


def test_agent_and_customer_in_different_zones():
    weekdays = [(day, 9 * 60, 17 * 60) for day in range(1, 6)]
    ny = agent(weekdays, tz="America/New_York")  # EST: 14:00-22:00 UTC
    result = slots(service(60), [ny], date(2026, 3, 3), tz="Asia/Tokyo")
    # Tuesday in Tokyo is [Mon 15:00 UTC, Tue 15:00 UTC).
    assert starts(result) == [utc(2026, 3, 2, hour) for hour in range(15, 22)] + [
        utc(2026, 3, 3, 14)
    ]


# -- 6. any agent --------------------------------------------------------------


def test_any_agent_is_the_union_with_agents_in_input_order():
    first = agent([(9 * 60, 10 * 60)], id="first")
    second = agent([(9 * 60 + 30, 10 * 60 + 30)], id="second")
    result = slots(service(30), [second, first])
    assert result == [
        Slot(hm(MONDAY, 9), hm(MONDAY, 9, 30), ("first",), 1),
        Slot(hm(MONDAY, 9, 30), hm(MONDAY, 10), ("second", "first"), 2),
        Slot(hm(MONDAY, 10), hm(MONDAY, 10, 30), ("second",), 1),
    ]


def test_any_agent_sums_seats_remaining():
    seat = Busy(hm(MONDAY, 9), hm(MONDAY, 9, 30), SERVICE_ID)
    a = agent([(9 * 60, 10 * 60)], id="a", busy=[seat])
    b = agent([(9 * 60, 10 * 60)], id="b")
    c = agent([(9 * 60, 10 * 60)], id="c", busy=[seat, seat, seat])  # full at 09:00
    result = slots(service(30, capacity=3), [a, b, c])
    assert result == [
        Slot(hm(MONDAY, 9), hm(MONDAY, 9, 30), ("a", "b"), 5),
        Slot(hm(MONDAY, 9, 30), hm(MONDAY, 10), ("a", "b", "c"), 9),
    ]


def test_agents_in_different_zones_each_use_their_own_hours():
    berlin = agent([(9 * 60, 10 * 60)], id="berlin", tz="Europe/Berlin")  # 08:00 UTC
    kathmandu = agent(
        [(13 * 60 + 45, 14 * 60 + 45)], id="kathmandu", tz="Asia/Kathmandu"
    )  # 08:00 UTC
    result = slots(service(60), [berlin, kathmandu])
    assert result == [Slot(hm(MONDAY, 8), hm(MONDAY, 9), ("berlin", "kathmandu"), 2)]


# -- DST and odd offsets -------------------------------------------------------

BERLIN_SPRING, BERLIN_FALL = date(2026, 3, 29), date(2026, 10, 25)
NY_SPRING, NY_FALL = date(2026, 3, 8), date(2026, 11, 1)


@pytest.mark.parametrize(
    ("tz", "day", "first_utc"),
    [
        ("Europe/Berlin", BERLIN_SPRING, utc(2026, 3, 29, 7)),
        ("Europe/Berlin", BERLIN_FALL, utc(2026, 10, 25, 8)),
        ("America/New_York", NY_SPRING, utc(2026, 3, 8, 13)),
        ("America/New_York", NY_FALL, utc(2026, 11, 1, 14)),
    ],
)
def test_nine_to_five_is_eight_real_hours_on_dst_days(tz, day, first_utc):
    result = slots(service(60), [agent([(9 * 60, 17 * 60)], tz=tz)], day, tz=tz)
    assert starts(result) == [first_utc + timedelta(hours=h) for h in range(8)]


@pytest.mark.parametrize(
    ("tz", "day", "expected"),
    [
        # 01:00 CET = 00:00 UTC; 04:00 CEST = 02:00 UTC.
        ("Europe/Berlin", BERLIN_SPRING, [utc(2026, 3, 29, 0), utc(2026, 3, 29, 1)]),
        # 01:00 CEST = 23:00 UTC the day before; 04:00 CET = 03:00 UTC.
        (
            "Europe/Berlin",
            BERLIN_FALL,
            [utc(2026, 10, 24, 23)] + [utc(2026, 10, 25, h) for h in range(3)],
        ),
        # 01:00 EST = 06:00 UTC; 04:00 EDT = 08:00 UTC.
        ("America/New_York", NY_SPRING, [utc(2026, 3, 8, 6), utc(2026, 3, 8, 7)]),
        # 01:00 is ambiguous: fold 0 = EDT = 05:00 UTC; 04:00 EST = 09:00 UTC.
        ("America/New_York", NY_FALL, [utc(2026, 11, 1, h) for h in range(5, 9)]),
    ],
)
def test_one_to_four_at_night_on_dst_days(tz, day, expected):
    result = slots(service(60), [agent([(60, 240)], tz=tz)], day, tz=tz)
    assert starts(result) == expected
    assert result[-1].end - result[0].start == timedelta(hours=len(expected))


def test_grid_steps_in_absolute_time_across_the_gap():
    result = slots(
        service(45, 30), [agent([(60, 240)], tz="Europe/Berlin")], BERLIN_SPRING, tz="Europe/Berlin"
    )
    # 01:00 CET, 01:30 CET, then 03:00 CEST (not a non-existent 02:00); 03:30 CEST would end after
    # 04:00.
    assert starts(result) == [utc(2026, 3, 29, 0), utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1)]


def test_window_starting_inside_the_gap_starts_at_the_transition():
    result = slots(
        service(30), [agent([(150, 240)], tz="Europe/Berlin")], BERLIN_SPRING, tz="Europe/Berlin"
    )
    # 02:30 does not exist: the window starts at 03:00 CEST = 01:00 UTC and ends 04:00 CEST.
    assert starts(result) == [utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 30)]


def test_window_starting_in_the_repeated_hour_takes_the_first_occurrence():
    result = slots(
        service(30), [agent([(150, 240)], tz="Europe/Berlin")], BERLIN_FALL, tz="Europe/Berlin"
    )
    # 02:30 CEST = 00:30 UTC to 04:00 CET = 03:00 UTC: 2.5 real hours.
    assert starts(result) == [
        utc(2026, 10, 25, 0, 30) + timedelta(minutes=30 * k) for k in range(5)
    ]


def test_exception_and_office_hours_across_the_gap():
    off = TimeExceptionRule(BERLIN_SPRING, BERLIN_SPRING, 60, 150)  # 01:00 .. (02:30 -> 03:00 CEST)
    berlin = agent([(0, 300)], tz="Europe/Berlin", exceptions=[off])
    office = [OfficeHoursRule(7, 4 * 3600, 5 * 3600)]  # 04:00-05:00 CEST = 02:00-03:00 UTC
    result = slots(
        service(60),
        [berlin],
        BERLIN_SPRING,
        tz="Europe/Berlin",
        office=office,
        office_tz="Europe/Berlin",
    )
    # Working 23:00 .. 03:00 UTC; blocked 00:00-01:00 and 02:00-03:00 UTC.
    assert starts(result) == [utc(2026, 3, 28, 23), utc(2026, 3, 29, 1)]


def test_half_hour_zone():
    result = slots(
        service(30), [agent([(9 * 60, 10 * 60)], tz="Asia/Kolkata")], MONDAY, tz="Asia/Kolkata"
    )
    assert starts(result) == [utc(2026, 3, 2, 3, 30), utc(2026, 3, 2, 4, 0)]


def test_forty_five_minute_zone():
    result = slots(
        service(30), [agent([(9 * 60, 10 * 60)], tz="Asia/Kathmandu")], MONDAY, tz="Asia/Kathmandu"
    )
    assert starts(result) == [utc(2026, 3, 2, 3, 15), utc(2026, 3, 2, 3, 45)]


def test_range_in_a_dst_zone_on_the_fall_back_day_is_25_hours():
    result = slots(service(60), [agent([(0, 1440)])], BERLIN_FALL, tz="Europe/Berlin")
    # [2026-10-24 22:00 UTC, 2026-10-25 23:00 UTC) with a UTC agent working all day.
    assert len(result) == 25
    assert result[0].start == utc(2026, 10, 24, 22)
    assert result[-1].start == utc(2026, 10, 25, 22)


def test_a_seat_must_be_on_the_grid_of_the_window_it_lies_in():
    # Windows 09:00-10:00 and 10:10-12:00, interval 20: 10:20 is on the first window's
    # step but past its end, and not on the second window's grid (10:10, 10:30, ...).
    seat = Busy(hm(MONDAY, 10, 20), hm(MONDAY, 10, 50), SERVICE_ID)
    result = slots(
        service(30, 20, capacity=2),
        [agent([(9 * 60, 10 * 60), (10 * 60 + 10, 12 * 60)], busy=[seat])],
    )
    assert starts(result) == [
        hm(MONDAY, 9),
        hm(MONDAY, 9, 20),
        hm(MONDAY, 10, 50),
        hm(MONDAY, 11, 10),
        hm(MONDAY, 11, 30),
    ]
    on_grid = Busy(hm(MONDAY, 10, 30), hm(MONDAY, 11), SERVICE_ID)
    result = slots(
        service(30, 20, capacity=2),
        [agent([(9 * 60, 10 * 60), (10 * 60 + 10, 12 * 60)], busy=[on_grid])],
    )
    assert [(slot.start, slot.remaining) for slot in result] == [
        (hm(MONDAY, 9), 2),
        (hm(MONDAY, 9, 20), 2),
        (hm(MONDAY, 10, 30), 1),
        (hm(MONDAY, 11, 10), 2),
        (hm(MONDAY, 11, 30), 2),
    ]
