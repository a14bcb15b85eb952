"""Webhooks end to end: subscribe, book, run the sender; a real HTTP endpoint receives."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from portal.booking import interaction, operations
from portal.booking.operations import Customer
from portal.delivery import send_due
from portal.extensions import db
from portal.models import OutboxChannel, OutboxMessage, OutboxStatus
from tests import factories
from tests.clock import TEST_NOW
from tests.webhooks.receiver import Receiver

START = datetime.combine(TEST_NOW.date() + timedelta(days=1), datetime.min.time(), UTC).replace(
    hour=10
)


@pytest.fixture
def service(app):
    agent = factories.agent()
    factories.weekly_hours(agent, [(9 * 60, 17 * 60)])
    return factories.service([agent])


def subscribe(client, auth, url: str, events=("appointment.created",)) -> dict:
    response = client.post("/api/webhooks", json={"url": url, "events": list(events)}, headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def book_through_api(client, auth, service) -> dict:
    response = client.post(
        "/api/appointments/",
        json={
            "serviceId": str(service.id),
            "start": START.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timezone": "Europe/Berlin",
            "customer": {
                "name": {"firstName": "Cora", "lastName": "Customer"},
                "contact": {"primaryEmail": "cora@example.org"},
            },
        },
        headers=auth,
    )
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def verified(secret: str, delivery) -> dict:
    return Webhook(secret).verify(delivery.body, delivery.headers)


def test_a_booking_reaches_the_endpoint_signed(client, admin_auth, service, receiver):
    subscription = subscribe(client, admin_auth, receiver.url)
    appointment = book_through_api(client, admin_auth, service)

    report = send_due()

    assert report.sent >= 1
    [delivery] = receiver.received
    assert delivery.path == "/hooks"
    assert delivery.headers["content-type"] == "application/json"
    payload = verified(subscription["secret"], delivery)
    assert payload["type"] == "appointment.created"
    assert payload["timestamp"] == TEST_NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    # The API's own staff view of the appointment.
    assert payload["data"] == appointment | {"lastUpdated": payload["data"]["lastUpdated"]}
    assert payload["data"]["id"] == appointment["id"]
    assert payload["data"]["status"] == "SCHEDULED"
    assert send_due().sent == 0  # delivered once


def test_a_wrong_secret_does_not_verify(client, admin_auth, service, receiver):
    subscribe(client, admin_auth, receiver.url)
    other = subscribe(client, admin_auth, receiver.url + "/other", events=["appointment.ended"])
    book_through_api(client, admin_auth, service)
    send_due()
    [delivery] = receiver.received
    with pytest.raises(Exception, match="signature"):
        verified(other["secret"], delivery)


def test_a_failed_delivery_is_retried_with_the_same_webhook_id(
    client, admin_auth, service, receiver, fixed_clock
):
    subscription = subscribe(client, admin_auth, receiver.url)
    receiver.answers.extend([500])
    book_through_api(client, admin_auth, service)

    first = send_due()
    assert first.retrying == 1
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.WEBHOOK)
    )
    assert row.status == OutboxStatus.PENDING
    assert "HTTP 500" in row.last_error
    assert send_due().handled == 0  # backing off

    fixed_clock.shift(timedelta(minutes=2))
    second = send_due()

    assert second.sent == 1
    failed, delivered = receiver.received
    assert failed.headers["webhook-id"] == delivered.headers["webhook-id"]
    assert failed.body == delivered.body
    assert verified(subscription["secret"], delivered)["type"] == "appointment.created"
    db.session.refresh(row)
    assert row.status == OutboxStatus.SENT


def test_redirects_are_not_followed(client, admin_auth, service, receiver):
    with Receiver() as elsewhere:
        receiver.redirect_to = elsewhere.url
        receiver.answers.extend([307])
        subscribe(client, admin_auth, receiver.url)
        book_through_api(client, admin_auth, service)
        report = send_due()
        assert report.retrying == 1
        assert "HTTP 307" in report.errors[0]
        assert elsewhere.received == []


def test_an_unreachable_endpoint_is_retried(client, admin_auth, service):
    with Receiver() as gone:
        url = gone.url
    subscribe(client, admin_auth, url)
    book_through_api(client, admin_auth, service)
    report = send_due()
    assert report.retrying == 1
    assert "ConnectionError" in report.errors[0]


def test_every_lifecycle_change_emits_its_event(client, admin_auth, service, receiver):
    subscription = subscribe(
        client,
        admin_auth,
        receiver.url,
        events=[
            "appointment.created",
            "appointment.rescheduled",
            "appointment.reassigned",
            "appointment.activated",
            "appointment.ended",
            "appointment.cancelled",
        ],
    )
    other_agent = factories.agent("bob@example.com", "Bob Agent")
    factories.weekly_hours(other_agent, [(9 * 60, 17 * 60)])
    service.agents.append(other_agent)
    db.session.commit()
    customer = Customer("Cora", "Customer", "cora@example.org")

    appointment = operations.book(
        db.session, service, START, customer, agent_id=service.agents[0].id
    )
    db.session.commit()
    operations.reschedule(db.session, appointment, START + timedelta(hours=1))
    db.session.commit()
    target = next(a for a in service.agents if a.id != appointment.organizer_id)
    operations.reassign(db.session, appointment, target.id)
    db.session.commit()
    interaction.activate(db.session, appointment)
    interaction.activate(db.session, appointment)  # already open: no second event
    db.session.commit()
    interaction.end(db.session, appointment)
    db.session.commit()
    second = operations.book(db.session, service, START + timedelta(hours=3), customer)
    db.session.commit()
    operations.cancel(db.session, second, "No longer needed")
    db.session.commit()

    send_due()

    payloads = [verified(subscription["secret"], d) for d in receiver.received]
    assert sorted(p["type"] for p in payloads) == sorted(
        [
            "appointment.created",
            "appointment.rescheduled",
            "appointment.reassigned",
            "appointment.activated",
            "appointment.ended",
            "appointment.created",
            "appointment.cancelled",
        ]
    )
    by_type = {p["type"]: p["data"] for p in payloads}
    assert by_type["appointment.reassigned"]["organizer"]["id"] == str(target.id)
    assert by_type["appointment.ended"]["interaction"]["state"] == "ENDED"
    assert by_type["appointment.cancelled"]["cancellationReason"] == "No longer needed"


def test_only_the_events_asked_for_are_queued(client, admin_auth, service):
    subscribe(client, admin_auth, "http://127.0.0.1:9/hooks", events=["appointment.cancelled"])
    book_through_api(client, admin_auth, service)
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.WEBHOOK)
    ).all()
    assert rows == []


def test_a_refused_booking_queues_no_delivery(client, admin_auth, service):
    subscribe(client, admin_auth, "http://127.0.0.1:9/hooks")
    book_through_api(client, admin_auth, service)
    again = client.post(
        "/api/appointments/",
        json={
            "serviceId": str(service.id),
            "start": START.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timezone": "UTC",
            "customer": {"name": {"firstName": "Dan", "lastName": "Late"}},
        },
        headers=admin_auth,
    )
    assert again.status_code == 409
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.WEBHOOK)
    ).all()
    assert len(rows) == 1  # the first booking's only


def test_a_deleted_subscription_drops_its_pending_deliveries(client, admin_auth, service):
    subscription = subscribe(client, admin_auth, "http://127.0.0.1:9/hooks")
    book_through_api(client, admin_auth, service)
    deleted = client.delete(f"/api/webhooks/{subscription['id']}", headers=admin_auth)
    assert deleted.status_code == 204
    report = send_due()  # only the agent's own notice is left to send: no delivery is tried
    assert (report.retrying, report.failed) == (0, 0)
    pending = select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.WEBHOOK)
    assert db.session.scalars(pending).all() == []


def test_a_switched_off_subscription_gets_nothing_pending(client, admin_auth, service, receiver):
    subscription = subscribe(client, admin_auth, receiver.url)
    book_through_api(client, admin_auth, service)
    client.patch(f"/api/webhooks/{subscription['id']}", json={"active": False}, headers=admin_auth)
    report = send_due()
    assert report.dropped == 1
    assert receiver.received == []


def test_the_payload_is_json_with_type_timestamp_and_data(client, admin_auth, service):
    subscribe(client, admin_auth, "http://127.0.0.1:9/hooks")
    book_through_api(client, admin_auth, service)
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.WEBHOOK)
    )
    assert set(json.loads(row.text_body)) == {"type", "timestamp", "data"}


def test_send_time_check_refuses_private_addresses(receiver):
    from portal.webhooks.delivery import WebhookRequest, post
    from portal.webhooks.signing import new_secret
    from portal.webhooks.targets import TargetRefused

    request = WebhookRequest(
        url=receiver.url, body="{}", message_id="msg_1", secret=new_secret(), block_private=True
    )
    with pytest.raises(TargetRefused):
        post(request)
    assert receiver.received == []
    assert post(WebhookRequest(receiver.url, "{}", "msg_1", new_secret(), False)) == 200
