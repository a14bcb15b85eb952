"""Who takes part in an appointment: add agents and customers, remove them.

Exactly one AGENT participant is the organizer; it changes only through
``operations.reassign`` and can never be removed. Adding an agent who already
takes part is a conflict (409), also when two requests race (unique constraint).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.booking import lifecycle
from portal.booking.availability import free_agents_at
from portal.booking.lifecycle import Action, Actor
from portal.booking.errors import BookingError, Conflict, InvalidBooking, NotFound
from portal.booking.operations import Customer
from portal.domain.i18n import N_
from portal.models import (
    STAFF_ROLES,
    Appointment,
    AppointmentStatus,
    Participant,
    ParticipantType,
    User,
    normalize_email,
    utcnow,
)


def _require(actor: Actor | None, action: Action, appointment: Appointment) -> None:
    lifecycle.require(actor or lifecycle.SYSTEM, action, appointment, utcnow())


def _staff_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active or user.role not in STAFF_ROLES:
        raise NotFound(N_("That agent does not exist."))
    return user


def add_agent(
    session: Session, appointment: Appointment, user_id: uuid.UUID, *, actor: Actor | None = None
) -> Participant:
    """Add a staff member as an extra AGENT participant (409 if already there)."""
    _require(actor, Action.ADD_PARTICIPANT, appointment)
    user = _staff_user(session, user_id)
    if any(p.user_id == user.id for p in appointment.participants):
        raise Conflict(N_("%(name)s already takes part in this appointment.", name=user.name))
    first, _, last = user.name.partition(" ")
    participant = Participant(
        type=ParticipantType.AGENT,
        user=user,
        is_organizer=False,
        first_name=first,
        last_name=last,
        email=user.email,
    )
    appointment.participants.append(participant)
    appointment.sequence += 1
    try:
        session.flush()
    except IntegrityError:
        # Someone added the same agent a moment ago.
        session.rollback()
        raise Conflict(
            N_("%(name)s already takes part in this appointment.", name=user.name)
        ) from None
    return participant


def add_customer(
    session: Session,
    appointment: Appointment,
    customer: Customer,
    *,
    username: str | None = None,
    actor: Actor | None = None,
) -> Participant:
    """Add a CUSTOMER participant (a second guest, a colleague of the customer...)."""
    _require(actor, Action.ADD_PARTICIPANT, appointment)
    if not (customer.first_name or customer.last_name).strip():
        raise InvalidBooking(N_("A customer needs a name."))
    participant = Participant(
        type=ParticipantType.CUSTOMER,
        first_name=customer.first_name.strip(),
        last_name=customer.last_name.strip(),
        email=normalize_email(customer.email) if customer.email else None,
        phone=(customer.phone or "").strip() or None,
        username=(username or "").strip() or None,
        metadata_=dict(customer.metadata or {}),
        reference=customer.reference,
    )
    appointment.participants.append(participant)
    session.flush()
    return participant


def find_participant(appointment: Appointment, participant_id: uuid.UUID) -> Participant:
    for participant in appointment.participants:
        if participant.id == participant_id:
            return participant
    raise NotFound(N_("That participant does not take part in this appointment."))


def find_visible_participant(
    actor: Actor, appointment: Appointment, participant_id: uuid.UUID
) -> Participant:
    """The participant if ``actor`` may read it (``lifecycle.participants_seen_by``), else 404."""
    for participant in lifecycle.participants_seen_by(actor, appointment):
        if participant.id == participant_id:
            return participant
    raise NotFound(N_("That participant does not take part in this appointment."))


def remove_participant(
    session: Session,
    appointment: Appointment,
    participant_id: uuid.UUID,
    *,
    actor: Actor | None = None,
) -> None:
    """Remove a participant; the organizer stays (reassign the appointment instead)."""
    _require(actor, Action.REMOVE_PARTICIPANT, appointment)
    participant = find_participant(appointment, participant_id)
    if participant.is_organizer:
        raise Conflict(N_("The organizer cannot be removed. Reassign the appointment instead."))
    appointment.participants.remove(participant)
    if participant.type == ParticipantType.AGENT:
        appointment.sequence += 1
    session.flush()


@dataclass(frozen=True)
class ReassignOption:
    agent: User
    free: bool


def reassign_options(
    session: Session, appointment: Appointment, *, now: datetime | None = None
) -> list[ReassignOption]:
    """The service's other agents, each marked free or not at the appointment's time.

    The same check ``operations.reassign`` makes (staff may ignore notice, never a collision).
    """
    now = now or utcnow()
    agents = [
        agent
        for agent in appointment.service.agents
        if agent.active and agent.id != appointment.organizer_id
    ]
    if not agents or appointment.status != AppointmentStatus.SCHEDULED:
        return [ReassignOption(agent, False) for agent in agents]
    try:
        free = set(
            free_agents_at(
                session,
                appointment.service,
                appointment.start_at,
                now=now,
                exclude_appointment_id=appointment.id,
                enforce_notice=False,
                duration=appointment.duration,
                apply_limits=False,  # as operations.reassign
            )
        )
    except BookingError:
        free = set()
    return [ReassignOption(agent, agent.id in free) for agent in agents]


def staff_directory(session: Session) -> list[User]:
    """Active staff who can be added as agents, by name."""
    return list(
        session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(STAFF_ROLES))
            .order_by(User.name)
        )
    )


__all__ = [
    "ReassignOption",
    "add_agent",
    "add_customer",
    "find_participant",
    "find_visible_participant",
    "reassign_options",
    "remove_participant",
    "staff_directory",
]
