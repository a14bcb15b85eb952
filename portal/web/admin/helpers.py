"""Shared bits of the admin pages: domain errors into forms, form pages with their status."""

from __future__ import annotations

from typing import Any

from flask import make_response, render_template
from flask_wtf import FlaskForm

from portal.admin.errors import AdminError

FORM_ERROR = "__form__"


def apply_error(form: FlaskForm, error: AdminError, names: dict[str, str] | None = None) -> None:
    """Show a domain error under the matching inputs (or above the form)."""
    names = names or {}
    problems = error.fields or {FORM_ERROR: error.message}
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
