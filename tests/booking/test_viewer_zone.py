"""One zone for the viewer on every page (issue 16): booked in New York from a London browser.

The browser's zone reaches the server in the ``portal_browser_zone`` cookie (set by portal.js);
a zone chosen in the picker (or named by ``?timezone=``) wins over it, for the whole session.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import dates as babel_dates
from sqlalchemy import select

from portal.extensions import db
from portal.models import Appointment
from tests import factories
from tests.booking.web_support import (
    details,
    enter_code,
    hidden,
    iso,
    last_code,
    manage_path,
    shop,
    slot_values,
    text,
)  # noqa: F401

pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
HX = {"HX-Request": "true"}


def clock(moment: datetime, zone: ZoneInfo) -> str:
    """A time as the pages write it (English, short), e.g. "9:00 AM"."""
    return babel_dates.format_time(moment, "short", tzinfo=zone, locale="en").replace("\u202f", " ")


def london_browser(app):
    client = app.test_client()
    client.set_cookie("portal_browser_zone", "Europe/London")
    return client


def book_in_new_york(app, client, shop, start: datetime):
    """The picker in New York times, a time clicked, details and code: the confirmation."""
    page = client.get(f"/book/consult?timezone=America/New_York&day={shop.day.isoformat()}")
    assert iso(start) in slot_values(page)
    chosen = client.post(
        "/book/consult/hold",
        data={"start": iso(start), "timezone": "America/New_York", "agent": "any"},
    )
    assert chosen.status_code == 303, text(chosen)
    form_page = client.get(chosen.location)
    code_page = details(client, shop, hidden(form_page, "h"))
    done = enter_code(client, shop, code_page, last_code(app, "cora@example.org"))
    assert done.status_code == 303, text(done)
    return client.get(done.location)


def test_a_zone_chosen_in_new_york_is_kept_on_every_page_of_a_london_browser(app, shop):
    client = london_browser(app)
    start = shop.at(14)
    ny, london = clock(start, NEW_YORK), clock(start, LONDON)
    confirmation = book_in_new_york(app, client, shop, start)
    assert db.session.scalars(select(Appointment)).one().timezone == "America/New_York"
    assert f"{ny} – " in text(confirmation) and "New York" in text(confirmation)

    # The manage link, in the same browser: New York everywhere, nothing in London time.
    path = manage_path(confirmation)
    page = text(client.get(path + "?open=reschedule"))
    assert "America/New York" in page and f"{ny} – " in page
    assert f"Booked now {shop.day.strftime('%A')}" in page
    assert re.search(rf"Booked now [^:]*{re.escape(ny)} New York", page), page
    assert london not in page and "Greenwich Mean Time" not in page

    # Rescheduling: the banner says the new time in the same zone, and names it.
    later = start + timedelta(hours=1)
    chosen = {"start": iso(later), "timezone": "America/New_York"}
    step = client.post(f"{path}/reschedule", data=chosen)
    assert step.status_code == 200 and "New York" in text(step)  # the confirm step
    moved = client.post(f"{path}/reschedule/confirm", data=chosen)
    assert moved.status_code == 303
    after = text(client.get(moved.location))
    assert f"Done: your appointment is now on {shop.day.strftime('%A')}" in after
    assert f"{clock(later, NEW_YORK)} New York." in after
    assert "Greenwich Mean Time" not in after and clock(later, LONDON) not in after


def test_another_browser_sees_its_own_time_and_the_appointments(app, shop):
    booker = london_browser(app)
    start = shop.at(14)
    confirmation = book_in_new_york(app, booker, shop, start)
    path = manage_path(confirmation)

    # The link opened in a fresh London browser that chose nothing: London first, each
    # time named by its city, New York's in brackets.
    visitor = london_browser(app)
    page = text(visitor.get(path + "?open=reschedule"))
    both = f"{clock(start, LONDON)} – {clock(start + timedelta(minutes=30), LONDON)} London"
    assert f"{both} ({clock(start, NEW_YORK)} – " in page
    assert "Europe/London" in page
    assert f"{clock(start, LONDON)} London ({clock(start, NEW_YORK)} New York)" in page
    partial = text(visitor.get(path + "?month=" + shop.day.strftime("%Y-%m"), headers=HX))
    assert f"{clock(start, LONDON)} London ({clock(start, NEW_YORK)} New York)" in partial

    # /my, signed in by the booking in the first browser (its chosen zone: New York).
    mine = text(booker.get("/my"))
    assert f"{clock(start, NEW_YORK)} – " in mine and "New York" in mine
    assert clock(start, LONDON) not in mine


def test_a_choice_wins_over_the_browsers_zone_and_links_still_name_one(app, shop):
    client = london_browser(app)
    first = client.get(f"/book/consult?day={shop.day.isoformat()}")
    assert 'value="Europe/London"' in first.get_data(as_text=True)  # detected, one render
    client.get("/book/consult?timezone=America/New_York")  # the visitor picks New York
    again = client.get(f"/book/consult/day/{shop.day.isoformat()}")
    assert 'value="America/New_York"' in again.get_data(as_text=True)
    shared = client.get(f"/book/consult?timezone=Asia/Tokyo&day={shop.day.isoformat()}")
    assert 'value="Asia/Tokyo"' in shared.get_data(as_text=True)
    # Another visitor's choice does not leak through the shared picker cache.
    assert 'value="Europe/London"' in london_browser(app).get("/book/consult").get_data(
        as_text=True
    )


def test_the_taken_message_keeps_the_chosen_zone_and_day_on_a_get_address(app, shop):
    client = london_browser(app)
    page = client.get(f"/book/consult?timezone=America/New_York&day={shop.day.isoformat()}")
    start = shop.at(14)
    assert iso(start) in slot_values(page)
    factories.appointment(shop.service, shop.alice, start)
    factories.appointment(shop.service, shop.bob, start)
    taken = client.post(
        "/book/consult/hold",
        data={"start": iso(start), "timezone": "America/New_York", "agent": "any"},
    )
    assert taken.status_code == 409
    seen = text(taken)
    assert "That time was just taken. Please pick another." in seen
    assert "America/New York" in seen and shop.day.strftime("%B") in seen
    body = taken.get_data(as_text=True)
    address = re.search(r'data-page-address="([^"]+)"', body).group(1)
    assert "timezone=America/New_York" in address.replace("%2F", "/")
    assert f"day={shop.day.isoformat()}" in address
    # The GET address (Reload) shows the same zone and day, without re-posting.
    again = client.get(address.replace("&amp;", "&"))
    assert again.status_code == 200 and 'value="America/New_York"' in again.get_data(as_text=True)
    # And the zone stays chosen for pages that do not name it.
    assert 'value="America/New_York"' in client.get("/book/consult").get_data(as_text=True)


def test_a_zone_named_by_a_cached_page_is_remembered_too(app, shop):
    address = f"/book/consult?timezone=America/New_York&day={shop.day.isoformat()}"
    london_browser(app).get(address)  # another visitor's visit fills the shared cache
    client = london_browser(app)
    assert client.get(address).status_code == 200  # from the cache
    assert 'value="America/New_York"' in client.get("/book/consult").get_data(as_text=True)
