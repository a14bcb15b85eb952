"""/agent/calendar: the signed-in agent's day, week or month.

``?view=day|week|month&date=YYYY-MM-DD[&cancelled=1]``; supervisors and admins
may add ``&agent=<id>`` to see a colleague's (an agent naming someone else: 404).
Times are in the agent's own zone, on DST days too (``portal.web.calendar_view``).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_login import current_user

from portal.auth import role_required
from portal.extensions import db
from portal.models import Role
from portal.schedules.access import agent_for
from portal.web import calendar_page
from portal.web.agent import bp

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


@bp.get("/calendar")
@role_required(*STAFF)
def calendar():
    state = calendar_page.parse_state("agent.calendar", ZoneInfo(current_user.timezone))
    # Someone not theirs to see: NotFound, the 404 page.
    agent = agent_for(db.session, current_user, state.agent_ids[0] if state.agent_ids else None)
    zone = ZoneInfo(agent.timezone)
    if agent.id == current_user.id:
        state = calendar_page.CalendarState(
            state.endpoint, state.view, state.anchor, state.cancelled
        )
    else:
        state = calendar_page.CalendarState(
            state.endpoint, state.view, state.anchor, state.cancelled, (agent.id,)
        )
    page = calendar_page.build_page(db.session, state, zone, [agent])
    return calendar_page.render_calendar(page, "agent/calendar.html", agent=agent)
