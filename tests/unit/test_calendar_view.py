"""portal.web.calendar_view: pure layout of staff calendars (wall clock, DST, lanes, months)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, UTC
from zoneinfo import ZoneInfo

from portal.web import calendar_view as cv

UTC = UTC
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def item(key: str, start: datetime, minutes: int = 30, **kw) -> cv.CalendarItem:
    return cv.CalendarItem(
        key=key, start=start, end=start + timedelta(minutes=minutes), title=key, **kw
    )


def week(anchor: date) -> list[cv.ColumnSpec]:
    return [cv.ColumnSpec(day=d, label="") for d in cv.visible_days("week", anchor)]


def blocks(grid: cv.TimeGrid) -> dict[str, tuple[date, cv.Block]]:
    return {b.item.key: (c.spec.day, b) for c in grid.columns for b in c.blocks}


def test_day_spans_around_dst():
    assert cv.day_span(date(2026, 11, 1), NY) == (
        datetime(2026, 11, 1, 4, tzinfo=UTC),
        datetime(2026, 11, 2, 5, tzinfo=UTC),
    )
    start, end = cv.day_span(date(2026, 3, 29), BERLIN)
    assert end - start == timedelta(hours=23)
    change = cv.dst_change(date(2026, 3, 29), BERLIN)
    assert (change.forward, change.at_minute, change.minutes, change.span) == (
        True,
        120,
        60,
        (120, 180),
    )
    back = cv.dst_change(date(2026, 11, 1), NY)
    assert (back.forward, back.span, back.note) == (
        False,
        (60, 120),
        "Clocks go back 1 hour at 02:00",
    )
    assert cv.dst_change(date(2026, 11, 2), NY) is None


def test_blocks_sit_at_their_wall_clock_time_all_week():
    # 09:00 New York every day of the week that ends with the fall-back Sunday.
    items = [
        item(d.isoformat(), datetime(d.year, d.month, d.day, 9, tzinfo=NY).astimezone(UTC))
        for d in cv.visible_days("week", date(2026, 10, 28))
    ]
    grid = cv.time_grid(week(date(2026, 10, 28)), items, NY, now=NOW)
    placed = blocks(grid)
    assert {key: (day.isoformat(), b.top, b.bottom) for key, (day, b) in placed.items()} == {
        d.isoformat(): (d.isoformat(), 540, 570)
        for d in cv.visible_days("week", date(2026, 10, 28))
    }
    assert len({b.top_pct for _, b in placed.values()}) == 1  # one row for all seven


def test_blocks_across_the_changes():
    # 01:00 EST -> 03:30 EDT on the spring-forward night is 1.5 real hours.
    spring = item("spring", datetime(2026, 3, 8, 6, tzinfo=UTC), 90)
    # The repeated hour: 01:30 EDT and 01:30 EST.
    first = item("first", datetime(2026, 11, 1, 5, 30, tzinfo=UTC))
    second = item("second", datetime(2026, 11, 1, 6, 30, tzinfo=UTC))
    # 01:00 EDT to 01:00 EST is a whole real hour the wall clock does not show.
    loop = item("loop", datetime(2026, 11, 1, 5, tzinfo=UTC), 60)
    grid = cv.time_grid(
        [cv.ColumnSpec(date(2026, 3, 8), ""), cv.ColumnSpec(date(2026, 11, 1), "")],
        [spring, first, second, loop],
        NY,
        now=NOW,
    )
    placed = blocks(grid)
    assert (placed["spring"][1].top, placed["spring"][1].bottom) == (60, 210)
    assert placed["first"][1].top == placed["second"][1].top == 90
    assert (placed["loop"][1].top, placed["loop"][1].bottom) == (60, 120)
    assert grid.first_hour == 1
    lanes = {placed[k][1].lane for k in ("first", "second", "loop")}
    assert lanes == {0, 1, 2} and placed["first"][1].lanes == 3


def test_items_crossing_midnight_are_split_across_columns():
    late = item("late", datetime(2026, 5, 4, 21, tzinfo=UTC), 120)  # 23:00-01:00 Berlin
    grid = cv.time_grid(week(date(2026, 5, 4)), [late], BERLIN, now=NOW)
    parts = [
        (c.spec.day, b.top, b.bottom, b.continues_before, b.continues_after)
        for c in grid.columns
        for b in c.blocks
    ]
    assert parts == [
        (date(2026, 5, 4), 1380, 1440, False, True),
        (date(2026, 5, 5), 0, 60, True, False),
    ]
    assert (grid.first_hour, grid.last_hour) == (0, 24)


def test_visible_hours_widen_to_items_and_focus():
    grid = cv.time_grid(week(date(2026, 5, 4)), [], BERLIN, now=NOW)
    assert (grid.first_hour, grid.last_hour, grid.hour_count) == (8, 18, 10)
    assert grid.pct(8 * 60) == 0 and grid.pct(13 * 60) == 50
    early = item("early", datetime(2026, 5, 5, 5, 15, tzinfo=UTC))  # 07:15 Berlin
    focus = [
        (datetime(2026, 5, 6, 17, tzinfo=UTC), datetime(2026, 5, 6, 18, 30, tzinfo=UTC))
    ]  # until 20:30
    grid = cv.time_grid(week(date(2026, 5, 4)), [early], BERLIN, now=NOW, focus=focus)
    assert (grid.first_hour, grid.last_hour) == (7, 21)


def test_the_now_line_and_shades():
    now = datetime(2026, 5, 6, 10, 30, tzinfo=UTC)  # 12:30 Berlin, a Wednesday
    shade = cv.Shade(
        start=datetime(2026, 5, 6, 11, tzinfo=UTC),
        end=datetime(2026, 5, 6, 13, tzinfo=UTC),
        kind="off",
    )
    grid = cv.time_grid(week(date(2026, 5, 4)), [], BERLIN, now=now, shades=[shade])
    today = [c for c in grid.columns if c.is_today]
    assert [c.spec.day for c in today] == [date(2026, 5, 6)]
    assert today[0].now_minute == 750 and today[0].now_pct == grid.pct(750)
    assert [(s.top, s.bottom) for s in today[0].shades] == [(780, 900)]
    assert all(c.now_pct is None for c in grid.columns if not c.is_today)


def test_team_columns_only_show_their_owners_items():
    a, b = "agent-a", "agent-b"
    start = datetime(2026, 5, 6, 8, tzinfo=UTC)
    specs = [
        cv.ColumnSpec(date(2026, 5, 6), "A", owner=a),
        cv.ColumnSpec(date(2026, 5, 6), "B", owner=b),
    ]
    items = [item("x", start, owners=frozenset({a})), item("y", start, owners=frozenset({a, b}))]
    grid = cv.time_grid(specs, items, BERLIN, now=NOW)
    assert [[bl.item.key for bl in c.blocks] for c in grid.columns] == [["x", "y"], ["y"]]


def test_month_grid():
    items = [item(f"m{i}", datetime(2026, 3, 10, 8 + i, tzinfo=UTC)) for i in range(5)]
    items.append(
        item("sunday-early", datetime(2026, 3, 28, 23, 30, tzinfo=UTC))
    )  # 00:30 Mar 29 Berlin
    grid = cv.month_grid(date(2026, 3, 15), items, BERLIN, today=date(2026, 3, 10))
    days = {d.day: d for w in grid.weeks for d in w}
    assert len(grid.weeks) == 6 and grid.weeks[0][0].day == date(2026, 2, 23)
    tenth = days[date(2026, 3, 10)]
    assert [i.key for i in tenth.items] == ["m0", "m1", "m2"] and tenth.more == 2 and tenth.is_today
    assert [i.key for i in days[date(2026, 3, 29)].items] == ["sunday-early"]
    assert days[date(2026, 3, 28)].items == []
    assert not days[date(2026, 2, 28)].in_month


def test_a_lane_cap_keeps_the_first_lanes_and_counts_the_rest():
    start = datetime(2026, 5, 6, 8, tzinfo=UTC)
    items = [item(f"k{n}", start) for n in range(4)]  # four side by side
    items.append(item("later", start + timedelta(hours=2)))  # alone
    grid = cv.time_grid([cv.ColumnSpec(date(2026, 5, 6), "")], items, BERLIN, now=NOW, max_lanes=2)
    column = grid.columns[0]
    assert sorted(b.item.key for b in column.blocks) == ["k0", "k1", "later"]
    assert column.hidden == 2
    assert {b.item.key: (b.lane, b.lanes) for b in column.blocks} == {
        "k0": (0, 2),
        "k1": (1, 2),
        "later": (0, 1),
    }
    uncapped = cv.time_grid([cv.ColumnSpec(date(2026, 5, 6), "")], items, BERLIN, now=NOW)
    assert len(uncapped.columns[0].blocks) == 5 and uncapped.columns[0].hidden == 0


def test_month_grid_with_totals_counted_elsewhere():
    # The first three of a day of seven, as the team month loads them; the count comes apart.
    items = [item(f"m{i}", datetime(2026, 3, 10, 8 + i, tzinfo=UTC)) for i in range(3)]
    totals = {date(2026, 3, 10): 7, date(2026, 3, 11): 0}
    grid = cv.month_grid(date(2026, 3, 15), items, BERLIN, today=NOW.date(), totals=totals)
    days = {d.day: d for w in grid.weeks for d in w}
    tenth = days[date(2026, 3, 10)]
    assert [i.key for i in tenth.items] == ["m0", "m1", "m2"]
    assert (tenth.total, tenth.more) == (7, 4)
    assert (days[date(2026, 3, 11)].total, days[date(2026, 3, 11)].more) == (0, 0)


def test_navigation():
    assert cv.shift("day", date(2026, 3, 1), -1) == date(2026, 2, 28)
    assert cv.shift("week", date(2026, 3, 1), 1) == date(2026, 3, 8)
    assert cv.shift("month", date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert cv.shift("month", date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert cv.shift("month", date(2026, 1, 15), -1) == date(2025, 12, 15)
    assert cv.visible_days("week", date(2026, 3, 29))[0] == date(2026, 3, 23)
