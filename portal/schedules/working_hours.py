"""An agent's weekly working hours: read the week, check it, replace it.

A week is a list of ``Window(day_of_week, start, end)``: 1 = Monday .. 7 = Sunday,
minutes from local midnight in the agent's timezone, 0 <= start < end <= 1440
(24:00). Several windows a day are allowed; they may touch but not overlap.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.database import lock_calendars
from portal.domain.i18n import N_
from portal.models import WorkingHours
from portal.scheduling.validation import format_hhmm
from portal.schedules.errors import InvalidSchedule, StaleChange

DAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, order=True)
class Window:
    day_of_week: int  # 1 = Monday .. 7 = Sunday
    start: int  # minutes from local midnight
    end: int


@dataclass(frozen=True)
class Problem:
    """One broken rule: on ``day_of_week``, window ``index`` (its position that day, as given)."""

    day_of_week: int
    index: int
    message: str


class InvalidWeek(InvalidSchedule):
    def __init__(self, problems: Sequence[Problem], windows: Sequence[Window] = ()) -> None:
        first = problems[0]
        day = DAY_NAMES[first.day_of_week - 1] if 1 <= first.day_of_week <= 7 else N_("A day")
        super().__init__(
            N_("%(day)s: %(problem)s", day=day, problem=first.message), "working_hours"
        )
        self.problems = list(problems)
        self.windows = list(windows)  # the week as given

    def position(self, problem: Problem) -> int | None:
        """Where the window of ``problem`` is in the week as given (None if not known)."""
        that_day = [n for n, w in enumerate(self.windows) if w.day_of_week == problem.day_of_week]
        return that_day[problem.index] if problem.index < len(that_day) else None


def day_name(day_of_week: int) -> str:
    return DAY_NAMES[day_of_week - 1]


def check_week(windows: Iterable[Window]) -> list[Problem]:
    """Every broken rule of a week, in day order; empty when the week is fine."""
    by_day: dict[int, list[tuple[int, Window]]] = defaultdict(list)
    problems: list[Problem] = []
    for window in windows:
        position = len(by_day[window.day_of_week])
        by_day[window.day_of_week].append((position, window))
    for day in sorted(by_day):
        if not 1 <= day <= 7:
            problems.append(
                Problem(day, 0, N_("the day of week must be 1 (Monday) to 7 (Sunday)."))
            )
            continue
        valid: list[tuple[int, Window]] = []
        for index, window in by_day[day]:
            if not (0 <= window.start <= MINUTES_PER_DAY and 0 <= window.end <= MINUTES_PER_DAY):
                problems.append(Problem(day, index, N_("times must lie between 00:00 and 24:00.")))
            elif window.start >= window.end:
                problems.append(
                    Problem(
                        day,
                        index,
                        N_(
                            "%(start)s–%(end)s ends before it starts; "
                            "the start must come before the end.",
                            start=format_hhmm(window.start),
                            end=format_hhmm(window.end),
                        ),
                    )
                )
            else:
                valid.append((index, window))
        valid.sort(key=lambda item: (item[1].start, item[1].end))
        for (_, earlier), (index, later) in zip(valid, valid[1:], strict=False):
            if later.start < earlier.end:
                problems.append(
                    Problem(
                        day,
                        index,
                        N_(
                            "%(start)s–%(end)s overlaps %(other_start)s–%(other_end)s.",
                            start=format_hhmm(later.start),
                            end=format_hhmm(later.end),
                            other_start=format_hhmm(earlier.start),
                            other_end=format_hhmm(earlier.end),
                        ),
                    )
                )
    return sorted(problems, key=lambda p: (p.day_of_week, p.index))


def normalized(windows: Iterable[Window]) -> list[Window]:
    """The week sorted by day and start, duplicates dropped."""
    return sorted(set(windows))


def week_version(windows: Iterable[Window]) -> str:
    """A short fingerprint of a week, for noticing a change made after a form was shown."""
    text = ";".join(f"{w.day_of_week},{w.start},{w.end}" for w in normalized(windows))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def get_week(session: Session, agent_id: uuid.UUID) -> list[Window]:
    rows = session.execute(
        select(WorkingHours.day_of_week, WorkingHours.start_minute, WorkingHours.end_minute).where(
            WorkingHours.agent_id == agent_id
        )
    ).all()
    return normalized(Window(day, start, end) for day, start, end in rows)


def replace_week(
    session: Session,
    agent_id: uuid.UUID,
    windows: Iterable[Window],
    *,
    expected_version: str | None = None,
) -> list[Window]:
    """Make ``windows`` the agent's week (one transaction, one commit).

    Raises InvalidWeek listing every broken rule, or StaleChange when
    ``expected_version`` (from ``week_version`` when the form was shown) no
    longer matches; either way nothing is written.
    """
    windows = list(windows)
    problems = check_week(windows)
    if problems:
        raise InvalidWeek(problems, windows)
    week = normalized(windows)
    # Bookings read working hours under the same lock: no booking sees half a week.
    lock_calendars(session, [agent_id])
    if (
        expected_version is not None
        and week_version(get_week(session, agent_id)) != expected_version
    ):
        raise StaleChange(
            N_(
                "These working hours were changed meanwhile (in another tab or by a supervisor). "
                "Here they are as saved now; make your change again."
            )
        )
    session.execute(delete(WorkingHours).where(WorkingHours.agent_id == agent_id))
    session.add_all(
        WorkingHours(
            agent_id=agent_id, day_of_week=w.day_of_week, start_minute=w.start, end_minute=w.end
        )
        for w in week
    )
    session.flush()
    return week


def copy_day(
    windows: Iterable[Window], source_day: int, target_days: Iterable[int]
) -> list[Window]:
    """The week with each target day's windows replaced by ``source_day``'s (nothing saved)."""
    windows = list(windows)
    targets = {day for day in target_days if day != source_day}
    source = [w for w in windows if w.day_of_week == source_day]
    kept = [w for w in windows if w.day_of_week not in targets]
    copies = [Window(day, w.start, w.end) for day in sorted(targets) for w in source]
    return sorted(kept + copies, key=lambda w: (w.day_of_week, w.start, w.end))


__all__ = [
    "DAY_NAMES",
    "InvalidWeek",
    "Problem",
    "Window",
    "check_week",
    "copy_day",
    "day_name",
    "get_week",
    "normalized",
    "replace_week",
    "week_version",
]
