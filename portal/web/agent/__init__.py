"""Agent pages under /agent (supervisors and admins use them too).

Each page group is its own module registering routes on ``bp``; they are
imported at the bottom so ``bp`` exists first.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("agent", __name__, url_prefix="/agent")

# Route modules (one import line each).
from portal.web.agent import hours  # noqa: E402,F401
from portal.web.agent import time_off  # noqa: E402,F401
from portal.web.agent import dashboard  # noqa: E402,F401
from portal.web.agent import calendar  # noqa: E402,F401
from portal.web.agent import appointments  # noqa: E402,F401
from portal.web.agent import notices  # noqa: E402,F401
