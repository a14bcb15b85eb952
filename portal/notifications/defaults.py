"""The templates a new service starts with (English; admins edit or replace them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from portal.models import Channel, NotificationTemplate, Service, TemplateType
from portal.notifications.placeholders import validate_template


@dataclass(frozen=True)
class DefaultTemplate:
    channel: Channel
    type: TemplateType
    subject: str
    text_body: str
    html_body: str = ""
    period: timedelta | None = None


def _html(*paragraphs: str) -> str:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return f'<!doctype html><html><body style="font-family: sans-serif">{body}</body></html>'


# The abbreviation tells "02:00 CEST" from "02:00 CET" on the night clocks go back.
_AT = "{{time24}} {{zoneAbbr}} ({{zone}})"
_WHEN = f"{{{{dd-MM-yyyy}}}} at {_AT}"
# The deadlines are the service's cut-offs (the start when it has none).
_MANAGE_TEXT = (
    "Reschedule until {{rescheduleDeadline}} or cancel until {{cancelDeadline}} here: "
    "{{manageLink}}"
)
_MANAGE_HTML = (
    '<a href="{{manageLink}}">Reschedule or cancel</a>: '
    "reschedule until {{rescheduleDeadline}}, cancel until {{cancelDeadline}}."
)

DEFAULT_TEMPLATES: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.CREATE,
        "Booked: {{title}} on {{dd-MM-yyyy}}",
        f'Dear {{{{firstName}}}},\n\nYour appointment "{{{{title}}}}" with {{{{agentName}}}} '
        f"is booked for {_WHEN}.\n\n{_MANAGE_TEXT}\n\nThe calendar entry is attached.",
        _html(
            "Dear {{firstName}},",
            f"Your appointment &ldquo;{{{{title}}}}&rdquo; with {{{{agentName}}}} is booked for "
            f"<strong>{_WHEN}</strong>.",
            _MANAGE_HTML,
            "The calendar entry is attached.",
        ),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.RESCHEDULE,
        "New time: {{title}} on {{dd-MM-yyyy}}",
        f'Dear {{{{firstName}}}},\n\nYour appointment "{{{{title}}}}" with {{{{agentName}}}} '
        f"has moved to {_WHEN}.\n\n{_MANAGE_TEXT}\n\nThe updated calendar entry is attached.",
        _html(
            "Dear {{firstName}},",
            f"Your appointment &ldquo;{{{{title}}}}&rdquo; with {{{{agentName}}}} has moved to "
            f"<strong>{_WHEN}</strong>.",
            _MANAGE_HTML,
            "The updated calendar entry is attached.",
        ),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.CANCEL,
        "Cancelled: {{title}} on {{dd-MM-yyyy}}",
        f'Dear {{{{firstName}}}},\n\nYour appointment "{{{{title}}}}" on {_WHEN} '
        "has been cancelled.",
        _html(
            "Dear {{firstName}},",
            f"Your appointment &ldquo;{{{{title}}}}&rdquo; on <strong>{_WHEN}</strong> "
            "has been cancelled.",
        ),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.REMINDER,
        "Reminder: {{title}} on {{dd-MM-yyyy}} at {{time24}} {{zoneAbbr}}",
        f'Dear {{{{firstName}}}},\n\nThis is a reminder of your appointment "{{{{title}}}}" '
        f"with {{{{agentName}}}} on {_WHEN}.\n\n{_MANAGE_TEXT}",
        _html(
            "Dear {{firstName}},",
            f"This is a reminder of your appointment &ldquo;{{{{title}}}}&rdquo; with "
            f"{{{{agentName}}}} on <strong>{_WHEN}</strong>.",
            _MANAGE_HTML,
        ),
        timedelta(days=1),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.ROOM,
        "Your video call starts at {{time24}} {{zoneAbbr}}: join here",
        'Dear {{firstName}},\n\nYour video call "{{title}}" with {{agentName}} starts at '
        f"{_AT}.\n\nJoin: {{{{roomLink}}}}",
        _html(
            "Dear {{firstName}},",
            "Your video call &ldquo;{{title}}&rdquo; with {{agentName}} starts at "
            f"<strong>{_AT}</strong>.",
            '<a href="{{roomLink}}">Join the video call</a>',
        ),
        timedelta(minutes=10),
    ),
    DefaultTemplate(
        Channel.SMS,
        TemplateType.REMINDER,
        "",
        "Reminder: {{title}} with {{agentName}} on {{dd-MM-yyyy}} "
        f"{_AT}. Manage: {{{{manageLink}}}}",
        period=timedelta(hours=2),
    ),
    DefaultTemplate(
        Channel.SMS,
        TemplateType.CANCEL,
        "",
        f"Cancelled: {{{{title}}}} on {{{{dd-MM-yyyy}}}} {_AT}.",
    ),
)


def default_templates(service: Service) -> list[NotificationTemplate]:
    """Fresh, valid template rows for ``service`` (not yet added to a session)."""
    templates = []
    for spec in DEFAULT_TEMPLATES:
        period = int(spec.period.total_seconds()) if spec.period else None
        validate_template(
            channel=spec.channel,
            type=spec.type,
            period_seconds=period,
            subject=spec.subject,
            text_body=spec.text_body,
            html_body=spec.html_body,
        )
        templates.append(
            NotificationTemplate(
                service=service,
                channel=spec.channel,
                type=spec.type,
                period_seconds=period,
                subject=spec.subject,
                text_body=spec.text_body,
                html_body=spec.html_body,
                locale="en",
                active=True,
            )
        )
    return templates


def add_default_templates(service: Service) -> list[NotificationTemplate]:
    """Give a service the default templates unless it already has some."""
    if service.templates:
        return []
    templates = default_templates(service)
    service.templates.extend(templates)
    return templates
