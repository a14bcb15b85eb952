"""Agent notices (issue 18): the organizer and agent participants hear of each change.

Create, reschedule, reassign and cancel each queue an e-mail with the invitation (the
agent as ATTENDEE) in the same transaction; the per-user switch turns them off, on the
agent's dashboard and through ``PATCH /api/users/{id}``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from icalendar import Calendar
from sqlalchemy import select

from portal.booking import operations
from portal.delivery import send_due
from portal.extensions import db
from portal.models import OutboxMessage, Participant, ParticipantType, Role
from portal.notifications.defaults import add_default_templates
from portal.tokens import issue_token
from tests import factories
from tests.clock import TEST_NOW
from tests.conftest import make_user, sign_in
from tests.notifications.factories import calendar_parts, parse_mail

pytestmark = pytest.mark.usefixtures("fake_manage_links")

CUSTOMER = operations.Customer("Maria", "Lopez", "maria@example.org")


def day_at(hour: int) -> datetime:
    day = (TEST_NOW + timedelta(days=7)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def team(app):
    dora = factories.agent("dora@example.com", "Dora Agent", timezone="Europe/Berlin")
    emil = factories.agent("emil@example.com", "Emil Agent", timezone="America/New_York")
    for agent in (dora, emil):
        factories.weekly_hours(agent, [(0, 24 * 60)])
    service = factories.service([dora, emil], timezone="Europe/Berlin", name="Consultation")
    add_default_templates(service)
    db.session.commit()
    return service, dora, emil


def agent_rows(recipient: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == recipient, OutboxMessage.type.like("AGENT_%"))
            .order_by(OutboxMessage.sequence, OutboxMessage.created_at)
        )
    )


def invitation(row: OutboxMessage) -> Calendar:
    return Calendar.from_ical(row.ics)


def book(service, agent):
    appointment = operations.book(
        db.session, service, day_at(10), CUSTOMER, agent_id=agent.id, enforce_notice=False
    )
    db.session.commit()
    return appointment


def test_create_reschedule_cancel_each_tell_the_organizer(app, team):
    service, dora, _ = team
    appointment = book(service, dora)
    operations.reschedule(db.session, appointment, day_at(12), enforce_notice=False)
    db.session.commit()
    operations.cancel(db.session, appointment, "Customer is ill")
    db.session.commit()

    rows = agent_rows("dora@example.com")
    assert [row.type for row in rows] == ["AGENT_CREATE", "AGENT_RESCHEDULE", "AGENT_CANCEL"]
    assert [row.ics_method for row in rows] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [row.sequence for row in rows] == [0, 1, 2]
    for row in rows:
        calendar = invitation(row)
        (event,) = calendar.events
        assert str(calendar["METHOD"]) == row.ics_method
        assert str(event["ATTENDEE"]) == "mailto:dora@example.com"
        assert event["ATTENDEE"].params["CN"] == "Dora Agent"
        assert "manage" not in str(event.get("DESCRIPTION", ""))  # the customer's link only
        assert f"/agent/appointments/{appointment.id}" in row.text_body
        assert "Maria Lopez" in row.text_body
    assert str(invitation(rows[-1]).events[0]["STATUS"]) == "CANCELLED"
    assert "Reason: Customer is ill" in rows[-1].text_body
    assert invitation(rows[0]).events[0].start == day_at(10)

    assert send_due().sent == 6  # three to the customer, three to the agent
    mails = [m for m in app.extensions["mailman"].outbox if m.to == ["dora@example.com"]]
    assert [m.subject.split(":")[0] for m in mails] == ["New booking", "Moved", "Cancelled"]
    (part,) = calendar_parts(parse_mail(mails[-1].message().as_bytes()))
    assert part.get_param("method") == "CANCEL"


def test_agent_participants_are_told_too_and_in_their_own_zone(app, team):
    service, dora, emil = team
    appointment = book(service, dora)
    appointment.participants.append(
        Participant(
            type=ParticipantType.AGENT,
            user=emil,
            first_name="Emil",
            last_name="Agent",
            email=emil.email,
        )
    )
    db.session.commit()
    operations.reschedule(db.session, appointment, day_at(12), enforce_notice=False)
    db.session.commit()
    (row,) = agent_rows("emil@example.com")
    assert row.type == "AGENT_RESCHEDULE"
    assert "(America/New_York)" in row.text_body
    assert ("EDT" in row.text_body) or ("EST" in row.text_body)


def test_reassign_cancels_for_the_old_organizer_and_invites_the_new(app, team, client):
    service, dora, emil = team
    appointment = book(service, dora)
    supervisor = make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super")
    token, secret = issue_token(supervisor, "test")
    db.session.add(token)
    db.session.commit()

    response = client.put(
        "/api/appointments/reassign/",
        json={"id": str(appointment.id), "userId": str(emil.id)},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200, response.json

    old = agent_rows("dora@example.com")[-1]
    assert old.type == "AGENT_UNASSIGNED" and old.ics_method == "CANCEL"
    assert str(invitation(old).events[0]["STATUS"]) == "CANCELLED"
    assert "Emil Agent" in old.text_body
    (new,) = agent_rows("emil@example.com")
    assert new.type == "AGENT_ASSIGNED" and new.ics_method == "REQUEST"
    event = invitation(new).events[0]
    assert str(event["ATTENDEE"]) == "mailto:emil@example.com"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert old.sequence == new.sequence == 1
    customer_types = {
        row.type
        for row in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "maria@example.org")
        )
    }
    assert "CREATE" in customer_types and not customer_types & {"RESCHEDULE", "CANCEL"}


def test_the_switch_turns_them_off_through_the_api(app, team, client):
    service, dora, _ = team
    admin = make_user("ada@example.com", Role.ADMIN, name="Ada Admin")
    token, secret = issue_token(admin, "test")
    db.session.add(token)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/users/{dora.id}", headers=headers).json["agentNotices"] is True

    response = client.patch(f"/api/users/{dora.id}", json={"agentNotices": False}, headers=headers)
    assert response.status_code == 200 and response.json["agentNotices"] is False
    bad = client.patch(f"/api/users/{dora.id}", json={"agentNotices": "no"}, headers=headers)
    assert bad.status_code == 400

    book(service, dora)
    assert agent_rows("dora@example.com") == []
    assert (
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "maria@example.org")
        ).first()
        is not None
    )  # the customer still hears


def test_the_agent_turns_them_off_and_on_on_the_dashboard(app, team, client):
    service, dora, _ = team
    dora.set_password("correct horse")
    db.session.commit()
    sign_in(client, "dora@example.com")
    page = client.get("/agent").get_data(as_text=True)
    assert 'id="agent-notices"' in page and "Turn off" in page

    response = client.post("/agent/notices", data={"enabled": "off"})
    assert response.status_code == 302
    db.session.expire_all()
    assert dora.agent_notices is False
    book(service, dora)
    assert agent_rows("dora@example.com") == []
    assert "Turn on" in client.get("/agent").get_data(as_text=True)

    client.post("/agent/notices", data={"enabled": "on"})
    db.session.expire_all()
    assert dora.agent_notices is True


def test_agents_are_told_even_when_the_customers_notifications_are_off(app, team):
    service, dora, _ = team
    appointment = book(service, dora)
    appointment.notifications_active = False
    db.session.commit()
    operations.cancel(db.session, appointment, None)
    db.session.commit()
    assert [row.type for row in agent_rows("dora@example.com")] == [
        "AGENT_CREATE",
        "AGENT_CANCEL",
    ]
    cancels = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.recipient == "maria@example.org", OutboxMessage.type == "CANCEL"
        )
    ).all()
    assert cancels == []


def test_inactive_staff_get_no_notices(app, team):
    service, dora, emil = team
    appointment = book(service, dora)
    emil.active = False
    appointment.participants.append(
        Participant(
            type=ParticipantType.AGENT,
            user=emil,
            first_name="Emil",
            last_name="Agent",
            email=emil.email,
        )
    )
    db.session.commit()
    operations.cancel(db.session, appointment, None)
    db.session.commit()
    assert agent_rows("emil@example.com") == []
