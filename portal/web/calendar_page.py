"""The staff calendar pages' shared half: read the request, load, lay out, render.

``/agent/calendar`` (one agent) and ``/team`` (several, supervisors) both call
``render_calendar``; the layout itself is ``portal.web.calendar_view`` (pure).

URL: ``?view=day|week|month&date=YYYY-MM-DD[&cancelled=1][&agent=<id>...]``.
An htmx request gets the ``#calendar`` partial; a history restore, a boosted or a plain
request gets the whole page (``Vary: HX-Request``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.booking import queries
from portal.models import OfficeHours, TimeException, User, WorkingHours, utcnow
from portal.models.schedule import time_exception_agents
from portal.scheduling import TimeExceptionRule, expand_weekly
from portal.scheduling.localtime import expand_weekly_seconds, from_epoch
from portal.schedules.time_off import blocked_periods
from portal.web import calendar_view as cv
from portal.web import formatting as fmt
from portal.web import htmx
from portal.web import picker as pk

DEFAULT_VIEW = "week"


@dataclass(frozen=True)
class CalendarState:
    """What the URL asks for."""

    endpoint: str
    view: str
    anchor: date
    cancelled: bool = False
    agent_ids: tuple[uuid.UUID, ...] = ()

    def url(self, **changes: Any) -> str:
        state = replace(self, **changes)
        args: dict[str, Any] = {"view": state.view, "date": state.anchor.isoformat()}
        if state.cancelled:
            args["cancelled"] = "1"
        if state.agent_ids:
            args["agent"] = [str(a) for a in state.agent_ids]
        return url_for(state.endpoint, **args)


def parse_state(endpoint: str, zone: ZoneInfo, *, now: datetime | None = None) -> CalendarState:
    """Lenient: an unknown view or a bad date shows this week rather than an error."""
    now = now or utcnow()
    view = request.args.get("view", DEFAULT_VIEW)
    if view not in cv.VIEWS:
        view = DEFAULT_VIEW
    anchor = pk.parse_day(request.args.get("date")) or now.astimezone(zone).date()
    cancelled = request.args.get("cancelled") in ("1", "true", "on", "yes")
    agent_ids = []
    for raw in request.args.getlist("agent"):
        try:
            agent_ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    return CalendarState(endpoint, view, anchor, cancelled, tuple(dict.fromkeys(agent_ids)))


# --- loading -------------------------------------------------------------------------------


def _customer_name(entry: queries.CalendarEntry) -> str:
    if not entry.customers:
        return ""
    first = entry.customers[0]
    return first if len(entry.customers) == 1 else f"{first} +{len(entry.customers) - 1}"


def appointment_items(
    entries: Sequence[queries.CalendarEntry],
    *,
    agent_names: dict[uuid.UUID, str] | None = None,
) -> list[cv.CalendarItem]:
    """Calendar items of appointments; with ``agent_names`` (team views) each shows its agent."""
    items = []
    for entry in entries:
        subtitle = entry.service_name
        if agent_names is not None:
            subtitle = f"{agent_names.get(entry.organizer_id, '')} · {entry.service_name}"
        items.append(
            cv.CalendarItem(
                key=str(entry.id),
                start=entry.start_at,
                end=entry.end_at,
                title=_customer_name(entry) or entry.title,
                subtitle=subtitle,
                color=entry.service_color or "#4338ca",
                href=url_for("agent.appointment", appointment_id=entry.id),
                cancelled=not entry.is_scheduled,
                state=entry.interaction_state.value,
                owners=entry.agent_ids,
                payload=entry,
            )
        )
    return items


def time_off_shades(
    session: Session, agents: Sequence[User], first_day: date, last_day: date
) -> list[cv.Shade]:
    """Each agent's time off (seed 002) on those local dates, hatched; annotations too."""
    if not agents:
        return []
    by_id = {agent.id: agent for agent in agents}
    rows = session.execute(
        select(time_exception_agents.c.user_id, TimeException)
        .join(TimeException, TimeException.id == time_exception_agents.c.time_exception_id)
        .where(
            time_exception_agents.c.user_id.in_(list(by_id)),
            TimeException.from_date <= last_day + timedelta(days=1),
            TimeException.to_date >= first_day - timedelta(days=1),
        )
    ).all()
    shades = []
    for user_id, exception in rows:
        zone = ZoneInfo(by_id[user_id].timezone)
        rule = TimeExceptionRule(
            from_date=exception.from_date,
            to_date=exception.to_date,
            from_minute=exception.from_minute,
            to_minute=exception.to_minute,
            days_of_week=frozenset(exception.days_of_week or ()),
            block_time=True,  # annotations are drawn too, only not as blocking
        )
        label = exception.reason_text or exception.reason_text_public or _("Time off")
        if not exception.block_time:
            label = _("%(reason)s (note)", reason=label)
        for start, end in blocked_periods(
            rule, first_day - timedelta(days=1), last_day + timedelta(days=1), zone
        ):
            shades.append(
                cv.Shade(
                    start=start,
                    end=end,
                    kind="off" if exception.block_time else "note",
                    label=label,
                    color=exception.color,
                    owners=frozenset({user_id}),
                )
            )
    return shades


def office_hours_shades(session: Session, first_day: date, last_day: date) -> list[cv.Shade]:
    """The account's closed periods (seed 000), in the account timezone, for everyone."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    shades = []
    for item in session.scalars(select(OfficeHours)):
        triples = [(item.dow.iso, item.time_from, item.time_to)]
        for start, end in expand_weekly_seconds(
            triples, first_day - timedelta(days=1), last_day + timedelta(days=1), zone
        ):
            shades.append(
                cv.Shade(
                    start=from_epoch(start), end=from_epoch(end), kind="closed", label=item.name
                )
            )
    return shades


def working_periods(
    session: Session, agents: Sequence[User], first_day: date, last_day: date
) -> dict[uuid.UUID, list[tuple[datetime, datetime]]]:
    """Each agent's working windows on those dates, as UTC periods."""
    ids = [agent.id for agent in agents]
    windows: dict[uuid.UUID, list[tuple[int, int, int]]] = {agent_id: [] for agent_id in ids}
    for row in session.scalars(select(WorkingHours).where(WorkingHours.agent_id.in_(ids))):
        windows[row.agent_id].append((row.day_of_week, row.start_minute, row.end_minute))
    periods = {}
    for agent in agents:
        zone = ZoneInfo(agent.timezone)
        periods[agent.id] = expand_weekly(
            windows[agent.id], first_day - timedelta(days=1), last_day + timedelta(days=1), zone
        )
    return periods


def outside_work_shades(
    working: dict[uuid.UUID, list[tuple[datetime, datetime]]],
    range_start: datetime,
    range_end: datetime,
) -> list[cv.Shade]:
    """The time an agent does not work, lightly shaded (only for agents with hours)."""
    shades = []
    for agent_id, periods in working.items():
        if not periods:
            continue
        cursor = range_start
        for start, end in sorted(periods):
            if start > cursor:
                shades.append(
                    cv.Shade(
                        start=cursor,
                        end=min(start, range_end),
                        kind="outside",
                        owners=frozenset({agent_id}),
                    )
                )
            cursor = max(cursor, end)
        if cursor < range_end:
            shades.append(
                cv.Shade(start=cursor, end=range_end, kind="outside", owners=frozenset({agent_id}))
            )
    return [s for s in shades if s.start < s.end]


# --- rendering -------------------------------------------------------------------------------


@dataclass
class CalendarPage:
    """Everything the calendar templates need."""

    state: CalendarState
    zone: ZoneInfo
    title: str
    days: list[date]
    grid: cv.TimeGrid | None = None
    month: cv.MonthGrid | None = None
    today: date | None = None
    hidden_cancelled: int = 0
    agents: list[User] = field(default_factory=list)  # team: the agents shown
    all_agents: list[User] = field(default_factory=list)  # team: the filter choices
    team: bool = False
    empty_message: str | None = None
    agenda: list[cv.AgendaDay] = field(default_factory=list)  # day / week: the phone list
    now: datetime | None = None

    def item_status(self, item: cv.CalendarItem) -> tuple[str, str]:
        """(badge modifier, label) of an appointment, as the dashboard shows it."""
        if item.cancelled:
            return "cancelled", _("Cancelled")
        if item.state == "ACTIVE":
            return "active", _("Live")
        if item.state == "ENDED":
            return "ended", _("Ended")
        if self.now is not None and item.end <= self.now:
            return "ended", _("Past")
        return "scheduled", _("Scheduled")

    @property
    def agenda_earlier(self) -> list[cv.AgendaDay]:
        """The days before today when today is shown: folded, so today comes first on a phone."""
        if not any(day.is_today for day in self.agenda):
            return []
        return [day for day in self.agenda if self.today is not None and day.day < self.today]

    @property
    def agenda_rest(self) -> list[cv.AgendaDay]:
        earlier = self.agenda_earlier
        return self.agenda[len(earlier) :]

    def agent_badge(self, item: cv.CalendarItem) -> tuple[str, int, str] | None:
        """Team views: (initials, colour index, name) of the item's agent."""
        organizer = getattr(item.payload, "organizer_id", None) if self.team else None
        agent = next((a for a in self.all_agents or self.agents if a.id == organizer), None)
        if agent is None:
            return None
        parts = agent.name.split() or ["?"]
        initials = (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()
        return initials, agent.id.int % 6, agent.name

    def url(self, **changes: Any) -> str:
        return self.state.url(**changes)

    @property
    def prev_url(self) -> str:
        return self.url(anchor=cv.shift(self.state.view, self.state.anchor, -1))

    @property
    def next_url(self) -> str:
        return self.url(anchor=cv.shift(self.state.view, self.state.anchor, 1))

    @property
    def today_url(self) -> str:
        return self.url(anchor=self.today)

    def day_url(self, day: date) -> str:
        return self.url(view="day", anchor=day)

    def fmt_time(self, value: datetime) -> str:
        return fmt.format_time(value, self.zone)

    def fmt_range(self, start: datetime, end: datetime) -> str:
        """10:00 – 10:30 AM: the shortest unambiguous range in the locale."""
        loc = fmt.locale()
        skeleton = "hm" if "h" in loc.time_formats["short"].pattern else "Hm"
        return babel_dates.format_interval(
            start.astimezone(self.zone),
            end.astimezone(self.zone),
            skeleton,
            tzinfo=self.zone,
            locale=loc,
        )

    def hour_label(self, hour: int) -> str:
        # The locale's clock: "1 PM" where 12-hour times are usual, else "13:00".
        loc = fmt.locale()
        twelve = "h" in loc.time_formats["short"].pattern
        return babel_dates.format_skeleton(
            "h" if twelve else "Hm", datetime(2000, 1, 1, hour, 0), locale=loc
        )

    def day_label(self, day: date) -> str:
        return babel_dates.format_date(day, "EEE d", locale=fmt.locale())

    def day_full(self, day: date) -> str:
        return fmt.format_day(day)

    def dst_note(self, change: cv.DstChange) -> str:
        """The clock change in the viewer's language, e.g. "Clocks go back 1 hour at 02:00".

        (``change.note`` is the layout module's English, which stays free of Flask.)"""
        wall = f"{change.at_minute // 60:02d}:{change.at_minute % 60:02d}"
        if change.minutes % 60:  # Lord Howe moves its clocks by half an hour
            if change.forward:
                return _(
                    "Clocks go forward %(minutes)d min at %(time)s",
                    minutes=change.minutes,
                    time=wall,
                )
            return _(
                "Clocks go back %(minutes)d min at %(time)s", minutes=change.minutes, time=wall
            )
        hours = change.minutes // 60
        if change.forward:
            return ngettext(
                "Clocks go forward %(num)d hour at %(time)s",
                "Clocks go forward %(num)d hours at %(time)s",
                hours,
                time=wall,
            )
        return ngettext(
            "Clocks go back %(num)d hour at %(time)s",
            "Clocks go back %(num)d hours at %(time)s",
            hours,
            time=wall,
        )

    def weekday_names(self) -> list[tuple[str, str]]:
        loc = fmt.locale()
        short = loc.days["stand-alone"]["abbreviated"]
        wide = loc.days["format"]["wide"]
        return [(short[i], wide[i]) for i in range(7)]  # Monday first, like the grid

    @property
    def zone_text(self) -> str:
        return fmt.zone_label(
            self.zone,
            datetime.combine(self.state.anchor, datetime.min.time()).replace(tzinfo=self.zone),
        )


def page_title(view: str, days: Sequence[date], anchor: date) -> str:
    loc = fmt.locale()
    if view == "day":
        return fmt.format_day(anchor)
    if view == "month":
        return babel_dates.format_date(anchor, "LLLL y", locale=loc)
    first, last = days[0], days[-1]
    return babel_dates.format_interval(first, last, "yMMMd", locale=loc)


def build_page(
    session: Session,
    state: CalendarState,
    zone: ZoneInfo,
    agents: Sequence[User],
    *,
    team: bool = False,
    viewer: User | None = None,
    now: datetime | None = None,
    column_label: Callable[[User], str] | None = None,
) -> CalendarPage:
    """Load and lay out the calendar of ``agents`` as ``state`` asks."""
    now = now or utcnow()
    days = cv.visible_days(state.view, state.anchor)
    start, end = cv.range_utc(days, zone)
    agent_ids = [agent.id for agent in agents]
    names = {agent.id: agent.name for agent in agents} if team else None
    page = CalendarPage(
        state=state,
        zone=zone,
        title=page_title(state.view, days, state.anchor),
        days=days,
        today=now.astimezone(zone).date(),
        now=now,
        agents=list(agents),
        team=team,
    )
    if state.view == "month":
        # Counted in SQL: only the few items each day lists are loaded.
        overview = queries.month_overview(
            session,
            [cv.day_span(day, zone) for day in days],
            agent_ids=agent_ids,
            viewer=viewer,
            include_cancelled=state.cancelled,
            per_day=cv.MONTH_ITEMS,
        )
        page.hidden_cancelled = 0 if state.cancelled else overview.cancelled
        page.month = cv.month_grid(
            state.anchor,
            appointment_items(overview.entries, agent_names=names),
            zone,
            today=page.today,
            totals=dict(zip(days, overview.counts, strict=True)),
        )
        return page

    entries = queries.calendar_entries(
        session, start, end, agent_ids=agent_ids, viewer=viewer, include_cancelled=True
    )
    if state.cancelled:
        page.hidden_cancelled = 0
    else:
        # ``hidden_cancelled`` tells the toggle how many it would show.
        page.hidden_cancelled = sum(1 for entry in entries if not entry.is_scheduled)
        entries = [entry for entry in entries if entry.is_scheduled]
    items = appointment_items(entries, agent_names=names)

    first_day, last_day = days[0], days[-1]
    shades = office_hours_shades(session, first_day, last_day)
    # Personal shading (time off, hours) only where a column is one agent's time.
    personal = team and state.view == "day" or not team
    focus: list[tuple[datetime, datetime]] = []
    if personal:
        shades += time_off_shades(session, agents, first_day, last_day)
        working = working_periods(session, agents, first_day, last_day)
        shades += outside_work_shades(working, start - timedelta(days=1), end + timedelta(days=1))
        focus = [period for periods in working.values() for period in periods]
    if start <= now < end:
        focus.append((now, now + timedelta(minutes=30)))  # the "now" line is always in view
    if team and state.view == "day":
        specs = [
            cv.ColumnSpec(
                day=state.anchor, label=(column_label or (lambda a: a.name))(agent), owner=agent.id
            )
            for agent in agents
        ]
    else:
        specs = [cv.ColumnSpec(day=day, label="", href=page.day_url(day)) for day in days]
    # A team week would put every agent's appointments side by side in one column: capped,
    # with "+N more" leading to the day, where each agent has a column.
    max_lanes = cv.WEEK_LANES if team and state.view == "week" else None
    page.grid = cv.time_grid(
        specs, items, zone, now=now, shades=shades, focus=focus, max_lanes=max_lanes
    )
    page.agenda = cv.agenda_days(
        days,
        items,
        zone,
        today=page.today,
        per_day=cv.TEAM_AGENDA_ITEMS if max_lanes is not None else None,
    )
    return page


def render_calendar(
    page: CalendarPage, template: str, partial: str = "agent/_calendar.html", **context: Any
):
    """The page, or the ``#calendar`` partial for htmx; never cached across the two."""
    response = htmx.render_page(template, partial, page=page, **context)
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


__all__ = [
    "CalendarPage",
    "CalendarState",
    "appointment_items",
    "build_page",
    "office_hours_shades",
    "parse_state",
    "render_calendar",
    "time_off_shades",
    "working_periods",
]
