"""Notification templates per service and the outbox messages rendered from them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamps, UUIDPrimaryKey, utcnow

if TYPE_CHECKING:
    from portal.models.appointment import Appointment
    from portal.models.service import Service


class Channel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


class OutboxChannel(StrEnum):
    """How an outbox row travels: a template's channel, or a webhook delivery."""

    EMAIL = "EMAIL"
    SMS = "SMS"
    WEBHOOK = "WEBHOOK"


class TemplateType(StrEnum):
    CREATE = "CREATE"
    RESCHEDULE = "RESCHEDULE"
    CANCEL = "CANCEL"
    REMINDER = "REMINDER"
    ROOM = "ROOM"


class OutboxStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


def _enum(enum_cls: type[StrEnum], name: str) -> Enum:
    return Enum(enum_cls, native_enum=False, length=16, name=name, create_constraint=True)


class NotificationTemplate(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "notification_templates"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    type: Mapped[TemplateType] = mapped_column(_enum(TemplateType, "template_type"))
    # Seconds before start, for REMINDER and ROOM (kept as ISO 8601 in the API).
    period_seconds: Mapped[int | None]
    subject: Mapped[str] = mapped_column(String(200), default="")
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    active: Mapped[bool] = mapped_column(default=True)

    service: Mapped[Service] = relationship(back_populates="templates")


class OutboxMessage(UUIDPrimaryKey, Base):
    __tablename__ = "outbox_messages"
    # A message is queued once per schedule: re-rendering after a reschedule makes a new row.
    __table_args__ = (
        UniqueConstraint("appointment_id", "template_id", "recipient", "schedule_start"),
        Index("ix_outbox_messages_status_due", "status", "due_at"),
    )

    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("notification_templates.id", ondelete="SET NULL")
    )
    type: Mapped[str] = mapped_column(String(32))
    channel: Mapped[OutboxChannel] = mapped_column(_enum(OutboxChannel, "outbox_channel"))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255), default="")
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str | None] = mapped_column(Text)
    # The .ics method to attach (REQUEST / CANCEL), if any.
    ics_method: Mapped[str | None] = mapped_column(String(16))
    # The invitation itself, rendered from the same snapshot as the text when the row was
    # queued (CREATE / RESCHEDULE / CANCEL); the sender sends it as it is.
    ics: Mapped[str | None] = mapped_column(Text)
    # The appointment's SEQUENCE in ``ics``: a row older than one already sent to the same
    # recipient is dropped, so an invitation never goes back in time.
    sequence: Mapped[int | None]
    # The customer's manage URL minted for this message (the raw link is in the body
    # anyway): reused when a reminder is rendered again at send time and for its .ics.
    manage_link: Mapped[str | None] = mapped_column(String(500))
    schedule_start: Mapped[datetime | None]
    due_at: Mapped[datetime]
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # WEBHOOK rows: the subscription to deliver to (its deliveries go with it).
    webhook_subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )

    appointment: Mapped[Appointment | None] = relationship()
