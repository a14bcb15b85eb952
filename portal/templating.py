"""Template helpers: navigation by role, form field attributes, dates and times.

The date and time functions of ``portal.web.formatting`` are both globals and filters.
"""

from __future__ import annotations

from flask import Flask, current_app, url_for
from flask_login import current_user

from portal.errors import translated
from portal.models import Role
from portal.web.formatting import TEMPLATE_FUNCTIONS


# (label, endpoint, roles that see it); links to pages not (yet) registered are left out.
NAVIGATION = [
    ("Book", "public.index", None),
    ("My appointments", "customer.my", "anonymous"),
    ("Dashboard", "agent.home", {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}),
    ("Calendar", "agent.calendar", {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}),
    ("Hours", "agent.hours", {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}),
    ("Time off", "agent.time_off", {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}),
    ("Team", "team.calendar", {Role.SUPERVISOR, Role.ADMIN}),
    ("Admin", "admin.home", {Role.ADMIN}),
    ("Dev mail", "dev_mail.index", None),  # development only: the file mail backend
]

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
