from datetime import date, datetime, UTC
from zoneinfo import ZoneInfo

import pytest

from portal.scheduling import WeeklyWindow, date_range_utc, expand_weekly, to_utc
from portal.scheduling.localtime import utc_seconds

UTC = UTC
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SANTIAGO = ZoneInfo("America/Santiago")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "minute", "zone", "expected"),
    [
        # Ordinary days.
        (date(2026, 1, 15), 9 * 60, BERLIN, utc(2026, 1, 15, 8, 0)),
        (date(2026, 7, 15), 9 * 60, BERLIN, utc(2026, 7, 15, 7, 0)),
        (date(2026, 1, 15), 1440, BERLIN, utc(2026, 1, 15, 23, 0)),
        # Berlin spring forward 2026-03-29: 02:00..03:00 does not exist.
        (date(2026, 3, 29), 120, BERLIN, utc(2026, 3, 29, 1, 0)),
        (date(2026, 3, 29), 150, BERLIN, utc(2026, 3, 29, 1, 0)),
        (date(2026, 3, 29), 179, BERLIN, utc(2026, 3, 29, 1, 0)),
        (date(2026, 3, 29), 180, BERLIN, utc(2026, 3, 29, 1, 0)),
        (date(2026, 3, 29), 119, BERLIN, utc(2026, 3, 29, 0, 59)),
        # Berlin fall back 2026-10-25: 02:00..03:00 happens twice, fold=0 is CEST.
        (date(2026, 10, 25), 150, BERLIN, utc(2026, 10, 25, 0, 30)),
        (date(2026, 10, 25), 180, BERLIN, utc(2026, 10, 25, 2, 0)),
        # New York spring forward 2026-03-08 at 02:00 EST.
        (date(2026, 3, 8), 150, NEW_YORK, utc(2026, 3, 8, 7, 0)),
        (date(2026, 3, 8), 60, NEW_YORK, utc(2026, 3, 8, 6, 0)),
        # New York fall back 2026-11-01: 01:00..02:00 twice, fold=0 is EDT.
        (date(2026, 11, 1), 60, NEW_YORK, utc(2026, 11, 1, 5, 0)),
        (date(2026, 11, 1), 90, NEW_YORK, utc(2026, 11, 1, 5, 30)),
        (date(2026, 11, 1), 120, NEW_YORK, utc(2026, 11, 1, 7, 0)),
        # Half-hour and 45-minute zones.
        (date(2026, 3, 2), 9 * 60, ZoneInfo("Asia/Kolkata"), utc(2026, 3, 2, 3, 30)),
        (date(2026, 3, 2), 9 * 60, ZoneInfo("Asia/Kathmandu"), utc(2026, 3, 2, 3, 15)),
        # Santiago springs forward at midnight (2026-09-06 00:00 -> 01:00).
        (date(2026, 9, 6), 0, SANTIAGO, utc(2026, 9, 6, 4, 0)),
        (date(2026, 9, 5), 1440, SANTIAGO, utc(2026, 9, 6, 4, 0)),
        # ... and falls back at midnight (2026-04-05 00:00 -> 04-04 23:00).
        (date(2026, 4, 4), 1380, SANTIAGO, utc(2026, 4, 5, 2, 0)),
        (date(2026, 4, 4), 1440, SANTIAGO, utc(2026, 4, 5, 4, 0)),
        (date(2026, 4, 5), 0, SANTIAGO, utc(2026, 4, 5, 4, 0)),
    ],
)
def test_to_utc(day, minute, zone, expected):
    result = to_utc(day, minute, zone)
    assert result == expected
    assert result.tzinfo is UTC


def test_utc_seconds_is_exact_to_the_second():
    # 12:00:30 Berlin in winter is 11:00:30 UTC; on the spring-forward day 03:00:01 is 01:00:01 UTC.
    assert (
        utc_seconds(date(2026, 1, 15), 12 * 3600 + 30, BERLIN)
        == utc(2026, 1, 15, 11, 0, 30).timestamp()
    )
    assert (
        utc_seconds(date(2026, 3, 29), 3 * 3600 + 1, BERLIN)
        == utc(2026, 3, 29, 1, 0, 1).timestamp()
    )
    assert (
        utc_seconds(date(2026, 3, 29), 2 * 3600 + 1, BERLIN)
        == utc(2026, 3, 29, 1, 0, 0).timestamp()
    )


def test_expand_weekly_on_dst_days_gives_real_hours():
    windows = [WeeklyWindow(7, 9 * 60, 17 * 60), WeeklyWindow(7, 60, 240)]
    assert expand_weekly(windows, date(2026, 3, 29), date(2026, 3, 29), BERLIN) == [
        (utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 2, 0)),  # 01:00-04:00 is 2 real hours
        (utc(2026, 3, 29, 7, 0), utc(2026, 3, 29, 15, 0)),  # 09:00-17:00 is 8
    ]
    assert expand_weekly(windows, date(2026, 10, 25), date(2026, 10, 25), BERLIN) == [
        (utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 3, 0)),  # 4 real hours
        (utc(2026, 10, 25, 8, 0), utc(2026, 10, 25, 16, 0)),
    ]


def test_expand_weekly_by_weekday_and_to_next_midnight():
    windows = [WeeklyWindow(1, 22 * 60, 1440), WeeklyWindow(3, 0, 60)]
    result = expand_weekly(windows, date(2026, 3, 2), date(2026, 3, 9), NEW_YORK)
    assert result == [
        (utc(2026, 3, 3, 3, 0), utc(2026, 3, 3, 5, 0)),  # Mon 22:00-24:00 EST
        (utc(2026, 3, 4, 5, 0), utc(2026, 3, 4, 6, 0)),  # Wed 00:00-01:00 EST
        (utc(2026, 3, 10, 2, 0), utc(2026, 3, 10, 4, 0)),  # next Mon, now EDT
    ]


def test_window_inside_the_gap_is_empty_and_dropped():
    assert (
        expand_weekly([WeeklyWindow(7, 130, 170)], date(2026, 3, 29), date(2026, 3, 29), BERLIN)
        == []
    )


def test_date_range_utc_uses_the_zone():
    assert date_range_utc(date(2026, 3, 29), date(2026, 3, 29), BERLIN) == (
        utc(2026, 3, 28, 23, 0),
        utc(2026, 3, 29, 22, 0),
    )
    assert date_range_utc(date(2026, 11, 1), date(2026, 11, 2), NEW_YORK) == (
        utc(2026, 11, 1, 4, 0),
        utc(2026, 11, 3, 5, 0),
    )
