"""The agents and calendars every benchmark books against, built one way so figures compare.

Agents alternate between Europe/Berlin and Europe/London and work Mon-Sat
09:00-12:30 and 13:30-18:00. Each takes three random working days off and has
about half of every other working day's 16 half-hours booked. The same seed
gives the same calendars.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta, UTC
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from portal.models import (
    Appointment,
    Participant,
    ParticipantType,
    Role,
    Service,
    TimeException,
    User,
    WorkingHours,
)

WINDOWS = [(9 * 60, 12 * 60 + 30), (13 * 60 + 30, 18 * 60)]
SEED = 7


def add_agents(session: Session, count: int) -> list[User]:
    agents = [
        User(
            email=f"agent{index}@bench.example",
            name=f"Agent {index:02d}",
            role=Role.AGENT,
            timezone="Europe/Berlin" if index % 2 == 0 else "Europe/London",
        )
        for index in range(count)
    ]
    session.add_all(agents)
    return agents


def fill_calendars(
    session: Session, service: Service, agents: list[User], days: Iterable[date]
) -> int:
    """Hours, days off and appointments of ``service`` for ``agents`` over ``days``; returns the
    booked count.
    """
    rng = random.Random(SEED)
    working = [day for day in days if day.isoweekday() <= 6]
    session.flush()  # the agents' ids
    booked = 0
    for agent in agents:
        for weekday in range(1, 7):
            for start, end in WINDOWS:
                session.add(
                    WorkingHours(
                        agent_id=agent.id, day_of_week=weekday, start_minute=start, end_minute=end
                    )
                )
        off = set(rng.sample(working, 3))
        for day in off:
            session.add(
                TimeException(from_date=day, to_date=day, agents=[agent], reason_text="Day off")
            )
        zone = ZoneInfo(agent.timezone)
        for day in working:
            if day in off:
                continue
            for half_hour in sorted(rng.sample(range(16), 8)):
                minute = (
                    (9 * 60 + half_hour * 30)
                    if half_hour < 7
                    else (13 * 60 + 30 + (half_hour - 7) * 30)
                )
                start = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(
                    minutes=minute
                )
                start = start.astimezone(UTC)
                appointment = Appointment(
                    service=service,
                    organizer=agent,
                    start_at=start,
                    end_at=start + timedelta(minutes=30),
                    timezone=agent.timezone,
                )
                appointment.participants = [
                    Participant(type=ParticipantType.AGENT, user=agent, is_organizer=True)
                ]
                session.add(appointment)
                booked += 1
    return booked
