"""Shared bits of the admin pages: domain errors into forms, optional links, local times."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import make_response, render_template
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.admin.errors import AdminError, InvalidInput
from portal.web.admin import bp

FORM_ERROR = "__form__"


def local_time(value: datetime | None, zone: str | None = None) -> str:
    """A UTC datetime in ``zone`` (default: the viewer's) and the viewer's locale.

    The zone is named only when it is not the viewer's own (DESIGN.md 13).
    """
    if value is None:
        return "—"
    own = current_user.timezone if current_user.is_authenticated else "UTC"
    zone = zone or own
    locale = (current_user.locale if current_user.is_authenticated else None) or "en"
    try:
        local = value.astimezone(ZoneInfo(zone))
        text = f"{format_date(local, 'medium', locale=locale)}, {format_time(local, 'short', locale=locale)}"
    except Exception:  # an odd stored zone or locale must not break the page
        local = value.astimezone(ZoneInfo("UTC"))
        zone = "UTC"
        text = f"{format_date(local, 'medium', locale='en')}, {format_time(local, 'short', locale='en')}"
    return text if zone == own else f"{text} ({zone})"


def describe_period(seconds: int | None) -> str:
    """``86400`` → "1 day", ``5400`` → "1 h 30 min" (template periods)."""
    if not seconds:
        return "—"
    days, rest = divmod(seconds // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} day" + ("s" if days != 1 else "")] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes else []
    return " ".join(parts)


@bp.context_processor
def _admin_helpers() -> dict[str, Any]:
    return {
        "local_time": local_time,
        "describe_period": describe_period,
    }


def apply_error(form: FlaskForm, error: AdminError, names: dict[str, str] | None = None) -> None:
    """Show a domain error under the matching inputs (or above the form)."""
    names = names or {}
    problems = error.errors if isinstance(error, InvalidInput) else {error.field or FORM_ERROR: error.message}
    for field_name, message in problems.items():
        field = getattr(form, names.get(field_name, field_name), None) if field_name else None
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            form.form_errors.append(message)


def form_page(template_name: str, form: FlaskForm | None = None, /, **context: Any):
    """Render a page; 422 when its form carries errors, so tests and tools see the failure."""
    has_errors = form is not None and (form.errors or form.form_errors)
    response = make_response(render_template(template_name, form=form, **context))
    if has_errors:
        response.status_code = 422
    return response
