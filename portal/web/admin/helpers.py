"""Shared bits of the admin pages: form pages with their status."""

from __future__ import annotations

from typing import Any

from flask import make_response, render_template
from flask_wtf import FlaskForm

# A name no form field has: a domain field mapped to it shows above the form.
FORM_ERROR = "__form__"


def form_page(template_name: str, form: FlaskForm | None = None, /, **context: Any):
    """Render a page; 422 when its form carries errors, so tests and tools see the failure."""
    has_errors = form is not None and (form.errors or form.form_errors)
    response = make_response(render_template(template_name, form=form, **context))
    if has_errors:
        response.status_code = 422
    return response
