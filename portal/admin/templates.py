"""Notification templates of a service: add, edit, delete, preview.

Placeholder rules and rendering belong to ``portal.notifications``; this module
adds what an administrator's edit needs (field checks, duplicates, one commit).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.admin.errors import Collector, Conflict, Invalid, NotFound
from portal.admin.validation import check_locale
from portal.domain.i18n import N_, joined
from portal.models import Channel, NotificationTemplate, Service, TemplateType, utcnow
from portal.notifications.placeholders import TIMED_TYPES, TemplateError, validate_template
from portal.notifications.rendering import Rendered, render_texts, sample_values

TEMPLATE_FIELDS = frozenset({"period", "subject", "text_body", "html_body", "locale", "active"})
MAX_PERIOD = timedelta(days=60)
MAX_BODY = 20_000


def get_template(
    session: Session, service: Service, template_id: uuid.UUID | str
) -> NotificationTemplate:
    try:
        key = template_id if isinstance(template_id, uuid.UUID) else uuid.UUID(str(template_id))
    except ValueError:
        raise NotFound(N_("That template does not exist.")) from None
    template = session.get(NotificationTemplate, key)
    if template is None or template.service_id != service.id:
        raise NotFound(N_("That template does not exist."))
    return template


def ordered_templates(service: Service) -> list[NotificationTemplate]:
    order = list(TemplateType)
    return sorted(
        service.templates,
        key=lambda t: (t.channel.value, order.index(t.type), -(t.period_seconds or 0), t.locale),
    )


def _clean(channel: Channel, type_: TemplateType, fields: dict[str, Any]) -> dict[str, Any]:
    """Checked model values for the template fields given (all of them: callers merge)."""
    errors = Collector()
    clean: dict[str, Any] = {}
    period = fields.get("period")
    if period is None:
        clean["period_seconds"] = None
    elif not isinstance(period, timedelta) or period.total_seconds() % 60:
        errors.add("period", N_("The period must be a whole number of minutes."))
    elif period > MAX_PERIOD:
        errors.add("period", N_("The period may be at most 60 days."))
    else:
        clean["period_seconds"] = int(period.total_seconds())
    for name in ("subject", "text_body", "html_body"):
        value = fields.get(name) or ""
        if not isinstance(value, str) or len(value) > MAX_BODY:
            errors.add(name, N_("At most %(max)s characters.", max=MAX_BODY))
        clean[name] = value.strip() if isinstance(value, str) else ""
    locale = check_locale(fields.get("locale"))
    if locale is None:
        errors.add("locale", N_("Choose a locale such as en, de or en_US."))
    clean["locale"] = locale
    if not isinstance(fields.get("active"), bool):
        errors.add("active", N_("Active must be true or false."))
    clean["active"] = fields.get("active")
    errors.raise_if_any()
    try:
        validate_template(
            channel=channel,
            type=type_,
            period_seconds=clean["period_seconds"],
            subject=clean["subject"],
            text_body=clean["text_body"],
            html_body=clean["html_body"],
        )
    except TemplateError as error:
        raise Invalid(fields={"template": joined(error.problems)}) from None
    return clean


def _check_duplicate(
    session: Session,
    service: Service,
    channel: Channel,
    type_: TemplateType,
    clean: dict[str, Any],
    template_id: uuid.UUID | None,
) -> None:
    query = select(NotificationTemplate.id).where(
        NotificationTemplate.service_id == service.id,
        NotificationTemplate.channel == channel,
        NotificationTemplate.type == type_,
        NotificationTemplate.locale == clean["locale"],
    )
    if type_ in TIMED_TYPES:
        query = query.where(NotificationTemplate.period_seconds == clean["period_seconds"])
    if template_id is not None:
        query = query.where(NotificationTemplate.id != template_id)
    if session.scalar(query.limit(1)) is not None:
        values = {"channel": channel.value, "type": type_.value}
        if type_ in TIMED_TYPES:
            message = N_(
                "This service already has a %(channel)s %(type)s template with that period "
                "and locale.",
                **values,
            )
        else:
            message = N_(
                "This service already has a %(channel)s %(type)s template with that locale.",
                **values,
            )
        raise Conflict(message, "template")


def create_template(
    session: Session,
    service: Service,
    *,
    channel: Channel | str,
    type: TemplateType | str,
    period: timedelta | None = None,
    subject: str = "",
    text_body: str = "",
    html_body: str = "",
    locale: str = "en",
    active: bool = True,
) -> NotificationTemplate:
    errors = Collector()
    try:
        channel = Channel(channel)
    except ValueError:
        errors.add("channel", N_("The channel must be EMAIL or SMS."))
    try:
        type_ = TemplateType(type)
    except ValueError:
        errors.add("type", N_("The type must be CREATE, RESCHEDULE, CANCEL, REMINDER or ROOM."))
    errors.raise_if_any()
    clean = _clean(
        channel,
        type_,
        dict(
            period=period,
            subject=subject,
            text_body=text_body,
            html_body=html_body,
            locale=locale,
            active=active,
        ),
    )
    _check_duplicate(session, service, channel, type_, clean, None)
    template = NotificationTemplate(service=service, channel=channel, type=type_, **clean)
    session.add(template)
    session.flush()
    return template


def update_template(
    session: Session, template: NotificationTemplate, **fields: Any
) -> NotificationTemplate:
    """Change any of period, subject, text_body, html_body, locale, active."""
    unknown = set(fields) - TEMPLATE_FIELDS
    if unknown:
        raise TypeError(f"unknown template fields: {sorted(unknown)}")
    current = dict(
        period=timedelta(seconds=template.period_seconds) if template.period_seconds else None,
        subject=template.subject,
        text_body=template.text_body,
        html_body=template.html_body,
        locale=template.locale,
        active=template.active,
    )
    clean = _clean(template.channel, template.type, current | fields)
    _check_duplicate(session, template.service, template.channel, template.type, clean, template.id)
    for key, value in clean.items():
        setattr(template, key, value)
    session.flush()
    return template


def delete_template(session: Session, template: NotificationTemplate) -> None:
    session.delete(template)
    session.flush()


def preview(
    service: Service,
    *,
    subject: str,
    text_body: str,
    html_body: str,
    locale: str | None = None,
    now: datetime | None = None,
) -> Rendered:
    """The template rendered with sample data, in the service's zone and the template locale."""
    values = sample_values(ZoneInfo(service.timezone), locale or service.locale, now or utcnow())
    return render_texts(subject or "", text_body or "", html_body or "", values)


def template_problems(
    channel: Channel,
    type_: TemplateType,
    *,
    period: timedelta | None,
    subject: str,
    text_body: str,
    html_body: str,
) -> list[str]:
    """What would stop these texts from being saved (shown next to the live preview)."""
    try:
        validate_template(
            channel=channel,
            type=type_,
            period_seconds=int(period.total_seconds()) if period else None,
            subject=subject or "",
            text_body=text_body or "",
            html_body=html_body or "",
        )
    except TemplateError as error:
        return error.problems
    return []
