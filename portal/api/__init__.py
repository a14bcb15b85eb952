"""The JSON API for integrations, under /api."""

from __future__ import annotations

from flask import Blueprint

from portal.api.errors import ApiError
from portal.booking.errors import BookingError

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error.response()


@bp.errorhandler(BookingError)
def _booking_error(error: BookingError):
    # Domain errors carry their own API code and status (409 slot_unavailable, ...).
    return ApiError(error.status, error.code, error.message).response()


# Route modules register themselves on ``bp``.
from portal.api import services  # noqa: E402,F401
from portal.api import schedules  # noqa: E402,F401
from portal.api import admin  # noqa: E402,F401
from portal.api import openapi  # noqa: E402,F401
from portal.api import appointments  # noqa: E402,F401
from portal.api import calendar, notifications  # noqa: E402,F401
from portal.api import otp  # noqa: E402,F401
