"""/admin/webhooks: subscribe endpoints (the secret is shown once), change, delete, and
each subscription's delivery log. The rules are ``portal.webhooks.subscriptions``'."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from portal.errors import on_domain_error
from portal.extensions import db
from portal.models import WebhookSubscription
from portal.web.admin import bp
from portal.web.admin.forms import WebhookForm
from portal.web.admin.helpers import form_page
from portal.web.forms import ActionForm
from portal.webhooks import EVENT_TYPES, subscriptions
from portal.webhooks.delivery import message_id_of


def _form(subscription: WebhookSubscription | None = None, *, fresh: bool = False):
    if request.method == "POST" and not fresh:
        form = WebhookForm()
    elif subscription is None:
        form = WebhookForm(formdata=None)
    else:
        form = WebhookForm(formdata=None, obj=subscription)
    form.events.choices = [(name, name) for name in EVENT_TYPES]
    return form


def _fields(form: WebhookForm) -> dict:
    return {
        "url": form.url.data or "",
        "events": list(form.events.data or []),
        "description": form.description.data or "",
        "active": bool(form.active.data),
    }


def _list_page(form: WebhookForm, created=None):
    response = form_page(
        "admin/webhooks.html",
        form,
        subscriptions=subscriptions.list_subscriptions(db.session),
        created=created,
    )
    response.headers["Cache-Control"] = "no-store"  # the secret is in this page only
    return response


@bp.get("/webhooks")
def webhooks():
    return _list_page(_form())


@bp.post("/webhooks")
def webhook_create():
    form = _form()
    if not form.validate_on_submit():
        return _list_page(form)
    on_domain_error(lambda error: _list_page(form), form)
    created = subscriptions.create_subscription(db.session, _fields(form))
    response = _list_page(_form(fresh=True), created=created)
    response.status_code = 201
    return response


def _edit_page(subscription: WebhookSubscription, form: WebhookForm):
    return form_page(
        "admin/webhook_edit.html",
        form,
        subscription=subscription,
        deliveries=subscriptions.delivery_log(db.session, subscription),
        webhook_id=message_id_of,
        action_form=ActionForm(formdata=None),
    )


@bp.route("/webhooks/<uuid:subscription_id>", methods=["GET", "POST"])
def webhook_edit(subscription_id: uuid.UUID):
    subscription = subscriptions.get_subscription(db.session, subscription_id)
    form = _form(subscription)
    if request.method == "POST" and form.validate_on_submit():
        on_domain_error(lambda error: _edit_page(subscription, form), form)
        subscriptions.update_subscription(db.session, subscription, _fields(form))
        flash(_("The webhook was saved."), "success")
        return redirect(url_for("admin.webhook_edit", subscription_id=subscription.id))
    return _edit_page(subscription, form)


@bp.post("/webhooks/<uuid:subscription_id>/delete")
def webhook_delete(subscription_id: uuid.UUID):
    subscription = subscriptions.get_subscription(db.session, subscription_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    subscriptions.delete_subscription(db.session, subscription)
    flash(_("The webhook and its delivery log were deleted."), "success")
    return redirect(url_for("admin.webhooks"))
