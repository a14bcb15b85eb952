"""/admin/services: list, create, edit every field and the agents, delete or deactivate.

The notification templates and the sender email of a service have their own
module (``templates.py``); time slots live in ``service_windows.py``, linked from here.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from markupsafe import escape

from portal.admin import services as domain
from portal.admin.services import Removal
from portal.admin.validation import timezone_names
from portal.domain.errors import Invalid
from portal.errors import on_domain_error
from portal.extensions import db, settings
from portal.models import Service
from portal.web.admin import bp
from portal.web.admin.forms import ROLE_LABELS, ServiceForm
from portal.web.admin.helpers import form_page
from portal.web.forms import ActionForm

# Far beyond every bound the domain checks, small enough for timedelta.
_MAX_MINUTES = 10**8


NEW_SERVICE_DEFAULTS = dict(
    duration=30,
    buffer_before=0,
    buffer_after=0,
    minimum_notice=60,
    horizon_days=60,
    capacity=1,
    timezone="UTC",
    locale="en",
    color="#4f46e5",
    active=True,
)


def _form(service: Service | None = None, *, fresh: bool = False) -> ServiceForm:
    """The submitted form on POST; otherwise (or ``fresh``) filled from ``service``."""
    if request.method == "POST" and not fresh:
        form = ServiceForm()
    elif service is None:
        form = ServiceForm(formdata=None, **NEW_SERVICE_DEFAULTS)
    else:
        form = ServiceForm(formdata=None, obj=service)
        form.duration.data = service.duration_minutes
        form.slot_interval.data = service.slot_interval_minutes
        form.buffer_before.data = service.buffer_before_minutes
        form.buffer_after.data = service.buffer_after_minutes
        form.minimum_notice.data = service.minimum_notice_minutes
        form.agent_ids.data = [str(agent.id) for agent in service.agents]
        form.cancel_cutoff.data = service.cancel_cutoff_minutes
        form.reschedule_cutoff.data = service.reschedule_cutoff_minutes
        form.questions.data = (
            json.dumps(service.questions, indent=2, ensure_ascii=False) if service.questions else ""
        )
        form.embed_origins.data = "\n".join(service.embed_origins or [])
        form.version.data = _version(service)
    form.agent_ids.choices = [
        (str(user.id), f"{user.name} ({ROLE_LABELS[user.role]}, {user.timezone})")
        for user in domain.agent_choices(db.session)
    ]
    # Agents serving but no longer eligible stay visible, so nothing changes unseen.
    if service is not None:
        known = {value for value, _label in form.agent_ids.choices}
        for agent in service.agents:
            if str(agent.id) not in known:
                form.agent_ids.choices.append(
                    (str(agent.id), _("%(name)s (inactive)", name=agent.name))
                )
    return form


def _version(service: Service) -> str:
    return service.updated_at.isoformat()


def _minutes(value: int | None, default: int | None = 0) -> timedelta | None:
    if value is None:
        return None if default is None else timedelta(minutes=default)
    return timedelta(minutes=max(-_MAX_MINUTES, min(_MAX_MINUTES, value)))


def _fields(form: ServiceForm) -> dict[str, Any]:
    return dict(
        name=form.name.data or "",
        description=form.description.data or "",
        duration=_minutes(form.duration.data),
        slot_interval=_minutes(form.slot_interval.data, default=None),
        buffer_before=_minutes(form.buffer_before.data),
        buffer_after=_minutes(form.buffer_after.data),
        minimum_notice=_minutes(form.minimum_notice.data),
        horizon_days=form.horizon_days.data,
        capacity=form.capacity.data,
        timezone=(form.timezone.data or "").strip(),
        locale=(form.locale.data or "").strip(),
        color=form.color.data or "",
        agent_ids=list(form.agent_ids.data or []),
        active=bool(form.active.data),
        cancel_cutoff=_minutes(form.cancel_cutoff.data, default=None),
        reschedule_cutoff=_minutes(form.reschedule_cutoff.data, default=None),
        max_bookings_per_customer=form.max_bookings_per_customer.data,
        max_per_agent_per_day=form.max_per_agent_per_day.data,
        questions=_questions(form.questions.data),
        embed_origins=[
            line.strip() for line in (form.embed_origins.data or "").splitlines() if line.strip()
        ],
    )


_QUESTIONS_EXAMPLE = (
    '[{"id": "reason", "label": "Reason for the visit", "type": "text", "required": true}]'
)


def _questions(text: str | None) -> Any:
    """The questions typed as JSON (empty: none); the domain checks what they say."""
    if not (text or "").strip():
        return []
    try:
        return json.loads(text)
    except ValueError:
        raise Invalid(
            _("Write the questions as a JSON list, e.g. %(example)s.", example=_QUESTIONS_EXAMPLE),
            "questions",
        ) from None


@bp.get("/services")
def services():
    return form_page("admin/services.html", None, services=domain.list_services(db.session))


@bp.route("/services/new", methods=["GET", "POST"])
def service_new():
    form = _form()
    if form.validate_on_submit():
        on_domain_error(lambda error: _new_page(form), form)
        service = domain.create_service(
            db.session, slug=(form.slug.data or "").strip() or None, **_fields(form)
        )
        flash(
            _(
                "The service “%(name)s” was created with default notification templates.",
                name=service.name,
            ),
            "success",
        )
        return redirect(url_for("admin.service_edit", service_id=service.id))
    return _new_page(form)


def _new_page(form: ServiceForm):
    return form_page("admin/service_new.html", form, zones=timezone_names())


@bp.route("/services/<uuid:service_id>", methods=["GET", "POST"])
def service_edit(service_id: uuid.UUID):
    service = domain.get_service(db.session, service_id)
    form = _form(service)
    if request.method == "POST" and form.validate_on_submit():
        if form.version.data != _version(service):
            form.form_errors.append(
                _(
                    "Someone else changed this service while you were editing. "
                    "Your changes were not saved; reload the page to see the current values."
                )
            )
        else:
            on_domain_error(lambda error: service_page(service, form), form)
            domain.update_service(db.session, service, slug=form.slug.data or "", **_fields(form))
            flash(_("The service “%(name)s” was saved.", name=service.name), "success")
            return redirect(url_for("admin.service_edit", service_id=service.id))
    return service_page(service, form)


EMBED_SNIPPET = """<iframe id="{frame_id}" src="{src}" title="Book {title}"
  style="width:100%;min-height:640px;border:0" loading="lazy"></iframe>
<script>
window.addEventListener("message", function (event) {{
  var frame = document.getElementById("{frame_id}");
  if (event.origin !== "{origin}" || !frame || event.source !== frame.contentWindow) return;
  var data = event.data || {{}};
  if (data.type === "portal:resize") frame.style.height = data.height + "px";
  if (data.type === "portal:booked") {{ /* booked: data.appointmentId, data.start */ }}
}});
</script>"""


def embed_snippet(service: Service) -> str:
    """What a site in ``embed_origins`` pastes: the frame and a script that sizes it."""
    public_url = settings().public_url
    parts = urlsplit(public_url)
    return EMBED_SNIPPET.format(
        frame_id=f"portal-booking-{service.slug}",
        src=settings().absolute_url(url_for("booking.embed_book", slug=service.slug)),
        title=escape(service.name),
        origin=f"{parts.scheme}://{parts.netloc}",
    )


def service_page(service: Service, form: ServiceForm | None = None, **extra: Any):
    """The service page (also rendered by the sender forms with their errors)."""
    from portal.web.admin.templates import sender_context

    if form is None:
        form = _form(service, fresh=True)
    context = dict(
        service=service,
        zones=timezone_names(),
        action_form=ActionForm(formdata=None),
        booked=domain.has_appointments(db.session, service),
        embed_snippet=embed_snippet(service),
    )
    context.update(sender_context(service))
    context.update(extra)
    response = form_page("admin/service_edit.html", form, **context)
    if any(getattr(value, "errors", None) for value in extra.values()):
        response.status_code = 422
    return response


@bp.post("/services/<uuid:service_id>/delete")
def service_delete(service_id: uuid.UUID):
    service = domain.get_service(db.session, service_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = service.name
    result = domain.delete_service(db.session, service)
    if result is Removal.DELETED:
        flash(_("The service “%(name)s” was deleted.", name=name), "success")
        return redirect(url_for("admin.services"))
    flash(
        _(
            "“%(name)s” has appointments, so it was deactivated instead of deleted: "
            "it is no longer offered, and its appointments stay.",
            name=name,
        ),
        "info",
    )
    return redirect(url_for("admin.service_edit", service_id=service_id))
