"""The JSON API for integrations, under /api."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
# Domain errors are answered in one place for the whole app: portal.errors.

# Route modules register themselves on ``bp``.
from portal.api import services  # noqa: E402,F401
from portal.api import schedules  # noqa: E402,F401
from portal.api import admin  # noqa: E402,F401
from portal.api import openapi  # noqa: E402,F401
from portal.api import appointments  # noqa: E402,F401
from portal.api import calendar, notifications  # noqa: E402,F401
from portal.api import otp  # noqa: E402,F401
from portal.api import waitlist  # noqa: E402,F401
from portal.api import webhooks  # noqa: E402,F401
