"""Shared bits of the admin pages: domain errors into forms, optional links, local times."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import current_app, make_response, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError

from portal.admin.errors import AdminError, InvalidInput
from portal.web.admin import bp

FORM_ERROR = "__form__"


def optional_url(endpoint: str, **values: Any) -> str | None:
    """The URL of ``endpoint`` if that page exists (pages built by colleagues), else None."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:  # the page exists but takes other arguments
        return None


_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def page_url(path: str, *values: Any) -> str | None:
    """The URL of the GET page whose rule looks like ``path`` (``*`` for each argument).

    For pages colleagues build in parallel (office hours, time slots) whose endpoint
    names are theirs to choose: ``page_url("/admin/services/*/time-slots", service.id)``.
    """
    for rule in current_app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or _ARGUMENT.sub("*", rule.rule) != path:
            continue
        names = _ARGUMENT.findall(rule.rule)
        if len(names) != len(values):
            continue
        try:
            return url_for(rule.endpoint, **dict(zip(names, values, strict=True)))
        except BuildError:
            return None
    return None


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
        "optional_url": optional_url,
        "page_url": page_url,
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


def wants_partial() -> bool:
    return request.headers.get("HX-Request") == "true"


def vary_on_htmx(body):
    """The response, marked as differing by ``HX-Request`` (partial vs full page)."""
    response = make_response(body)
    response.vary.add("HX-Request")
    return response
