"""Finding 3 (issue 13): an agent's token booked into a colleague's calendar.

An AGENT books only into their own calendar and hands over only the appointments
they organise; supervisors, admins and integrations book with any agent
(``portal.booking.lifecycle.create_refusal``). Each attack is tried through the API
and, where the pages offer the same choice (reassign), through the agent page form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Appointment, OutboxMessage, Participant, ParticipantType, Role, User
from portal.models import utcnow
from portal.tokens import issue_token
from tests import factories
from tests.conftest import make_user, sign_in


@dataclass
class Office:
    service: object
    alice: User  # agent, serves the service
    bob: User  # her colleague, serves it too
    carol: User  # an agent who does not offer the service
    sam: User  # supervisor
    robot: User  # integration
    tokens: dict
    start: datetime


@pytest.fixture
def office(app) -> Office:
    alice = factories.agent("alice@example.com", "Alice Agent")
    bob = factories.agent("bob@example.com", "Bob Agent")
    carol = factories.agent("carol@example.com", "Carol Agent")
    for agent in (alice, bob, carol):
        factories.weekly_hours(agent, [(0, 1440)])
    service = factories.service([alice, bob], horizon_days=60)
    sam = make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super")
    robot = make_user("robot@example.com", Role.CLIENT_SERVICE, password="", name="Robot")
    tokens = {}
    for user in (alice, carol, sam, robot):
        token, secret = issue_token(user, "attack")
        db.session.add(token)
        tokens[user.email] = {"Authorization": f"Bearer {secret}"}
    db.session.commit()
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    return Office(service, alice, bob, carol, sam, robot, tokens, start)


def z(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def create_body(office: Office, **extra) -> dict:
    return {
        "serviceId": str(office.service.id),
        "start": z(office.start),
        "customer": {
            "name": {"firstName": "Cora", "lastName": "Customer"},
            "contact": {"primaryEmail": "cora@example.org"},
        },
        **extra,
    }


def written() -> tuple[int, int]:
    """(appointments, outbox messages) in the database."""
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(Appointment)),
        db.session.scalar(select(func.count()).select_from(OutboxMessage)),
    )


@pytest.mark.parametrize("field", ["organizerId", "agentId"])
def test_agent_token_cannot_book_into_a_colleagues_calendar(client, office, field):
    response = client.post(
        "/api/appointments/",
        json=create_body(office, **{field: str(office.bob.id)}),
        headers=office.tokens[office.alice.email],
    )
    assert response.status_code == 403, response.json
    assert response.json["error"] == "forbidden"
    assert written() == (0, 0)


def test_agent_token_not_offering_the_service_gets_no_colleague_picked(client, office):
    """Without an organizer the portal used to pick any serving agent: a colleague's calendar."""
    response = client.post(
        "/api/appointments/", json=create_body(office), headers=office.tokens[office.carol.email]
    )
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert written() == (0, 0)


def test_agent_token_cannot_upsert_a_reference_into_a_colleagues_calendar(client, office):
    response = client.put(
        "/api/appointments/reference/crm-1",
        json=create_body(office, organizerId=str(office.bob.id)),
        headers=office.tokens[office.alice.email],
    )
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert written() == (0, 0)


def bobs_appointment_with_alice(office: Office) -> Appointment:
    """Bob organises it; Alice only takes part."""
    item = factories.appointment(office.service, office.bob, office.start)
    item.participants.append(
        Participant(
            type=ParticipantType.AGENT,
            user=office.alice,
            is_organizer=False,
            first_name="Alice",
            last_name="Agent",
            email=office.alice.email,
        )
    )
    db.session.commit()
    return item


def organizer_of(item: Appointment):
    db.session.expire_all()
    return db.session.get(Appointment, item.id).organizer_id


def test_participating_agent_cannot_take_over_a_colleagues_appointment_by_api(client, office):
    item = bobs_appointment_with_alice(office)
    response = client.put(
        "/api/appointments/reassign/",
        json={"id": str(item.id), "userId": str(office.alice.id)},
        headers=office.tokens[office.alice.email],
    )
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert organizer_of(item) == office.bob.id


def test_participating_agent_cannot_take_over_through_the_agent_page(app, office):
    item = bobs_appointment_with_alice(office)
    client = app.test_client()
    assert sign_in(client, office.alice.email).status_code == 302
    page = client.get(f"/agent/appointments/{item.id}").get_data(as_text=True)
    assert 'id="reassign"' not in page  # no hand-over form offered
    response = client.post(
        f"/agent/appointments/{item.id}/reassign", data={"reassign-user_id": str(office.alice.id)}
    )
    assert response.status_code == 403
    assert "Only its organizer or a supervisor" in response.get_data(as_text=True)
    assert organizer_of(item) == office.bob.id


def test_agent_books_into_their_own_calendar(client, office):
    headers = office.tokens[office.alice.email]
    by_default = client.post("/api/appointments/", json=create_body(office), headers=headers)
    assert by_default.status_code == 201, by_default.json
    assert by_default.json["organizer"]["id"] == str(office.alice.id)
    named = client.post(
        "/api/appointments/",
        json=create_body(
            office, start=z(office.start + timedelta(hours=1)), organizerId=str(office.alice.id)
        ),
        headers=headers,
    )
    assert named.status_code == 201 and named.json["organizer"]["id"] == str(office.alice.id)


def test_organizer_may_still_hand_over_to_a_colleague(app, office):
    item = factories.appointment(office.service, office.alice, office.start)
    client = app.test_client()
    sign_in(client, office.alice.email)
    assert 'id="reassign"' in client.get(f"/agent/appointments/{item.id}").get_data(as_text=True)
    response = client.post(
        f"/agent/appointments/{item.id}/reassign", data={"reassign-user_id": str(office.bob.id)}
    )
    assert response.status_code == 303
    assert organizer_of(item) == office.bob.id


@pytest.mark.parametrize("who", ["sam@example.com", "robot@example.com"])
@pytest.mark.parametrize("field", ["organizerId", "agentId"])
def test_supervisor_and_integration_book_with_any_agent(client, office, who, field):
    response = client.post(
        "/api/appointments/",
        json=create_body(office, **{field: str(office.bob.id)}),
        headers=office.tokens[who],
    )
    assert response.status_code == 201, response.json
    assert response.json["organizer"]["id"] == str(office.bob.id)


def test_supervisor_hands_over_any_appointment(client, office):
    item = factories.appointment(office.service, office.bob, office.start)
    response = client.put(
        "/api/appointments/reassign/",
        json={"id": str(item.id), "userId": str(office.alice.id)},
        headers=office.tokens[office.sam.email],
    )
    assert response.status_code == 200
    assert organizer_of(item) == office.alice.id
