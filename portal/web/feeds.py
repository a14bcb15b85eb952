"""The agent's calendar feed and the button that makes (or renews) its secret link.

Only the secret's hash is stored, so the new address is shown once, on the page
the button answers with.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal.auth import is_safe_next, role_required
from portal.calendars.feed import agent_feed, feed_user, regenerate_calendar_secret
from portal.extensions import db, settings
from portal.models import STAFF_ROLES
from portal.web.forms import ActionForm

bp = Blueprint("feeds", __name__)


@bp.get("/calendar/<secret>.ics")
def calendar_feed(secret: str):
    user = feed_user(db.session, secret)
    if user is None:
        abort(404)
    feed = agent_feed(db.session, user)
    response = Response(feed.body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="portal.ics"'
    # The URL is a credential: no shared cache may keep the feed ("private"); the app
    # may, but asks again every time ("no-cache") and gets 304 while nothing changed.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    response.set_etag(feed.etag)
    if feed.last_modified is not None:
        response.last_modified = feed.last_modified
    return response.make_conditional(request)


@bp.post("/calendar/secret")
@role_required(*STAFF_ROLES)
def renew_secret():
    if not ActionForm().validate_on_submit():
        return redirect(_back())
    secret = regenerate_calendar_secret(db.session, current_user)
    response = Response(
        render_template("feeds/new_link.html", feed_link=feed_url(secret), back=_back())
    )
    # The address is in this page only: never cache it anywhere.
    response.headers["Cache-Control"] = "no-store"
    return response


def _back() -> str:
    """Where the button was: ``next`` or the referring page on this site, else the agent home."""
    target = request.form.get("next")
    if is_safe_next(target):
        return target
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and is_safe_next(referrer.path):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    endpoint = "agent.home" if "agent.home" in current_app.view_functions else "public.index"
    return url_for(endpoint)


def feed_url(secret: str) -> str:
    """The absolute feed URL to show an agent (for their calendar app), under ``PUBLIC_URL``.

    Never from the request's Host: a forged one would put another site's address on the
    agent's page, and from there into their calendar app.
    """
    return settings().absolute_url(f"/calendar/{secret}.ics")
