"""Staff changes to appointments that are not about time: details, staff create, upsert.

Time changes go through ``operations`` (book, reschedule, reassign, cancel), so the
availability rules live in one place. Staff may book and reschedule inside the
service's minimum notice (``enforce_notice=False``), never onto a taken slot.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.booking import operations
from portal.booking.errors import Conflict, InvalidBooking, NotFound
from portal.booking.operations import Customer
from portal.booking import lifecycle
from portal.booking.lifecycle import Action, Actor
from portal.domain.i18n import N_
from portal.models import (
    Appointment,
    InteractionState,
    Service,
    User,
    utcnow,
)

TITLE_MAX = 200
REFERENCE_MAX = 128
MAX_LENGTH = timedelta(days=1)  # of one appointment


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def _check_title(title: str) -> str:
    title = title.strip()
    if len(title) > TITLE_MAX:
        raise InvalidBooking(N_("The title can be at most %(max)s characters.", max=TITLE_MAX))
    return title


def _check_object(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidBooking(f"{name} must be an object.")
    return dict(value)


ROUTING_TYPE_MAX = 64


def _check_routing(value: Any) -> dict[str, Any]:
    """Seed 001 ``interaction.routing``: ``{type, properties}``, kept as given; empty clears."""
    routing = _check_object("routing", value or {})
    unknown = set(routing) - {"type", "properties"}
    if unknown:
        raise InvalidBooking("routing has only a type and properties.")
    kind = routing.get("type")
    if kind is not None and (not isinstance(kind, str) or len(kind) > ROUTING_TYPE_MAX):
        raise InvalidBooking(f"routing.type is text of at most {ROUTING_TYPE_MAX} characters.")
    if "properties" in routing:
        routing["properties"] = _check_object("routing.properties", routing["properties"])
    return routing


def check_new_schedule(
    service: Service, start: datetime, end: datetime | None, done: bool | None
) -> None:
    """Seed 003's ``endDate`` and ``done`` on create: the service sets the length, and an
    appointment still to come cannot be done (it becomes done when its call ends)."""
    if end is not None and end != start + service.duration:
        expected = (start + service.duration).strftime("%Y-%m-%dT%H:%M:%SZ")
        raise InvalidBooking(
            f"A new appointment takes the service's duration: endDate must be {expected} "
            "(reschedule it afterwards to change its length)."
        )
    if done:
        raise InvalidBooking(
            "A new appointment cannot be done yet: it is marked done when its call ends."
        )


def update_details(
    session: Session,
    appointment: Appointment,
    *,
    title: str = UNSET,
    notes: str = UNSET,
    metadata: dict[str, Any] = UNSET,
    custom_fields: dict[str, Any] = UNSET,
    routing: dict[str, Any] = UNSET,
    notifications_active: bool = UNSET,
    interaction_state: InteractionState | None = None,
    expected_version: datetime | None = None,
    actor: Actor | None = None,
) -> Appointment:
    """Replace the given fields (an empty value replaces too, seed 001 "Update").

    ``expected_version`` is the ``updated_at`` the editor saw: if the appointment
    changed since, nothing is written (Conflict). The interaction state changes
    only through activate / end; giving another state here is refused.
    """
    lifecycle.require(actor or lifecycle.SYSTEM, Action.EDIT_DETAILS, appointment, utcnow())
    if expected_version is not None and appointment.updated_at != expected_version:
        raise Conflict(
            N_(
                "This appointment was changed by someone else while you were editing. "
                "Review the current details and save again."
            )
        )
    if interaction_state is not None and interaction_state != appointment.interaction_state:
        raise InvalidBooking(N_("Change the interaction state with activate or end."))
    changes: dict[str, Any] = {}
    if title is not UNSET:
        changes["title"] = _check_title(title or "")
    if notes is not UNSET:
        changes["notes"] = notes or ""
    if metadata is not UNSET:
        changes["metadata_"] = _check_object("metadata", metadata or {})
    if custom_fields is not UNSET:
        changes["custom_fields"] = _check_object("customFields", custom_fields or {})
    if routing is not UNSET:
        changes["routing"] = _check_routing(routing)
    if notifications_active is not UNSET:
        # Off: nothing more is queued for its customers (portal.notifications.outbox).
        changes["notifications_active"] = bool(notifications_active)
    if "title" in changes and changes["title"] != appointment.title:
        appointment.sequence += 1  # calendars show the title
    for name, value in changes.items():
        setattr(appointment, name, value)
    # Saving with no visible change still marks the row as saved (the version moves on).
    appointment.updated_at = utcnow()
    session.flush()
    return appointment


def _reference_taken(session: Session, reference: str) -> bool:
    return (
        session.scalar(select(Appointment.id).where(Appointment.reference == reference)) is not None
    )


def _check_reference(reference: str | None) -> str | None:
    if reference is None:
        return None
    reference = reference.strip()
    if not reference or len(reference) > REFERENCE_MAX:
        raise InvalidBooking(N_("A reference has 1 to %(max)s characters.", max=REFERENCE_MAX))
    return reference


def create_for_staff(
    session: Session,
    service: Service,
    start: datetime,
    customer: Customer,
    *,
    organizer_id: uuid.UUID | None = None,
    reference: str | None = None,
    title: str | None = None,
    notes: str = "",
    metadata: dict[str, Any] | None = None,
    timezone: str | None = None,
    locale: str | None = None,
    notifications_active: bool = True,
    routing: dict[str, Any] | None = None,
    end: datetime | None = None,
    done: bool | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
    answers: dict[str, Any] | None = None,
    override_limits: bool = False,
) -> Appointment:
    """Book as staff: minimum notice may be overridden, a collision never; the service's
    limits only deliberately (``override_limits``); its required questions need answers.

    ``end`` and ``done`` (seed 003) are checked by ``check_new_schedule``;
    ``notifications_active`` false queues no notice at all.

    Whose calendar it goes into is the lifecycle's rule (``organizer_for_create``): an
    agent books into their own (by default too), others into any serving agent's, or
    let the portal choose (``organizer_id`` None).
    """
    organizer_id = lifecycle.organizer_for_create(actor or lifecycle.SYSTEM, service, organizer_id)
    check_new_schedule(service, start, end, done)
    routing = _check_routing(routing) if routing is not None else {}
    reference = _check_reference(reference)
    if reference is not None and _reference_taken(session, reference):
        raise Conflict(N_("An appointment with that reference already exists."))
    try:
        appointment = operations.book(
            session,
            service,
            start,
            customer,
            agent_id=organizer_id,
            timezone=timezone,
            locale=locale,
            title=_check_title(title) if title else None,
            notes=notes or "",
            reference=reference,
            metadata=_check_object("metadata", metadata) if metadata is not None else None,
            notifications_active=notifications_active,
            enforce_notice=False,
            actor=actor or lifecycle.SYSTEM,  # staff: customers' holds do not bind them
            now=now,
            answers=answers,
            override_limits=override_limits,
        )
        if routing:
            appointment.routing = routing
            session.flush()
        return appointment
    except IntegrityError:
        session.rollback()
        raise Conflict(N_("An appointment with that reference already exists.")) from None


@dataclass
class ReferenceUpsert:
    """What a PUT /api/appointments/reference/{reference} body may carry; UNSET = absent."""

    service_id: uuid.UUID = UNSET
    start: datetime = UNSET
    end: datetime = UNSET  # seed 003 endDate: the length, with start (or the current start)
    duration: timedelta | None = UNSET
    timezone: str = UNSET
    locale: str = UNSET
    organizer_id: uuid.UUID = UNSET
    title: str = UNSET
    notes: str = UNSET
    metadata: dict[str, Any] = UNSET
    customer: Customer = UNSET
    done: bool = UNSET
    notifications_active: bool = UNSET


def upsert_by_reference(
    session: Session,
    user: User,
    reference: str,
    changes: ReferenceUpsert,
    *,
    now: datetime | None = None,
) -> tuple[Appointment, bool]:
    """Create the appointment with this reference, or update it. Returns (it, created).

    Create needs serviceId, start and customer. Update applies what is given:
    a new start or duration reschedules (notices sent), a new organizer reassigns,
    title / notes / metadata are replaced; the service cannot change.
    """
    now = now or utcnow()
    actor = Actor.of(user)
    reference = _check_reference(reference) or ""
    existing = session.scalar(select(Appointment).where(Appointment.reference == reference))
    if existing is None:
        missing = [
            name
            for name, value in (
                ("serviceId", changes.service_id),
                ("start", changes.start),
                ("customer", changes.customer),
            )
            if value is UNSET
        ]
        if missing:
            raise InvalidBooking(f"To create an appointment send {', '.join(missing)}.")
        service = session.get(Service, changes.service_id)
        if service is None or not service.active:
            raise NotFound(N_("That service does not exist."))
        organizer_id = None if changes.organizer_id is UNSET else changes.organizer_id
        if changes.duration not in (UNSET, None) and changes.duration != service.duration:
            raise InvalidBooking(N_("A new appointment takes the service's duration."))
        check_new_schedule(
            service,
            changes.start,
            None if changes.end is UNSET else changes.end,
            None if changes.done is UNSET else changes.done,
        )
        created = create_for_staff(
            session,
            service,
            changes.start,
            changes.customer,
            organizer_id=organizer_id,
            reference=reference,
            title=None if changes.title is UNSET else changes.title,
            notes="" if changes.notes is UNSET else changes.notes,
            metadata=None if changes.metadata is UNSET else changes.metadata,
            timezone=None if changes.timezone is UNSET else changes.timezone,
            locale=None if changes.locale is UNSET else changes.locale,
            notifications_active=(
                True if changes.notifications_active is UNSET else changes.notifications_active
            ),
            actor=actor,
            now=now,
        )
        return created, True

    if not lifecycle.can_see(actor, existing):
        raise NotFound(lifecycle.NOT_FOUND)
    appointment = existing
    if changes.service_id is not UNSET and changes.service_id != appointment.service_id:
        raise InvalidBooking(N_("An appointment's service cannot change."))
    if changes.done is not UNSET and changes.done != appointment.done:
        raise InvalidBooking("An appointment is marked done when its call ends (PUT .../end).")
    new_start = appointment.start_at if changes.start is UNSET else changes.start
    new_duration = appointment.duration if changes.duration in (UNSET, None) else changes.duration
    if changes.end is not UNSET:
        if changes.end <= new_start:
            raise InvalidBooking("endDate must be after the start.")
        if changes.duration not in (UNSET, None) and changes.duration != changes.end - new_start:
            raise InvalidBooking("duration and endDate disagree: send one of them.")
        new_duration = changes.end - new_start
        if new_duration > MAX_LENGTH:
            raise InvalidBooking(N_("An appointment lasts at most one day."))
    if new_start != appointment.start_at or new_duration != appointment.duration:
        operations.reschedule(
            session,
            appointment,
            new_start,
            duration=new_duration,
            timezone=None if changes.timezone is UNSET else changes.timezone,
            locale=None if changes.locale is UNSET else changes.locale,
            enforce_notice=False,
            actor=actor,
            now=now,
        )
    elif changes.timezone is not UNSET or changes.locale is not UNSET:
        lifecycle.require(actor, Action.EDIT_DETAILS, appointment, now)
        if changes.timezone is not UNSET:
            appointment.timezone = changes.timezone
        if changes.locale is not UNSET:
            appointment.locale = changes.locale
        session.flush()
    if changes.organizer_id is not UNSET and changes.organizer_id != appointment.organizer_id:
        operations.reassign(session, appointment, changes.organizer_id, actor=actor, now=now)
    if any(
        v is not UNSET
        for v in (changes.title, changes.notes, changes.metadata, changes.notifications_active)
    ):
        update_details(
            session,
            appointment,
            title=changes.title,
            notes=changes.notes,
            metadata=changes.metadata,
            notifications_active=changes.notifications_active,
            actor=actor,
        )
    return appointment, False


__all__ = [
    "UNSET",
    "check_new_schedule",
    "ReferenceUpsert",
    "create_for_staff",
    "update_details",
    "upsert_by_reference",
]
