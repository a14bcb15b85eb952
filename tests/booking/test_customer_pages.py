"""The public index and the picker pages: full pages and htmx partials."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Appointment, utcnow
from tests import factories
from tests.booking.web_support import labels, shop, slot_values, text  # noqa: F401

HX = {"HX-Request": "true"}
pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock


def test_index_links_each_active_service_to_its_booking_page(client, shop):
    factories.service([shop.alice], slug="closed", name="Closed Service", active=False)
    page = client.get("/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'href="/book/consult"' in body
    assert "Consultation" in text(page) and "30 minutes" in text(page)
    assert "Closed Service" not in body


def test_month_page_full_and_partial(client, shop):
    # The shop's month, named: in a month's last days the page opens on today's month.
    full = client.get(f"/book/consult?timezone=UTC&month={shop.day:%Y-%m}")
    assert full.status_code == 200
    assert "HX-Request" in full.headers["Vary"]
    body = full.get_data(as_text=True)
    assert body.lstrip().startswith("<!doctype html>")
    for root in (
        'id="picker"',
        'id="calendar"',
        'id="slots"',
        'aria-live="polite"',
        'id="timezones"',
    ):
        assert root in body
    # Free days are links that load the day with htmx and push the URL.
    day_url = f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC"
    assert f'href="{day_url}"' in body and f'hx-get="{day_url}"' in body
    assert 'hx-push-url="true"' in body
    # A day is chosen straight away, so times are visible without a click.
    assert slot_values(full)

    partial = client.get("/book/consult?timezone=UTC", headers=HX)
    assert partial.status_code == 200
    assert "HX-Request" in partial.headers["Vary"]
    fragment = partial.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="picker"')
    assert "<html" not in fragment and "<datalist" not in fragment

    # htmx restoring history after a cache miss wants the whole page.
    restore = client.get("/book/consult", headers=HX | {"HX-History-Restore-Request": "true"})
    assert restore.get_data(as_text=True).lstrip().startswith("<!doctype html>")


def test_day_page_full_and_partial(client, shop):
    url = f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC"
    full = client.get(url)
    assert full.status_code == 200 and "HX-Request" in full.headers["Vary"]
    assert 'id="picker"' in full.get_data(as_text=True)
    assert 'aria-current="date"' in full.get_data(as_text=True)

    partial = client.get(url, headers=HX)
    assert partial.status_code == 200 and "HX-Request" in partial.headers["Vary"]
    fragment = partial.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="slots"')
    assert 'id="calendar"' not in fragment
    starts = slot_values(partial)
    assert len(starts) == 16  # 09:00 .. 16:30
    assert starts[0] == shop.at(9).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Each slot button names the full date, time and zone, not only "9:00 AM".
    first = labels(partial)[0]
    assert first.startswith(shop.day.strftime("%A, %B ")) and str(shop.day.year) in first
    assert first.endswith("9:00 AM Coordinated Universal Time")


def test_times_are_shown_in_the_chosen_zone(client, shop):
    # 09:00 UTC is 18:00 in Tokyo (no DST there).
    partial = client.get(
        f"/book/consult/day/{shop.day.isoformat()}?timezone=Asia/Tokyo", headers=HX
    )
    page_text = text(partial)
    assert "6:00 PM" in page_text and "Asia/Tokyo" in page_text
    assert "Japan Standard Time" in page_text
    # Never raw ISO in what people read.
    assert "T09:00:00" not in page_text


def test_unknown_timezone_falls_back_with_a_message(client, shop):
    page = client.get("/book/consult?timezone=Mars/Olympus")
    assert page.status_code == 200
    assert "not a city, country or time zone we know" in text(page)
    assert 'id="timezone" name="timezone" type="text" list="timezones" value="UTC"' in (
        page.get_data(as_text=True)
    )


@pytest.mark.parametrize("typed", ["Tokyo", "tokyo", "Japan", "Tokyo, Japan", "Asia/Tokyo"])
def test_a_city_or_country_finds_its_zone(client, shop, typed):
    partial = client.get(
        f"/book/consult/day/{shop.day.isoformat()}", query_string={"timezone": typed}, headers=HX
    )
    page_text = text(partial)
    assert "6:00 PM" in page_text and "Asia/Tokyo" in page_text
    assert "we know" not in page_text


def test_an_unknown_place_keeps_the_zone_shown_before(client, shop):
    page = client.get(
        "/book/consult", query_string={"timezone": "Atlantis", "timezone_was": "Asia/Tokyo"}
    )
    assert page.status_code == 200
    page_text = text(page)
    assert "“Atlantis”: That is not a city, country or time zone we know" in page_text
    assert "Still showing Asia/Tokyo." in page_text
    assert 'list="timezones" value="Asia/Tokyo"' in page.get_data(as_text=True)


def test_a_country_with_several_zones_asks_for_a_city(client, shop):
    page = client.get(
        "/book/consult", query_string={"timezone": "Australia", "timezone_was": "Europe/Berlin"}
    )
    page_text = text(page)
    assert "Australia has several time zones; type a city, such as Sydney" in page_text
    assert "Still showing Europe/Berlin." in page_text


def test_month_navigation(client, shop):
    today = shop.day - timedelta(days=3)
    this_month = today.strftime("%Y-%m")
    page = client.get(f"/book/consult?timezone=UTC&month={this_month}")
    body = page.get_data(as_text=True)
    assert 'span id="month-prev"' in body  # nothing to book in the past
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert f"month={next_month.strftime('%Y-%m')}" in body
    later = client.get(
        f"/book/consult?timezone=UTC&month={next_month.strftime('%Y-%m')}", headers=HX
    )
    assert later.status_code == 200
    assert next_month.strftime("%B %Y") in text(later)
    assert 'a id="month-prev"' in later.get_data(as_text=True)
    # Beyond the horizon (60 days) nothing is free and there is no next month.
    far = client.get("/book/consult?timezone=UTC&month=2200-01")
    assert "Nothing is free in January 2200" in text(far)
    # A month beyond the bounded years (portal.domain.values) is ignored: the default shows.
    beyond = client.get("/book/consult?timezone=UTC&month=2999-01")
    assert beyond.status_code == 200 and "2999" not in text(beyond)


def test_named_agent_narrows_the_times(client, shop):
    factories.weekly_hours(factories.agent("carol@example.com", "Carol Cole"), [(9 * 60, 10 * 60)])
    from portal.models import User

    carol = db.session.query(User).filter_by(email="carol@example.com").one()
    shop.service.agents.append(carol)
    db.session.commit()
    url = f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC&agent={carol.id}"
    assert len(slot_values(client.get(url, headers=HX))) == 2
    page = client.get(f"/book/consult?timezone=UTC&agent={carol.id}")
    assert f'<option value="{carol.id}" selected>' in page.get_data(as_text=True)
    # An unknown agent id is treated as "any available".
    assert len(slot_values(client.get(url.replace(str(carol.id), "nobody"), headers=HX))) == 16


def test_day_without_times_says_so(client, shop):
    from portal.models import TimeException

    db.session.add(
        TimeException(from_date=shop.day, to_date=shop.day, agents=[shop.alice, shop.bob])
    )
    db.session.commit()
    partial = client.get(f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC", headers=HX)
    assert partial.status_code == 200
    assert slot_values(partial) == []
    assert "Nothing is free on this day" in text(partial)


def test_unknown_or_inactive_service_and_bad_day_are_404(client, shop):
    assert client.get("/book/nope").status_code == 404
    shop.service.active = False
    db.session.commit()
    assert client.get("/book/consult").status_code == 404
    shop.service.active = True
    db.session.commit()
    assert client.get("/book/consult/day/2026-13-45").status_code == 404
    assert client.get("/book/consult?month=garbage&day=nonsense").status_code == 200
