"""Template helpers: navigation by role, form field attributes, dates and times.

The date and time functions of ``portal.web.formatting`` are both globals and filters.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from portal import i18n
from portal.auth import is_safe_next
from portal.errors import translated
from portal.models import Role
from portal.web.formatting import TEMPLATE_FUNCTIONS


# (label, endpoint, roles that see it); links to pages not (yet) registered are left out.
NAVIGATION = [
    (_l("Book"), "public.index", None),
    (_l("My appointments"), "customer.my", "anonymous"),
    (_l("Dashboard"), "agent.home", {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}),
    (_l("Calendar"), "agent.calendar", {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}),
    (_l("Hours"), "agent.hours", {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}),
    (_l("Time off"), "agent.time_off", {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}),
    (_l("Team"), "team.calendar", {Role.SUPERVISOR, Role.ADMIN}),
    (_l("Admin"), "admin.home", {Role.ADMIN}),
    (_l("Dev mail"), "dev_mail.index", None),  # development only: the file mail backend
]

# The roles as the header names them.
ROLE_NAMES = {
    Role.CUSTOMER: _l("customer"),
    Role.AGENT: _l("agent"),
    Role.SUPERVISOR: _l("supervisor"),
    Role.ADMIN: _l("admin"),
    Role.CLIENT_SERVICE: _l("client service"),
}

# Where a role lands after signing in: the page its work starts from.
HOME_ENDPOINTS = {
    Role.AGENT: "agent.home",
    Role.SUPERVISOR: "team.calendar",
    Role.ADMIN: "admin.home",
}


def home_url(role: Role) -> str:
    """The signed-in staff user's start page; the public booking page for any other role."""
    endpoint = HOME_ENDPOINTS.get(role, "public.index")
    if endpoint not in current_app.view_functions:
        endpoint = "public.index"
    return url_for(endpoint)


def navigation() -> list[tuple[str, str]]:
    """The header links the current user may follow, as (label, url)."""
    links = []
    for label, endpoint, roles in NAVIGATION:
        if endpoint not in current_app.view_functions:
            continue
        if roles == "anonymous" and current_user.is_authenticated:
            continue
        if isinstance(roles, set) and (
            not current_user.is_authenticated or current_user.role not in roles
        ):
            continue
        links.append((label, url_for(endpoint)))
    return links


def role_name(role: Role) -> str:
    return str(ROLE_NAMES.get(role, role.value.lower()))


def language_return_path() -> str:
    """Where the language menu goes back to: this page, as the browser's address bar has it.

    A page answering a POST (a form shown again with its errors) cannot be fetched again:
    then the page the form was on (htmx's current URL or the referrer), when it is local.
    """
    if request.method == "GET":
        return request.full_path.rstrip("?")
    for address in (request.headers.get("HX-Current-URL"), request.referrer):
        if address:
            parts = urlsplit(address)
            if parts.netloc in ("", request.host):
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                if is_safe_next(path):
                    return path
    return request.path if _fetchable(request.path) else url_for("public.index")


def _fetchable(path: str) -> bool:
    """Does a GET of ``path`` reach a page (not only a POST endpoint)?"""
    try:
        current_app.url_map.bind("").match(path, method="GET")
    except HTTPException:
        return False
    return True


def dev_mail_url() -> str | None:
    """The development mail page, when the file backend is on (never with SMTP)."""
    if "dev_mail.index" in current_app.view_functions:
        return url_for("dev_mail.index")
    return None


def field_attributes(field, hint: str | None, extra: dict) -> dict:
    """ARIA attributes tying an input to its hint and error messages."""
    attributes = dict(extra)
    described = [f"{field.id}-hint"] if hint else []
    if field.errors:
        attributes["aria-invalid"] = "true"
        described.append(f"{field.id}-error")
    if described:
        attributes["aria-describedby"] = " ".join(described)
    return attributes


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        navigation=navigation,
        dev_mail_url=dev_mail_url,
        field_attributes=field_attributes,
        role_name=role_name,
        language_return_path=language_return_path,
        language_tag=i18n.language_tag,
        current_language=i18n.current_language,
        language_names=i18n.LANGUAGE_NAMES,
        Role=Role,
    )
    app.jinja_env.globals.update(TEMPLATE_FUNCTIONS)
    app.jinja_env.filters.update(TEMPLATE_FUNCTIONS)
    # A domain sentence (a refusal's message) in the page's language.
    app.jinja_env.filters["translated"] = translated
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # `{% trans %}` blocks collapse their whitespace, so a catalog entry does not depend on how
    # the template is indented (babel.cfg extracts with the same setting).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
