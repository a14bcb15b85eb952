"""/admin/services/<id>/templates (editor with live preview) and the service's sender email."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import services as service_domain
from portal.admin import templates as domain
from portal.code_routes import code_settings
from portal.delivery import AppTransport
from portal.errors import on_domain_error, translated
from portal.extensions import db, settings
from portal.models import Channel, NotificationTemplate, Service, TemplateType
from portal.notifications.placeholders import PLACEHOLDERS, TIMED_TYPES, TemplateError
from portal.notifications.verification import render_test_email
from portal.web import htmx
from portal.web.admin import bp
from portal.web.admin.forms import (
    CHANNEL_LABELS,
    TEMPLATE_TYPE_LABELS,
    SenderCodeForm,
    SenderForm,
    TemplateForm,
)
from portal.web.admin.helpers import FORM_ERROR, form_page
from portal.web.forms import ActionForm

log = logging.getLogger(__name__)

_MAX_MINUTES = 10**8
_TIMED = {t.value for t in TIMED_TYPES}


# Neither found: NotFound, which the error handler answers with the 404 page.
def _service_or_404(service_id: uuid.UUID) -> Service:
    return service_domain.get_service(db.session, service_id)


def _template_or_404(service: Service, template_id: uuid.UUID | str) -> NotificationTemplate:
    return domain.get_template(db.session, service, template_id)


def _period(form: TemplateForm) -> timedelta | None:
    """The period in the form, for the types that have one: a period left in the field
    after switching to CREATE, RESCHEDULE or CANCEL is not the admin's meaning."""
    if form.period.data is None or form.type.data not in _TIMED:
        return None
    return timedelta(minutes=max(-_MAX_MINUTES, min(_MAX_MINUTES, form.period.data)))


def _period_seconds(form: TemplateForm) -> int | None:
    period = _period(form)
    return None if period is None else int(period.total_seconds())


def _texts(form: TemplateForm) -> dict[str, Any]:
    return dict(
        subject=form.subject.data or "",
        text_body=form.text_body.data or "",
        html_body=form.html_body.data or "",
    )


def _kind(
    form: TemplateForm, template: NotificationTemplate | None
) -> tuple[Channel, TemplateType] | None:
    if template is not None:
        return template.channel, template.type
    try:
        return Channel(form.channel.data), TemplateType(form.type.data)
    except ValueError:
        return None


def _preview(
    service: Service, form: TemplateForm, template: NotificationTemplate | None
) -> dict[str, Any]:
    kind = _kind(form, template)
    problems = (
        [
            translated(problem)
            for problem in domain.template_problems(
                kind[0], kind[1], period=_period(form), **_texts(form)
            )
        ]
        if kind
        else [_("Choose a channel and a type.")]
    )
    rendered = domain.preview(
        service, locale=(form.locale.data or "").strip() or None, **_texts(form)
    )
    return {"rendered": rendered, "problems": problems, "channel": kind[0] if kind else None}


def _page(service: Service, form: TemplateForm, template: NotificationTemplate | None):
    return form_page(
        "admin/template_edit.html",
        form,
        service=service,
        template=template,
        placeholders=PLACEHOLDERS,
        timed_types=[t.value for t in TIMED_TYPES],
        type_labels=TEMPLATE_TYPE_LABELS,
        channel_labels=CHANNEL_LABELS,
        preview=_preview(service, form, template),
        action_form=ActionForm(formdata=None),
    )


@bp.get("/services/<uuid:service_id>/templates")
def service_templates(service_id: uuid.UUID):
    service = _service_or_404(service_id)
    return render_template(
        "admin/templates.html",
        service=service,
        templates=domain.ordered_templates(service),
        type_labels=TEMPLATE_TYPE_LABELS,
        channel_labels=CHANNEL_LABELS,
        action_form=ActionForm(formdata=None),
    )


@bp.route("/services/<uuid:service_id>/templates/new", methods=["GET", "POST"])
def template_new(service_id: uuid.UUID):
    service = _service_or_404(service_id)
    if request.method == "GET":
        # A period is filled in only for a reminder or room link asked for by name.
        kind = request.args.get("type", TemplateType.CREATE.value)
        form = TemplateForm(
            formdata=None,
            channel=request.args.get("channel", Channel.EMAIL.value),
            type=kind,
            period=24 * 60 if kind in _TIMED else None,
            locale=service.locale,
            active=True,
        )
    else:
        form = TemplateForm()
    if form.validate_on_submit():
        on_domain_error(lambda error: _page(service, form, None), form, {"template": FORM_ERROR})
        template = domain.create_template(
            db.session,
            service,
            channel=form.channel.data or "",
            type=form.type.data or "",
            period=_period(form),
            locale=(form.locale.data or "").strip(),
            active=bool(form.active.data),
            **_texts(form),
        )
        flash(_("The template was added."), "success")
        return redirect(
            url_for("admin.template_edit", service_id=service.id, template_id=template.id)
        )
    return _page(service, form, None)


@bp.route("/services/<uuid:service_id>/templates/<uuid:template_id>", methods=["GET", "POST"])
def template_edit(service_id: uuid.UUID, template_id: uuid.UUID):
    service = _service_or_404(service_id)
    template = _template_or_404(service, template_id)
    if request.method == "GET":
        form = TemplateForm(formdata=None, obj=template)
        form.channel.data = template.channel.value
        form.type.data = template.type.value
        form.period.data = template.period_seconds // 60 if template.period_seconds else None
        form.template_id.data = str(template.id)
    else:
        form = TemplateForm()
    if form.validate_on_submit():
        on_domain_error(
            lambda error: _page(service, form, template), form, {"template": FORM_ERROR}
        )
        domain.update_template(
            db.session,
            template,
            period=_period(form),
            locale=(form.locale.data or "").strip(),
            active=bool(form.active.data),
            **_texts(form),
        )
        flash(_("The template was saved."), "success")
        return redirect(
            url_for("admin.template_edit", service_id=service.id, template_id=template.id)
        )
    return _page(service, form, template)


@bp.post("/services/<uuid:service_id>/templates/preview")
def template_preview(service_id: uuid.UUID):
    """Render the texts being edited with sample data (nothing is saved).

    HTMX asks on every pause in typing and gets the preview partial; without
    JavaScript the "Preview" button posts here and gets the whole editor back.
    """
    service = _service_or_404(service_id)
    form = TemplateForm()
    if not form.validate_on_submit():
        abort(400)
    template = _template_or_404(service, form.template_id.data) if form.template_id.data else None
    if htmx.wants_partial():
        return render_template(
            "admin/_template_preview.html", preview=_preview(service, form, template)
        )
    response = _page(service, form, template)
    response.status_code = 200
    return response


@bp.post("/services/<uuid:service_id>/templates/test-mail")
def template_test_mail(service_id: uuid.UUID):
    """Send the template being edited, rendered with sample data, to the signed-in admin.

    Sent at once, not through the outbox (as ``POST /api/notifications/emails/test``): the
    admin waits for it, and no appointment stands behind it. Nothing is saved.
    """
    service = _service_or_404(service_id)
    form = TemplateForm()
    if not form.validate_on_submit():
        abort(400)
    template = _template_or_404(service, form.template_id.data) if form.template_id.data else None
    kind = _kind(form, template)
    if kind is None or kind[0] != Channel.EMAIL:
        flash(_("Test mails are for email templates: choose the Email channel."), "error")
        return _page(service, form, template)
    to_email = current_user.email
    try:
        mail = render_test_email(
            to_email=to_email,
            type=kind[1],
            period_seconds=_period_seconds(form),
            timezone=ZoneInfo(service.timezone),
            locale=(form.locale.data or "").strip() or service.locale,
            default_sender=settings().mail_default_sender,
            service=service,
            **_texts(form),
        )
    except TemplateError as error:
        problems = " ".join(translated(problem) for problem in error.problems)
        flash(_("Not sent: %(problems)s", problems=problems), "error")
        return _page(service, form, template)
    try:
        AppTransport(current_app._get_current_object()).deliver(mail)
    except Exception as error:  # the mail server's failure, not the admin's
        log.warning("Test mail failed: %s", error)
        flash(_("The mail server did not accept the test mail; try again later."), "error")
        return _page(service, form, template)
    flash(_("A test mail with sample data went to %(email)s.", email=to_email), "success")
    return _page(service, form, template)


@bp.post("/services/<uuid:service_id>/templates/<uuid:template_id>/delete")
def template_delete(service_id: uuid.UUID, template_id: uuid.UUID):
    service = _service_or_404(service_id)
    template = _template_or_404(service, template_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    domain.delete_template(db.session, template)
    flash(
        _("The template was deleted; that message is no longer sent for this service."), "success"
    )
    return redirect(url_for("admin.service_templates", service_id=service.id))


# --- sender email ---------------------------------------------------------------------------------


def sender_context(service: Service, **forms: Any) -> dict[str, Any]:
    """The forms of the sender card on the service page."""
    return {
        "sender_form": forms.get("sender_form")
        or SenderForm(formdata=None, sender_email=service.sender_email),
        "code_form": forms.get("code_form") or SenderCodeForm(formdata=None),
    }


@bp.post("/services/<uuid:service_id>/sender")
def service_sender(service_id: uuid.UUID):
    from portal.web.admin.services import service_page

    service = _service_or_404(service_id)
    form = SenderForm()
    if form.validate_on_submit():
        before = service.sender_email
        on_domain_error(
            lambda error: service_page(service, **sender_context(service, sender_form=form)), form
        )
        service_domain.update_service(
            db.session,
            service,
            sender_email=form.sender_email.data or None,
            code_settings=code_settings(),
        )
        if service.sender_email is None:
            flash(_("Messages for this service now go from the default sender."), "success")
        elif service.sender_email != before:
            flash(
                _(
                    "We sent a verification code to %(email)s. Enter it below.",
                    email=service.sender_email,
                ),
                "info",
            )
        else:
            flash(_("The sender email is unchanged."), "info")
        return redirect(url_for("admin.service_edit", service_id=service.id, _anchor="sender"))
    return service_page(service, **sender_context(service, sender_form=form))


@bp.post("/services/<uuid:service_id>/sender/confirm")
def service_sender_confirm(service_id: uuid.UUID):
    from portal.web.admin.services import service_page

    service = _service_or_404(service_id)
    form = SenderCodeForm()
    if form.validate_on_submit():
        on_domain_error(
            lambda error: service_page(service, **sender_context(service, code_form=form)),
            form,
            {"sender_email": "code"},
        )
        service_domain.confirm_sender(
            db.session, service, (form.code.data or "").strip(), code_settings()
        )
        flash(
            _("%(email)s is verified: messages now go from it.", email=service.sender_email),
            "success",
        )
        return redirect(url_for("admin.service_edit", service_id=service.id, _anchor="sender"))
    return service_page(service, **sender_context(service, code_form=form))


@bp.post("/services/<uuid:service_id>/sender/resend")
def service_sender_resend(service_id: uuid.UUID):
    service = _service_or_404(service_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    sender_card = url_for("admin.service_edit", service_id=service.id, _anchor="sender")

    def refused(error):
        flash(translated(error.message), "error")
        return redirect(sender_card)

    on_domain_error(refused)
    service_domain.resend_sender_code(db.session, service, code_settings())
    flash(_("A new code is on its way to %(email)s.", email=service.sender_email), "info")
    return redirect(sender_card)
