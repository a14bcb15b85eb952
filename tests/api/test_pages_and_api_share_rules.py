"""Pages and the API share one set of rules (issue 7): a booking through either blocks the
slot for the other, and a reschedule through either sends the same notices."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Appointment, OutboxMessage, Role
from portal.notifications.defaults import add_default_templates
from portal.tokens import issue_token
from tests import factories
from tests.booking.web_support import book_through_pages, iso, shop  # noqa: F401
from tests.conftest import make_user, sign_in

pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock
CUSTOMER = {
    "name": {"firstName": "Ines", "lastName": "Integration"},
    "contact": {"primaryEmail": "ines@example.org"},
}


@pytest.fixture
def robot(app):
    user = make_user("robot@example.com", Role.CLIENT_SERVICE, password="", name="Robot")
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def picker_times(client, shop, agent) -> list[str]:
    """The times the customers' picker offers for ``agent`` on the shop's day (the htmx partial)."""
    response = client.get(
        f"/book/{shop.service.slug}/day/{shop.day.isoformat()}",
        query_string={"timezone": "UTC", "agent": str(agent.id)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    return re.findall(r'name="start" value="([^"]+)"', response.get_data(as_text=True))


def test_an_api_booking_blocks_the_slot_in_the_page_picker(app, client, shop, robot):
    start = shop.at(11)
    assert iso(start) in picker_times(client, shop, shop.alice)
    body = {
        "serviceId": str(shop.service.id),
        "start": iso(start),
        "organizerId": str(shop.alice.id),
        "customer": CUSTOMER,
    }
    assert client.post("/api/appointments/", json=body, headers=robot).status_code == 201
    assert iso(start) not in picker_times(client, shop, shop.alice)
    assert iso(start) in picker_times(client, shop, shop.bob)  # Bob is still free then


def test_a_page_booking_blocks_the_slot_for_the_api(app, client, shop, robot):
    start = shop.at(10)
    # Take 10:00 from both agents through the customer pages.
    book_through_pages(app, app.test_client(), shop, start, email="first@example.org")
    book_through_pages(app, app.test_client(), shop, start, email="second@example.org")
    body = {"serviceId": str(shop.service.id), "start": iso(start), "customer": CUSTOMER}
    refused = client.post("/api/appointments/", json=body, headers=robot)
    assert refused.status_code == 409 and refused.json["error"] == "slot_unavailable"
    slots = client.get(
        f"/api/services/{shop.service.id}/slots",
        query_string={"from": shop.day.isoformat(), "to": shop.day.isoformat(), "timezone": "UTC"},
    ).json
    assert iso(start) not in [slot["start"] for slot in slots]


def test_a_staff_page_reschedule_blocks_the_slot_for_the_api(app, client, shop, robot):
    appointment = factories.appointment(shop.service, shop.alice, shop.at(9))
    staff = app.test_client()
    sign_in(staff, "alice@example.com")
    moved = staff.post(
        f"/agent/appointments/{appointment.id}/reschedule", data={"start": iso(shop.at(15))}
    )
    assert moved.status_code == 303
    body = {
        "serviceId": str(shop.service.id),
        "start": iso(shop.at(15)),
        "organizerId": str(shop.alice.id),
        "customer": CUSTOMER,
    }
    assert client.post("/api/appointments/", json=body, headers=robot).status_code == 409
    body["start"] = iso(shop.at(9))  # the old time is free again
    assert client.post("/api/appointments/", json=body, headers=robot).status_code == 201


def notices(appointment_id: uuid.UUID, kind: str) -> list[tuple]:
    rows = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.appointment_id == appointment_id, OutboxMessage.type == kind
        )
    )
    return sorted(
        (m.channel.value, m.template_id, m.recipient, m.ics_method, m.subject) for m in rows
    )


def test_a_reschedule_sends_the_same_notices_through_page_and_api(app, client, shop, robot):
    add_default_templates(shop.service)
    db.session.commit()
    by_page = factories.appointment(shop.service, shop.alice, shop.at(9), title="Same title")
    by_api = factories.appointment(shop.service, shop.bob, shop.at(9), title="Same title")
    for appointment in (by_page, by_api):
        customer = appointment.customers[0]
        customer.phone = "+4930123456"
    db.session.commit()
    staff = app.test_client()
    sign_in(staff, "alice@example.com")
    assert (
        staff.post(
            f"/agent/appointments/{by_page.id}/reschedule", data={"start": iso(shop.at(14))}
        ).status_code
        == 303
    )
    api = client.put(
        "/api/appointments/reschedule/",
        json={"id": str(by_api.id), "start": iso(shop.at(14))},
        headers=robot,
    )
    assert api.status_code == 200, api.json
    page_notices = notices(by_page.id, "RESCHEDULE")
    api_notices = notices(by_api.id, "RESCHEDULE")
    assert page_notices, "the page reschedule queued notices"
    assert page_notices == api_notices
    # Reminders were re-rendered for the new time in both cases, alike.
    db.session.expire_all()
    for kind in ("REMINDER", "ROOM"):
        page_due = sorted(
            m.due_at - shop.at(14)
            for m in db.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.appointment_id == by_page.id,
                    OutboxMessage.type == kind,
                    OutboxMessage.schedule_start == shop.at(14),
                )
            )
        )
        api_due = sorted(
            m.due_at - shop.at(14)
            for m in db.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.appointment_id == by_api.id,
                    OutboxMessage.type == kind,
                    OutboxMessage.schedule_start == shop.at(14),
                )
            )
        )
        assert page_due == api_due
    assert (
        db.session.get(Appointment, by_page.id).start_at
        == db.session.get(Appointment, by_api.id).start_at
    )
