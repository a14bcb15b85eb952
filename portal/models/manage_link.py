"""A customer's manage link: a random secret per link, stored only as its hash."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UUIDPrimaryKey, utcnow

if TYPE_CHECKING:
    from portal.models.appointment import Appointment


class ManageLink(UUIDPrimaryKey, Base):
    """One live (or revoked) link to an appointment's manage page.

    An appointment has several: the confirmation page, each batch of mails and
    each visit from ``/my`` mint their own. Nothing about the appointment derives
    them, so its public id, the feeds and the secret key grant no control.
    """

    __tablename__ = "manage_links"

    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the token: tokens are long and random, so a slow hash buys nothing.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    appointment: Mapped[Appointment] = relationship()
