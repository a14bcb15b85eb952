"""Plain, immutable inputs and outputs of the availability rules (DESIGN.md section 4).

Weekdays are ISO: 1 = Monday .. 7 = Sunday. Minutes and seconds count from
local midnight; the end may be the next midnight (1440 minutes / 86400 seconds).
Every datetime is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """One of an agent's working windows, in the agent's timezone."""

    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True, slots=True)
class OfficeHoursRule:
    """An account-wide closed period (seed 000), in the account timezone, to the second."""

    weekday: int
    start_second: int
    end_second: int


@dataclass(frozen=True, slots=True)
class TimeExceptionRule:
    """Time off (seed 002), in each agent's timezone.

    Empty ``days_of_week``: one block from ``from_date`` at ``from_minute``
    (None = 00:00) to ``to_date`` at ``to_minute`` (None = 24:00, the next
    midnight). Otherwise: from_minute..to_minute on each listed weekday of each
    date from..to inclusive. ``block_time=False`` is an annotation and blocks nothing.
    """

    from_date: date
    to_date: date
    from_minute: int | None = None
    to_minute: int | None = None
    days_of_week: frozenset[int] = frozenset()
    block_time: bool = True


@dataclass(frozen=True, slots=True)
class ServiceWindow:
    """A service time slot (seed 004), in the service timezone.

    If a service has any available windows it is offered only inside them;
    unavailable windows are never offered.
    """

    weekday: int
    start_minute: int
    end_minute: int
    available: bool = True


@dataclass(frozen=True, slots=True)
class Busy:
    """A booked appointment or a live hold of the agent, any service.

    Seat eligibility is decided by ``service_id`` and the exact span alone, so
    holds and appointments are treated alike; ``seat`` is informational for
    callers and does not change the result.
    """

    start: datetime
    end: datetime
    service_id: object | None = None
    seat: bool = False


@dataclass(frozen=True, slots=True)
class ServiceRules:
    id: object
    duration: timedelta
    slot_interval: timedelta
    buffer_before: timedelta
    buffer_after: timedelta
    minimum_notice: timedelta
    horizon: timedelta
    capacity: int
    timezone: str
    windows: tuple[ServiceWindow, ...] = ()


@dataclass(frozen=True, slots=True)
class AgentSchedule:
    id: object
    name: str
    timezone: str
    working_hours: tuple[WeeklyWindow, ...] = ()
    exceptions: tuple[TimeExceptionRule, ...] = ()
    busy: tuple[Busy, ...] = ()
    # The same as ``busy`` in the loader's own form: (start, end, service id or None),
    # start and end in whole epoch seconds, so thousands of rows skip datetimes.
    busy_seconds: tuple[tuple[int, int, object | None], ...] = ()
    # Local dates (agent's zone) on which the agent takes no more of this service
    # (its per-agent daily limit is reached): no slot starts on them.
    full_days: frozenset[date] = frozenset()


class Slot:
    """An offered start: the agents free for it (input order) and their seats left, summed.

    Held as whole epoch seconds (``start_second``, ``end_second``): a month offers about
    a thousand slots and the API writes them out as text without needing a datetime, so
    ``start`` and ``end`` are made only when asked for. Read-only by convention, compared
    and hashed by value like the frozen record it replaces.
    """

    __slots__ = ("start_second", "end_second", "agent_ids", "remaining")

    start_second: int
    end_second: int
    agent_ids: tuple[object, ...]
    remaining: int

    def __init__(
        self, start: datetime, end: datetime, agent_ids: tuple[object, ...], remaining: int
    ) -> None:
        self.start_second = _whole_seconds(start)
        self.end_second = _whole_seconds(end)
        self.agent_ids = agent_ids
        self.remaining = remaining

    @classmethod
    def from_seconds(
        cls, start_second: int, end_second: int, agent_ids: tuple[object, ...], remaining: int
    ) -> Slot:
        slot = cls.__new__(cls)
        slot.start_second = start_second
        slot.end_second = end_second
        slot.agent_ids = agent_ids
        slot.remaining = remaining
        return slot

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.start_second, UTC)

    @property
    def end(self) -> datetime:
        return datetime.fromtimestamp(self.end_second, UTC)

    def _key(self) -> tuple[int, int, tuple[object, ...], int]:
        return (self.start_second, self.end_second, self.agent_ids, self.remaining)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Slot(start={self.start!r}, end={self.end!r}, "
            f"agent_ids={self.agent_ids!r}, remaining={self.remaining!r})"
        )


def _whole_seconds(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: slots are aware UTC instants")
    if instant.microsecond:
        raise ValueError(f"{instant!r}: slots start and end on whole seconds")
    return int(instant.timestamp())


@dataclass(frozen=True, slots=True)
class AgentLoad:
    """What "any agent" assignment weighs (DESIGN.md section 4, step 6)."""

    id: object
    name: str
    week_count: int
    last_booked_at: datetime | None = None
