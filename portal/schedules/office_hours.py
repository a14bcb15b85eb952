"""Account-wide office hours (seed 000): periods when nobody can be booked.

Fields: ``name`` (1..24 characters), ``type`` (nonworking | lunchtime |
coffeebreak | weekends), ``dow`` (sun..sat), ``time_from`` < ``time_to`` in
seconds from local midnight, 0..86400, in the account timezone (config TIMEZONE).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.booking.errors import NotFound
from portal.domain.i18n import N_
from portal.models import DayOfWeek, OfficeHours, OfficeHoursType, utcnow
from portal.schedules.errors import InvalidSchedule, StaleChange, raise_first
from portal.scheduling import validation

DAY_ORDER = [
    DayOfWeek.MON,
    DayOfWeek.TUE,
    DayOfWeek.WED,
    DayOfWeek.THU,
    DayOfWeek.FRI,
    DayOfWeek.SAT,
    DayOfWeek.SUN,
]


@dataclass(frozen=True)
class OfficeHoursData:
    name: str
    type: OfficeHoursType
    dow: DayOfWeek
    time_from: int  # seconds from local midnight
    time_to: int

    @classmethod
    def of(cls, item: OfficeHours) -> OfficeHoursData:
        return cls(item.name, item.type, item.dow, item.time_from, item.time_to)


def check_office_hours(data: OfficeHoursData) -> OfficeHoursData:
    """The data with the name trimmed, or InvalidSchedule naming the first broken field."""
    errors = validation.validate_office_hours(
        name=data.name,
        type=getattr(data.type, "value", data.type),
        dow=getattr(data.dow, "value", data.dow),
        time_from=data.time_from,
        time_to=data.time_to,
    )
    raise_first(errors)
    return replace(data, name=data.name.strip())


def version_of(item: OfficeHours) -> str:
    return item.updated_at.isoformat()


SORT_FIELDS: dict[str, Any] = {
    "name": OfficeHours.name,
    "type": OfficeHours.type,
    "dow": case({day: index for index, day in enumerate(DAY_ORDER)}, value=OfficeHours.dow),
    "timeFrom": OfficeHours.time_from,
    "timeTo": OfficeHours.time_to,
    "createdAt": OfficeHours.created_at,
}


def list_office_hours(
    session: Session,
    *,
    dow: DayOfWeek | None = None,
    sort_field: str = "dow",
    sort_order: str = "asc",
    page_number: int = 1,
    page_size: int | None = None,
) -> tuple[list[OfficeHours], int]:
    """Office hours (of one weekday if ``dow``), sorted; and how many there are in all."""
    query = select(OfficeHours)
    if dow is not None:
        query = query.where(OfficeHours.dow == dow)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = SORT_FIELDS[sort_field]
    order = [column.desc() if sort_order == "desc" else column.asc()]
    if sort_field == "dow":
        order.append(
            OfficeHours.time_from.desc() if sort_order == "desc" else OfficeHours.time_from
        )
    query = query.order_by(*order, OfficeHours.id)
    if page_size is not None:
        query = query.limit(page_size).offset((page_number - 1) * page_size)
    return list(session.scalars(query)), total


def get_office_hours(session: Session, item_id: uuid.UUID) -> OfficeHours:
    item = session.get(OfficeHours, item_id)
    if item is None:
        raise NotFound(N_("Those office hours do not exist."))
    return item


def create_office_hours(session: Session, data: OfficeHoursData) -> OfficeHours:
    data = check_office_hours(data)
    item = OfficeHours(
        name=data.name, type=data.type, dow=data.dow, time_from=data.time_from, time_to=data.time_to
    )
    session.add(item)
    session.flush()
    return item


def update_office_hours(
    session: Session,
    item: OfficeHours,
    changes: Mapping[str, Any],
    *,
    expected_version: str | None = None,
) -> OfficeHours:
    """Apply ``changes`` (any of the data fields); the merged result must be valid."""
    unknown = set(changes) - set(OfficeHoursData.__dataclass_fields__)
    if unknown:
        raise InvalidSchedule(N_("Unknown field: %(fields)s.", fields=", ".join(sorted(unknown))))
    if expected_version is not None and version_of(item) != expected_version:
        raise StaleChange()
    data = check_office_hours(replace(OfficeHoursData.of(item), **changes))
    item.name, item.type, item.dow = data.name, data.type, data.dow
    item.time_from, item.time_to = data.time_from, data.time_to
    item.updated_at = utcnow()
    session.flush()
    return item


def delete_office_hours(
    session: Session, item: OfficeHours, *, expected_version: str | None = None
) -> None:
    if expected_version is not None and version_of(item) != expected_version:
        raise StaleChange()
    session.delete(item)
    session.flush()


__all__ = [
    "OfficeHoursData",
    "check_office_hours",
    "create_office_hours",
    "delete_office_hours",
    "get_office_hours",
    "list_office_hours",
    "update_office_hours",
    "version_of",
]
