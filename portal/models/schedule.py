"""When agents work and when they do not: hours, office hours and time off."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, Enum, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamps, UUIDPrimaryKey

if TYPE_CHECKING:
    from portal.models.user import User


class WorkingHours(UUIDPrimaryKey, Base):
    """A weekly window in the agent's own timezone; several a day are allowed."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("day_of_week BETWEEN 1 AND 7", name="day_of_week_range"),
        CheckConstraint("start_minute >= 0 AND end_minute <= 1440", name="minute_range"),
        CheckConstraint("start_minute < end_minute", name="start_before_end"),
    )

    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    day_of_week: Mapped[int]  # 1 = Monday .. 7 = Sunday
    start_minute: Mapped[int]
    end_minute: Mapped[int]

    agent: Mapped[User] = relationship()


class OfficeHoursType(StrEnum):
    NONWORKING = "nonworking"
    LUNCHTIME = "lunchtime"
    COFFEEBREAK = "coffeebreak"
    WEEKENDS = "weekends"


class DayOfWeek(StrEnum):
    SUN = "sun"
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"

    @property
    def iso(self) -> int:
        """1 = Monday .. 7 = Sunday."""
        return ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].index(self.value) + 1


class OfficeHours(UUIDPrimaryKey, Timestamps, Base):
    """Seed 000: an account-wide closed period, in the account timezone."""

    __tablename__ = "office_hours"
    __table_args__ = (
        CheckConstraint("time_from >= 0 AND time_to <= 86400", name="seconds_range"),
        CheckConstraint("time_from < time_to", name="from_before_to"),
    )

    name: Mapped[str] = mapped_column(String(24))
    type: Mapped[OfficeHoursType] = mapped_column(
        Enum(
            OfficeHoursType,
            native_enum=False,
            length=16,
            name="office_hours_type",
            create_constraint=True,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    dow: Mapped[DayOfWeek] = mapped_column(
        Enum(
            DayOfWeek,
            native_enum=False,
            length=3,
            name="dow",
            create_constraint=True,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    time_from: Mapped[int]  # seconds from local midnight
    time_to: Mapped[int]


time_exception_agents = Table(
    "time_exception_agents",
    Base.metadata,
    Column(
        "time_exception_id",
        ForeignKey("time_exceptions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class TimeException(UUIDPrimaryKey, Timestamps, Base):
    """Seed 002: time off for one or more agents, one-off or weekly recurring."""

    __tablename__ = "time_exceptions"
    __table_args__ = (CheckConstraint("from_date <= to_date", name="from_before_to"),)

    from_date: Mapped[date]
    to_date: Mapped[date]
    from_minute: Mapped[int | None]  # None: 00:00
    to_minute: Mapped[int | None]  # None: 24:00
    days_of_week: Mapped[list[int]] = mapped_column(default=list)  # empty: not recurring
    reason_text: Mapped[str] = mapped_column(Text, default="")
    reason_text_public: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str] = mapped_column(String(7), default="#9ca3af")
    block_time: Mapped[bool] = mapped_column(default=True)
    private: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    agents: Mapped[list[User]] = relationship(secondary=time_exception_agents)

    @property
    def recurring(self) -> bool:
        return bool(self.days_of_week)
