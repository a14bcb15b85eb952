"""Whose schedule a staff member may read and change (DESIGN.md 2).

An agent manages only their own; supervisors and admins manage every agent's.
Anything else answers NotFound: an agent may not learn whether another id exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.booking.errors import NotFound
from portal.domain.i18n import N_
from portal.models import STAFF_ROLES, Role, TimeException, User
from portal.schedules.errors import Forbidden

MANAGER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


def manages_others(actor: User) -> bool:
    return actor.role in MANAGER_ROLES


def staff_member(session: Session, agent_id: uuid.UUID) -> User:
    """The staff user with this id (AGENT, SUPERVISOR or ADMIN), or NotFound."""
    user = session.get(User, agent_id)
    if user is None or user.role not in STAFF_ROLES:
        raise NotFound(N_("That agent does not exist."))
    return user


def agent_for(session: Session, actor: User, agent_id: uuid.UUID | None = None) -> User:
    """The agent whose schedule ``actor`` asks for (default: their own), or NotFound."""
    if agent_id is None or agent_id == actor.id:
        return actor
    if not manages_others(actor):
        raise NotFound(N_("That agent does not exist."))
    return staff_member(session, agent_id)


def agents_for(session: Session, actor: User, agent_ids: Iterable[uuid.UUID]) -> list[User]:
    """Each of ``agent_ids`` as ``agent_for`` checks it, without duplicates, in the given order."""
    seen: dict[uuid.UUID, User] = {}
    for agent_id in agent_ids:
        if agent_id not in seen:
            seen[agent_id] = agent_for(session, actor, agent_id)
    return list(seen.values())


def staff_choices(session: Session) -> list[User]:
    """Active staff, by name: whom a supervisor or admin can pick on the schedule pages."""
    return list(
        session.scalars(
            select(User)
            .where(User.role.in_(sorted(STAFF_ROLES)), User.active.is_(True))
            .order_by(User.name, User.email)
        )
    )


def visible_time_off(actor: User, exception: TimeException | None) -> TimeException:
    """The time off if ``actor`` may see it (one of its agents, or a manager), else NotFound."""
    if exception is None or not (
        manages_others(actor) or any(agent.id == actor.id for agent in exception.agents)
    ):
        raise NotFound(N_("That time off does not exist."))
    return exception


def may_change_time_off(actor: User, exception: TimeException) -> bool:
    """Whether ``changeable_time_off`` lets ``actor`` change it (pages show or hide its buttons)."""
    if manages_others(actor):
        return True
    return bool(exception.agents) and all(agent.id == actor.id for agent in exception.agents)


def changeable_time_off(actor: User, exception: TimeException | None) -> TimeException:
    """Like ``visible_time_off``; an agent may change only time off that is theirs alone (403)."""
    exception = visible_time_off(actor, exception)
    if not manages_others(actor) and any(agent.id != actor.id for agent in exception.agents):
        raise Forbidden(
            N_("This time off is shared with other agents; ask a supervisor to change it.")
        )
    return exception
