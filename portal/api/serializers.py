"""Model → JSON, in the API's one style: camelCase, UTC times with Z, ISO durations."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from typing import Any

from portal.isoduration import format_duration
from portal.models import Service
from portal.scheduling import Slot


def utc_z(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def service_json(service: Service) -> dict[str, Any]:
    agents = [agent for agent in service.agents if agent.active]
    return {
        "id": str(service.id),
        "slug": service.slug,
        "name": service.name,
        "description": service.description,
        "duration": format_duration(service.duration),
        "slotInterval": format_duration(service.slot_interval),
        "bufferBefore": format_duration(timedelta(minutes=service.buffer_before_minutes)),
        "bufferAfter": format_duration(timedelta(minutes=service.buffer_after_minutes)),
        "minimumNotice": format_duration(timedelta(minutes=service.minimum_notice_minutes)),
        "horizonDays": service.horizon_days,
        "capacity": service.capacity,
        "timezone": service.timezone,
        "locale": service.locale,
        "active": service.active,
        "agentIds": [str(agent.id) for agent in agents],
        "agents": [
            {"id": str(agent.id), "name": agent.name, "timezone": agent.timezone}
            for agent in agents
        ],
    }


def slot_json(slot: Slot) -> dict[str, Any]:
    return {
        "start": utc_z(slot.start),
        "end": utc_z(slot.end),
        "agentIds": [str(agent_id) for agent_id in slot.agent_ids],
        "remaining": slot.remaining,
    }
