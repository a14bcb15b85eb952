"""Demo data: a small, believable account. Running it again adds nothing twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, UTC
from zoneinfo import ZoneInfo

from sqlalchemy import select

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
from portal.notifications.defaults import add_default_templates

DEMO_PASSWORD = "demo-password"  # nosec B105 # demo data only, printed by the command and the README

STAFF = [
    # (email, name, role, timezone)
    ("admin@example.com", "Ada Admin", Role.ADMIN, "Europe/Berlin"),
    ("supervisor@example.com", "Sam Supervisor", Role.SUPERVISOR, "Europe/Berlin"),
    ("alice@example.com", "Alice Schmidt", Role.AGENT, "Europe/Berlin"),
    ("bruno@example.com", "Bruno Keller", Role.AGENT, "Europe/Berlin"),
    ("carmen@example.com", "Carmen Diaz", Role.AGENT, "America/New_York"),
]

SERVICES = [
    dict(
        slug="video-consultation",
        name="Video consultation",
        description="A 30-minute video call with one of our advisers.",
        duration_minutes=30,
        minimum_notice_minutes=60,
        horizon_days=60,
        timezone="Europe/Berlin",
        color="#4f46e5",
        agents=["alice@example.com", "bruno@example.com", "carmen@example.com"],
    ),
    dict(
        slug="onboarding-call",
        name="Onboarding call",
        description="An hour to set up your account together, with a short break after.",
        duration_minutes=60,
        slot_interval_minutes=30,
        buffer_after_minutes=15,
        minimum_notice_minutes=24 * 60,
        horizon_days=30,
        timezone="Europe/Berlin",
        color="#0f766e",
        agents=["alice@example.com", "carmen@example.com"],
    ),
]

# Monday to Friday, with a lunch break, in each agent's own zone.
WORKING_WINDOWS = [(9 * 60, 12 * 60 + 30), (13 * 60 + 30, 17 * 60)]

CUSTOMERS = [
    ("Maria", "Lopez"),
    ("Jonas", "Weber"),
    ("Priya", "Natarajan"),
    ("Tom", "O'Neill"),
    ("Yuki", "Tanaka"),
    ("Fatima", "Haddad"),
]


@dataclass
class DemoSummary:
    credentials: list[tuple[str, str, str]] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    appointments_created: int = 0


def load_demo(now: datetime | None = None) -> DemoSummary:
    now = now or datetime.now(UTC)
    summary = DemoSummary()
    users = {email: _staff_user(email, name, role, tz) for email, name, role, tz in STAFF}
    for email, _name, role, _tz in STAFF:
        summary.credentials.append((role.value, email, DEMO_PASSWORD))
    for user in users.values():
        if user.role == Role.AGENT:
            _working_hours(user)
    services = [_service(spec, users) for spec in SERVICES]
    summary.services = [service.name for service in services]
    db.session.flush()
    summary.appointments_created = _week_of_appointments(services[0], users, now)
    return summary


def _staff_user(email: str, name: str, role: Role, tz: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, role=role, timezone=tz)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
    return user


def _working_hours(agent: User) -> None:
    db.session.flush()
    if db.session.scalar(select(WorkingHours.id).where(WorkingHours.agent_id == agent.id).limit(1)):
        return
    for weekday in range(1, 6):
        for start, end in WORKING_WINDOWS:
            db.session.add(
                WorkingHours(
                    agent_id=agent.id, day_of_week=weekday, start_minute=start, end_minute=end
                )
            )


def _service(spec: dict, users: dict[str, User]) -> Service:
    service = db.session.scalar(select(Service).where(Service.slug == spec["slug"]))
    if service is None:
        fields = {key: value for key, value in spec.items() if key != "agents"}
        service = Service(**fields)
        service.agents = [users[email] for email in spec["agents"]]
        db.session.add(service)
    add_default_templates(service)  # only when it has none, so edits survive a rerun
    return service


def _week_of_appointments(service: Service, users: dict[str, User], now: datetime) -> int:
    """Two calls a working day for each agent, over the seven days from today."""
    created = 0
    agents = [user for user in users.values() if user.role == Role.AGENT]
    today = now.date()
    for offset in range(7):
        day = today + timedelta(days=offset)
        if day.isoweekday() > 5:
            continue
        for index, agent in enumerate(agents):
            for slot, local_time in enumerate((time(10, 0), time(14, 30))):
                reference = f"demo-{agent.email.split('@')[0]}-{day.isoformat()}-{slot}"
                if db.session.scalar(
                    select(Appointment.id).where(Appointment.reference == reference)
                ):
                    continue
                first, last = CUSTOMERS[(offset * 3 + index * 2 + slot) % len(CUSTOMERS)]
                _appointment(service, agent, day, local_time, reference, first, last)
                created += 1
    return created


def _appointment(
    service: Service,
    agent: User,
    day: date,
    local_time: time,
    reference: str,
    first: str,
    last: str,
) -> None:
    zone = ZoneInfo(agent.timezone)
    start = datetime.combine(day, local_time, tzinfo=zone).astimezone(UTC)
    appointment = Appointment(
        reference=reference,
        service=service,
        organizer=agent,
        title=f"{service.name} with {first} {last}",
        start_at=start,
        end_at=start + service.duration,
        timezone=agent.timezone,
        locale="en",
    )
    appointment.participants = [
        Participant(
            type=ParticipantType.AGENT,
            user=agent,
            is_organizer=True,
            first_name=agent.name.split()[0],
            last_name=agent.name.split()[-1],
            email=agent.email,
        ),
        Participant(
            type=ParticipantType.CUSTOMER,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower().replace(chr(39), '')}@example.org",
        ),
    ]
    db.session.add(appointment)
