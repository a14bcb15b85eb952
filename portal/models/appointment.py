"""Appointments, their participants, video room tickets and short-lived holds."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.models.base import Base, Timestamps, UUIDPrimaryKey, utcnow

if TYPE_CHECKING:
    from portal.models.service import Service
    from portal.models.user import User


class AppointmentStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    CANCELLED = "CANCELLED"


class InteractionState(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"


class ParticipantType(StrEnum):
    AGENT = "AGENT"
    CUSTOMER = "CUSTOMER"


def _enum(enum_cls: type[StrEnum], name: str, length: int) -> Enum:
    return Enum(enum_cls, native_enum=False, length=length, name=name, create_constraint=True)


class Appointment(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("start_at < end_at", name="start_before_end"),
        Index("ix_appointments_organizer_start", "organizer_id", "start_at"),
    )

    reference: Mapped[str | None] = mapped_column(String(128), unique=True)
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="RESTRICT"), index=True
    )
    organizer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    start_at: Mapped[datetime] = mapped_column(index=True)
    end_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    status: Mapped[AppointmentStatus] = mapped_column(
        _enum(AppointmentStatus, "appointment_status", 16), default=AppointmentStatus.SCHEDULED
    )
    interaction_state: Mapped[InteractionState] = mapped_column(
        _enum(InteractionState, "interaction_state", 16), default=InteractionState.PENDING
    )
    done: Mapped[bool] = mapped_column(default=False)
    # "metadata" is reserved on declarative classes; the column keeps the public name.
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Seed 001 ``interaction.routing``: the integration's routing data, kept as given
    # (None on rows older than the column; read both as "none").
    routing: Mapped[dict[str, Any] | None] = mapped_column(default=dict)
    notifications_active: Mapped[bool] = mapped_column(default=True)
    # The customer's answers to the service's booking questions, in the order asked,
    # each with the label it was asked under: [{id, label, type, value}]. Keeping the
    # label means a question later renamed or removed never loses its answer.
    # NULL on rows older than the column: no answers.
    answers: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=list)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    # iCalendar SEQUENCE: bumped on every change a calendar must pick up.
    sequence: Mapped[int] = mapped_column(default=0)
    # Whether the agent's time is taken whole (a service of one seat). The database
    # refuses two overlapping scheduled single-seat appointments of one organizer
    # (portal.models.overlap_guard). True unless said otherwise: the safe side.
    single_seat: Mapped[bool] = mapped_column(default=True, server_default=true())

    service: Mapped[Service] = relationship()
    organizer: Mapped[User] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        back_populates="appointment",
        cascade="all, delete-orphan",
        order_by="Participant.created_at",
    )
    room_tickets: Mapped[list[RoomTicket]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan"
    )

    @validates("service")
    def _seats_of(self, _key: str, service: Service) -> Service:
        # The seat count of the service decides whether the overlap guard applies.
        self.single_seat = service.capacity == 1
        return service

    @property
    def duration(self) -> timedelta:
        return self.end_at - self.start_at

    @property
    def is_scheduled(self) -> bool:
        return self.status == AppointmentStatus.SCHEDULED

    @property
    def customers(self) -> list[Participant]:
        return [p for p in self.participants if p.type == ParticipantType.CUSTOMER]

    @property
    def agents(self) -> list[Participant]:
        return [p for p in self.participants if p.type == ParticipantType.AGENT]


class Participant(UUIDPrimaryKey, Base):
    __tablename__ = "participants"
    __table_args__ = (
        # One row per agent per appointment: adding the same agent twice is a conflict.
        UniqueConstraint("appointment_id", "user_id"),
        # Availability finds agents who joined others' appointments through this.
        Index("ix_participants_user_organizer", "user_id", "is_organizer"),
    )

    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[ParticipantType] = mapped_column(_enum(ParticipantType, "participant_type", 16))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_organizer: Mapped[bool] = mapped_column(default=False)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    username: Mapped[str | None] = mapped_column(String(120))
    # Seed 003 ``customerReference``: the customer's id in the integration's system.
    reference: Mapped[str | None] = mapped_column(String(128), index=True)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    appointment: Mapped[Appointment] = relationship(back_populates="participants")
    user: Mapped[User | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class RoomTicket(UUIDPrimaryKey, Base):
    __tablename__ = "room_tickets"

    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(32), default="MULTI_USE_TICKET")
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    appointment: Mapped[Appointment] = relationship(back_populates="room_tickets")


class SlotHold(UUIDPrimaryKey, Base):
    """A slot kept for a customer while they confirm their email (counts as taken).

    A hold is made once the customer gave their e-mail and a code went to it
    (``portal.booking.holds``). ``browser_key`` names the browser session and
    ``client_address`` the address it came from; a released or used hold is
    expired (``expires_at`` set to that instant), not deleted, so the holds an
    address made in the last hour can still be counted.
    """

    __tablename__ = "slot_holds"
    __table_args__ = (
        CheckConstraint("start_at < end_at", name="start_before_end"),
        Index("ix_slot_holds_agent_start", "agent_id", "start_at"),
        Index("ix_slot_holds_client_address_created", "client_address", "created_at"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    email: Mapped[str] = mapped_column(String(254), index=True)
    browser_key: Mapped[str | None] = mapped_column(String(64), index=True)
    client_address: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
