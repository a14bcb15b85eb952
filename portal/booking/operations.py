"""Book, reschedule, cancel and reassign: each one transaction, one commit.

Every operation first takes the calendar lock of the agents it may write to,
then re-checks availability with the same rules the picker used, then writes.
So two requests for the last seat give one success and one SlotUnavailable,
on any number of app servers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.booking import lifecycle, limits, questions
from portal.booking.availability import choose_agent, free_agents_at
from portal.booking.errors import NotFound, SlotUnavailable
from portal.booking.lifecycle import Action, Actor
from portal.database import lock_calendars, lock_names
from portal.domain.i18n import N_
from portal.models import (
    Appointment,
    AppointmentStatus,
    InteractionState,
    Participant,
    ParticipantType,
    Service,
    SlotHold,
    User,
    is_overlap_refusal,
    normalize_email,
    utcnow,
)
from portal.notifications import outbox
from portal.webhooks import events as webhook_events
from portal.webhooks import emit_appointment


AGENT_BUSY = N_(
    "That agent is not free at this time. Choose another agent or move the appointment first."
)


@dataclass(frozen=True)
class Customer:
    first_name: str
    last_name: str
    email: str | None
    phone: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    reference: str | None = None  # seed 003 customerReference: the integration's id


def _service_agent_ids(service: Service) -> list[uuid.UUID]:
    return [agent.id for agent in service.agents if agent.active]


def candidate_agents(service: Service, agent_id: uuid.UUID | None) -> list[uuid.UUID]:
    """The agents a booking may go to: the one chosen (who must serve), else all who serve."""
    serving = _service_agent_ids(service)
    if agent_id is None:
        return serving
    if agent_id not in serving:
        raise NotFound(N_("That agent does not offer this service."))
    return [agent_id]


def book(
    session: Session,
    service: Service,
    start: datetime,
    customer: Customer,
    *,
    agent_id: uuid.UUID | None = None,
    hold_id: uuid.UUID | None = None,
    timezone: str | None = None,
    locale: str | None = None,
    title: str | None = None,
    notes: str = "",
    reference: str | None = None,
    metadata: dict[str, Any] | None = None,
    notifications_active: bool = True,
    enforce_notice: bool = True,
    actor: Actor | None = None,
    now: datetime | None = None,
    answers: dict[str, Any] | None = None,
    override_limits: bool = False,
) -> Appointment:
    """Create an appointment if the slot is still free at commit time.

    ``actor`` is who books (default: a customer); whether customers' live holds
    keep them off a time is ``lifecycle.held_slots_bind``'s to say, whether the
    service's limits hold ``lifecycle.limits_bind``'s (``override_limits``: staff
    exceeding them deliberately). ``answers`` (``{question id: value}``) must answer
    the service's booking questions. With ``notifications_active`` false the outbox
    queues nothing for it.
    """
    now = now or utcnow()
    actor = actor or Actor.customer()
    if not service.active:
        raise NotFound(N_("This service is not open for booking."))
    stored_answers = questions.check_answers(service.questions or [], answers)
    bound = lifecycle.limits_bind(actor, override_limits)
    if bound and service.max_bookings_per_customer and customer.email:
        # One customer's concurrent bookings (any agent) take turns; before any calendar lock.
        lock_names(session, [limits.customer_lock_name(service, customer.email)])
        limits.check_customer_limit(session, service, customer.email, now)
    hold = session.get(SlotHold, hold_id) if hold_id else None
    if hold is not None:
        if hold.service_id != service.id or hold.start_at != start or hold.expires_at <= now:
            hold = None  # a stale hold is no claim: book as if there were none
        else:
            agent_id = hold.agent_id
    candidates = candidate_agents(service, agent_id)
    lock_calendars(session, candidates)
    free = free_agents_at(
        session,
        service,
        start,
        now=now,
        agent_id=agent_id,
        exclude_hold_id=hold.id if hold is not None else None,
        enforce_notice=enforce_notice,
        count_holds=lifecycle.held_slots_bind(actor),
        apply_limits=bound,
    )
    organizer = session.get(User, choose_agent(session, free, start))
    appointment = Appointment(
        service=service,
        organizer=organizer,
        # The service alone: every message and page adds "with <agent>" itself.
        title=title or service.name,
        notes=notes,
        start_at=start,
        end_at=start + service.duration,
        timezone=timezone or service.timezone,
        locale=locale or service.locale,
        reference=reference,
        metadata_=metadata or {},
        answers=stored_answers,
        notifications_active=notifications_active,
    )
    appointment.participants = [
        _agent_participant(organizer, organizer=True),
        Participant(
            type=ParticipantType.CUSTOMER,
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=normalize_email(customer.email) if customer.email else None,
            phone=customer.phone or None,
            metadata_=customer.metadata,
            reference=customer.reference,
        ),
    ]
    session.add(appointment)
    if hold is not None:
        # Used up; the row stays an hour for the per-address count (portal.booking.holds).
        hold.expires_at = now
    flush_or_slot_taken(session)
    outbox.queue_created(appointment)
    emit_appointment(session, webhook_events.APPOINTMENT_CREATED, appointment, now=now)
    session.flush()
    return appointment


def reschedule(
    session: Session,
    appointment: Appointment,
    start: datetime,
    *,
    duration: timedelta | None = None,
    timezone: str | None = None,
    locale: str | None = None,
    enforce_notice: bool = True,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move an appointment, keeping its id; the old time is freed only by this commit.

    A call that was open (ACTIVE) goes back to PENDING and its room ticket is
    retired: the room belonged to the old time, and the moved appointment is
    eligible for activation again at its new one.
    """
    now = now or utcnow()
    actor = actor or lifecycle.SYSTEM
    lifecycle.require(actor, Action.RESCHEDULE, appointment, now)
    lock_calendars(session, [appointment.organizer_id])
    session.refresh(appointment)
    lifecycle.require(actor, Action.RESCHEDULE, appointment, now)
    free_agents_at(
        session,
        appointment.service,
        start,
        now=now,
        agent_id=appointment.organizer_id,
        exclude_appointment_id=appointment.id,
        enforce_notice=enforce_notice,
        duration=duration,
        count_holds=lifecycle.held_slots_bind(actor),
        # Moving is no new booking: only a customer's own move keeps the daily limit.
        apply_limits=actor.is_customer,
    )
    appointment.start_at = start
    appointment.end_at = start + (duration or appointment.service.duration)
    appointment.timezone = timezone or appointment.timezone
    appointment.locale = locale or appointment.locale
    appointment.sequence += 1
    if appointment.interaction_state == InteractionState.ACTIVE:
        retire_room(appointment, now)
        appointment.interaction_state = InteractionState.PENDING
    flush_or_slot_taken(session)
    outbox.queue_rescheduled(appointment)
    emit_appointment(session, webhook_events.APPOINTMENT_RESCHEDULED, appointment, now=now)
    session.flush()
    return appointment


def cancel(
    session: Session,
    appointment: Appointment,
    reason: str | None = None,
    *,
    message: str | None = None,
    email: bool = True,
    sms: bool = False,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Cancel (never delete): frees the slot, drops reminders, sends CANCEL notices."""
    lifecycle.require(actor or lifecycle.SYSTEM, Action.CANCEL, appointment, now or utcnow())
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancellation_reason = (reason or "").strip() or None
    appointment.sequence += 1
    session.flush()
    outbox.queue_cancelled(appointment, message, email=email, sms=sms)
    emit_appointment(session, webhook_events.APPOINTMENT_CANCELLED, appointment, now=now)
    return appointment


def reassign(
    session: Session,
    appointment: Appointment,
    agent_id: uuid.UUID,
    *,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Give the appointment to another agent who serves the service and is free then."""
    now = now or utcnow()
    actor = actor or lifecycle.SYSTEM
    lifecycle.require(actor, Action.REASSIGN, appointment, now)
    if agent_id == appointment.organizer_id:
        return appointment
    candidate_agents(appointment.service, agent_id)
    lock_calendars(session, [appointment.organizer_id, agent_id])
    session.refresh(appointment)
    try:
        free_agents_at(
            session,
            appointment.service,
            appointment.start_at,
            now=now,
            agent_id=agent_id,
            exclude_appointment_id=appointment.id,
            enforce_notice=False,
            duration=appointment.duration,
            count_holds=lifecycle.held_slots_bind(actor),
            apply_limits=False,  # a hand-over by staff, no new booking
        )
    except SlotUnavailable:
        raise SlotUnavailable(AGENT_BUSY) from None
    new_organizer = session.get(User, agent_id)
    previous_organizer = appointment.organizer
    for participant in list(appointment.participants):
        if participant.type == ParticipantType.AGENT and participant.user_id in (
            appointment.organizer_id,
            agent_id,
        ):
            appointment.participants.remove(participant)
    session.flush()
    appointment.participants.append(_agent_participant(new_organizer, organizer=True))
    appointment.organizer = new_organizer
    appointment.sequence += 1
    flush_or_slot_taken(session, AGENT_BUSY)
    emit_appointment(session, webhook_events.APPOINTMENT_REASSIGNED, appointment, now=now)
    outbox.queue_reassigned(appointment, previous_organizer)
    session.flush()
    return appointment


def _agent_participant(agent: User, *, organizer: bool) -> Participant:
    first, _, last = agent.name.partition(" ")
    return Participant(
        type=ParticipantType.AGENT,
        user=agent,
        is_organizer=organizer,
        first_name=first,
        last_name=last,
        email=agent.email,
    )


def flush_or_slot_taken(session: Session, message: str | None = None) -> None:
    """Write pending changes; the database's overlap refusal becomes SlotUnavailable.

    The locked re-check should have refused first; this is the last line, for a
    writer that skipped the lock or a rule the re-check does not know.
    """
    try:
        session.flush()
    except IntegrityError as error:
        if not is_overlap_refusal(error):
            raise
        session.rollback()
        raise (SlotUnavailable(message) if message else SlotUnavailable()) from None


def retire_room(appointment: Appointment, now: datetime) -> None:
    """Expire the appointment's live room tickets now."""
    for ticket in appointment.room_tickets:
        if ticket.expires_at is None or ticket.expires_at > now:
            ticket.expires_at = now


def find_appointment(session: Session, appointment_id: uuid.UUID) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound(N_("That appointment does not exist."))
    return appointment


__all__ = [
    "Customer",
    "book",
    "cancel",
    "candidate_agents",
    "find_appointment",
    "reassign",
    "reschedule",
]
