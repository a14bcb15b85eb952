"""The templates a new service starts with, and their German and French wording.

A new service gets the English templates as rows (admins edit or replace them).
German and French customers get the built-in German or French wording of the
template chosen for them unless the service has a template in their language
(``wording_for``; docs/decisions.md, "Mails in the customer's language (issue 17)").
The built-in translations are whole letters written for each language, using the
locale-aware ``{{date}}`` and ``{{time}}``, not sentences translated one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from portal.models import Channel, NotificationTemplate, Service, TemplateType
from portal.notifications.language import language_of
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


# --- German ("Sie") -------------------------------------------------------------------

_DE_AT = "{{time}} Uhr ({{zoneAbbr}}, {{zone}})"
_DE_WHEN = f"{{{{date}}}} um {_DE_AT}"
_DE_GREETING = "Guten Tag {{firstName}} {{lastName}},"
_DE_MANAGE_TEXT = (
    "Sie können den Termin bis {{rescheduleDeadline}} verschieben und bis "
    "{{cancelDeadline}} absagen: {{manageLink}}"
)
_DE_MANAGE_HTML = (
    '<a href="{{manageLink}}">Termin verschieben oder absagen</a> '
    "(verschieben bis {{rescheduleDeadline}}, absagen bis {{cancelDeadline}})."
)

_GERMAN: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.CREATE,
        "Terminbestätigung: {{title}} am {{date}}",
        f"{_DE_GREETING}\n\nIhr Termin „{{{{title}}}}“ mit {{{{agentName}}}} ist gebucht: "
        f"{_DE_WHEN}.\n\n{_DE_MANAGE_TEXT}\n\nDen Kalendereintrag finden Sie im Anhang.",
        _html(
            _DE_GREETING,
            "Ihr Termin „{{title}}“ mit {{agentName}} ist gebucht: "
            f"<strong>{_DE_WHEN}</strong>.",
            _DE_MANAGE_HTML,
            "Den Kalendereintrag finden Sie im Anhang.",
        ),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.RESCHEDULE,
        "Neuer Termin: {{title}} am {{date}}",
        f"{_DE_GREETING}\n\nIhr Termin „{{{{title}}}}“ mit {{{{agentName}}}} wurde verschoben. "
        f"Neuer Termin: {_DE_WHEN}.\n\n{_DE_MANAGE_TEXT}\n\n"
        "Den aktualisierten Kalendereintrag finden Sie im Anhang.",
        _html(
            _DE_GREETING,
            "Ihr Termin „{{title}}“ mit {{agentName}} wurde verschoben. Neuer Termin: "
            f"<strong>{_DE_WHEN}</strong>.",
            _DE_MANAGE_HTML,
            "Den aktualisierten Kalendereintrag finden Sie im Anhang.",
        ),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.CANCEL,
        "Abgesagt: {{title}} am {{date}}",
        f"{_DE_GREETING}\n\nIhr Termin „{{{{title}}}}“ am {_DE_WHEN} wurde abgesagt.",
        _html(
            _DE_GREETING,
            f"Ihr Termin „{{{{title}}}}“ am <strong>{_DE_WHEN}</strong> wurde abgesagt.",
        ),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.REMINDER,
        "Erinnerung: {{title}} am {{date}} um {{time}} Uhr",
        f"{_DE_GREETING}\n\nwir erinnern Sie an Ihren Termin „{{{{title}}}}“ mit "
        f"{{{{agentName}}}} am {_DE_WHEN}.\n\n{_DE_MANAGE_TEXT}",
        _html(
            _DE_GREETING,
            "wir erinnern Sie an Ihren Termin „{{title}}“ mit {{agentName}} am "
            f"<strong>{_DE_WHEN}</strong>.",
            _DE_MANAGE_HTML,
        ),
        timedelta(days=1),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.ROOM,
        "Ihr Videotermin beginnt um {{time}} Uhr: hier teilnehmen",
        f"{_DE_GREETING}\n\nIhr Videotermin „{{{{title}}}}“ mit {{{{agentName}}}} beginnt "
        f"um {_DE_AT}.\n\nZum Videotermin: {{{{roomLink}}}}",
        _html(
            _DE_GREETING,
            "Ihr Videotermin „{{title}}“ mit {{agentName}} beginnt um "
            f"<strong>{_DE_AT}</strong>.",
            '<a href="{{roomLink}}">Am Videotermin teilnehmen</a>',
        ),
        timedelta(minutes=10),
    ),
    DefaultTemplate(
        Channel.SMS,
        TemplateType.REMINDER,
        "",
        "Erinnerung: {{title}} mit {{agentName}} am {{date}} um {{time}} Uhr ({{zoneAbbr}}). "
        "Termin verwalten: {{manageLink}}",
        period=timedelta(hours=2),
    ),
    DefaultTemplate(
        Channel.SMS,
        TemplateType.CANCEL,
        "",
        "Abgesagt: {{title}} am {{date}} um {{time}} Uhr ({{zoneAbbr}}).",
    ),
)

# --- French ("vous"); a no-break space before ":" and inside the quotes ------------------

_FR_AT = "{{time}} ({{zoneAbbr}}, {{zone}})"
_FR_WHEN = f"{{{{date}}}} à {_FR_AT}"
_FR_GREETING = "Bonjour {{firstName}} {{lastName}},"
_FR_MANAGE_TEXT = (
    "Vous pouvez déplacer ce rendez-vous jusqu’au {{rescheduleDeadline}} ou l’annuler "
    "jusqu’au {{cancelDeadline}}\u00a0: {{manageLink}}"
)
_FR_MANAGE_HTML = (
    '<a href="{{manageLink}}">Déplacer ou annuler le rendez-vous</a> '
    "(déplacement possible jusqu’au {{rescheduleDeadline}}, annulation jusqu’au "
    "{{cancelDeadline}})."
)
_FR_TITLE = "«\u00a0{{title}}\u00a0»"

_FRENCH: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.CREATE,
        "Rendez-vous confirmé\u00a0: {{title}} le {{date}}",
        f"{_FR_GREETING}\n\nVotre rendez-vous {_FR_TITLE} avec {{{{agentName}}}} est confirmé "
        f"pour le {_FR_WHEN}.\n\n{_FR_MANAGE_TEXT}\n\n"
        "Vous trouverez l’invitation pour votre agenda en pièce jointe.",
        _html(
            _FR_GREETING,
            f"Votre rendez-vous {_FR_TITLE} avec {{{{agentName}}}} est confirmé pour le "
            f"<strong>{_FR_WHEN}</strong>.",
            _FR_MANAGE_HTML,
            "Vous trouverez l’invitation pour votre agenda en pièce jointe.",
        ),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.RESCHEDULE,
        "Nouvel horaire\u00a0: {{title}} le {{date}}",
        f"{_FR_GREETING}\n\nVotre rendez-vous {_FR_TITLE} avec {{{{agentName}}}} a été déplacé "
        f"au {_FR_WHEN}.\n\n{_FR_MANAGE_TEXT}\n\n"
        "Vous trouverez l’invitation mise à jour en pièce jointe.",
        _html(
            _FR_GREETING,
            f"Votre rendez-vous {_FR_TITLE} avec {{{{agentName}}}} a été déplacé au "
            f"<strong>{_FR_WHEN}</strong>.",
            _FR_MANAGE_HTML,
            "Vous trouverez l’invitation mise à jour en pièce jointe.",
        ),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.CANCEL,
        "Annulé\u00a0: {{title}} le {{date}}",
        f"{_FR_GREETING}\n\nVotre rendez-vous {_FR_TITLE} du {_FR_WHEN} a été annulé.",
        _html(
            _FR_GREETING,
            f"Votre rendez-vous {_FR_TITLE} du <strong>{_FR_WHEN}</strong> a été annulé.",
        ),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.REMINDER,
        "Rappel\u00a0: {{title}} le {{date}} à {{time}}",
        f"{_FR_GREETING}\n\nNous vous rappelons votre rendez-vous {_FR_TITLE} avec "
        f"{{{{agentName}}}} le {_FR_WHEN}.\n\n{_FR_MANAGE_TEXT}",
        _html(
            _FR_GREETING,
            f"Nous vous rappelons votre rendez-vous {_FR_TITLE} avec {{{{agentName}}}} le "
            f"<strong>{_FR_WHEN}</strong>.",
            _FR_MANAGE_HTML,
        ),
        timedelta(days=1),
    ),
    DefaultTemplate(
        Channel.EMAIL,
        TemplateType.ROOM,
        "Votre visioconférence commence à {{time}}\u00a0: rejoignez-la ici",
        f"{_FR_GREETING}\n\nVotre visioconférence {_FR_TITLE} avec {{{{agentName}}}} commence "
        f"à {_FR_AT}.\n\nRejoindre la visioconférence\u00a0: {{{{roomLink}}}}",
        _html(
            _FR_GREETING,
            f"Votre visioconférence {_FR_TITLE} avec {{{{agentName}}}} commence à "
            f"<strong>{_FR_AT}</strong>.",
            '<a href="{{roomLink}}">Rejoindre la visioconférence</a>',
        ),
        timedelta(minutes=10),
    ),
    DefaultTemplate(
        Channel.SMS,
        TemplateType.REMINDER,
        "",
        "Rappel\u00a0: {{title}} avec {{agentName}} le {{date}} à {{time}} ({{zoneAbbr}}). "
        "Gérer le rendez-vous\u00a0: {{manageLink}}",
        period=timedelta(hours=2),
    ),
    DefaultTemplate(
        Channel.SMS,
        TemplateType.CANCEL,
        "",
        "Annulé\u00a0: {{title}} le {{date}} à {{time}} ({{zoneAbbr}}).",
    ),
)

BUILT_IN: dict[str, tuple[DefaultTemplate, ...]] = {
    "en": DEFAULT_TEMPLATES,
    "de": _GERMAN,
    "fr": _FRENCH,
}
LANGUAGES = tuple(BUILT_IN)


def built_in(language: str, channel: Channel, type: TemplateType) -> DefaultTemplate | None:
    """The built-in wording of (channel, type) in ``language``, if there is one."""
    for spec in BUILT_IN.get(language, ()):
        if spec.channel == channel and spec.type == type:
            return spec
    return None


@dataclass(frozen=True)
class Texts:
    subject: str
    text_body: str
    html_body: str | None


def wording_for(
    template: NotificationTemplate, locale: str | None, service_locale: str | None = None
) -> Texts:
    """The texts to render for ``template`` (the row ``choose_templates`` picked).

    The first language of (the appointment's locale, the service's locale) that the
    template is written in, or has built-in wording for, wins: a ``de_DE`` booking
    gets a German template when the service has one, else the built-in German
    wording of the chosen template's channel and type; an English template is
    never sent to someone who booked in a language the portal speaks.
    """
    stored = Texts(template.subject, template.text_body, template.html_body)
    for wanted in (locale, service_locale):
        language = language_of(wanted)
        if language_of(template.locale) == language:
            return stored
        spec = built_in(language, template.channel, template.type)
        if spec is not None:
            return Texts(spec.subject, spec.text_body, spec.html_body)
    return stored


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
