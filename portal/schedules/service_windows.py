"""Service time slots (seed 004): weekly windows in the service's timezone.

If a service has any available windows it is offered only inside them; windows
with ``available=False`` are never offered (DESIGN.md 3 and 4).
Fields: ``day_of_week`` 1..7 (Monday..Sunday), ``from_minute`` < ``to_minute``
in minutes from local midnight (0..1440), ``available``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.booking.errors import NotFound
from portal.domain.i18n import N_
from portal.models import Service, ServiceTimeSlot, utcnow
from portal.schedules.errors import StaleChange, raise_first
from portal.scheduling import validation
from portal.sql import TimeBounds


@dataclass(frozen=True)
class ServiceWindowData:
    day_of_week: int
    from_minute: int
    to_minute: int
    available: bool = True

    @classmethod
    def of(cls, slot: ServiceTimeSlot) -> ServiceWindowData:
        return cls(slot.day_of_week, slot.from_minute, slot.to_minute, slot.available)


def check_service_window(data: ServiceWindowData) -> None:
    """InvalidSchedule naming the first broken field (seed 004 rules)."""
    errors = validation.validate_service_time_slot(
        day_of_week=data.day_of_week,
        from_time=_hhmm_or_raw(data.from_minute),
        to_time=_hhmm_or_raw(data.to_minute),
        available=data.available,
    )
    # The validator speaks of from_time / to_time; the data of from_minute / to_minute.
    raise_first({_FIELDS.get(key, key): message for key, message in errors.items()})


_FIELDS = {"from_time": "from_minute", "to_time": "to_minute"}


def _hhmm_or_raw(minute: object) -> object:
    return (
        validation.format_hhmm(minute)
        if isinstance(minute, int) and 0 <= minute <= 1440
        else minute
    )


def find_service(session: Session, service_id: uuid.UUID) -> Service:
    """Any service, active or not (admins configure inactive ones too)."""
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound(N_("That service does not exist."))
    return service


ANY_TIME = TimeBounds()
SORT_FIELDS = {
    "dayOfWeek": ServiceTimeSlot.day_of_week,
    "fromTime": ServiceTimeSlot.from_minute,
    "toTime": ServiceTimeSlot.to_minute,
    "available": ServiceTimeSlot.available,
}


def list_service_windows(
    session: Session,
    service_id: uuid.UUID,
    *,
    day_of_week: int | None = None,
    available: bool | None = None,
    from_gte: int | None = None,
    from_lte: int | None = None,
    to_gte: int | None = None,
    to_lte: int | None = None,
    created: TimeBounds = ANY_TIME,
    updated: TimeBounds = ANY_TIME,
    sort_field: str = "dayOfWeek",
    sort_order: str = "asc",
    page_number: int = 1,
    page_size: int | None = None,
) -> tuple[list[ServiceTimeSlot], int]:
    """A service's windows, filtered (seed 004 filters) and sorted; and the total."""
    query = select(ServiceTimeSlot).where(ServiceTimeSlot.service_id == service_id)
    if day_of_week is not None:
        query = query.where(ServiceTimeSlot.day_of_week == day_of_week)
    if available is not None:
        query = query.where(ServiceTimeSlot.available.is_(available))
    if from_gte is not None:
        query = query.where(ServiceTimeSlot.from_minute >= from_gte)
    if from_lte is not None:
        query = query.where(ServiceTimeSlot.from_minute <= from_lte)
    if to_gte is not None:
        query = query.where(ServiceTimeSlot.to_minute >= to_gte)
    if to_lte is not None:
        query = query.where(ServiceTimeSlot.to_minute <= to_lte)
    query = query.where(
        *created.clauses(ServiceTimeSlot.created_at), *updated.clauses(ServiceTimeSlot.updated_at)
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = SORT_FIELDS[sort_field]
    direction = (lambda c: c.desc()) if sort_order == "desc" else (lambda c: c.asc())
    # Ties broken by day and start, in the same direction, then id: stable pages.
    order = [direction(column)]
    for tie in (
        ServiceTimeSlot.day_of_week,
        ServiceTimeSlot.from_minute,
        ServiceTimeSlot.to_minute,
    ):
        if tie is not column:
            order.append(direction(tie))
    query = query.order_by(*order, ServiceTimeSlot.id)
    if page_size is not None:
        query = query.limit(page_size).offset((page_number - 1) * page_size)
    return list(session.scalars(query)), total


def get_service_window(
    session: Session, service_id: uuid.UUID, slot_id: uuid.UUID
) -> ServiceTimeSlot:
    slot = session.get(ServiceTimeSlot, slot_id)
    if slot is None or slot.service_id != service_id:
        raise NotFound(N_("That time slot does not exist."))
    return slot


def create_service_window(
    session: Session, service: Service, data: ServiceWindowData
) -> ServiceTimeSlot:
    check_service_window(data)
    slot = ServiceTimeSlot(
        service_id=service.id,
        day_of_week=data.day_of_week,
        from_minute=data.from_minute,
        to_minute=data.to_minute,
        available=data.available,
    )
    session.add(slot)
    session.flush()
    return slot


def update_service_window(
    session: Session,
    slot: ServiceTimeSlot,
    data: ServiceWindowData,
    *,
    expected: ServiceWindowData | None = None,
) -> ServiceTimeSlot:
    """Replace the window's fields (PUT). ``expected``: the values the form showed (stale check)."""
    check_service_window(data)
    if expected is not None and ServiceWindowData.of(slot) != expected:
        raise StaleChange()
    slot.day_of_week = data.day_of_week
    slot.from_minute = data.from_minute
    slot.to_minute = data.to_minute
    slot.available = data.available
    slot.updated_at = utcnow()  # a save counts as an update even when nothing changed
    session.flush()
    return slot


def delete_service_window(
    session: Session, slot: ServiceTimeSlot, *, expected: ServiceWindowData | None = None
) -> None:
    if expected is not None and ServiceWindowData.of(slot) != expected:
        raise StaleChange()
    session.delete(slot)
    session.flush()


__all__ = [
    "ServiceWindowData",
    "check_service_window",
    "create_service_window",
    "delete_service_window",
    "find_service",
    "get_service_window",
    "list_service_windows",
    "update_service_window",
]
