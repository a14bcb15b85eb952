"""GET /api/appointments/: a constant number of SQL statements whatever the page size, and
notification templates listed once per page instead of repeated per item (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta, UTC

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.models import (
    Appointment,
    Participant,
    ParticipantType,
    Role,
    RoomTicket,
)
from portal.notifications.defaults import add_default_templates
from portal.tokens import issue_token
from tests import factories
from tests.clock import TODAY
from tests.conftest import make_user

UTC = UTC
pytestmark = pytest.mark.date_sensitive  # the appointments follow the clock
COUNT = 210  # more than the largest page


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def crowded(app) -> dict[str, str]:
    """210 appointments of two services (each with its templates), three agents, customers,
    and an open video room on every seventh; returns a CLIENT_SERVICE bearer header."""
    agents = [factories.agent(f"agent{n}@example.com", f"Agent {n}") for n in range(3)]
    services = [factories.service(agents, slug=f"svc-{n}", name=f"Service {n}") for n in range(2)]
    for service in services:
        add_default_templates(service)
    first = datetime.combine(TODAY + timedelta(days=2), time(8), tzinfo=UTC)
    for number in range(COUNT):
        agent = agents[number % 3]
        start = first + timedelta(hours=number)
        appointment = Appointment(
            service=services[number % 2],
            organizer=agent,
            start_at=start,
            end_at=start + timedelta(minutes=30),
            title=f"Call {number}",
        )
        appointment.participants = [
            Participant(type=ParticipantType.AGENT, user=agent, is_organizer=True),
            Participant(type=ParticipantType.CUSTOMER, first_name="Cora", email="c@example.org"),
        ]
        if number % 7 == 0:
            appointment.room_tickets = [RoomTicket(url=f"https://meet.example/{number}")]
        db.session.add(appointment)
    robot = make_user("robot@example.com", Role.CLIENT_SERVICE, password="", name="Robot")
    token, secret = issue_token(robot, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_the_list_sends_as_many_statements_for_200_items_as_for_10(app, crowded):
    client = app.test_client()
    # A token's first use in a while records when (a write); count the requests after it.
    assert client.get("/api/appointments/", headers=crowded).status_code == 200
    counts = {}
    for page_size in (10, 200):
        db.session.expunge_all()  # nothing already loaded helps either page
        with counted_statements() as statements:
            response = client.get(
                "/api/appointments/", query_string={"pageSize": page_size}, headers=crowded
            )
        assert response.status_code == 200
        assert len(response.json["content"]) == page_size
        counts[page_size] = len(statements)
    assert counts[10] == counts[200], counts
    assert counts[200] <= 10, counts


def test_list_items_name_templates_listed_once_per_page(client, crowded):
    page = client.get("/api/appointments/", query_string={"pageSize": 20}, headers=crowded).json
    templates = {t["id"]: t for t in page["notificationTemplates"]}
    assert len(templates) == len(page["notificationTemplates"])  # each listed once
    services = {item["serviceId"] for item in page["content"]}
    assert len(services) == 2
    used = set()
    for item in page["content"]:
        assert item["notifications"], item
        for reference in item["notifications"]:
            assert "textBody" not in reference and "htmlBody" not in reference
            template = templates[reference["id"]]
            assert (template["channel"], template["type"]) == (
                reference["channel"],
                reference["type"],
            )
            assert template.get("period") == reference.get("period")
            used.add(reference["id"])
    assert used == set(templates)  # nothing listed that no item uses
    # The single appointment still carries its templates in full, with the same ids.
    first = page["content"][0]
    single = client.get(f"/api/appointments/{first['id']}", headers=crowded).json
    assert [n["id"] for n in single["notifications"]] == [n["id"] for n in first["notifications"]]
    for full in single["notifications"]:
        assert full == templates[full["id"]]
        assert full["textBody"]


def test_room_and_participants_come_with_the_page(client, crowded):
    page = client.get("/api/appointments/", query_string={"pageSize": 200}, headers=crowded).json
    rooms = [item for item in page["content"] if item["room"] is not None]
    assert [item["title"] for item in rooms] == [f"Call {n}" for n in range(0, 200, 7)]
    assert rooms[0]["room"]["url"] == "https://meet.example/0"
    assert all(len(item["participantIds"]) == 2 for item in page["content"])


def test_an_empty_page_lists_no_templates(client, crowded):
    page = client.get(
        "/api/appointments/", query_string={"title": "nothing like this"}, headers=crowded
    ).json
    assert page["content"] == [] and page["notificationTemplates"] == []
