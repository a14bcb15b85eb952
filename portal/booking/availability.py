"""Availability questions answered by the one pure rule set in ``portal.scheduling``.

The slot picker, the API's slot listing, the booking check and the reschedule
check all come through ``offered_slots``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, UTC
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.booking import limits
from portal.booking.errors import InvalidBooking, SlotUnavailable
from portal.booking.loader import StandingRules, load_availability, load_busy, load_standing
from portal.domain.i18n import N_
from portal.domain.settings import settings_of
from portal.models import Appointment, AppointmentStatus, Service, TimeException, User
from portal.models.schedule import time_exception_agents
from portal.scheduling import (
    AgentLoad,
    AgentSchedule,
    Slot,
    assign_agent,
    free_slots,
    iso_week_bounds,
    on_grid,
)
from portal.scheduling.localtime import epoch_seconds, from_epoch
from portal.scheduling.rules import TimeExceptionRule
from portal.scheduling.slots import first_free_starts

UTC = UTC


def day_range_utc(first_day: date, last_day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return start, end.astimezone(UTC)


def offered_slots(
    session: Session,
    service: Service,
    first_day: date,
    last_day: date,
    zone: ZoneInfo,
    *,
    now: datetime,
    agent_id: uuid.UUID | None = None,
    exclude_appointment_id: uuid.UUID | None = None,
    exclude_hold_id: uuid.UUID | None = None,
    duration: timedelta | None = None,
    count_holds: bool = True,
    apply_limits: bool = True,
    customer_email: str | None = None,
) -> list[Slot]:
    """The service's offered slots starting on ``first_day``..``last_day`` in ``zone``.

    ``apply_limits`` leaves out the days an agent is full (``limits``); with a known
    ``customer_email`` that reached the per-customer limit there are no slots at all.
    """
    if apply_limits and limits.customer_limit_refusal(session, service, customer_email, now):
        return []
    start, end = day_range_utc(first_day, last_day, zone)
    data = load_availability(
        session,
        service,
        start,
        end,
        now=now,
        agent_ids=None if agent_id is None else {agent_id},
        exclude_appointment_id=exclude_appointment_id,
        exclude_hold_id=exclude_hold_id,
        count_holds=count_holds,
        apply_limits=apply_limits,
    )
    rules = data.service if duration is None else replace(data.service, duration=duration)
    return free_slots(
        rules,
        data.agents,
        office_hours=data.office_hours,
        office_timezone=settings_of(session).timezone,
        first_day=first_day,
        last_day=last_day,
        timezone=zone.key,
        now=now,
    )


@dataclass(frozen=True)
class Offered:
    """An answer for the shared cache: what is offered, and until when it holds.

    ``changes_at``: the first instant at which time alone (notice, horizon, a hold
    running out) could change the answer; None = not before the data changes.
    """

    slots: list[Slot]
    changes_at: datetime | None


@dataclass(frozen=True)
class FreeDays:
    """The month grid's answer: the days with an offered slot, and until when it holds."""

    days: frozenset[date]
    changes_at: datetime | None


_TICK = timedelta(microseconds=1)
_FAR = timedelta(days=400)


def _earliest(*instants: datetime | None) -> datetime | None:
    present = [instant for instant in instants if instant is not None]
    return min(present) if present else None


@dataclass
class AnswerQuery:
    """The questions a page asks about one service's availability, as one visitor sees it.

    The picker asks several (the month's free days, the first free day before and
    after it, a day's slots); the service's rules and its agents' time off do not
    depend on the range asked, so they are read once per query (``load_standing``,
    over the days from now to the horizon), and each question reads only its busy time.
    """

    session: Session
    service: Service
    zone: ZoneInfo
    now: datetime
    agent_id: uuid.UUID | None = None
    exclude_appointment_id: uuid.UUID | None = None
    apply_limits: bool = True
    _standing: StandingRules | None = field(default=None, init=False, repr=False)

    def _standing_for(self, start: datetime, end: datetime) -> StandingRules:
        standing = self._standing
        if standing is None or not standing.covers(start, end):
            # Read once for everything a page may ask: today (in any zone) up to the horizon.
            today = self.now - timedelta(days=1)
            horizon_end = self.now + timedelta(days=self.service.horizon_days + 1)
            standing = self._standing = load_standing(
                self.session,
                self.service,
                min(start, today),
                max(end, horizon_end),
                agent_ids=None if self.agent_id is None else {self.agent_id},
            )
        return standing

    def _load(self, first_day: date, last_day: date, *, with_busy: bool = True):
        start, end = day_range_utc(first_day, last_day, self.zone)
        now = self.now
        data = load_availability(
            self.session,
            self.service,
            start,
            end,
            now=now,
            agent_ids=None if self.agent_id is None else {self.agent_id},
            exclude_appointment_id=self.exclude_appointment_id,
            apply_limits=self.apply_limits,
            with_busy=with_busy,
            standing=self._standing_for(start, end),
        )
        # The horizon is applied here, not in the computation, so the first start just
        # beyond it is known: the answer changes when "now + horizon" passes it.
        horizon = data.service.horizon
        clipped = end > now + horizon
        rules = replace(data.service, horizon=end - now + _FAR) if clipped else data.service
        limit = epoch_seconds(now + horizon - _TICK) + 1  # ceil(now + horizon), as the rules do
        expiry = None if data.first_hold_expiry is None else from_epoch(data.first_hold_expiry)
        arguments = {
            "office_hours": data.office_hours,
            "office_timezone": settings_of(self.session).timezone,
            "first_day": first_day,
            "last_day": last_day,
            "timezone": self.zone.key,
            "now": now,
        }
        return data, rules, limit if clipped else None, expiry, arguments

    def offered(self, first_day: date, last_day: date) -> Offered:
        """``offered_slots`` for the shared cache, with the instant the answer stops holding.

        Never for a known customer: their per-customer limit is not part of a shared answer.
        """
        data, rules, limit, expiry, arguments = self._load(first_day, last_day)
        slots = free_slots(rules, data.agents, **arguments)
        beyond = None
        if limit is not None:
            cut = next((i for i, slot in enumerate(slots) if slot.start_second >= limit), None)
            if cut is not None:
                beyond = slots[cut].start - data.service.horizon + _TICK
                slots = slots[:cut]
        # A slot is offered while now <= start - notice: the first one leaves first.
        notice = slots[0].start - data.service.minimum_notice + _TICK if slots else None
        return Offered(slots, _earliest(notice, beyond, expiry))

    def free_days(self, first_day: date, last_day: date) -> FreeDays:
        """The days of ``first_day``..``last_day`` with an offered slot (the month grid)."""
        data, rules, limit, expiry, arguments = self._load(first_day, last_day, with_busy=False)
        # Busy time is read only for the agents the grid still needs (usually the first few).
        range_start, range_end = day_range_utc(first_day, last_day, self.zone)
        hold_expiries = [] if expiry is None else [expiry]

        def fill_busy(agents: list[AgentSchedule]) -> list[AgentSchedule]:
            busy, first_expiry = load_busy(
                self.session,
                self.service,
                [agent.id for agent in agents],
                range_start,
                range_end,
                now=self.now,
                exclude_appointment_id=self.exclude_appointment_id,
            )
            if first_expiry is not None:
                hold_expiries.append(from_epoch(first_expiry))
            return [replace(agent, busy_seconds=tuple(busy[agent.id])) for agent in agents]

        firsts = first_free_starts(
            rules, data.agents, covering_before=limit, fill_busy=fill_busy, **arguments
        )
        expiry = min(hold_expiries) if hold_expiries else None
        free = {day for day, start in firsts.items() if limit is None or start < limit}
        notice = None
        if free:
            # A free day stays free at least until its known slot leaves.
            earliest = min(firsts[day] for day in free)
            notice = from_epoch(earliest) - data.service.minimum_notice + _TICK
        beyond = None
        later = [start for day, start in firsts.items() if day not in free]
        if later:
            beyond = from_epoch(min(later)) - data.service.horizon + _TICK
        return FreeDays(frozenset(free), _earliest(notice, beyond, expiry))

    def first_free_month(self, first_day: date, last_day: date) -> FreeDays:
        """The free days of the first calendar month of ``first_day``..``last_day`` that has any.

        Asked a month at a time (``free_days``), nearest first: the answer is usually the
        first month, and a far horizon is only walked when it is empty. The days are those
        of that month from ``first_day`` on; none when the whole range is full.
        ``changes_at`` covers every month asked (an earlier one may free up).
        """
        changes_at = None
        start = first_day
        while start <= last_day:
            following = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
            end = min(following - timedelta(days=1), last_day)
            answer = self.free_days(start, end)
            changes_at = _earliest(changes_at, answer.changes_at)
            if answer.days:
                return FreeDays(answer.days, changes_at)
            start = following
        return FreeDays(frozenset(), changes_at)


def _query(session, service, zone, now, agent_id, exclude_appointment_id, apply_limits):
    return AnswerQuery(
        session,
        service,
        zone,
        now,
        agent_id=agent_id,
        exclude_appointment_id=exclude_appointment_id,
        apply_limits=apply_limits,
    )


def offered_answer(
    session: Session,
    service: Service,
    first_day: date,
    last_day: date,
    zone: ZoneInfo,
    *,
    now: datetime,
    agent_id: uuid.UUID | None = None,
    exclude_appointment_id: uuid.UUID | None = None,
    apply_limits: bool = True,
) -> Offered:
    """One question of ``AnswerQuery.offered`` (the slots API asks just this one)."""
    query = _query(session, service, zone, now, agent_id, exclude_appointment_id, apply_limits)
    return query.offered(first_day, last_day)


def _rule_of(item: TimeException) -> TimeExceptionRule:
    """The loader's form of a time off (``portal.booking.loader``), to find it in a schedule."""
    return TimeExceptionRule(
        from_date=item.from_date,
        to_date=item.to_date,
        from_minute=item.from_minute,
        to_minute=item.to_minute,
        days_of_week=frozenset(item.days_of_week or ()),
        block_time=True,
    )


def closing_time_off_reasons(
    session: Session,
    service: Service,
    day: date,
    zone: ZoneInfo,
    *,
    now: datetime,
    agent_id: uuid.UUID | None = None,
) -> list[str]:
    """The public reasons of the time off that leaves ``day`` without a free time.

    Empty when the day has free times, or has none even without any time off (closed
    anyway: no working hours, all booked, past). Otherwise the public reasons of the
    time off whose removal alone would open time that day (all of them when only
    several together close it), those without a public text left out.
    """
    start, end = day_range_utc(day, day, zone)
    data = load_availability(
        session, service, start, end, now=now, agent_ids=None if agent_id is None else {agent_id}
    )

    def offered(agents) -> bool:
        return bool(
            free_slots(
                data.service,
                agents,
                office_hours=data.office_hours,
                office_timezone=settings_of(session).timezone,
                first_day=day,
                last_day=day,
                timezone=zone.key,
                now=now,
            )
        )

    if offered(data.agents) or not offered([replace(a, exceptions=()) for a in data.agents]):
        return []
    ids = [agent.id for agent in data.agents]
    of_these_agents = select(time_exception_agents.c.time_exception_id).where(
        time_exception_agents.c.user_id.in_(ids)
    )
    candidates = session.scalars(
        select(TimeException)
        .where(
            TimeException.id.in_(of_these_agents),
            TimeException.block_time.is_(True),
            TimeException.from_date <= day + timedelta(days=1),
            TimeException.to_date >= day - timedelta(days=1),
        )
        .order_by(TimeException.from_date, TimeException.id)
    ).all()
    closing = []
    for item in candidates:
        rule = _rule_of(item)
        lifted = [
            replace(a, exceptions=tuple(e for e in a.exceptions if e != rule)) for a in data.agents
        ]
        if offered(lifted):
            closing.append(item)
    reasons = [item.reason_text_public.strip() for item in closing or candidates]
    return list(dict.fromkeys(reason for reason in reasons if reason))


def free_agents_at(
    session: Session,
    service: Service,
    start: datetime,
    *,
    now: datetime,
    agent_id: uuid.UUID | None = None,
    exclude_appointment_id: uuid.UUID | None = None,
    exclude_hold_id: uuid.UUID | None = None,
    enforce_notice: bool = True,
    duration: timedelta | None = None,
    count_holds: bool = True,
    apply_limits: bool = True,
) -> tuple[uuid.UUID, ...]:
    """The agents free for a slot starting at ``start``; raises SlotUnavailable if none.

    ``count_holds=False`` judges as if no customer held anything (staff book over holds).
    ``apply_limits=False`` ignores the per-agent daily limit (staff overriding it); when
    only that limit rules the slot out, the refusal says so (a Conflict).
    """
    if start.tzinfo is None:
        raise InvalidBooking(N_("The start time needs a time zone."))
    start = start.astimezone(UTC)
    if start < now:
        raise SlotUnavailable(N_("That time has already passed. Please pick another."))
    if not enforce_notice:
        # Staff may book inside the minimum notice: judge as if asked early enough.
        now = min(now, start - timedelta(minutes=service.minimum_notice_minutes))
    day = start.date()

    def free_at(with_limits: bool) -> tuple[uuid.UUID, ...]:
        slots = offered_slots(
            session,
            service,
            day,
            day,
            ZoneInfo("UTC"),
            now=now,
            agent_id=agent_id,
            exclude_appointment_id=exclude_appointment_id,
            exclude_hold_id=exclude_hold_id,
            duration=duration,
            count_holds=count_holds,
            apply_limits=with_limits,
        )
        for slot in slots:
            if slot.start == start and slot.agent_ids:
                return tuple(slot.agent_ids)
        return ()

    free = free_at(apply_limits)
    if free:
        return free
    if apply_limits and service.max_per_agent_per_day:
        # Free but for the daily limit: say so rather than "just taken".
        unlimited = free_at(False)
        if unlimited:
            agent = session.get(User, unlimited[0])
            local_day = start.astimezone(ZoneInfo(agent.timezone)).date()
            raise limits.day_limit_refusal(service, agent.name, local_day)
    if not start_on_grid(session, service, start, now=now, agent_id=agent_id):
        raise SlotUnavailable(OFF_GRID)
    raise SlotUnavailable()


OFF_GRID = N_("That is not one of the offered times. Please pick one of the times shown.")


def start_on_grid(
    session: Session,
    service: Service,
    start: datetime,
    *,
    now: datetime,
    agent_id: uuid.UUID | None = None,
) -> bool:
    """Whether ``start`` lies on the grid of the service's (or one agent's) working windows."""
    data = load_availability(
        session,
        service,
        start,
        start + timedelta(seconds=1),
        now=now,
        agent_ids=None if agent_id is None else {agent_id},
    )
    return on_grid(data.service, data.agents, start)


def choose_agent(session: Session, candidates: Sequence[uuid.UUID], start: datetime) -> uuid.UUID:
    """DESIGN 4.6: fewest appointments that ISO week, then booked least recently, then name."""
    if len(candidates) == 1:
        return candidates[0]
    agents = session.execute(
        select(User.id, User.name, User.timezone).where(User.id.in_(candidates))
    ).all()
    weeks = {a.id: iso_week_bounds(start, ZoneInfo(a.timezone)) for a in agents}
    scheduled = Appointment.status == AppointmentStatus.SCHEDULED
    week_counts = dict(
        session.execute(
            select(Appointment.organizer_id, func.count())
            .where(
                scheduled,
                or_(
                    *(
                        (Appointment.organizer_id == agent_id)
                        & (Appointment.start_at >= bounds[0])
                        & (Appointment.start_at < bounds[1])
                        for agent_id, bounds in weeks.items()
                    )
                ),
            )
            .group_by(Appointment.organizer_id)
        ).all()
    )
    last_booked = dict(
        session.execute(
            select(Appointment.organizer_id, func.max(Appointment.created_at))
            .where(Appointment.organizer_id.in_(candidates))
            .group_by(Appointment.organizer_id)
        ).all()
    )
    loads = [
        AgentLoad(
            id=a.id,
            name=a.name,
            week_count=week_counts.get(a.id, 0),
            last_booked_at=_aware(last_booked.get(a.id)),
        )
        for a in agents
    ]
    return assign_agent(loads)


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates skip the column type, so SQLite hands back naive UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
