"""Services customers book, the agents who serve them and their time windows."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamps, UUIDPrimaryKey

if TYPE_CHECKING:
    from portal.models.notification import NotificationTemplate
    from portal.models.user import User

service_agents = Table(
    "service_agents",
    Base.metadata,
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Service(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
    )

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int]
    # None: the grid steps by the duration.
    slot_interval_minutes: Mapped[int | None]
    buffer_before_minutes: Mapped[int] = mapped_column(default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(default=0)
    minimum_notice_minutes: Mapped[int] = mapped_column(default=0)
    horizon_days: Mapped[int] = mapped_column(default=60)
    capacity: Mapped[int] = mapped_column(default=1)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    color: Mapped[str] = mapped_column(String(7), default="#4f46e5")
    sender_email: Mapped[str | None] = mapped_column(String(254))
    sender_verified: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Issue 18. Cut-offs: how long before the start a customer may still cancel or
    # reschedule online (None: until the start). Limits: None is no limit.
    cancel_cutoff_minutes: Mapped[int | None]
    reschedule_cutoff_minutes: Mapped[int | None]
    max_bookings_per_customer: Mapped[int | None]
    max_per_agent_per_day: Mapped[int | None]
    # Booking questions in order, [{id, label, type, required, options}]: portal.booking.questions.
    # NULL on rows older than the column (PostgreSQL's json cannot compare a server default).
    questions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=list)
    # Origins (scheme://host[:port]) whose pages may frame /embed/<slug> (docs/embeds.md).
    embed_origins: Mapped[list[str]] = mapped_column(JSON, default=list)

    agents: Mapped[list[User]] = relationship(secondary=service_agents, order_by="User.name")
    time_slots: Mapped[list[ServiceTimeSlot]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    templates: Mapped[list[NotificationTemplate]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def cancel_cutoff(self) -> timedelta:
        return timedelta(minutes=self.cancel_cutoff_minutes or 0)

    @property
    def reschedule_cutoff(self) -> timedelta:
        return timedelta(minutes=self.reschedule_cutoff_minutes or 0)

    @property
    def slot_interval(self) -> timedelta:
        return timedelta(minutes=self.slot_interval_minutes or self.duration_minutes)


class ServiceTimeSlot(UUIDPrimaryKey, Timestamps, Base):
    """Seed 004: a weekly window in the service's timezone, offered or never offered."""

    __tablename__ = "service_time_slots"
    __table_args__ = (
        CheckConstraint("day_of_week BETWEEN 1 AND 7", name="day_of_week_range"),
        CheckConstraint("from_minute < to_minute", name="from_before_to"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    day_of_week: Mapped[int]  # 1 = Monday .. 7 = Sunday
    from_minute: Mapped[int]
    to_minute: Mapped[int]
    available: Mapped[bool] = mapped_column(default=True)

    service: Mapped[Service] = relationship(back_populates="time_slots")
