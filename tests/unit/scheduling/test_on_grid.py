"""``on_grid``: DESIGN.md 4.2 alone, so an off-grid start is told apart from a taken one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from portal.scheduling import Busy, on_grid
from tests.unit.scheduling.test_slots import agent, service, utc


def test_grid_starts_of_the_working_windows():
    svc = service(duration=30)
    alice = agent([(9 * 60, 17 * 60)])
    assert on_grid(svc, [alice], utc(2026, 3, 2, 9))
    assert on_grid(svc, [alice], utc(2026, 3, 2, 16, 30))
    assert not on_grid(svc, [alice], utc(2026, 3, 2, 10, 7))
    assert not on_grid(svc, [alice], utc(2026, 3, 2, 17))  # the window's end
    assert not on_grid(svc, [alice], utc(2026, 3, 2, 3))  # outside working hours
    assert not on_grid(svc, [alice], utc(2026, 3, 2, 9, 0).replace(microsecond=5))


def test_busy_time_does_not_move_the_grid():
    busy = Busy(utc(2026, 3, 2, 9), utc(2026, 3, 2, 17))
    alice = agent([(9 * 60, 17 * 60)], busy=[busy])
    assert on_grid(service(duration=30), [alice], utc(2026, 3, 2, 9, 30))


def test_any_agent_and_their_own_zone():
    svc = service(duration=60, interval=45)
    berlin = agent([(9 * 60, 12 * 60)], id="b", tz="Europe/Berlin")  # 08:00 UTC in winter
    london = agent([(9 * 60, 12 * 60)], id="l", tz="Europe/London")
    start = datetime(2026, 3, 2, 9, 45, tzinfo=ZoneInfo("Europe/Berlin"))
    assert on_grid(svc, [berlin], start)
    assert not on_grid(svc, [london], start)
    assert on_grid(svc, [london, berlin], start)
