"""Webhook subscriptions: where the portal posts signed lifecycle events (docs/webhooks.md)."""

from __future__ import annotations

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, Timestamps, UUIDPrimaryKey


class WebhookSubscription(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "webhook_subscriptions"

    url: Mapped[str] = mapped_column(String(2000))
    # Event type names (portal.webhooks.events.EVENT_TYPES) this endpoint receives.
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(String(500), default="")
    # The signing secret, encrypted with a key derived from SECRET_KEY (docs/decisions.md,
    # "Webhooks (issue 19)"): the sender must recover it to sign.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
