"""Reading appointments as staff see them: visibility, listing, counts.

Visibility (DESIGN.md 2): an AGENT sees the appointments they organise or take
part in; SUPERVISOR, ADMIN and CLIENT_SERVICE see all. Anything else is "not
found" — callers answer 404 for appointments the user may not know exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC

from sqlalchemy import (
    Select,
    and_,
    case,
    exists,
    extract,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from portal.booking import lifecycle
from portal.booking.errors import NotFound
from portal.domain.i18n import N_
from portal.sql import TimeBounds
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

SEES_ALL = lifecycle.SEES_ALL
SORT_FIELDS = ("start", "end", "duration", "id")


# --- visibility -----------------------------------------------------------


def sees_all(user: User) -> bool:
    return user.role in SEES_ALL


def takes_part(user_id: uuid.UUID) -> ColumnElement[bool]:
    """SQL: the user organises the appointment or is one of its agents."""
    return or_(
        Appointment.organizer_id == user_id,
        exists().where(
            Participant.appointment_id == Appointment.id,
            Participant.type == ParticipantType.AGENT,
            Participant.user_id == user_id,
        ),
    )


def visible_to(user: User) -> ColumnElement[bool]:
    if sees_all(user):
        return true()
    if user.role == Role.AGENT:
        return takes_part(user.id)
    return false()


def can_see(user: User, appointment: Appointment) -> bool:
    """The lifecycle's rule, for a signed-in user (``visible_to`` is its SQL twin)."""
    return lifecycle.can_see(lifecycle.Actor.of(user), appointment)


def find_visible(session: Session, user: User, appointment_id: uuid.UUID) -> Appointment:
    """The appointment if ``user`` may see it; NotFound otherwise (also when it exists)."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or not can_see(user, appointment):
        raise NotFound(N_("That appointment does not exist."))
    return appointment


def find_by_reference(session: Session, user: User, reference: str) -> Appointment | None:
    appointment = session.scalar(select(Appointment).where(Appointment.reference == reference))
    if appointment is None or not can_see(user, appointment):
        return None
    return appointment


# --- listing ---------------------------------------------------------------


# Every time filter compares to the second, as the API shows times (portal.sql.TimeBounds).
Bounds = TimeBounds


@dataclass(frozen=True)
class AppointmentFilter:
    """Seed 001 and seed 003 filters together (DESIGN.md 8)."""

    organizer_ids: Sequence[uuid.UUID] = ()
    durations: Sequence[timedelta] = ()
    # Seed 001 ``range``: start and end both inside [range_start, range_end].
    range_start: datetime | None = None
    range_end: datetime | None = None
    start: Bounds = field(default_factory=Bounds)
    end: Bounds = field(default_factory=Bounds)
    created: Bounds = field(default_factory=Bounds)
    updated: Bounds = field(default_factory=Bounds)
    title: str | None = None  # ``*`` is a wildcard; case-insensitive
    reference: str | None = None  # ``*`` is a wildcard; case-insensitive
    # Seed 003: a customer participant's / the organizer's reference (``*`` wildcards).
    customer_reference: str | None = None
    employee_reference: str | None = None
    statuses: Sequence[AppointmentStatus] = ()
    service_id: uuid.UUID | None = None


def wildcard(pattern: str) -> tuple[str, bool]:
    """A ``*`` pattern as a LIKE pattern (escape ``\\``), and whether it has wildcards."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%"), "*" in pattern


def _text_match(column, pattern: str) -> ColumnElement[bool]:
    like, has_wildcard = wildcard(pattern.lower())
    if not has_wildcard:
        return func.lower(column) == pattern.lower()
    return func.lower(column).like(like, escape="\\")


def duration_seconds(session: Session):
    """SQL expression: the appointment's length in whole seconds, on either database."""
    if session.get_bind().dialect.name == "sqlite":
        return func.round(
            (func.julianday(Appointment.end_at) - func.julianday(Appointment.start_at)) * 86400
        )
    return func.round(extract("epoch", Appointment.end_at - Appointment.start_at))


def _filter_clauses(session: Session, filters: AppointmentFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.organizer_ids:
        clauses.append(Appointment.organizer_id.in_(list(filters.organizer_ids)))
    if filters.durations:
        seconds = duration_seconds(session)
        clauses.append(or_(*(seconds == int(d.total_seconds()) for d in filters.durations)))
    # ``range`` keeps start and end inside, compared to the second like every time filter.
    clauses += Bounds(gte=filters.range_start).clauses(Appointment.start_at)
    clauses += Bounds(lte=filters.range_end).clauses(Appointment.end_at)
    clauses += filters.start.clauses(Appointment.start_at)
    clauses += filters.end.clauses(Appointment.end_at)
    clauses += filters.created.clauses(Appointment.created_at)
    clauses += filters.updated.clauses(Appointment.updated_at)
    if filters.title is not None:
        clauses.append(_text_match(Appointment.title, filters.title))
    if filters.reference is not None:
        clauses.append(_text_match(func.coalesce(Appointment.reference, ""), filters.reference))
    if filters.customer_reference is not None:
        clauses.append(
            exists().where(
                Participant.appointment_id == Appointment.id,
                Participant.type == ParticipantType.CUSTOMER,
                _text_match(func.coalesce(Participant.reference, ""), filters.customer_reference),
            )
        )
    if filters.employee_reference is not None:
        clauses.append(
            exists().where(
                User.id == Appointment.organizer_id,
                _text_match(func.coalesce(User.reference, ""), filters.employee_reference),
            )
        )
    if filters.statuses:
        clauses.append(Appointment.status.in_(list(filters.statuses)))
    if filters.service_id is not None:
        clauses.append(Appointment.service_id == filters.service_id)
    return clauses


def _sort_column(session: Session, sort_field: str):
    if sort_field == "start":
        return Appointment.start_at
    if sort_field == "end":
        return Appointment.end_at
    if sort_field == "duration":
        return duration_seconds(session)
    if sort_field == "id":
        return Appointment.id
    raise ValueError(f"unknown sort field {sort_field!r}")


# Everything the API's appointment shape reads, loaded with the page: one statement per
# relationship whatever the page size (never one per appointment).
LIST_LOADS = (
    joinedload(Appointment.organizer),  # its employeeReference; one row each, so joined
    selectinload(Appointment.participants),
    selectinload(Appointment.room_tickets),
    selectinload(Appointment.service).selectinload(Service.templates),
)


def list_appointments(
    session: Session,
    user: User,
    filters: AppointmentFilter = AppointmentFilter(),
    *,
    sort_field: str = "start",
    sort_order: str = "asc",
    page_number: int = 1,
    page_size: int = 25,
) -> tuple[list[Appointment], int]:
    """One page of the appointments ``user`` may see, and the total matching."""
    if filters.organizer_ids and not sees_all(user):
        # Seed 001: organizerId is ignored for callers who see only their own.
        filters = AppointmentFilter(**{**filters.__dict__, "organizer_ids": ()})
    where = [visible_to(user), *_filter_clauses(session, filters)]
    query: Select = select(Appointment).where(and_(*where))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = _sort_column(session, sort_field)
    ordering = [column.desc() if sort_order == "desc" else column.asc()]
    if sort_field != "id":
        ordering.append(Appointment.id.asc())  # stable pages
    items = session.scalars(
        query.order_by(*ordering)
        .limit(page_size)
        .offset((page_number - 1) * page_size)
        .options(*LIST_LOADS)
    ).all()
    return list(items), total


def appointments_between(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    agent_ids: Sequence[uuid.UUID] | None = None,
    viewer: User | None = None,
    include_cancelled: bool = False,
) -> list[Appointment]:
    """Appointments overlapping [start, end), for calendars.

    ``agent_ids``: only those the agents organise or take part in; ``viewer``:
    only those the viewer may see.
    """
    where: list[ColumnElement[bool]] = [Appointment.start_at < end, Appointment.end_at > start]
    if not include_cancelled:
        where.append(Appointment.status == AppointmentStatus.SCHEDULED)
    if agent_ids is not None:
        ids = list(agent_ids)
        if not ids:
            return []
        where.append(
            or_(
                Appointment.organizer_id.in_(ids),
                exists().where(
                    Participant.appointment_id == Appointment.id,
                    Participant.type == ParticipantType.AGENT,
                    Participant.user_id.in_(ids),
                ),
            )
        )
    if viewer is not None:
        where.append(visible_to(viewer))
    return list(
        session.scalars(
            select(Appointment)
            .where(*where)
            .order_by(Appointment.start_at, Appointment.id)
            .options(
                selectinload(Appointment.participants),
                selectinload(Appointment.service),
                selectinload(Appointment.room_tickets),
            )
        ).all()
    )


# --- calendars: plain columns, only what the staff calendars draw ----------------------------


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One appointment as a calendar block shows it: plain values, no ORM object."""

    id: uuid.UUID
    start_at: datetime
    end_at: datetime
    title: str
    status: AppointmentStatus
    interaction_state: InteractionState
    organizer_id: uuid.UUID
    service_name: str
    service_color: str | None
    customers: tuple[str, ...] = ()  # display names, in the order they joined
    agent_ids: frozenset[uuid.UUID] = frozenset()  # the organizer and agents taking part

    @property
    def is_scheduled(self) -> bool:
        return self.status == AppointmentStatus.SCHEDULED


def _calendar_where(
    start: datetime,
    end: datetime,
    agent_ids: Sequence[uuid.UUID] | None,
    viewer: User | None,
    include_cancelled: bool,
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Appointment.start_at < end, Appointment.end_at > start]
    if not include_cancelled:
        where.append(Appointment.status == AppointmentStatus.SCHEDULED)
    if agent_ids is not None:
        ids = list(agent_ids)
        where.append(
            or_(
                Appointment.organizer_id.in_(ids),
                exists().where(
                    Participant.appointment_id == Appointment.id,
                    Participant.type == ParticipantType.AGENT,
                    Participant.user_id.in_(ids),
                ),
            )
            if ids
            else false()
        )
    if viewer is not None:
        where.append(visible_to(viewer))
    return where


_ENTRY_COLUMNS = (
    Appointment.id,
    Appointment.start_at,
    Appointment.end_at,
    Appointment.title,
    Appointment.status,
    Appointment.interaction_state,
    Appointment.organizer_id,
    Service.name,
    Service.color,
)
_ORGANIZER = _ENTRY_COLUMNS.index(Appointment.organizer_id)


def _with_participants(session: Session, rows, chosen) -> list[CalendarEntry]:
    """Entries of ``rows`` (``_ENTRY_COLUMNS``), with the customers' names and the agents'
    ids of the appointments ``chosen`` selects (a subquery or a list of ids): one statement."""
    customers: dict[uuid.UUID, list[str]] = {}
    agents: dict[uuid.UUID, set[uuid.UUID]] = {}
    if rows:
        for appointment_id, kind, user_id, first, last, email in session.execute(
            select(
                Participant.appointment_id,
                Participant.type,
                Participant.user_id,
                Participant.first_name,
                Participant.last_name,
                Participant.email,
            )
            .where(Participant.appointment_id.in_(chosen))
            .order_by(Participant.created_at, Participant.id)
        ):
            if kind == ParticipantType.CUSTOMER:
                name = f"{first} {last}".strip() or email or "Customer"
                customers.setdefault(appointment_id, []).append(name)
            elif user_id is not None:
                agents.setdefault(appointment_id, set()).add(user_id)
    entries = []
    for row in rows:
        values = tuple(row[: len(_ENTRY_COLUMNS)])
        appointment_id, organizer_id = values[0], values[_ORGANIZER]
        entries.append(
            CalendarEntry(
                *values,
                customers=tuple(customers.get(appointment_id, ())),
                agent_ids=frozenset(agents.get(appointment_id, ())) | {organizer_id},
            )
        )
    return entries


def calendar_entries(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    agent_ids: Sequence[uuid.UUID] | None = None,
    viewer: User | None = None,
    include_cancelled: bool = False,
) -> list[CalendarEntry]:
    """``appointments_between`` as plain values for the day and week grids: two statements."""
    where = _calendar_where(start, end, agent_ids, viewer, include_cancelled)
    rows = session.execute(
        select(*_ENTRY_COLUMNS)
        .join(Service, Service.id == Appointment.service_id)
        .where(*where)
        .order_by(Appointment.start_at, Appointment.id)
    ).all()
    return _with_participants(session, rows, select(Appointment.id).where(*where))


@dataclass(frozen=True)
class MonthOverview:
    """A month grid's content: every day's count, the first ``per_day`` entries of each day
    (and every entry that runs past a midnight), and how many cancelled ones there are."""

    counts: list[int]  # per span, in order
    entries: list[CalendarEntry]
    cancelled: int


def _day_index(column, day_ends: Sequence[datetime], low: int, high: int, *, ends: bool = False):
    """SQL: the index of the first day whose end is after ``column`` (at or after, with
    ``ends``), as a balanced CASE: a handful of comparisons per row rather than one per day."""
    if low == high:
        return literal_column(str(int(low)))  # our own integer: inlined, no parameter
    middle = (low + high) // 2
    edge = column <= day_ends[middle] if ends else column < day_ends[middle]
    return case(
        (edge, _day_index(column, day_ends, low, middle, ends=ends)),
        else_=_day_index(column, day_ends, middle + 1, high, ends=ends),
    )


def month_overview(
    session: Session,
    spans: Sequence[tuple[datetime, datetime]],
    *,
    agent_ids: Sequence[uuid.UUID] | None = None,
    viewer: User | None = None,
    include_cancelled: bool = False,
    per_day: int = 3,
) -> MonthOverview:
    """What a month calendar shows, counted in SQL rather than loaded: two statements whatever
    the number of appointments.

    ``spans`` are the calendar's consecutive days as UTC [start, end). An appointment counts on
    every day it overlaps. Window functions over the day each appointment starts number and
    count them; the rows kept are each day's first ``per_day`` by start plus all that run past a
    day's end (rare), which the days they continue into list first and count too.
    """
    start, end = spans[0][0], spans[-1][1]
    where = _calendar_where(start, end, agent_ids, viewer, include_cancelled=True)
    scheduled = Appointment.status == AppointmentStatus.SCHEDULED
    day_ends = [day_end for _, day_end in spans]
    days = (
        select(
            Appointment.id.label("id"),
            Appointment.start_at.label("start_at"),
            (Appointment.status == AppointmentStatus.SCHEDULED).label("scheduled"),
            _day_index(Appointment.start_at, day_ends, 0, len(spans) - 1).label("day"),
            # The day of the last instant: an appointment ending at midnight does not cross it.
            _day_index(Appointment.end_at, day_ends, 0, len(spans) - 1, ends=True).label("last"),
            case((true() if include_cancelled else scheduled, 1), else_=0).label("listed"),
        )
        .where(*where)
        .subquery()
    )
    partition = (days.c.day, days.c.listed)
    ranked = select(
        days.c.id,
        days.c.day,
        days.c.listed,
        func.row_number()
        .over(partition_by=partition, order_by=(days.c.start_at, days.c.id))
        .label("rank"),
        func.count().over(partition_by=partition).label("day_count"),
        case((days.c.last > days.c.day, 1), else_=0).label("crosses"),
        func.sum(case((days.c.scheduled, 0), else_=1)).over().label("cancelled"),
    ).subquery()
    rows = session.execute(
        select(
            *_ENTRY_COLUMNS,
            ranked.c.day,
            ranked.c.listed,
            ranked.c.day_count,
            ranked.c.crosses,
            ranked.c.cancelled,
        )
        .join(Appointment, Appointment.id == ranked.c.id)
        .join(Service, Service.id == Appointment.service_id)
        .where(or_(ranked.c.rank <= per_day, ranked.c.crosses == 1))
        .order_by(Appointment.start_at, Appointment.id)
    ).all()
    counts = [0] * len(spans)
    cancelled = 0
    kept = []
    for row in rows:
        cancelled = int(row.cancelled)
        if not row.listed:
            continue
        counts[row.day] = int(row.day_count)
        kept.append(row)
        if row.crosses:  # it also falls on the next days it reaches
            for later in range(row.day + 1, len(spans)):
                if row.end_at <= spans[later][0]:
                    break
                counts[later] += 1
    entries = _with_participants(session, kept, [row[0] for row in kept])
    return MonthOverview(counts=counts, entries=entries, cancelled=cancelled)


# --- public counts (seed 001) ----------------------------------------------


@dataclass(frozen=True)
class ScheduleCount:
    start: datetime
    end: datetime
    count: int
    timezone: str

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def schedule_counts(
    session: Session, service_id: uuid.UUID, start: datetime, time_frame: timedelta
) -> list[ScheduleCount]:
    """Distinct schedules (start, end) of the service's scheduled appointments starting
    in [start, start + time_frame), with how many appointments each has."""
    rows = session.execute(
        select(Appointment.start_at, Appointment.end_at, func.count())
        .where(
            Appointment.service_id == service_id,
            Appointment.status == AppointmentStatus.SCHEDULED,
            Appointment.start_at >= start,
            Appointment.start_at < start + time_frame,
        )
        .group_by(Appointment.start_at, Appointment.end_at)
        .order_by(Appointment.start_at, Appointment.end_at)
    ).all()
    service = session.get(Service, service_id)
    zone = service.timezone if service is not None else "UTC"
    return [ScheduleCount(_aware(s), _aware(e), n, zone) for s, e, n in rows]


def overlap_count(
    session: Session, service_id: uuid.UUID, start: datetime, duration: timedelta
) -> int:
    """Scheduled appointments of the service overlapping [start, start + duration)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(
                Appointment.service_id == service_id,
                Appointment.status == AppointmentStatus.SCHEDULED,
                Appointment.start_at < start + duration,
                Appointment.end_at > start,
            )
        )
        or 0
    )


def _aware(value: datetime) -> datetime:
    # Grouped columns keep their type, but be safe with SQLite's naive text.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


__all__ = [
    "AppointmentFilter",
    "Bounds",
    "SORT_FIELDS",
    "ScheduleCount",
    "CalendarEntry",
    "MonthOverview",
    "appointments_between",
    "calendar_entries",
    "can_see",
    "find_by_reference",
    "find_visible",
    "list_appointments",
    "month_overview",
    "overlap_count",
    "schedule_counts",
    "sees_all",
    "visible_to",
]
