"""Finding 2: a read-only calendar feed must not give control of customers' bookings.

The attacker has one agent's feed URL (meant to be given to Google or Outlook). The
feed names each appointment by its id; the public exports by id are anonymous. None
of that may lead to a manage link: the exports carry none, and no token derivable
from the id (the old links were the id signed with the app's key) opens the page.
"""

from __future__ import annotations

import hashlib
import re
import uuid

import pytest
from icalendar import Calendar
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from portal.extensions import db
from portal.models import Appointment, AppointmentStatus, OutboxMessage
from portal.notifications.defaults import add_default_templates
from tests import factories
from tests.booking.web_support import (  # noqa: F401
    book_through_pages,
    manage_path,
    outbox,
    reload,
    shop,
    text,
)

pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock

MANAGE_IN_MAIL = re.compile(r"https?://[^\s\"<>]+(/manage/[A-Za-z0-9_\-]+)")


@pytest.fixture(autouse=True)
def _mails(shop):
    """The shop's service sends the default mails (confirmation and reminder, with links)."""
    add_default_templates(shop.service)
    db.session.commit()


def booked(app, client, shop) -> Appointment:
    book_through_pages(app, client, shop, shop.at(10))
    (appointment,) = db.session.scalars(select(Appointment)).all()
    return appointment


def derivable_tokens(app, appointment_id: uuid.UUID) -> list[str]:
    """Every token an attacker could make from the id (and, worst case, the app's key)."""
    key = app.config["SECRET_KEY"]
    old_link = URLSafeSerializer(key, salt="portal.manage-link").dumps(appointment_id.hex)
    return [
        old_link,  # the manage token before issue 13
        str(appointment_id),
        appointment_id.hex,
        hashlib.sha256(appointment_id.hex.encode()).hexdigest(),
        hashlib.sha256(str(appointment_id).encode()).hexdigest(),
    ]


def test_a_feed_url_gives_no_way_to_cancel(app, client, shop):
    appointment = booked(app, client, shop)
    feed_secret = factories.feed_secret(appointment.organizer)

    attacker = app.test_client()
    feed = attacker.get(f"/calendar/{feed_secret}.ics")
    assert feed.status_code == 200
    assert "/manage/" not in feed.get_data(as_text=True)
    ids = [
        uuid.UUID(str(event["UID"]).split("@", 1)[0])
        for event in Calendar.from_ical(feed.data).events
    ]
    assert ids == [appointment.id]

    for appointment_id in ids:
        ics = attacker.get(f"/api/cal/events/ical/{appointment_id}/event")
        google = attacker.get(f"/api/cal/events/google/{appointment_id}/event")
        assert ics.status_code == 200 and google.status_code == 302
        for exported in (ics.get_data(as_text=True), google.headers["Location"]):
            assert "/manage/" not in exported and "%2Fmanage%2F" not in exported
            assert "Reschedule or cancel" not in exported
        for token in derivable_tokens(app, appointment_id):
            assert attacker.get(f"/manage/{token}").status_code == 404, token
            cancel = attacker.post(f"/manage/{token}/cancel", data={"reason": "attack"})
            assert cancel.status_code == 404, token
            assert attacker.post(f"/manage/{token}/new-link").status_code == 404, token

    assert reload(appointment).status == AppointmentStatus.SCHEDULED


def test_the_customers_own_links_still_work(app, client, shop):
    """The 404s above are the attack failing, not the page: the customer's links open it."""
    confirmation = book_through_pages(app, client, shop, shop.at(11))
    page_link = manage_path(confirmation)
    mailed = {
        match.group(1)
        for message in db.session.scalars(select(OutboxMessage))
        for match in MANAGE_IN_MAIL.finditer(message.text_body)
    }
    assert mailed and page_link not in mailed  # each hand-out has its own link
    for path in (page_link, *mailed):
        assert app.test_client().get(path).status_code == 200


def test_send_me_a_new_link_retires_every_old_one(app, client, shop):
    confirmation = book_through_pages(app, client, shop, shop.at(12))
    (appointment,) = db.session.scalars(select(Appointment)).all()
    page_link = manage_path(confirmation)
    mailed = {
        match.group(1)
        for message in db.session.scalars(select(OutboxMessage))
        for match in MANAGE_IN_MAIL.finditer(message.text_body)
    }
    page = client.get(page_link)
    assert "Send me a new link" in text(page)

    sent = client.post(f"{page_link}/new-link")
    assert sent.status_code == 303
    said = client.get(sent.location)
    assert "We have e-mailed a new link" in text(said)
    assert "no longer work" in text(said)

    for old in (page_link, *mailed):
        assert client.get(old).status_code == 404, old
        assert client.post(f"{old}/cancel", data={"reason": "x"}).status_code == 404

    db.session.expire_all()
    (new_link_mail,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.type == "MANAGE_LINK")
    ).all()
    assert new_link_mail.recipient == "cora@example.org"
    assert new_link_mail.appointment_id == appointment.id
    new_path = MANAGE_IN_MAIL.search(new_link_mail.text_body).group(1)
    assert new_path not in (page_link, *mailed)
    # Mails still waiting (the reminder) now carry the new link, not a dead one.
    waiting = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.appointment_id == appointment.id, OutboxMessage.type == "REMINDER"
        )
    ).all()
    assert waiting
    for message in waiting:
        assert new_path in message.text_body and message.manage_link.endswith(new_path)

    fresh = app.test_client()
    assert fresh.get(new_path).status_code == 200
    cancelled = fresh.post(f"{new_path}/cancel", data={"reason": "Plans changed"})
    assert cancelled.status_code == 303
    assert reload(appointment).status == AppointmentStatus.CANCELLED


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_a_new_link_needs_the_pages_csrf_token(app, client, shop):
    appointment = factories.appointment(shop.service, shop.alice, shop.at(13))
    token = factories.manage_token(appointment)
    forged = app.test_client().post(f"/manage/{token}/new-link")
    assert forged.status_code == 400
    assert client.get(f"/manage/{token}").status_code == 200  # still live


def test_no_new_link_without_an_address_to_send_it_to(app, client, shop):
    """Revoking with nowhere to send the new link would lock the customer out: refused first."""
    appointment = factories.appointment(shop.service, shop.alice, shop.at(14))
    for participant in appointment.customers:
        participant.email = None
        participant.phone = "+49 30 1234567"
    db.session.commit()
    token = factories.manage_token(appointment)
    refused = client.post(f"/manage/{token}/new-link")
    assert refused.status_code == 409 and "no e-mail address" in text(refused)
    assert client.get(f"/manage/{token}").status_code == 200
