"""The agents a customer may choose between on a service's booking page ("With")."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.types import Uuid

from portal.booking.versions import once_per_version
from portal.models import User, service_agents


@dataclass(frozen=True)
class AgentChoice:
    id: uuid.UUID
    name: str


def agent_menu(session: Session, service_id: uuid.UUID) -> tuple[AgentChoice, ...]:
    """The service's active agents by name: read once per availability versions (they
    cover the service's agents), and only the two columns shown rather than whole users."""
    return once_per_version(
        ("agent menu", service_id),
        lambda: tuple(
            AgentChoice(row.id, row.name)
            for row in session.execute(_menu_statement(), {"service_id": service_id})
        ),
    )


@lru_cache(maxsize=1)
def _menu_statement():
    return (
        select(User.id, User.name)
        .join(service_agents, service_agents.c.user_id == User.id)
        .where(
            service_agents.c.service_id == bindparam("service_id", type_=Uuid()),
            User.active.is_(True),
        )
        .order_by(User.name, User.id)
    )
