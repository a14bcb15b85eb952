"""Which agent an "any agent" booking goes to (DESIGN.md section 4, step 6)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from portal.scheduling.intervals import Interval
from portal.scheduling.localtime import to_utc
from portal.scheduling.rules import AgentLoad


def assign_agent(candidates: Sequence[AgentLoad]) -> object:
    """The id of the agent with the fewest appointments that ISO week.

    Ties go to the one booked least recently (never booked counts as least
    recent), then to the name. Raises ValueError when there is no candidate.
    """
    if not candidates:
        raise ValueError("no agent to assign")

    def weight(load: AgentLoad) -> tuple:
        booked = load.last_booked_at
        # (False, ...) sorts before (True, ...): never booked comes first.
        return (
            load.week_count,
            booked is not None,
            booked.timestamp() if booked else 0.0,
            load.name,
        )

    return min(candidates, key=weight).id


def iso_week_bounds(instant: datetime, tz: ZoneInfo) -> Interval:
    """UTC bounds of the ISO week (Monday 00:00 .. next Monday 00:00 in ``tz``) holding
    ``instant``.
    """
    if instant.tzinfo is None:
        raise ValueError("iso_week_bounds needs an aware datetime")
    local = instant.astimezone(tz).date()
    monday = local - timedelta(days=local.weekday())
    return to_utc(monday, 0, tz), to_utc(monday + timedelta(days=7), 0, tz)
