"""The availability loader reads a fixed number of statements, whatever the range."""

from __future__ import annotations

from datetime import date, datetime, timedelta, UTC

import pytest
from sqlalchemy import event

from portal.booking.availability import day_range_utc
from portal.booking.loader import load_availability
from portal.extensions import db
from portal.models import OfficeHours, OfficeHoursType, ServiceTimeSlot, SlotHold, TimeException
from tests import factories

UTC = UTC
NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def busy_service(app):
    agents = [
        factories.agent(f"a{i}@example.com", f"Agent {i}", zone)
        for i, zone in enumerate(["Europe/Berlin", "America/New_York", "Asia/Kolkata"])
    ]
    for agent in agents:
        factories.weekly_hours(agent, [(9 * 60, 12 * 60), (13 * 60, 17 * 60)])
    service = factories.service(agents)
    db.session.add(
        ServiceTimeSlot(service_id=service.id, day_of_week=1, from_minute=0, to_minute=600)
    )
    db.session.add(
        OfficeHours(
            name="Lunch", type=OfficeHoursType.LUNCHTIME, dow="mon", time_from=43200, time_to=46800
        )
    )
    db.session.add(
        TimeException(from_date=date(2030, 1, 8), to_date=date(2030, 1, 9), agents=agents[:2])
    )
    for day in range(1, 60):
        start = datetime(2030, 1, 1, 10, tzinfo=UTC) + timedelta(days=day)
        factories.appointment(service, agents[day % 3], start)
    db.session.add(
        SlotHold(
            service_id=service.id,
            agent_id=agents[0].id,
            start_at=NOW + timedelta(days=3),
            end_at=NOW + timedelta(days=3, minutes=30),
            email="x@example.org",
            expires_at=NOW + timedelta(minutes=10),
        )
    )
    db.session.commit()
    return service, agents


@pytest.mark.parametrize(
    ("days", "expected_busy", "expected_time_off"),
    [(1, 0, [0, 0, 0]), (31, 30 + 1, [1, 1, 0]), (62, 59 + 1, [1, 1, 0])],
)
def test_three_statements_whatever_the_range(busy_service, days, expected_busy, expected_time_off):
    service, agents = busy_service
    start, end = day_range_utc(date(2030, 1, 1), date(2030, 1, 1) + timedelta(days=days - 1), UTC)
    db.session.refresh(service)  # the caller has its service loaded already
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement != "BEGIN":  # SQLite's transaction start, not a query
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        data = load_availability(db.session, service, start, end, now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 3
    assert [agent.name for agent in data.agents] == ["Agent 0", "Agent 1", "Agent 2"]
    assert all(len(agent.working_hours) == 14 for agent in data.agents)
    assert len(data.office_hours) == 1 and len(data.service.windows) == 1
    # Time off on 8-9 January, for the first two agents only.
    assert [len(agent.exceptions) for agent in data.agents] == expected_time_off
    # One appointment a day from 2 January, plus the live hold on 4 January.
    assert sum(len(agent.busy_seconds) for agent in data.agents) == expected_busy
    # Busy time reaches the computation as whole epoch seconds, sorted per agent.
    for agent in data.agents:
        starts = [start for start, _end, _service in agent.busy_seconds]
        assert starts == sorted(starts) and all(type(s) is int for s in starts)
        assert all(end > start for start, end, _service in agent.busy_seconds)
