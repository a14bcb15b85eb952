"""Admin pages under /admin: users, services, office hours, tokens, outbox, webhooks.

Each page group is its own module registering routes on ``bp``; they are
imported at the bottom so ``bp`` exists first. Every view needs the ADMIN role.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

from portal.models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_admin():
    if current_user.role != Role.ADMIN:
        abort(403)


# Route modules (one import line each).
from portal.web.admin import home  # noqa: E402,F401
from portal.web.admin import users  # noqa: E402,F401
from portal.web.admin import services  # noqa: E402,F401
from portal.web.admin import templates  # noqa: E402,F401
from portal.web.admin import tokens  # noqa: E402,F401
from portal.web.admin import outbox  # noqa: E402,F401
from portal.web.admin import webhooks  # noqa: E402,F401
from portal.web.admin import office_hours  # noqa: E402,F401
from portal.web.admin import service_windows  # noqa: E402,F401
