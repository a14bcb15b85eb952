"""Finding 6 (issue 13): a customer's API token saw staff data on its own appointment.

A customer reads their booking in the customer's view (``lifecycle.sees_staff_details``
is false for them): their times, the service, status, title, the agent's name, their
own participant entry and the video link while the room is open. The attack reads
the raw answers and searches them for every staff value planted in the appointment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Appointment, Participant, ParticipantType, Role, RoomTicket, User
from portal.models import utcnow
from portal.notifications.defaults import add_default_templates
from portal.tokens import issue_token
from tests import factories
from tests.conftest import make_user

CUSTOMER = "cora@example.org"
ROOM_URL = "https://meet.example/room-for-cora"
# Staff values planted in the appointment; none may reach the customer.
STAFF_NOTES = "staff-note-4711: pays late, offer no discount"
METADATA_VALUE = "crm-meta-0815"
CUSTOM_FIELD_VALUE = "custom-field-2342"
PARTICIPANT_METADATA_VALUE = "participant-meta-1337"
REFERENCE = "ext-ref-9999"
TEMPLATE_TEXT = "template-body-secret-5150"
OTHER_GUEST = "gus.guest@example.org"


@dataclass
class Booking:
    appointment: Appointment
    alice: User
    bob: User
    staff_values: list[str]


@pytest.fixture
def booking(app) -> Booking:
    alice = factories.agent("alice.staff@example.com", "Alice Agent")
    bob = factories.agent("bob.staff@example.com", "Bob Agent")
    for agent in (alice, bob):
        factories.weekly_hours(agent, [(0, 1440)])
    service = factories.service([alice, bob], horizon_days=60)
    add_default_templates(service)
    service.templates[0].text_body = f"Dear {{{{firstName}}}}, {TEMPLATE_TEXT}"
    db.session.commit()
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    item = factories.appointment(
        service,
        alice,
        start,
        notes=STAFF_NOTES,
        metadata_={"crm": METADATA_VALUE},
        custom_fields={"cf": CUSTOM_FIELD_VALUE},
        reference=REFERENCE,
    )
    item.customers[0].metadata_ = {"crmContact": PARTICIPANT_METADATA_VALUE}
    item.participants.append(
        Participant(
            type=ParticipantType.AGENT,
            user=bob,
            is_organizer=False,
            first_name="Bob",
            last_name="Agent",
            email=bob.email,
        )
    )
    item.participants.append(
        Participant(
            type=ParticipantType.CUSTOMER, first_name="Gus", last_name="Guest", email=OTHER_GUEST
        )
    )
    item.room_tickets.append(
        RoomTicket(url=ROOM_URL, type="MULTI_USE_TICKET", expires_at=start + timedelta(hours=2))
    )
    db.session.commit()
    staff_values = [
        STAFF_NOTES,
        METADATA_VALUE,
        CUSTOM_FIELD_VALUE,
        PARTICIPANT_METADATA_VALUE,
        REFERENCE,
        TEMPLATE_TEXT,
        OTHER_GUEST,
        alice.email,
        bob.email,
        str(alice.id),
        str(bob.id),
        *(str(p.id) for p in item.agents),
    ]
    return Booking(item, alice, bob, staff_values)


def mailed_code(app, email: str) -> str:
    messages = [m for m in getattr(app.extensions["mailman"], "outbox", []) if email in m.to]
    assert messages, f"no mail to {email}"
    return re.search(r"\b(\d{6})\b", messages[-1].subject + " " + messages[-1].body).group(1)


def customer_headers(app, client) -> dict:
    """A customer bearer, the way a customer gets one: a sign-in code by e-mail."""
    assert (
        client.post("/api/otp", json={"email": CUSTOMER, "purpose": "sign-in"}).status_code == 202
    )
    answer = client.post(
        "/api/otp/verify", json={"email": CUSTOMER, "code": mailed_code(app, CUSTOMER)}
    )
    assert answer.status_code == 200, answer.json
    return {"Authorization": f"Bearer {answer.json['accessToken']}"}


def leaked(body: str, booking: Booking) -> list[str]:
    return [value for value in booking.staff_values if value.lower() in body.lower()]


def test_customer_token_reads_its_appointment_without_staff_data(app, client, booking):
    headers = customer_headers(app, client)
    response = client.get(f"/api/appointments/{booking.appointment.id}", headers=headers)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert leaked(body, booking) == []
    for key in ("notes", "metadata", "notifications", "customFields", "organizer", "reference"):
        assert f'"{key}"' not in body, key
    # What the customer needs is there.
    view = response.json
    assert view["title"] == booking.appointment.title
    assert view["agent"] == {"name": "Alice Agent"}
    assert view["room"]["url"] == ROOM_URL
    assert [p["contact"]["primaryEmail"] for p in view["participants"]] == [CUSTOMER]


def test_customer_token_reads_only_its_own_participant_entry(app, client, booking):
    headers = customer_headers(app, client)
    base = f"/api/appointments/{booking.appointment.id}/participants"
    for participant in booking.appointment.participants:
        response = client.get(f"{base}/{participant.id}", headers=headers)
        if participant.email == CUSTOMER:
            assert response.status_code == 200
            assert leaked(response.get_data(as_text=True), booking) == []
            assert response.json["contact"]["primaryEmail"] == CUSTOMER
        else:  # the agents' entries and the other guest's
            assert response.status_code == 404, participant.email
            assert leaked(response.get_data(as_text=True), booking) == []


def test_the_customers_own_booking_answer_is_the_customer_view(app, client, booking):
    service = booking.appointment.service
    client.post("/api/otp", json={"email": "erika@example.org"})
    start = booking.appointment.start_at + timedelta(hours=2)
    response = client.post(
        "/api/appointments/basic",
        json={
            "serviceId": str(service.id),
            "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "customer": {"name": {"firstName": "Erika", "lastName": "Muster"}},
            "otp": {"email": "erika@example.org", "code": mailed_code(app, "erika@example.org")},
        },
    )
    assert response.status_code == 200, response.json
    body = response.get_data(as_text=True)
    assert leaked(body, booking) == []
    assert '"notifications"' not in body and '"organizer"' not in body


def test_staff_token_still_sees_the_staff_details(client, booking):
    sam = make_user("sam@example.com", Role.SUPERVISOR)
    token, secret = issue_token(sam, "staff")
    db.session.add(token)
    db.session.commit()
    response = client.get(
        f"/api/appointments/{booking.appointment.id}",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for value in (STAFF_NOTES, METADATA_VALUE, CUSTOM_FIELD_VALUE, REFERENCE, TEMPLATE_TEXT):
        assert value in body
    assert response.json["organizer"]["id"] == str(booking.alice.id)
    agent_entry = next(p for p in booking.appointment.agents if p.user_id == booking.bob.id)
    detail = client.get(
        f"/api/appointments/{booking.appointment.id}/participants/{agent_entry.id}",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert detail.json["contact"]["primaryEmail"] == booking.bob.email


def test_customer_pages_show_no_staff_data(app, client, booking):
    """/my and the manage page it links to: the agent's name, never staff values."""
    asked = client.post("/my/code", data={"email": CUSTOMER})
    assert asked.status_code == 200
    verified = client.post(
        "/my/verify", data={"email": CUSTOMER, "code": mailed_code(app, CUSTOMER)}
    )
    assert verified.status_code == 303
    my = client.get("/my")
    page = my.get_data(as_text=True)
    assert "Alice Agent" in page and leaked(page, booking) == []
    # /my mints a manage link when one of its buttons is followed (no tokens in the page).
    opener = re.search(r'href="(/my/appointments/[^"#?]+)', page)
    assert opener, "no link to the appointment on /my"
    shown = client.get(opener.group(1), follow_redirects=True)
    assert shown.status_code == 200 and shown.request.path.startswith("/manage/")
    assert leaked(shown.get_data(as_text=True), booking) == []
