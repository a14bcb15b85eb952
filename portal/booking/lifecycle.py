"""The appointment lifecycle: who may do what to an appointment, and when.

One policy for pages, the API and the domain operations alike. An appointment is
``SCHEDULED | CANCELLED`` and, while scheduled, its call is ``PENDING | ACTIVE |
ENDED``. Every change is an ``Action``; ``decide`` says whether an actor may take
it now and, if not, which refusal (a ``DomainError``) answers. Operations call
``require`` before they write; pages ask ``allowed`` to show their buttons; the
API answers with the refusal itself. Nothing here reads a request or a clock of
its own: the actor and ``now`` are given.

The rules (docs/decisions.md, "The appointment lifecycle"):

Who
- A customer (by manage link or signed in at /my) may view, reschedule and cancel
  their own appointment.
- An agent may do everything to appointments they organise or take part in;
  others' appointments do not exist for them (404). Handing one to a colleague
  (reassign) is the organizer's: an agent who only takes part is refused (403).
- Staff create: an agent books only into their own calendar (403 otherwise);
  supervisors, admins and integrations into any serving agent's
  (``create_refusal`` / ``organizer_for_create``).
- Staff details (notes, metadata, templates, staff e-mails and ids) are for
  staff and integrations; a customer gets the customer's view
  (``Action.VIEW_STAFF_DETAILS``, ``sees_staff_details``).
- Supervisors and admins may do everything to every appointment.
- An integration (CLIENT_SERVICE token) may view, edit details, reschedule,
  cancel and activate, as DESIGN.md 8 lists; ending, reassigning and changing
  participants are refused (403).

When
- Nothing happens to a CANCELLED appointment (409).
- Once the call has ENDED, only the details (title, notes, metadata) may change:
  no reschedule, reassign, activate, end again, cancel or participant change.
- Customers change an appointment only before it starts, and only until the
  service's cut-off (``cancelCutoff`` / ``rescheduleCutoff`` before the start;
  ``deadline``); past it the refusal says until when it was possible and whom to
  contact. Staff and integrations are not bound by cut-offs. Staff may reschedule
  or cancel it until it ends (a time that has passed is not moved: book a new
  appointment) and hand it to a colleague until it starts.
- End: from the start onward, or while the call is ACTIVE.
- Activate (open the room): until an hour after the end (calls overrun).
- Rescheduling an ACTIVE appointment retires its room ticket and returns it to
  PENDING, so it is eligible again at its new time (``reschedule`` does it).

Holds (docs/decisions.md, "Holds (issue 13)")
- A customer's live hold keeps other customers off the held time; staff and
  integrations book, reschedule and reassign over it (``held_slots_bind``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from zoneinfo import ZoneInfo

from portal.domain.errors import Conflict, DomainError, Forbidden, NotFound
from portal.domain.i18n import N_
from portal.domain.values import normalize_email
from portal.models import (
    Appointment,
    AppointmentStatus,
    InteractionState,
    Participant,
    ParticipantType,
    Role,
    Service,
    User,
)

# A room stays open this long after the appointment's planned end (calls overrun).
ROOM_GRACE = timedelta(hours=1)


class Action(StrEnum):
    VIEW = "view"
    VIEW_STAFF_DETAILS = "view_staff_details"
    EDIT_DETAILS = "edit_details"
    RESCHEDULE = "reschedule"
    REASSIGN = "reassign"
    CANCEL = "cancel"
    END = "end"
    ACTIVATE = "activate"
    ADD_PARTICIPANT = "add_participant"
    REMOVE_PARTICIPANT = "remove_participant"


STAFF_ACTIONS = frozenset(Action)
CUSTOMER_ACTIONS = frozenset({Action.VIEW, Action.RESCHEDULE, Action.CANCEL})
INTEGRATION_ACTIONS = frozenset(
    {
        Action.VIEW,
        Action.VIEW_STAFF_DETAILS,
        Action.EDIT_DETAILS,
        Action.RESCHEDULE,
        Action.CANCEL,
        Action.ACTIVATE,
    }
)
# What a customer changes, each until its cut-off.
CUSTOMER_CHANGES = frozenset({Action.RESCHEDULE, Action.CANCEL})
# Reading, at any time and in any state.
READING = frozenset({Action.VIEW, Action.VIEW_STAFF_DETAILS})
# What may still change once the call has ended.
AFTER_END = frozenset({Action.VIEW, Action.VIEW_STAFF_DETAILS, Action.EDIT_DETAILS})
# What an agent may do only to the appointments they organise (not those they just join).
ORGANIZER_ONLY = frozenset({Action.REASSIGN})
# Staff changes to the time, allowed until the appointment ends.
UNTIL_END = frozenset({Action.RESCHEDULE, Action.CANCEL})

NOT_FOUND = N_("That appointment does not exist.")
CANCELLED = N_("This appointment is cancelled.")
ENDED = N_("This appointment's call has ended.")
OVER = N_("This appointment is over. Book a new appointment instead.")
STARTED = N_("This appointment has already started. Please contact us to change it.")
HANDED_OVER_TOO_LATE = N_(
    "This appointment has started; it can no longer be handed to a colleague."
)
NOT_STARTED = N_("The call can be ended once the appointment has started.")
ROOM_CLOSED = N_("This appointment is over; its video room can no longer be opened.")
NOT_THE_ORGANIZER = N_(
    "Only its organizer or a supervisor can hand this appointment to someone else."
)
OWN_CALENDAR_ONLY = N_("Agents book only into their own calendar.")
NOT_SERVING = N_("You do not offer this service, so you cannot book it into your calendar.")
NO_STAFF_CREATE = N_("You may not book appointments for customers here.")


@dataclass(frozen=True)
class Actor:
    """Who asks: a staff or integration user, or a customer known by e-mail."""

    role: Role
    user_id: uuid.UUID | None = None
    email: str | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(role=user.role, user_id=user.id, email=user.email)

    @classmethod
    def customer(cls, email: str | None = None) -> Actor:
        """A customer: by a manage link (the link is the proof) or signed in with ``email``."""
        return cls(role=Role.CUSTOMER, email=normalize_email(email) if email else None)

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER


# The portal acting on its own (time off cancelling collisions, the CLI, tests):
# bound by the "when" rules like staff, never by the "who" rules.
SYSTEM = Actor(role=Role.ADMIN)


@dataclass(frozen=True)
class Decision:
    action: Action
    refusal: DomainError | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    def __bool__(self) -> bool:
        return self.allowed


# Roles that see every appointment.
SEES_ALL = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.CLIENT_SERVICE})


def can_see(actor: Actor, appointment: Appointment) -> bool:
    """Whether the appointment exists for ``actor`` at all (else 404, never 403)."""
    if actor.role in SEES_ALL:
        return True
    if actor.role == Role.AGENT:
        return appointment.organizer_id == actor.user_id or any(
            p.type == ParticipantType.AGENT and p.user_id == actor.user_id
            for p in appointment.participants
        )
    if actor.is_customer:
        # A manage link names its appointment; a signed-in customer must take part.
        return actor.email is None or any(
            p.type == ParticipantType.CUSTOMER and p.email == actor.email
            for p in appointment.participants
        )
    return False


def _permitted(actor: Actor) -> frozenset[Action]:
    if actor.is_customer:
        return CUSTOMER_ACTIONS
    if actor.role == Role.CLIENT_SERVICE:
        return INTEGRATION_ACTIONS
    if actor.role in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        return STAFF_ACTIONS
    return frozenset()


def _timing(actor: Actor, action: Action, appointment: Appointment, now: datetime) -> str | None:
    """Why the appointment's state or time rules the action out now, if it does."""
    if action in READING:
        return None
    if appointment.status != AppointmentStatus.SCHEDULED:
        return CANCELLED
    state = appointment.interaction_state
    if state == InteractionState.ENDED and action not in AFTER_END:
        return ENDED
    if actor.is_customer and action in CUSTOMER_CHANGES:
        if appointment.start_at <= now:
            return STARTED
        closes = deadline(appointment, action)
        return past_cutoff_message(appointment, action, closes) if now > closes else None
    if action in UNTIL_END and appointment.end_at <= now:
        return OVER
    if action == Action.REASSIGN and appointment.start_at <= now:
        return HANDED_OVER_TOO_LATE
    if action == Action.END and state != InteractionState.ACTIVE and appointment.start_at > now:
        return NOT_STARTED
    if action == Action.ACTIVATE and now >= appointment.end_at + ROOM_GRACE:
        return ROOM_CLOSED
    return None


# --- cut-offs ---------------------------------------------------------------------------------


def cutoff(appointment: Appointment, action: Action) -> timedelta:
    """How long before the start a customer's ``action`` closes (zero: at the start)."""
    service = appointment.service
    if action == Action.CANCEL:
        return service.cancel_cutoff
    if action == Action.RESCHEDULE:
        return service.reschedule_cutoff
    return timedelta(0)


def deadline(appointment: Appointment, action: Action) -> datetime:
    """The last instant a customer may still take ``action`` (cancel, reschedule) online."""
    return appointment.start_at - cutoff(appointment, action)


def format_deadline(appointment: Appointment, instant: datetime) -> str:
    """``instant`` in the appointment's zone and locale, with the zone named."""
    return format_moment(instant, appointment.timezone, appointment.locale)


def format_moment(instant: datetime, zone_name: str | None, locale_name: str | None) -> str:
    """A readable date and time in ``zone_name`` and ``locale_name``, e.g.
    ``10 Jun 2026, 09:00 (Europe/Berlin)``; unknown names fall back to UTC and English."""
    try:
        locale = Locale.parse((locale_name or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        locale = Locale.parse("en")
    try:
        zone = ZoneInfo(zone_name or "UTC")
    except (KeyError, ValueError, OSError):
        zone = ZoneInfo("UTC")
    local = instant.astimezone(zone)
    when = f"{format_date(local.date(), 'medium', locale=locale)}, {local:%H:%M}"
    return f"{when} ({zone.key})"


def contact_of(appointment: Appointment) -> str:
    """Whom a customer asks for a change the portal no longer takes: the organizer,
    reached through the service's verified sender address when it has one (a staff
    member's own e-mail is never shown to customers)."""
    service = appointment.service
    sender = service.sender_email if service.sender_email and service.sender_verified else None
    if appointment.organizer is None:
        if sender:
            return N_("us at %(email)s", email=sender)
        return N_("us by replying to your confirmation e-mail")
    agent = appointment.organizer.name
    if sender:
        return N_("%(agent)s at %(email)s", agent=agent, email=sender)
    return N_("%(agent)s by replying to your confirmation e-mail", agent=agent)


def past_cutoff_message(appointment: Appointment, action: Action, closes: datetime) -> str:
    values = {"deadline": format_deadline(appointment, closes), "contact": contact_of(appointment)}
    if action == Action.CANCEL:
        return N_(
            "This appointment could be cancelled online until %(deadline)s. "
            "Please contact %(contact)s.",
            **values,
        )
    return N_(
        "This appointment could be rescheduled online until %(deadline)s. "
        "Please contact %(contact)s.",
        **values,
    )


def decide(actor: Actor, action: Action, appointment: Appointment, now: datetime) -> Decision:
    """May ``actor`` take ``action`` on ``appointment`` at ``now``? If not, the refusal."""
    if not can_see(actor, appointment):
        return Decision(action, NotFound(NOT_FOUND))
    if action not in _permitted(actor):
        return Decision(action, Forbidden(_forbidden_message(actor, action)))
    if (
        action in ORGANIZER_ONLY
        and actor.role == Role.AGENT
        and appointment.organizer_id != actor.user_id
    ):
        return Decision(action, Forbidden(NOT_THE_ORGANIZER))
    reason = _timing(actor, action, appointment, now)
    return Decision(action, Conflict(reason) if reason else None)


def require(actor: Actor, action: Action, appointment: Appointment, now: datetime) -> None:
    """Raise the refusal if ``actor`` may not take ``action`` now."""
    refusal = decide(actor, action, appointment, now).refusal
    if refusal is not None:
        raise refusal


def allowed(actor: Actor, appointment: Appointment, now: datetime) -> frozenset[Action]:
    """Every action ``actor`` may take now: what a page shows buttons for."""
    return frozenset(a for a in Action if decide(actor, a, appointment, now).allowed)


def held_slots_bind(actor: Actor) -> bool:
    """Whether a customer's live hold keeps ``actor`` from taking the held time.

    Only customers are bound: a hold lasts minutes and is only a claim while its
    customer confirms, so staff placing an appointment (a phone call, an
    integration) take the time, and the held customer's confirmation then gets
    the usual "that time was just taken" answer.
    """
    return actor.is_customer


def limits_bind(actor: Actor, override: bool = False) -> bool:
    """Whether the service's booking limits hold for a booking ``actor`` makes.

    Customers are always bound. Staff and integrations are bound too, unless they
    exceed a limit deliberately (``override``: ``overrideLimits`` in the staff create);
    moving an existing appointment (staff reschedule, reassign) is not a new booking
    and is not limited (docs/decisions.md, "Cut-offs, limits and booking questions").
    """
    return actor.is_customer or not override


def sees_staff_details(actor: Actor, appointment: Appointment) -> bool:
    """Whether ``actor`` gets the staff view of ``appointment`` (else the customer's view).

    The staff view carries notes, metadata, custom fields, the service's templates and
    the staff's e-mails and ids; a customer sees only what is theirs (docs/decisions.md,
    "Organizers and the customer's view").
    """
    return can_see(actor, appointment) and Action.VIEW_STAFF_DETAILS in _permitted(actor)


def participants_seen_by(actor: Actor, appointment: Appointment) -> list[Participant]:
    """The participants ``actor`` may read: all for staff; a customer only their own entry.

    A customer signed in by e-mail reads the CUSTOMER participants with that e-mail; one
    holding a manage link (no e-mail) the appointment's customers. Never an agent's entry
    (staff e-mails and ids) nor another customer's contact.
    """
    if not can_see(actor, appointment):
        return []
    if not actor.is_customer:
        return list(appointment.participants)
    return [
        p
        for p in appointment.participants
        if p.type == ParticipantType.CUSTOMER and (actor.email is None or p.email == actor.email)
    ]


# --- whose calendar a new appointment goes into ----------------------------------------------

# Roles that may book a customer with any agent who serves the service (DESIGN.md 8;
# admins act as supervisors, docs/decisions.md "Roles").
BOOKS_FOR_ANY_AGENT = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.CLIENT_SERVICE})


def create_refusal(
    actor: Actor, service: Service, agent_id: uuid.UUID | None
) -> DomainError | None:
    """Why ``actor`` may not book ``service`` with ``agent_id`` as organizer, if they may not.

    ``agent_id`` None lets the portal choose among the serving agents ("any agent").
    An agent books only into their own calendar, so only for a service they offer.
    """
    if actor.role in BOOKS_FOR_ANY_AGENT:
        return None
    if actor.role != Role.AGENT:
        return Forbidden(NO_STAFF_CREATE)
    if agent_id is not None and agent_id != actor.user_id:
        return Forbidden(OWN_CALENDAR_ONLY)
    if not any(agent.id == actor.user_id for agent in service.agents):
        return Forbidden(NOT_SERVING)
    return None


def can_create_for(actor: Actor, service: Service, agent_id: uuid.UUID | None) -> bool:
    """Whether a page may offer ``agent_id`` as the organizer of a new appointment."""
    return create_refusal(actor, service, agent_id) is None


def organizer_for_create(
    actor: Actor, service: Service, requested: uuid.UUID | None
) -> uuid.UUID | None:
    """The organizer of a staff create: ``requested`` if allowed; an agent's own by default.

    Raises the refusal (Forbidden) when ``actor`` may not book into that calendar.
    """
    if requested is None and actor.role == Role.AGENT:
        requested = actor.user_id
    refusal = create_refusal(actor, service, requested)
    if refusal is not None:
        raise refusal
    return requested


def _forbidden_message(actor: Actor, action: Action) -> str:
    if actor.is_customer:
        return N_("Please contact us for this change.")
    if actor.role == Role.CLIENT_SERVICE:
        return N_(
            "Integrations may not %(action)s appointments.", action=action.value.replace("_", " ")
        )
    return N_("You may not change appointments.")


__all__ = [
    "Action",
    "Actor",
    "Decision",
    "ROOM_GRACE",
    "SYSTEM",
    "allowed",
    "can_create_for",
    "can_see",
    "create_refusal",
    "contact_of",
    "cutoff",
    "deadline",
    "decide",
    "format_deadline",
    "format_moment",
    "held_slots_bind",
    "limits_bind",
    "organizer_for_create",
    "participants_seen_by",
    "require",
    "sees_staff_details",
]
