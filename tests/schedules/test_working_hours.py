"""Working hours: the week's rules, replacing it, copying a day."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import WorkingHours
from portal.schedules import working_hours as hours
from portal.schedules.errors import StaleChange
from tests import factories

W = hours.Window


def test_several_windows_a_day_that_touch_are_fine():
    assert hours.check_week([W(1, 540, 720), W(1, 720, 1020), W(2, 0, 1440)]) == []


@pytest.mark.parametrize(
    "windows, day, index, words",
    [
        ([W(1, 600, 540)], 1, 0, "before it starts"),
        ([W(3, 600, 600)], 3, 0, "before it starts"),
        ([W(2, 540, 720), W(2, 700, 800)], 2, 1, "overlaps 09:00–12:00"),
        ([W(2, 700, 800), W(2, 540, 720)], 2, 0, "overlaps 09:00–12:00"),
        ([W(4, 0, 1441)], 4, 0, "between 00:00 and 24:00"),
        ([W(6, 540, 600), W(6, 540, 600)], 6, 1, "overlaps 09:00–10:00"),
        ([W(8, 0, 60)], 8, 0, "1 (Monday) to 7"),
    ],
)
def test_broken_rules_are_reported_where_they_are(windows, day, index, words):
    problems = hours.check_week(windows)
    assert len(problems) == 1
    assert (problems[0].day_of_week, problems[0].index) == (day, index)
    assert words in problems[0].message


def test_every_problem_is_reported_at_once():
    problems = hours.check_week([W(1, 600, 540), W(5, 540, 720), W(5, 600, 660)])
    assert [(p.day_of_week, p.index) for p in problems] == [(1, 0), (5, 1)]


def test_replace_week_writes_exactly_the_new_week(app):
    alice = factories.agent()
    factories.weekly_hours(alice, [(8 * 60, 9 * 60)])
    week = hours.replace_week(db.session, alice.id, [W(2, 780, 1020), W(1, 540, 720)])
    assert week == [W(1, 540, 720), W(2, 780, 1020)]
    assert hours.get_week(db.session, alice.id) == week
    assert db.session.query(WorkingHours).count() == 2


def test_an_invalid_week_writes_nothing(app):
    alice = factories.agent()
    factories.weekly_hours(alice, [(8 * 60, 9 * 60)], days=[1])
    with pytest.raises(hours.InvalidWeek) as caught:
        hours.replace_week(db.session, alice.id, [W(1, 540, 720), W(1, 600, 700)])
    assert caught.value.status == 400 and "Monday" in caught.value.message
    assert hours.get_week(db.session, alice.id) == [W(1, 480, 540)]


def test_a_stale_version_is_refused_and_nothing_written(app):
    alice = factories.agent()
    shown = hours.week_version(hours.get_week(db.session, alice.id))
    hours.replace_week(db.session, alice.id, [W(1, 540, 600)], expected_version=shown)
    # A second save from the same old form must not overwrite the first.
    with pytest.raises(StaleChange):
        hours.replace_week(db.session, alice.id, [W(2, 540, 600)], expected_version=shown)
    assert hours.get_week(db.session, alice.id) == [W(1, 540, 600)]


def test_the_version_ignores_order():
    assert hours.week_version([W(1, 1, 2), W(2, 3, 4)]) == hours.week_version(
        [W(2, 3, 4), W(1, 1, 2)]
    )
    assert hours.week_version([W(1, 1, 2)]) != hours.week_version([W(1, 1, 3)])


def test_copy_a_day_replaces_the_target_days_only():
    week = [W(1, 540, 720), W(1, 780, 1020), W(2, 600, 660), W(3, 0, 60)]
    copied = hours.copy_day(week, 1, [2, 5, 1])
    assert copied == [
        W(1, 540, 720),
        W(1, 780, 1020),
        W(2, 540, 720),
        W(2, 780, 1020),
        W(3, 0, 60),
        W(5, 540, 720),
        W(5, 780, 1020),
    ]


def test_copying_an_empty_day_clears_the_targets():
    assert hours.copy_day([W(1, 540, 720), W(2, 540, 720)], 7, [1]) == [W(2, 540, 720)]
