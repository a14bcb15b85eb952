"""Availability versions: a token per scope, replaced whenever its availability may change.

A scope is a service (its settings, agents and time windows), an agent (their
hours, time off, appointments and holds, name, zone and active flag) or the
whole account (office hours, and any bulk change whose rows are not known), the
last under ``ACCOUNT_SCOPE``. Tokens are random, not counters, so a rolled back
or restored token never names different data (``portal.booking.versions``).
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base

ACCOUNT_SCOPE = uuid.UUID(int=0)


class AvailabilityVersion(Base):
    __tablename__ = "availability_versions"

    # A service id, an agent's user id or ACCOUNT_SCOPE (ids are random UUIDs, so never clash).
    scope_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger)
