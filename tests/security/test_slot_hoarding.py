"""Attack: hoard bookable times through the booking pages (issue 13, finding 1).

The attack seen: with 30 fresh cookie jars from one address, clicking times emptied
a day on the public slots API, and repeating it every 10 minutes kept a week empty.
Now a time is held only once an e-mail was given and a code sent to it, one live
hold per e-mail and per browser session, and one client address holds for a limited
number of e-mail addresses an hour.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import SlotHold, utcnow
from tests.booking.web_support import (  # noqa: F401
    hold,
    hold_for,
    iso,
    outbox,
    shop,
    text,
)

pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock
LIMIT = 3


@pytest.fixture
def config_overrides() -> dict:
    return {"HOLDS_PER_ADDRESS_PER_HOUR": LIMIT}


def public_slots(app, shop) -> list[tuple[str, tuple[str, ...]]]:
    """The day's offered times and their free agents, as anyone reads them from the API."""
    answer = app.test_client().get(
        f"/api/services/{shop.service.id}/slots",
        query_string={"from": shop.day.isoformat(), "to": shop.day.isoformat(), "timezone": "UTC"},
    )
    assert answer.status_code == 200
    return [(slot["start"], tuple(sorted(slot["agentIds"]))) for slot in answer.get_json()]


def live_holds() -> list[SlotHold]:
    db.session.expire_all()
    return db.session.scalars(select(SlotHold).where(SlotHold.expires_at > utcnow())).all()


def test_thirty_fresh_sessions_clicking_times_take_no_slot(app, shop):
    before = public_slots(app, shop)
    assert len(before) == 16  # 09:00-17:00, half-hourly, two agents each
    for attempt in range(30):
        start, agents = before[attempt % len(before)]
        agent = agents[attempt % 2]
        clicked = app.test_client().post(  # a fresh cookie jar each time
            f"/book/{shop.service.slug}/hold",
            data={"start": start, "timezone": "UTC", "agent": agent},
        )
        assert clicked.status_code == 303, text(clicked)
    assert public_slots(app, shop) == before
    assert not live_holds()


def test_one_address_holds_for_a_limited_number_of_emails_an_hour(app, fixed_clock, shop):
    before = public_slots(app, shop)
    for number in range(LIMIT):
        answer = hold_for(app.test_client(), shop, shop.at(9 + number), f"p{number}@example.org")
        assert answer.status_code == 200, text(answer)
    # The next fresh session with yet another e-mail, from the same address: refused at the
    # e-mail field, with the form kept; nothing held, no code sent.
    sent = len(outbox(app))
    refused = hold_for(app.test_client(), shop, shop.at(14), "extra@example.org")
    assert refused.status_code == 429
    page = text(refused)
    assert "Too many bookings were started from your network" in page
    assert "Send me the code" in page and "Something went wrong" not in page
    assert refused.headers.get("Retry-After")
    assert len(live_holds()) == LIMIT and len(outbox(app)) == sent
    assert iso(shop.at(14)) in [start for start, _ in public_slots(app, shop)]
    # An address that held already may choose again for the same e-mail...
    again = hold_for(app.test_client(), shop, shop.at(15), "p0@example.org")
    assert again.status_code == 200, text(again)
    # ...another address is not held back...
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert hold_for(elsewhere, shop, shop.at(14), "other@example.org").status_code == 200
    # ...and an hour later the address may hold again.
    fixed_clock.shift(timedelta(hours=1, seconds=1))
    later = hold_for(app.test_client(), shop, shop.at(14), "extra@example.org")
    assert later.status_code == 200, text(later)
    assert len(public_slots(app, shop)) == len(before)  # the earlier holds have expired


def test_one_email_from_two_sessions_keeps_one_hold(app, shop):
    alice = str(shop.alice.id)
    first, second = app.test_client(), app.test_client()
    assert hold_for(first, shop, shop.at(10), "cora@example.org", agent=alice).status_code == 200
    assert hold_for(second, shop, shop.at(11), "cora@example.org", agent=alice).status_code == 200
    assert [(h.email, h.start_at) for h in live_holds()] == [("cora@example.org", shop.at(11))]
    free = dict(public_slots(app, shop))
    assert str(shop.alice.id) in free[iso(shop.at(10))]  # given back
    assert str(shop.alice.id) not in free[iso(shop.at(11))]


def test_one_session_holding_for_two_emails_keeps_one_hold(app, client, shop):
    assert hold_for(client, shop, shop.at(10), "cora@example.org").status_code == 200
    assert hold_for(client, shop, shop.at(11), "dan@example.org").status_code == 200
    assert [(h.email, h.start_at) for h in live_holds()] == [("dan@example.org", shop.at(11))]
