"""/team: the supervisors' calendar of every agent (SUPERVISOR, ADMIN).

The same day / week / month views as ``/agent/calendar`` (``portal.web.calendar_page``),
in the viewer's zone; the day view has one column per agent. ``agent=<id>``
(repeatable) narrows to some agents; without it every agent is shown. Each
block opens the appointment page, where supervisors have every action.
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import select

from portal.auth import role_required
from portal.extensions import db
from portal.models import Role, User, service_agents
from portal.web import calendar_page

bp = Blueprint("team", __name__, url_prefix="/team")


def team_members() -> list[User]:
    """Active agents, and other staff who serve a service, by name."""
    serving = select(service_agents.c.user_id)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                (User.role == Role.AGENT)
                | (User.role.in_([Role.SUPERVISOR, Role.ADMIN]) & User.id.in_(serving)),
            )
            .order_by(User.name, User.email)
        )
    )


@bp.get("/", strict_slashes=False)
@role_required(Role.SUPERVISOR, Role.ADMIN)
def calendar():
    zone = ZoneInfo(current_user.timezone)
    state = calendar_page.parse_state("team.calendar", zone)
    members = team_members()
    by_id: dict[uuid.UUID, User] = {member.id: member for member in members}
    chosen = [by_id[agent_id] for agent_id in state.agent_ids if agent_id in by_id]
    state = calendar_page.CalendarState(
        state.endpoint, state.view, state.anchor, state.cancelled, tuple(a.id for a in chosen)
    )
    shown = chosen or members
    page = calendar_page.build_page(db.session, state, zone, shown, team=True)
    page.all_agents = members
    return calendar_page.render_calendar(page, "team/calendar.html")
