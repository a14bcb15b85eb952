"""Webhook deliveries written to the outbox, in the same unit of work as the change.

``emit(session, event_type, data)`` adds one WEBHOOK outbox row per active
subscription that asked for ``event_type``, carrying the finished body
``{"type", "timestamp", "data"}``: every retry sends the same bytes under the same
``webhook-id``. The booking operations call ``emit_appointment`` with the API's staff
view of the appointment; other domains (the waitlist) call ``emit`` with their own
``data``. Nothing commits here.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    Appointment,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    WebhookSubscription,
    utcnow,
)
from portal.representation import appointment_json, utc_z
from portal.webhooks.events import EVENT_TYPES

RECIPIENT_MAX = 254  # the outbox column; the URL itself is read from the subscription


def emit(
    session: Session, event_type: str, data: dict[str, Any], *, now: datetime | None = None
) -> list[OutboxMessage]:
    """Queue ``event_type`` with ``data`` for every active subscription that wants it."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event type {event_type!r}.")
    now = now or utcnow()
    subscriptions = [
        s
        for s in session.scalars(
            select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
        )
        if event_type in (s.events or ())
    ]
    if not subscriptions:
        return []
    body = json.dumps(
        {"type": event_type, "timestamp": utc_z(now), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    rows = [
        OutboxMessage(
            type=event_type,
            channel=OutboxChannel.WEBHOOK,
            recipient=subscription.url[:RECIPIENT_MAX],
            subject=event_type,
            text_body=body,
            due_at=now,
            status=OutboxStatus.PENDING,
            attempts=0,
            webhook_subscription_id=subscription.id,
        )
        for subscription in subscriptions
    ]
    session.add_all(rows)
    return rows


def emit_appointment(
    session: Session, event_type: str, appointment: Appointment, *, now: datetime | None = None
) -> list[OutboxMessage]:
    """``emit`` with the API's staff view of ``appointment`` (flushed, so it has its ids)."""
    session.flush()
    return emit(session, event_type, appointment_json(appointment), now=now)
