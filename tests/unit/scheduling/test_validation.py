from datetime import date, datetime

import pytest

from portal.scheduling import (
    ValidationError,
    ensure_valid,
    format_hhmm,
    parse_hhmm,
    validate_office_hours,
    validate_service_time_slot,
    validate_time_exception,
)


@pytest.mark.parametrize(
    ("text", "minute"),
    [
        ("00:00", 0),
        ("09:30", 570),
        ("9:30", 570),
        # 12-hour clocks (issue 16): as English staff read and type them.
        ("9am", 540),
        ("9 AM", 540),
        ("9:30 AM", 570),
        ("9:30\u202fPM", 1290),
        ("9:30 p.m.", 1290),
        ("12am", 0),
        ("12:15 PM", 735),
        ("23:59", 1439),
        ("24:00", 1440),
        ("10:00:00", 600),
    ],
)
def test_parse_hhmm(text, minute):
    assert parse_hhmm(text) == minute


@pytest.mark.parametrize(
    "text",
    ["", "9", "24:01", "25:00", "12:60", "ab:cd", "-1:00", "12:5", None, 570]
    + ["0am", "13pm", "9:60 AM", "9 xm", "am", "21:00 PM"],
)
def test_parse_hhmm_rejects(text):
    with pytest.raises(ValueError):
        parse_hhmm(text)


def test_format_hhmm():
    assert format_hhmm(0) == "00:00"
    assert format_hhmm(570) == "09:30"
    assert format_hhmm(1440) == "24:00"
    with pytest.raises(ValueError):
        format_hhmm(1441)


def office(**changes):
    values = {
        "name": "Lunch",
        "type": "lunchtime",
        "dow": "mon",
        "time_from": 43200,
        "time_to": 46800,
    }
    values.update(changes)
    return validate_office_hours(**values)


def test_office_hours_valid():
    assert office() == {}
    assert office(name="x" * 24, time_from=0, time_to=86400, type="weekends", dow="sun") == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 25}, "name"),
        ({"name": None}, "name"),
        ({"type": "holiday"}, "type"),
        ({"dow": "monday"}, "dow"),
        ({"dow": 1}, "dow"),
        ({"time_from": -1}, "time_from"),
        ({"time_to": 86401}, "time_to"),
        ({"time_from": "100"}, "time_from"),
        ({"time_from": True}, "time_from"),
        ({"time_from": 1.5}, "time_from"),
        ({"time_from": 3600, "time_to": 3600}, "time_to"),
        ({"time_from": 7200, "time_to": 3600}, "time_to"),
    ],
)
def test_office_hours_errors(changes, field):
    errors = office(**changes)
    assert list(errors) == [field]
    assert errors[field].endswith(".")


def exception(**changes):
    values = {
        "from_date": date(2026, 3, 2),
        "to_date": date(2026, 3, 2),
        "from_time": "10:00",
        "to_time": "12:00",
        "days_of_week": [],
        "color": "#1A2b3c",
        "agent_ids": ["agent-1"],
    }
    values.update(changes)
    return validate_time_exception(**values)


def test_time_exception_valid():
    assert exception() == {}
    assert exception(from_time=None, to_time=None, color=None) == {}
    assert exception(from_time="", to_time="24:00") == {}
    assert (
        exception(
            from_date="2026-03-02",
            to_date="2026-03-05T00:00:00Z",
            from_time="18:00",
            to_time="08:00",
        )
        == {}
    )
    assert exception(from_date=datetime(2026, 3, 2, 15), days_of_week=[1, 7]) == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"from_date": date(2026, 3, 3)}, "to_date"),
        ({"from_date": "yesterday"}, "from_date"),
        ({"to_date": None}, "to_date"),
        ({"from_time": "25:00"}, "from_time"),
        ({"to_time": "noon"}, "to_time"),
        ({"from_time": "12:00", "to_time": "10:00"}, "to_time"),
        ({"from_time": "12:00", "to_time": "12:00"}, "to_time"),
        ({"days_of_week": [0]}, "days_of_week"),
        ({"days_of_week": [8]}, "days_of_week"),
        ({"days_of_week": "1,2"}, "days_of_week"),
        ({"days_of_week": [1], "from_time": "18:00", "to_time": "08:00"}, "to_time"),
        ({"color": "red"}, "color"),
        ({"color": "#12345"}, "color"),
        ({"color": "#1234567"}, "color"),
        ({"agent_ids": []}, "agent_ids"),
        ({"agent_ids": None}, "agent_ids"),
    ],
)
def test_time_exception_errors(changes, field):
    errors = exception(**changes)
    assert list(errors) == [field]


def test_time_exception_to_midnight_of_the_same_day_is_not_empty_but_24_to_00_is():
    assert exception(from_time="23:00", to_time=None) == {}
    errors = exception(to_date=date(2026, 3, 3), from_time="24:00", to_time="00:00")
    assert list(errors) == ["to_time"]


def slot(**changes):
    values = {"day_of_week": 1, "from_time": "09:00", "to_time": "17:00", "available": True}
    values.update(changes)
    return validate_service_time_slot(**values)


def test_service_time_slot():
    assert slot() == {}
    assert slot(day_of_week=7, to_time="24:00", available=False) == {}
    assert list(slot(day_of_week=0)) == ["day_of_week"]
    assert list(slot(day_of_week=8)) == ["day_of_week"]
    assert list(slot(from_time="17:00")) == ["to_time"]
    assert list(slot(from_time=None)) == ["from_time"]
    assert list(slot(to_time="17:70")) == ["to_time"]
    assert list(slot(available="yes")) == ["available"]


def test_several_errors_are_reported_together_and_can_be_raised():
    errors = validate_office_hours(name="", type="x", dow="y", time_from=None, time_to=None)
    assert set(errors) == {"name", "type", "dow", "time_from", "time_to"}
    with pytest.raises(ValidationError) as raised:
        ensure_valid(errors)
    assert raised.value.errors == errors
    ensure_valid({})
