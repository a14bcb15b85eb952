"""The customer's time zone: one answer for every page, partial, message and redirect.

Where it comes from, strongest first:

1. ``?timezone=`` on the request (links stay shareable); it is remembered in the session;
2. the session (``session["viewer_zone"]``): a zone picked in the picker, or the browser's;
3. the browser's zone, which ``static/js/portal.js`` puts in the ``portal_browser_zone``
   cookie; it is remembered only while nothing was chosen (a choice wins over detection);
4. the page's own default (the service's or the appointment's zone).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import request, session

from portal.web import picker as pk

SESSION_KEY = "viewer_zone"
BROWSER_COOKIE = "portal_browser_zone"


def remember_zone(zone: ZoneInfo) -> None:
    """The visitor picked (or a link named) ``zone``: every later page shows it."""
    if session.get(SESSION_KEY) != zone.key:
        session[SESSION_KEY] = zone.key


def known_zone() -> ZoneInfo | None:
    """The zone chosen in this session, else the browser's (remembered), else None."""
    chosen = pk.parse_zone(session.get(SESSION_KEY))
    if chosen is not None:
        return chosen
    detected = pk.parse_zone(request.cookies.get(BROWSER_COOKIE))
    if detected is not None:
        session[SESSION_KEY] = detected.key
    return detected


def viewer_zone(default: ZoneInfo | str | None, value: str | None = None) -> ZoneInfo:
    """The viewer's zone for this request: ``value`` (a ``timezone`` parameter) if it names a
    zone (then remembered), else the session's or the browser's, else ``default``."""
    named = pk.parse_zone(value)
    if named is not None:
        remember_zone(named)
        return named
    fallback = default if isinstance(default, ZoneInfo) else pk.parse_zone(default)
    return known_zone() or fallback or ZoneInfo("UTC")


def cache_key() -> str | None:
    """What a shared picker rendered without ``?timezone=`` depends on besides its query."""
    zone = known_zone()
    return zone.key if zone else None
