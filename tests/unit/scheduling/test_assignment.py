from datetime import datetime, UTC
from zoneinfo import ZoneInfo

import pytest

from portal.scheduling import AgentLoad, assign_agent, iso_week_bounds

UTC = UTC


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_fewest_appointments_that_week_wins():
    loads = [
        AgentLoad("busy", "Anna", 5, None),
        AgentLoad("quiet", "Zoe", 2, utc(2026, 3, 1)),
        AgentLoad("middle", "Bob", 3, None),
    ]
    assert assign_agent(loads) == "quiet"


def test_tie_goes_to_the_one_booked_least_recently():
    loads = [
        AgentLoad("recent", "Anna", 2, utc(2026, 3, 2, 12)),
        AgentLoad("earlier", "Zoe", 2, utc(2026, 3, 1, 9)),
    ]
    assert assign_agent(loads) == "earlier"


def test_never_booked_counts_as_least_recent():
    loads = [
        AgentLoad("booked", "Anna", 0, utc(2020, 1, 1)),
        AgentLoad("never", "Zoe", 0, None),
    ]
    assert assign_agent(loads) == "never"


def test_then_by_name():
    when = utc(2026, 3, 1)
    assert assign_agent([AgentLoad(2, "Bob", 1, when), AgentLoad(1, "Anna", 1, when)]) == 1
    assert assign_agent([AgentLoad(2, "Bob", 0, None), AgentLoad(1, "Anna", 0, None)]) == 1


def test_timezones_of_last_booking_compare_as_instants():
    berlin = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # 09:00 UTC
    loads = [AgentLoad("a", "Anna", 0, berlin), AgentLoad("b", "Bob", 0, utc(2026, 3, 2, 9, 30))]
    assert assign_agent(loads) == "a"


def test_no_candidates_is_an_error():
    with pytest.raises(ValueError):
        assign_agent([])


def test_iso_week_bounds_in_the_agent_zone():
    # Sunday 2026-03-08 23:30 UTC is already Monday 00:30 in Berlin: the next week there.
    instant = utc(2026, 3, 8, 23, 30)
    assert iso_week_bounds(instant, ZoneInfo("Europe/Berlin")) == (
        utc(2026, 3, 8, 23),
        utc(2026, 3, 15, 23),
    )
    assert iso_week_bounds(instant, ZoneInfo("UTC")) == (utc(2026, 3, 2), utc(2026, 3, 9))


def test_iso_week_bounds_across_dst():
    # Week of 2026-03-23 in Berlin ends on Monday 03-30 00:00 CEST = 03-29 22:00 UTC.
    assert iso_week_bounds(utc(2026, 3, 25, 12), ZoneInfo("Europe/Berlin")) == (
        utc(2026, 3, 22, 23),
        utc(2026, 3, 29, 22),
    )
    # New York week with the fall back: Mon 10-26 00:00 EDT .. Mon 11-02 00:00 EST.
    assert iso_week_bounds(utc(2026, 11, 1, 12), ZoneInfo("America/New_York")) == (
        utc(2026, 10, 26, 4),
        utc(2026, 11, 2, 5),
    )
