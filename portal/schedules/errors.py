"""What can go wrong when changing schedules, as errors pages and the API translate.

They extend the booking errors, so the API's BookingError handler answers them
with their own code and status (400 invalid_param, 404 not_found, 409 conflict).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from portal.booking.errors import BookingError, Conflict, NotFound

if TYPE_CHECKING:
    from portal.models import Appointment


class InvalidSchedule(BookingError):
    """Input that breaks a rule; ``field`` names the offending field (snake_case) if one does."""

    code = "invalid_param"
    status = 400

    def __init__(self, message: str, field: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        if code is not None:
            self.code = code


def raise_first(errors: Mapping[str, str]) -> None:
    """Raise the first of a ``{field: message}`` dict (from ``scheduling.validation``) if any."""
    if errors:
        field, message = next(iter(errors.items()))
        raise InvalidSchedule(message, field)


class Forbidden(BookingError):
    """The caller may see the object but not change it."""

    code = "forbidden"
    status = 403


class StaleChange(Conflict):
    """The object changed since the form was shown: nothing was written."""

    def __init__(
        self, message: str = "This was changed by someone else meanwhile. Check it and save again."
    ) -> None:
        super().__init__(message)


class Collision(Conflict):
    """A time off would cover booked appointments; they are listed, nothing was written."""

    def __init__(self, appointments: Sequence[Appointment], message: str | None = None) -> None:
        count = len(appointments)
        super().__init__(
            message
            or f"The time off collides with {count} booked appointment{'s' if count != 1 else ''}."
        )
        self.appointments = list(appointments)


__all__ = ["Collision", "Forbidden", "InvalidSchedule", "NotFound", "StaleChange", "raise_first"]
