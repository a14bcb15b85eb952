"""What can go wrong when booking, as exceptions the pages and the API translate."""

from __future__ import annotations


class BookingError(Exception):
    """Base class: ``message`` is a sentence fit to show a customer."""

    code = "invalid_request"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SlotUnavailable(BookingError):
    code = "slot_unavailable"
    status = 409

    def __init__(self, message: str = "That time was just taken. Please pick another.") -> None:
        super().__init__(message)


class InvalidBooking(BookingError):
    code = "invalid_param"
    status = 400


class NotFound(BookingError):
    code = "not_found"
    status = 404


class Conflict(BookingError):
    code = "conflict"
    status = 409
