"""Booking refusals: the domain's one error type under the names booking code uses."""

from __future__ import annotations

from portal.domain.errors import Conflict, DomainError, Invalid, NotFound, SlotUnavailable

# Older names, kept so call sites read as before; all are ``DomainError``.
BookingError = DomainError
InvalidBooking = Invalid

__all__ = ["BookingError", "Conflict", "InvalidBooking", "NotFound", "SlotUnavailable"]
