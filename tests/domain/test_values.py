"""portal.domain.values: each value type's one rule, and its bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.domain import values
from portal.domain.errors import Invalid


def refused(check, value, **options) -> Invalid:
    with pytest.raises(Invalid) as caught:
        check(value, "field", **options)
    assert caught.value.fields == {"field": caught.value.message}
    return caught.value


def test_time_zones_are_iana_names_and_never_paths():
    assert values.timezone_name(" Europe/Berlin ") == "Europe/Berlin"
    assert values.zone("UTC").key == "UTC"
    for bad in ("", "Moon/Base", "../../etc/passwd", "/etc/localtime", "Europe/../UTC", None, 3):
        refused(values.timezone_name, bad)
    assert values.zone_or_none("../etc") is None


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("asia/kolkata", "Asia/Kolkata"),
        ("Tokyo", "Asia/Tokyo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("sao paulo", "America/Sao_Paulo"),
        ("new york", "America/New_York"),
        ("Lord Howe", "Australia/Lord_Howe"),
        ("Japan", "Asia/Tokyo"),  # a country with one clock
        ("Germany", "Europe/Berlin"),  # Berlin and Busingen keep one clock
        ("Berlin, Germany", "Europe/Berlin"),
    ],
)
def test_a_zone_is_found_by_iana_name_city_or_country(typed, zone):
    assert values.find_zone(typed, "field").key == zone


def test_a_zone_search_refuses_what_it_cannot_place():
    assert "Sydney" in refused(values.find_zone, "Australia").message
    assert "several time zones" in refused(values.find_zone, "United States").message
    for bad in ("", "Atlantis", "x" * 65, "Moon\x00", None, 7, "../../etc/passwd"):
        refused(values.find_zone, bad)


def test_locales_have_one_stored_form():
    assert values.locale("en-GB") == values.locale("en_GB") == "en_GB"
    assert values.locale("de") == "de"
    for bad in ("", "xx_YY", "en-GB-" + "x" * 20, "\x00", None):
        refused(values.locale, bad)


def test_one_email_rule_lower_cases():
    assert values.email("  Cora@Example.ORG ") == "cora@example.org"
    for bad in ("a@x.test", "x@localhost", "nope", "", "a" * 250 + "@example.com", None):
        refused(values.email, bad)


def test_durations_are_bounded():
    assert values.duration("PT30M") == timedelta(minutes=30)
    assert values.duration("P400D") == timedelta(days=400)
    assert values.duration("PT0S", allow_zero=True) == timedelta(0)
    assert "P1D" in refused(values.duration, "PT25H", maximum=timedelta(days=1)).message
    for bad in (
        "P401D",
        "P1000000000D",
        "PT99999999999H",
        "P" + "9" * 50 + "D",
        "-PT1H",
        "PT0S",
        "",
        "P",
    ):
        refused(values.duration, bad)


def test_dates_lie_between_1900_and_2200():
    assert values.day("1900-01-01") == date(1900, 1, 1)
    assert values.day("2200-12-31") == date(2200, 12, 31)
    assert values.month("2030-2") == date(2030, 2, 1)
    for bad in ("1899-12-31", "2201-01-01", "9999-12-31", "0001-01-01"):
        assert refused(values.day, bad).code == "invalid_param"
    for bad in ("2030-02-30", "2030-1-1", "01/02/2030", ""):
        assert refused(values.day, bad).code == "invalid_datetime_format"
    for bad in ("2030-13", "9999-12", "1899-12"):
        refused(values.month, bad)


def test_date_times_are_aware_bounded_and_utc():
    assert values.aware_datetime("2030-03-01T10:00:00+01:00") == datetime(2030, 3, 1, 9, tzinfo=UTC)
    assert values.aware_datetime("2030-03-01T09:00Z") == datetime(2030, 3, 1, 9, tzinfo=UTC)
    assert refused(values.aware_datetime, "2030-03-01T09:00:00").code == "invalid_datetime_format"
    for bad in (
        "0001-01-01T00:00:00+14:00",
        "1900-01-01T00:00:00+14:00",
        "2200-12-31T23:00:00-12:00",
        "9999-12-31T23:59:59Z",
    ):
        assert refused(values.aware_datetime, bad).code == "invalid_param"
    near_end = "2200-12-01T00:00:00Z"
    assert (
        "end of 2200" in refused(values.aware_datetime, near_end, span=timedelta(days=31)).message
    )
    with pytest.raises(Invalid):
        values.bounded_instant(datetime(2030, 1, 1), "start")  # naive
