"""Template helpers: navigation by role, dates in the viewer's zone."""

from __future__ import annotations

from flask import Flask, url_for
from flask_login import current_user

from portal.models import Role


def navigation() -> list[tuple[str, str]]:
    """The header links the current user may follow, as (label, url)."""
    links = [("Book", url_for("public.index"))]
    if not current_user.is_authenticated:
        return links
    return links


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
        navigation=navigation, field_attributes=field_attributes, Role=Role
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
