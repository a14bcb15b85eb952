"""Admin pages under /admin: users, services, office hours, tokens, outbox.

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
