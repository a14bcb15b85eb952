"""Small builders for test data (they add to the session and commit)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from portal.extensions import db
from portal.models import (
    Appointment,
    Participant,
    ParticipantType,
    Role,
    Service,
    User,
    WorkingHours,
)


def agent(
    email: str = "agent@example.com", name: str = "Alice Agent", timezone: str = "UTC"
) -> User:
    user = User(email=email, name=name, role=Role.AGENT, timezone=timezone)
    user.set_password("correct horse")
    db.session.add(user)
    db.session.commit()
    return user


def weekly_hours(user: User, windows: list[tuple[int, int]], days=range(1, 8)) -> None:
    """The same windows (minutes from local midnight) on each of ``days``."""
    for day in days:
        for start, end in windows:
            db.session.add(
                WorkingHours(agent_id=user.id, day_of_week=day, start_minute=start, end_minute=end)
            )
    db.session.commit()


def service(agents: list[User], slug: str = "consult", **fields: Any) -> Service:
    values = dict(
        slug=slug, name=slug.replace("-", " ").title(), duration_minutes=30, timezone="UTC"
    )
    values.update(fields)
    item = Service(**values)
    item.agents = list(agents)
    db.session.add(item)
    db.session.commit()
    return item


def appointment(
    service_: Service, organizer: User, start: datetime, minutes: int | None = None, **fields: Any
) -> Appointment:
    item = Appointment(
        service=service_,
        organizer=organizer,
        start_at=start,
        end_at=start + timedelta(minutes=minutes or service_.duration_minutes),
        timezone=organizer.timezone,
        title=fields.pop("title", "Test appointment"),
        **fields,
    )
    item.participants = [
        Participant(
            type=ParticipantType.AGENT,
            user=organizer,
            is_organizer=True,
            first_name=organizer.name,
            email=organizer.email,
        ),
        Participant(
            type=ParticipantType.CUSTOMER,
            first_name="Cora",
            last_name="Customer",
            email="cora@example.org",
        ),
    ]
    db.session.add(item)
    db.session.commit()
    return item


def manage_token(appointment: Appointment) -> str:
    """A new live manage link for the appointment (as a mail or /my would mint one)."""
    from portal.booking.links import mint_manage_token

    token = mint_manage_token(db.session, appointment)
    db.session.commit()
    return token


def feed_secret(user: User) -> str:
    """A new calendar-feed secret for the user (as the dashboard button makes one)."""
    from portal.calendars.feed import regenerate_calendar_secret

    secret = regenerate_calendar_secret(db.session, user)
    db.session.commit()
    return secret
