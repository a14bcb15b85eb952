"""Time off (seed 002 "time exceptions") for one or more agents.

Rules (DESIGN.md 3 and 4): a one-off time off blocks from ``from_date`` at
``from_minute`` (None = 00:00) to ``to_date`` at ``to_minute`` (None = 24:00);
a recurring one (``days_of_week`` set, 1 = Monday .. 7 = Sunday) blocks
from_minute..to_minute on each listed weekday of each date from..to. Times are
in each agent's own timezone; ``block_time=False`` is an annotation only.

Creating or changing one that covers booked (SCHEDULED, not yet ended)
appointments of its agents raises ``Collision`` listing them, unless ``force``:
then ``CollidingBookingOptions.KEEP`` (the default) keeps them and ``CANCEL``
cancels each, queueing the cancel notices with ``cancel_message`` by email
and/or SMS — all in the one transaction that writes the time off.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.booking.errors import NotFound
from portal.booking.operations import cancel
from portal.database import lock_calendars
from portal.domain.i18n import N_
from portal.models import (
    Appointment,
    AppointmentStatus,
    Participant,
    ParticipantType,
    TimeException,
    User,
    utcnow,
)
from portal.models.schedule import time_exception_agents
from portal.scheduling.localtime import epoch_seconds, from_epoch, local_date, to_utc
from portal.scheduling.rules import TimeExceptionRule

# The engine's own expansion of a time exception: one implementation of the rule.
from portal.scheduling.slots import _exception_blocks
from portal.schedules.errors import Collision, InvalidSchedule, StaleChange, raise_first
from portal.scheduling import validation

MINUTES_PER_DAY = 24 * 60
FIRST_DATE = date(1970, 1, 1)
LAST_DATE = date(2999, 12, 31)
MAX_REASON = 500
MAX_CANCEL_MESSAGE = 1000
DEFAULT_COLOR = "#9ca3af"
_ONE_DAY = timedelta(days=1)


class CollidingBookingOptions(StrEnum):
    """Seed 002: what a forced time off does to the appointments it covers."""

    KEEP = "AddWithoutCancelingCollidingBookings"
    CANCEL = "AddAndCancelCollidingBookings"


@dataclass(frozen=True)
class TimeOff:
    """A time off as the caller wants it (validated by ``check_time_off``)."""

    agent_ids: tuple[uuid.UUID, ...]
    from_date: date
    to_date: date
    from_minute: int | None = None
    to_minute: int | None = None
    days_of_week: tuple[int, ...] = ()
    reason_text: str = ""
    reason_text_public: str = ""
    color: str = DEFAULT_COLOR
    block_time: bool = True
    private: bool = False

    @property
    def recurring(self) -> bool:
        return bool(self.days_of_week)

    def rule(self) -> TimeExceptionRule:
        return TimeExceptionRule(
            from_date=self.from_date,
            to_date=self.to_date,
            from_minute=self.from_minute,
            to_minute=self.to_minute,
            days_of_week=frozenset(self.days_of_week),
            block_time=self.block_time,
        )

    @classmethod
    def of(cls, exception: TimeException) -> TimeOff:
        return cls(
            agent_ids=tuple(agent.id for agent in exception.agents),
            from_date=exception.from_date,
            to_date=exception.to_date,
            from_minute=exception.from_minute,
            to_minute=exception.to_minute,
            days_of_week=tuple(sorted(exception.days_of_week or ())),
            reason_text=exception.reason_text,
            reason_text_public=exception.reason_text_public,
            color=exception.color,
            block_time=exception.block_time,
            private=exception.private,
        )


@dataclass(frozen=True)
class CollisionChoice:
    """What to do with colliding appointments (seed 002 Force and its options)."""

    force: bool = False
    option: CollidingBookingOptions = CollidingBookingOptions.KEEP
    cancel_message: str | None = None
    send_email: bool = True
    send_sms: bool = False
    # The collisions the person saw when choosing; if they changed since, ask again.
    expected_ids: frozenset[uuid.UUID] | None = None


@dataclass
class Outcome:
    exception: TimeException
    kept: list[Appointment] = field(default_factory=list)
    cancelled: list[Appointment] = field(default_factory=list)


# --- checks ---------------------------------------------------------------------------------


def check_time_off(data: TimeOff) -> None:
    """Raise InvalidSchedule (with the offending field) for the first broken rule.

    The seed-002 rules are ``scheduling.validation.validate_time_exception``'s;
    the limits that keep the arithmetic and storage sane are added here.
    """
    errors = validation.validate_time_exception(
        from_date=data.from_date,
        to_date=data.to_date,
        from_time=_hhmm_or_raw(data.from_minute),
        to_time=_hhmm_or_raw(data.to_minute),
        days_of_week=list(data.days_of_week),
        color=data.color,
        agent_ids=list(data.agent_ids),
    )
    if "agent_ids" in errors:
        raise InvalidSchedule(errors["agent_ids"], "agent_ids", code="missing_param")
    raise_first({_FIELDS.get(key, key): message for key, message in errors.items()})
    for name in ("from_date", "to_date"):
        if not FIRST_DATE <= getattr(data, name) <= LAST_DATE:
            raise InvalidSchedule(
                N_(
                    "The date must lie between %(first)s and %(last)s.",
                    first=str(FIRST_DATE),
                    last=str(LAST_DATE),
                ),
                name,
            )
    if len(set(data.days_of_week)) != len(data.days_of_week):
        raise InvalidSchedule(N_("Each day of the week may be listed once."), "days_of_week")
    for name in ("reason_text", "reason_text_public"):
        if len(getattr(data, name)) > MAX_REASON:
            raise InvalidSchedule(N_("At most %(max)s characters, please.", max=MAX_REASON), name)


# The validator speaks of from_time / to_time; TimeOff of from_minute / to_minute.
_FIELDS = {"from_time": "from_minute", "to_time": "to_minute"}


def _hhmm_or_raw(minute: int | None) -> object:
    if minute is None:
        return None
    return validation.format_hhmm(minute) if 0 <= minute <= MINUTES_PER_DAY else str(minute)


def _check_choice(choice: CollisionChoice, collisions: Sequence[Appointment]) -> None:
    if choice.option == CollidingBookingOptions.CANCEL and collisions:
        message = (choice.cancel_message or "").strip()
        if not message:
            raise InvalidSchedule(
                N_("Write the message the customers get when their appointments are cancelled."),
                "cancel_message",
                code="missing_param",
            )
        if len(message) > MAX_CANCEL_MESSAGE:
            raise InvalidSchedule(
                N_("At most %(max)s characters, please.", max=MAX_CANCEL_MESSAGE), "cancel_message"
            )


# --- what a time off blocks -----------------------------------------------------------------


def blocked_periods(
    rule: TimeExceptionRule, first_day: date, last_day: date, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The UTC periods ``rule`` blocks on local dates ``first_day``..``last_day`` (DESIGN 4.3).

    The rule itself lives once, in the slot engine; this only turns its spans into datetimes.
    """
    return [
        (from_epoch(start), from_epoch(end))
        for start, end in _exception_blocks([rule], first_day, last_day, zone)
        if start < end
    ]


def _overlaps(appointment: Appointment, rule: TimeExceptionRule, zone: ZoneInfo) -> bool:
    first = local_date(epoch_seconds(appointment.start_at), zone)
    last = local_date(epoch_seconds(appointment.end_at) - 1, zone)
    return any(
        start < appointment.end_at and appointment.start_at < end
        for start, end in blocked_periods(rule, first, last, zone)
    )


def find_collisions(
    session: Session,
    data: TimeOff,
    *,
    now: datetime | None = None,
    agents: Sequence[User] | None = None,
) -> list[Appointment]:
    """SCHEDULED appointments of ``data``'s agents that it would block and that have not ended."""
    if not data.block_time:
        return []
    now = now or utcnow()
    agents = agents if agents is not None else _agents(session, data.agent_ids)
    rule = data.rule()
    found: dict[uuid.UUID, Appointment] = {}
    for agent in agents:
        zone = ZoneInfo(agent.timezone)
        range_start = to_utc(data.from_date, 0, zone)
        range_end = to_utc(data.to_date + _ONE_DAY, 0, zone)
        candidates = session.scalars(
            select(Appointment)
            .join(Participant, Participant.appointment_id == Appointment.id)
            .where(
                Participant.type == ParticipantType.AGENT,
                Participant.user_id == agent.id,
                Appointment.status == AppointmentStatus.SCHEDULED,
                Appointment.start_at < range_end,
                Appointment.end_at > max(range_start, now),
            )
            .options(selectinload(Appointment.participants))
            .order_by(Appointment.start_at)
        )
        for appointment in candidates:
            if appointment.id not in found and _overlaps(appointment, rule, zone):
                found[appointment.id] = appointment
    return sorted(found.values(), key=lambda a: (a.start_at, str(a.id)))


# --- reading --------------------------------------------------------------------------------


def get_time_off(session: Session, exception_id: uuid.UUID) -> TimeException:
    exception = session.get(TimeException, exception_id)
    if exception is None:
        raise NotFound(N_("That time off does not exist."))
    return exception


def version_of(exception: TimeException) -> str:
    """A token for "as shown in the form", to refuse saving over a newer change."""
    return exception.updated_at.isoformat()


TIME_OFF_SORT_FIELDS = {
    "from": TimeException.from_date,
    "to": TimeException.to_date,
    "createdAt": TimeException.created_at,
}


def list_time_off(
    session: Session,
    *,
    agent_ids: Iterable[uuid.UUID] | None = None,
    from_date: date | None = None,
    to_date: date | None = None,
    sort_field: str = "from",
    sort_order: str = "asc",
    page_number: int = 1,
    page_size: int | None = None,
) -> tuple[list[TimeException], int]:
    """Time offs involving any of ``agent_ids`` (all if None) that touch from..to; and the total."""
    query = select(TimeException)
    if agent_ids is not None:
        ids = list(agent_ids)
        involved = select(time_exception_agents.c.time_exception_id).where(
            time_exception_agents.c.user_id.in_(ids)
        )
        query = query.where(TimeException.id.in_(involved))
    if from_date is not None:
        query = query.where(TimeException.to_date >= from_date)
    if to_date is not None:
        query = query.where(TimeException.from_date <= to_date)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = TIME_OFF_SORT_FIELDS[sort_field]
    ordered = query.order_by(
        column.desc() if sort_order == "desc" else column.asc(), TimeException.id
    ).options(selectinload(TimeException.agents))
    if page_size is not None:
        ordered = ordered.limit(page_size).offset((page_number - 1) * page_size)
    return list(session.scalars(ordered)), total


# --- writing --------------------------------------------------------------------------------


def create_time_off(
    session: Session,
    data: TimeOff,
    *,
    created_by: User | None = None,
    choice: CollisionChoice = CollisionChoice(),
    now: datetime | None = None,
) -> Outcome:
    """Add a time off (one transaction, one commit); see the module docstring for collisions."""
    check_time_off(data)
    return _write(session, None, data, choice, created_by, now or utcnow(), expected_version=None)


def update_time_off(
    session: Session,
    exception: TimeException,
    data: TimeOff,
    *,
    choice: CollisionChoice = CollisionChoice(),
    expected_version: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Replace a time off's fields, with the same collision rules as creating one."""
    check_time_off(data)
    return _write(session, exception, data, choice, None, now or utcnow(), expected_version)


def delete_time_off(
    session: Session, exception: TimeException, *, expected_version: str | None = None
) -> None:
    lock_calendars(session, [agent.id for agent in exception.agents])
    current = session.get(TimeException, exception.id)
    if current is None:
        raise NotFound(N_("That time off does not exist."))
    if expected_version is not None and version_of(current) != expected_version:
        raise StaleChange()
    session.delete(current)
    session.flush()


def _agents(session: Session, agent_ids: Iterable[uuid.UUID]) -> list[User]:
    ids = list(dict.fromkeys(agent_ids))
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    missing = [agent_id for agent_id in ids if agent_id not in users]
    if missing:
        raise NotFound(N_("That agent does not exist."))
    return [users[agent_id] for agent_id in ids]


def _write(
    session: Session,
    exception: TimeException | None,
    data: TimeOff,
    choice: CollisionChoice,
    created_by: User | None,
    now: datetime,
    expected_version: str | None,
) -> Outcome:
    old_agent_ids = [agent.id for agent in exception.agents] if exception is not None else []
    exception_id = exception.id if exception is not None else None
    # Bookings for these agents wait until the time off is written (and vice versa), so
    # no appointment can slip in between the collision check and the commit.
    lock_calendars(session, [*old_agent_ids, *data.agent_ids])
    if exception_id is not None:
        exception = session.get(TimeException, exception_id)
        if exception is None:
            raise NotFound(N_("That time off does not exist."))
        if expected_version is not None and version_of(exception) != expected_version:
            raise StaleChange()
    agents = _agents(session, data.agent_ids)
    collisions = find_collisions(session, data, now=now, agents=agents)
    seen = {a.id for a in collisions}
    if collisions and not choice.force:
        raise Collision(collisions)
    # Forced after seeing some collisions: new ones (booked since) need a fresh choice.
    if choice.force and choice.expected_ids is not None and seen - set(choice.expected_ids):
        raise Collision(
            collisions,
            N_(
                "The appointments this time off collides with changed meanwhile. "
                "Check them and choose again."
            ),
        )
    _check_choice(choice, collisions)
    if exception is None:
        exception = TimeException(created_by_id=created_by.id if created_by else None)
        session.add(exception)
    exception.agents = agents
    exception.from_date = data.from_date
    exception.to_date = data.to_date
    exception.from_minute = data.from_minute
    exception.to_minute = data.to_minute
    exception.days_of_week = sorted(data.days_of_week)
    exception.reason_text = data.reason_text.strip()
    exception.reason_text_public = data.reason_text_public.strip()
    exception.color = data.color.lower()
    exception.block_time = data.block_time
    exception.private = data.private
    exception.updated_at = now
    outcome = Outcome(exception)
    if choice.option == CollidingBookingOptions.CANCEL:
        message = (choice.cancel_message or "").strip()
        for appointment in collisions:
            cancel(
                session,
                appointment,
                message,
                message=message,
                email=choice.send_email,
                sms=choice.send_sms,
            )
            outcome.cancelled.append(appointment)
    else:
        outcome.kept = list(collisions)
    session.flush()
    return outcome


__all__ = [
    "CollidingBookingOptions",
    "CollisionChoice",
    "Outcome",
    "TimeOff",
    "blocked_periods",
    "check_time_off",
    "create_time_off",
    "delete_time_off",
    "find_collisions",
    "get_time_off",
    "list_time_off",
    "update_time_off",
    "version_of",
]
