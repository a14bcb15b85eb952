"""Helpers shared by the schedule pages (hours, time off, office hours, service time slots)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import Field, FieldList, Form, FormField

from portal.domain.errors import DomainError, Kind
from portal.extensions import db
from portal.models import User
from portal.schedules.access import agent_for
from portal.schedules.errors import StaleChange
from portal.web import htmx


def no_nul(value):
    """A WTForms filter: PostgreSQL text cannot hold NUL characters, and no one types them."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def render(
    full: str, partial: str, *, form: Form | None = None, status: int | None = None, **context: Any
):
    """The full page, or only its partial for an HTMX request; 422 when the form has errors."""
    if status is None:
        status = 422 if form is not None and has_errors(form) else 200
    return htmx.render_page(full, partial, status_code=status, form=form, **context)


def has_errors(form: Form) -> bool:
    """Any error on the form or any field, nested ones included (``form.errors`` is cached)."""
    if getattr(form, "form_errors", None):
        return True
    return any(_field_has_errors(field) for field in form)


def _field_has_errors(field: Field) -> bool:
    if isinstance(field, FormField):
        return has_errors(field.form)
    if isinstance(field, FieldList):
        return any(_field_has_errors(entry) for entry in field.entries)
    return bool(field.errors)


def add_error(field: Field, message: str) -> None:
    if isinstance(field.errors, tuple) or field.errors is None:
        field.errors = list(field.errors or ())
    field.errors.append(message)


def add_form_error(form: Form, message: str) -> None:
    if isinstance(form.form_errors, tuple):
        form.form_errors = list(form.form_errors)
    form.form_errors.append(message)


def show_refusal(form: Form, error: DomainError) -> int | None:
    """Finish a refusal ``on_domain_error`` put on ``form``; the status for ``render``.

    A form gone stale also says how to see what is saved now. A conflict keeps its
    409; any other refusal is the form's own 422 (None: ``render`` decides).
    """
    if isinstance(error, StaleChange):
        add_form_error(form, _("Reload the page to see the current values."))
    return error.status if error.kind is Kind.CONFLICT else None


def target_agent(raw: str | None) -> User:
    """The agent named by ``?agent=`` (default: the signed-in user); 404 if not theirs to see."""
    if raw in (None, ""):
        return current_user._get_current_object()
    try:
        agent_id = uuid.UUID(raw)
    except ValueError:
        abort(404)
    return agent_for(db.session, current_user, agent_id)
