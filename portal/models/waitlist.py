"""The waitlist: customers waiting for a time to free up on a full day, and their offers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UUIDPrimaryKey, utcnow

if TYPE_CHECKING:
    from portal.models.service import Service
    from portal.models.user import User


class WaitlistStatus(StrEnum):
    WAITING = "WAITING"  # offers may still be made
    BOOKED = "BOOKED"  # booked through an offer
    LEFT = "LEFT"  # the customer left by their link
    EXPIRED = "EXPIRED"  # the day passed


class WaitlistEntry(UUIDPrimaryKey, Base):
    """One customer (an e-mail proven by a code) waiting for a time on ``day``.

    ``day`` is read in ``timezone`` (the customer's, as on the booking page);
    ``agent_id`` None means any agent of the service. Only the SHA-256 of the
    leave link's token is stored.
    """

    __tablename__ = "waitlist_entries"
    __table_args__ = (Index("ix_waitlist_entries_status_day", "status", "day"),)

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    day: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    status: Mapped[WaitlistStatus] = mapped_column(
        Enum(
            WaitlistStatus,
            native_enum=False,
            length=16,
            name="waitlist_status",
            create_constraint=True,
        ),
        default=WaitlistStatus.WAITING,
    )
    leave_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    service: Mapped[Service] = relationship()
    agent: Mapped[User | None] = relationship()
    offers: Mapped[list[WaitlistOffer]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="WaitlistOffer.created_at"
    )


class WaitlistOffer(UUIDPrimaryKey, Base):
    """A freed time offered to one entry, held for it (``hold_id``) until ``expires_at``.

    Unique per (entry, start): an entry is offered a given time at most once.
    """

    __tablename__ = "waitlist_offers"
    __table_args__ = (
        UniqueConstraint("entry_id", "start_at"),
        CheckConstraint("start_at < end_at", name="start_before_end"),
    )

    entry_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("waitlist_entries.id", ondelete="CASCADE"), index=True
    )
    # Holds are cleared an hour after they lapse (portal.booking.holds); the offer stays.
    hold_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("slot_holds.id", ondelete="SET NULL")
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]

    entry: Mapped[WaitlistEntry] = relationship(back_populates="offers")

    def live(self, now: datetime) -> bool:
        return self.used_at is None and self.expires_at > now
