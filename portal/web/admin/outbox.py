"""/admin/outbox: messages by status, one message's details, retry a FAILED one."""

from __future__ import annotations

import re
import uuid

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import outbox as domain
from portal.errors import on_domain_error, translated
from portal.extensions import db
from portal.models import OutboxMessage, OutboxStatus
from portal.web import formatting as fmt
from portal.web import htmx
from portal.web import picker as pk
from portal.web.admin import bp
from portal.web.admin.forms import OUTBOX_CHANNEL_LABELS, OUTBOX_STATUS_LABELS
from portal.web.forms import ActionForm

PAGE_SIZE = 50
# Messages that carry a one-time code: the code proves the recipient reads that mailbox,
# so administrators do not get to see it here.
SECRET_TYPES = frozenset({"SENDER_VERIFICATION"})
_CODE = re.compile(r"\b\d{4,8}\b")


def shown_text(message: OutboxMessage, text: str | None) -> str:
    """``text`` of ``message`` as the outbox pages show it (codes masked)."""
    if message.type in SECRET_TYPES:
        return _CODE.sub("••••••", text or "")
    return text or ""


def outbox_time(value: datetime | None) -> str:
    """A due or sent time in the viewer's zone, the zone always named: the outbox mixes
    messages of customers in many zones, so a bare time would be read in the wrong one."""
    if value is None:
        return "—"
    zone = pk.parse_zone(getattr(current_user, "timezone", None)) or ZoneInfo("UTC")
    return f"{fmt.local_datetime(value, zone.key)} ({zone.key})"


@bp.context_processor
def _outbox_helpers():
    return {
        "shown_text": shown_text,
        "outbox_time": outbox_time,
        "status_labels": OUTBOX_STATUS_LABELS,
        "channel_labels": OUTBOX_CHANNEL_LABELS,
    }


def _status_filter() -> OutboxStatus | None:
    raw = request.args.get("status", "").upper()
    if not raw:
        return None
    try:
        return OutboxStatus(raw)
    except ValueError:
        abort(400, _("Unknown status: choose PENDING, SENT or FAILED."))


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or int(raw) > 100_000:
        abort(400, _("The page number must be a whole number from 1."))
    return int(raw)


@bp.get("/outbox")
def outbox():
    status = _status_filter()
    page = _page_number()
    messages, total = domain.list_messages(
        db.session, status=status, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return htmx.render_page(
        "admin/outbox.html",
        "admin/_outbox_table.html",
        messages=messages,
        total=total,
        status=status,
        statuses=list(OutboxStatus),
        counts=domain.status_counts(db.session),
        page=page,
        page_count=max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE),
        action_form=ActionForm(formdata=None),
    )


@bp.get("/outbox/<uuid:message_id>")
def outbox_message(message_id: uuid.UUID):
    message = domain.get_message(db.session, message_id)
    return render_template(
        "admin/outbox_message.html", message=message, action_form=ActionForm(formdata=None)
    )


@bp.post("/outbox/<uuid:message_id>/retry")
def outbox_retry(message_id: uuid.UUID):
    message = domain.get_message(db.session, message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    back = _back(message)

    def refused(error):
        flash(translated(error.message), "error")
        return back

    on_domain_error(refused)
    domain.retry_message(db.session, message)
    flash(
        _("The message to %(recipient)s will be sent again now.", recipient=message.recipient),
        "success",
    )
    return back


def _back(message: OutboxMessage):
    """Where a retry returns to: the message's page, or the failed messages."""
    if request.form.get("back", "") == "message":
        return redirect(url_for("admin.outbox_message", message_id=message.id))
    return redirect(url_for("admin.outbox", status="FAILED"))
