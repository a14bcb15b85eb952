"""Load what the availability rules need, in three statements whatever the range.

1. the rules: the service's agents, their working hours, the service's time
   windows and the account's office hours (one UNION ALL);
2. the blocking time exceptions of those agents that touch the dates;
3. the busy time: scheduled appointments those agents take part in and live
   holds, overlapping the range (one UNION ALL).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, UTC
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    String,
    Uuid,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from portal.models import (
    Appointment,
    AppointmentStatus,
    DayOfWeek,
    OfficeHours,
    Participant,
    ParticipantType,
    Service,
    ServiceTimeSlot,
    SlotHold,
    TimeException,
    User,
    WorkingHours,
    service_agents,
)
from portal.booking import limits
from portal.models.base import UTCDateTime
from portal.models.schedule import time_exception_agents
from portal.scheduling import (
    AgentSchedule,
    OfficeHoursRule,
    ServiceRules,
    ServiceWindow,
    TimeExceptionRule,
    WeeklyWindow,
)
from portal.booking.versions import once_per_version
from portal.sql import epoch_seconds

UTC = UTC

# Local dates differ from UTC dates by at most a day; two days is a safe margin.
DATE_MARGIN = timedelta(days=2)


@dataclass(frozen=True)
class AvailabilityInput:
    service: ServiceRules
    agents: list[AgentSchedule]
    office_hours: list[OfficeHoursRule]
    # The earliest expiry (epoch seconds) of the live holds read: the answer changes then.
    first_hold_expiry: int | None = None


def service_rules(service: Service, windows: list[ServiceWindow]) -> ServiceRules:
    return ServiceRules(
        id=service.id,
        duration=service.duration,
        slot_interval=service.slot_interval,
        buffer_before=timedelta(minutes=service.buffer_before_minutes),
        buffer_after=timedelta(minutes=service.buffer_after_minutes),
        minimum_notice=timedelta(minutes=service.minimum_notice_minutes),
        horizon=timedelta(days=service.horizon_days),
        capacity=service.capacity,
        timezone=service.timezone,
        windows=tuple(windows),
    )


@dataclass(frozen=True)
class StandingRules:
    """What a service's answers share whatever range they ask about: its rules, its agents
    with their working hours and the time off touching ``first_date``..``last_date``
    (UTC dates, a margin included), and the office hours. No busy time."""

    service: ServiceRules
    agents: tuple[AgentSchedule, ...]
    office_hours: list[OfficeHoursRule]
    first_date: date
    last_date: date

    def covers(self, start: datetime, end: datetime) -> bool:
        return (
            self.first_date <= (start - DATE_MARGIN).date()
            and (end + DATE_MARGIN).date() <= self.last_date
        )


def load_standing(
    session: Session,
    service: Service,
    start: datetime,
    end: datetime,
    *,
    agent_ids: Collection[uuid.UUID] | None = None,
) -> StandingRules:
    """The rules and time off for answers about slots starting in [start, end) (two statements;
    see ``load_availability``), read once per version: the versions cover both."""
    first_date, last_date = (start - DATE_MARGIN).date(), (end + DATE_MARGIN).date()
    narrowed = None if agent_ids is None else frozenset(agent_ids)
    return once_per_version(
        ("standing", service.id, first_date, last_date, narrowed),
        lambda: _read_standing(session, service, first_date, last_date, narrowed),
    )


def _read_standing(
    session: Session,
    service: Service,
    first_date: date,
    last_date: date,
    agent_ids: frozenset[uuid.UUID] | None,
) -> StandingRules:
    # The rules change only with the service's, its agents' or the account's versions.
    rows = once_per_version(
        ("rules", service.id),
        lambda: tuple(session.execute(_rules_statement(), {"service_id": service.id}).all()),
    )
    agents: dict[uuid.UUID, dict[str, Any]] = {}
    hours: dict[uuid.UUID, list[WeeklyWindow]] = defaultdict(list)
    windows: list[ServiceWindow] = []
    office: list[OfficeHoursRule] = []
    # Owners come as text (no UUID parsed per row); agents come first, their ids parsed once.
    ids_by_text: dict[str, uuid.UUID] = {}
    for kind, owner, day, first, second, flag, text_a, text_b in rows:
        if kind == "agent":
            agent_id = ids_by_text[owner] = uuid.UUID(owner)
            if agent_ids is None or agent_id in agent_ids:
                agents[agent_id] = {"name": text_a, "timezone": text_b}
        elif kind == "hours":
            owner_id = ids_by_text.get(owner) or uuid.UUID(owner)
            hours[owner_id].append(WeeklyWindow(day, first, second))
        elif kind == "window":
            windows.append(ServiceWindow(day, first, second, bool(flag)))
        else:
            office.append(OfficeHoursRule(DayOfWeek(text_a).iso, first, second))

    exceptions: dict[uuid.UUID, list[TimeExceptionRule]] = defaultdict(list)
    if agents:
        dates = {"agent_ids": list(agents), "first": first_date, "last": last_date}
        for row in session.execute(_exceptions_statement(), dates):
            exceptions[row.user_id].append(
                TimeExceptionRule(
                    from_date=row.from_date,
                    to_date=row.to_date,
                    from_minute=row.from_minute,
                    to_minute=row.to_minute,
                    days_of_week=frozenset(row.days_of_week or ()),
                    block_time=True,
                )
            )
    schedules = tuple(
        AgentSchedule(
            id=agent_id,
            name=info["name"],
            timezone=info["timezone"],
            working_hours=tuple(hours[agent_id]),
            exceptions=tuple(exceptions[agent_id]),
        )
        for agent_id, info in agents.items()
    )
    return StandingRules(service_rules(service, windows), schedules, office, first_date, last_date)


def load_availability(
    session: Session,
    service: Service,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    agent_ids: Collection[uuid.UUID] | None = None,
    exclude_appointment_id: uuid.UUID | None = None,
    exclude_hold_id: uuid.UUID | None = None,
    count_holds: bool = True,
    apply_limits: bool = True,
    with_busy: bool = True,
    standing: StandingRules | None = None,
) -> AvailabilityInput:
    """Everything needed to compute ``service``'s slots starting in [start, end).

    ``agent_ids`` narrows to some of the service's agents; the excluded
    appointment or hold is left out of busy time (a reschedule or a held slot
    being confirmed must not block itself). Live holds are busy time unless
    ``count_holds`` is false (staff book over them: ``lifecycle.held_slots_bind``).
    ``apply_limits`` closes the days on which an agent reached the service's
    ``max_per_agent_per_day`` (``lifecycle.limits_bind``). ``with_busy=False`` leaves
    the busy time out (the month grid asks ``load_busy`` for the agents it needs).
    ``standing`` (``load_standing`` for these agents, covering the range) is reused
    rather than read again: a page asking several ranges reads the rules once.
    """
    if standing is None or not standing.covers(start, end):
        standing = load_standing(session, service, start, end, agent_ids=agent_ids)
    agents = standing.agents
    busy: dict[uuid.UUID, list[tuple[int, int, uuid.UUID | None]]] = {}
    first_hold_expiry = None
    if agents and with_busy:
        busy, first_hold_expiry = load_busy(
            session,
            service,
            [agent.id for agent in agents],
            start,
            end,
            now=now,
            exclude_appointment_id=exclude_appointment_id,
            exclude_hold_id=exclude_hold_id,
            count_holds=count_holds,
        )
    full_days: dict[uuid.UUID, frozenset] = {}
    if agents and apply_limits and service.max_per_agent_per_day:
        full_days = limits.full_days(
            session,
            service,
            {agent.id: agent.timezone for agent in agents},
            start - DATE_MARGIN,
            end + DATE_MARGIN,
            exclude_appointment_id=exclude_appointment_id,
        )
    if busy or full_days:
        agents = tuple(
            replace(
                agent,
                busy_seconds=tuple(busy.get(agent.id, ())),
                full_days=full_days.get(agent.id, frozenset()),
            )
            for agent in agents
        )
    return AvailabilityInput(
        standing.service, list(agents), standing.office_hours, first_hold_expiry
    )


def load_busy(
    session: Session,
    service: Service,
    agent_ids: list[uuid.UUID],
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    exclude_appointment_id: uuid.UUID | None = None,
    exclude_hold_id: uuid.UUID | None = None,
    count_holds: bool = True,
) -> tuple[dict[uuid.UUID, list[tuple[int, int, uuid.UUID | None]]], int | None]:
    """The busy time of ``agent_ids`` that can block a slot starting in [start, end), one
    statement: per agent, (start, end, ``service.id`` or None) in epoch seconds by start;
    and the earliest expiry (epoch seconds) of the live holds among them (None: no hold).
    """
    busy: dict[uuid.UUID, list[tuple[int, int, uuid.UUID | None]]] = {
        agent_id: [] for agent_id in agent_ids
    }
    if not agent_ids:
        return busy, None
    # Appointments near the range can block it through duration and buffers.
    reach = service.duration + timedelta(
        minutes=service.buffer_before_minutes + service.buffer_after_minutes
    )
    params = {
        "service_id": service.id,
        "agent_ids": agent_ids,
        "start": start - reach,
        "end": end + reach,
        "now": now,
        "exclude_appointment_id": exclude_appointment_id,
        "exclude_hold_id": exclude_hold_id,
    }
    statement = _busy_statement(
        exclude_appointment_id is not None, exclude_hold_id is not None, count_holds
    )
    # Agent ids come back as text and are looked up, not parsed.
    by_text = {
        form: busy[agent_id] for agent_id in agent_ids for form in (agent_id.hex, str(agent_id))
    }
    rows = session.execute(statement, params).all()
    service_id = service.id
    for agent_text, same_service, spans, _expires in rows:
        # Whole epoch seconds, as the computation takes them (no datetimes).
        numbers = iter(json.loads(f"[{spans}]"))
        by_text[agent_text].extend(
            zip(numbers, numbers, repeat(service_id if same_service else None))
        )
    for agent_busy in busy.values():
        agent_busy.sort(key=itemgetter(0))
    # Only live holds have an expiry, and it lies after ``now``: never 0 (false).
    first_hold_expiry = min(filter(None, (row[3] for row in rows)), default=None)
    return busy, first_hold_expiry


_RULE_COLUMNS = ("kind", "owner", "day", "first", "second", "flag", "text_a", "text_b")


def _rule_row(*values):
    """One branch of the rules UNION, every column labelled (identical NULLs stay apart)."""
    return select(*(value.label(name) for value, name in zip(values, _RULE_COLUMNS, strict=True)))


@lru_cache(maxsize=1)
def _rules_statement():
    service_id = bindparam("service_id", type_=Uuid())
    serves = service_agents.c.service_id == service_id
    no_id, no_int, no_text = cast(null(), String()), cast(null(), Integer()), cast(null(), String())
    agent_rows = (
        _rule_row(
            literal("agent"),
            cast(User.id, String()),
            no_int,
            no_int,
            no_int,
            User.active,
            User.name,
            User.timezone,
        )
        .join(service_agents, service_agents.c.user_id == User.id)
        .where(serves, User.active.is_(True))
    )
    hour_rows = (
        _rule_row(
            literal("hours"),
            cast(WorkingHours.agent_id, String()),
            WorkingHours.day_of_week,
            WorkingHours.start_minute,
            WorkingHours.end_minute,
            literal(True),
            no_text,
            no_text,
        )
        .join(service_agents, service_agents.c.user_id == WorkingHours.agent_id)
        .where(serves)
    )
    window_rows = _rule_row(
        literal("window"),
        no_id,
        ServiceTimeSlot.day_of_week,
        ServiceTimeSlot.from_minute,
        ServiceTimeSlot.to_minute,
        ServiceTimeSlot.available,
        no_text,
        no_text,
    ).where(ServiceTimeSlot.service_id == service_id)
    office_rows = _rule_row(
        literal("office"),
        no_id,
        no_int,
        OfficeHours.time_from,
        OfficeHours.time_to,
        literal(True),
        cast(OfficeHours.dow, String()),
        no_text,
    )
    # Agents come first and by name: that is the order slots list them in.
    combined = union_all(agent_rows, hour_rows, window_rows, office_rows).subquery()
    return select(combined).order_by(combined.c.kind, combined.c.text_a)


@lru_cache(maxsize=1)
def _exceptions_statement():
    return (
        select(
            time_exception_agents.c.user_id,
            TimeException.from_date,
            TimeException.to_date,
            TimeException.from_minute,
            TimeException.to_minute,
            TimeException.days_of_week,
        )
        .join(time_exception_agents, time_exception_agents.c.time_exception_id == TimeException.id)
        .where(
            time_exception_agents.c.user_id.in_(bindparam("agent_ids", expanding=True)),
            TimeException.block_time.is_(True),
            TimeException.from_date <= bindparam("last", type_=Date()),
            TimeException.to_date >= bindparam("first", type_=Date()),
        )
    )


@lru_cache(maxsize=8)
def _busy_statement(exclude_appointment: bool, exclude_hold: bool, count_holds: bool = True):
    agent_ids = bindparam("agent_ids", expanding=True)
    start, end = bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())
    overlapping = [
        Appointment.status == AppointmentStatus.SCHEDULED,
        Appointment.start_at < end,
        Appointment.end_at > start,
    ]
    if exclude_appointment:
        overlapping.append(Appointment.id != bindparam("exclude_appointment_id", type_=Uuid()))
    same_service = Appointment.service_id == bindparam("service_id", type_=Uuid())
    # Organizers through their (organizer, start) index; agents who joined as extra
    # participants are few and come through the participants' (user, organizer) index.
    no_expiry = cast(null(), BigInteger())
    organized = select(
        cast(Appointment.organizer_id, String()).label("agent"),
        epoch_seconds(Appointment.start_at).label("start"),
        epoch_seconds(Appointment.end_at).label("end"),
        same_service.label("same_service"),
        no_expiry.label("expires"),
    ).where(Appointment.organizer_id.in_(agent_ids), *overlapping)
    joined = (
        select(
            cast(Participant.user_id, String()),
            epoch_seconds(Appointment.start_at),
            epoch_seconds(Appointment.end_at),
            same_service,
            no_expiry,
        )
        .join(Appointment, Appointment.id == Participant.appointment_id)
        .where(
            Participant.user_id.in_(agent_ids),
            Participant.is_organizer.is_(False),
            Participant.type == ParticipantType.AGENT,
            *overlapping,
        )
    )
    holds = select(
        cast(SlotHold.agent_id, String()),
        epoch_seconds(SlotHold.start_at),
        epoch_seconds(SlotHold.end_at),
        SlotHold.service_id == bindparam("service_id", type_=Uuid()),
        epoch_seconds(SlotHold.expires_at),
    ).where(
        SlotHold.agent_id.in_(agent_ids),
        SlotHold.expires_at > bindparam("now", type_=UTCDateTime()),
        SlotHold.start_at < end,
        SlotHold.end_at > start,
    )
    if exclude_hold:
        holds = holds.where(SlotHold.id != bindparam("exclude_hold_id", type_=Uuid()))
    busy = union_all(organized, joined, holds) if count_holds else union_all(organized, joined)
    busy = busy.subquery()
    # One row per agent and flag, its spans as text ("start,end,start,end,..."): handing
    # thousands of rows over one by one costs far more than a few long strings to parse.
    spans = func.aggregate_strings(
        cast(busy.c.start, String()) + "," + cast(busy.c.end, String()), ","
    )
    return select(busy.c.agent, busy.c.same_service, spans, func.min(busy.c.expires)).group_by(
        busy.c.agent, busy.c.same_service
    )
