"""Schedule refusals: the domain's one error type, plus the collision that lists appointments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from portal.domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from portal.domain.i18n import N_

if TYPE_CHECKING:
    from portal.models import Appointment


class InvalidSchedule(Invalid):
    """Input that breaks a rule; ``field`` names the offending field (snake_case) if one does."""

    def __init__(self, message: str, field: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message, field=field, code=code)


def raise_first(errors: Mapping[str, str]) -> None:
    """Raise the first of a ``{field: message}`` dict (from ``scheduling.validation``) if any."""
    if errors:
        field, message = next(iter(errors.items()))
        raise InvalidSchedule(message, field)


class StaleChange(Conflict):
    """The object changed since the form was shown: nothing was written."""

    def __init__(
        self,
        message: str = N_("This was changed by someone else meanwhile. Check it and save again."),
    ) -> None:
        super().__init__(message)


class Collision(Conflict):
    """A time off would cover booked appointments; they are listed, nothing was written."""

    def __init__(self, appointments: Sequence[Appointment], message: str | None = None) -> None:
        count = len(appointments)
        if message is None and count == 1:
            message = N_("The time off collides with 1 booked appointment.")
        elif message is None:
            message = N_("The time off collides with %(count)s booked appointments.", count=count)
        super().__init__(message)
        self.appointments = list(appointments)


__all__ = [
    "Collision",
    "DomainError",
    "Forbidden",
    "InvalidSchedule",
    "NotFound",
    "StaleChange",
    "raise_first",
]
