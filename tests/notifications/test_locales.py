"""Messages and calendar files in the recipient's language (issue 17).

The booking's locale decides a customer's mails, whatever language the request that
caused them spoke; an agent's notices follow the agent's own locale. The app's own catalogs
(portal/translations) are read.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta, UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from portal.calendars.details import Person, event_description
from portal.calendars.ics import IcsMethod, appointment_ics
from portal.extensions import db
from portal.models import Channel, NotificationTemplate, OutboxMessage, TemplateType
from portal.notifications import outbox
from portal.notifications.defaults import (
    BUILT_IN,
    DEFAULT_TEMPLATES,
    add_default_templates,
    built_in,
)
from portal.notifications.language import wording
from portal.notifications.placeholders import validate_template
from portal.notifications.rendering import render_template
from portal.tokens import issue_token
from tests import factories
from tests.booking.web_support import outbox as sent_mails
from tests.clock import TODAY
from tests.notifications.factories import make_agent, make_appointment

NOW = datetime.combine(TODAY, time(8, 0), tzinfo=UTC)
LATER = datetime.combine(TODAY + timedelta(days=20), time(17, 0), tzinfo=UTC)


def local(instant: datetime, zone: str = "Europe/Berlin") -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def only_message(appointment, type_: TemplateType, channel: Channel = Channel.EMAIL):
    (row,) = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.appointment_id == appointment.id,
            OutboxMessage.type == type_.value,
            OutboxMessage.channel == channel,
        )
    )
    return row


# --- the built-in wording ----------------------------------------------------------------


def test_every_english_default_has_a_valid_german_and_french_one():
    for specs in BUILT_IN.values():
        for spec in specs:
            validate_template(
                channel=spec.channel,
                type=spec.type,
                period_seconds=int(spec.period.total_seconds()) if spec.period else None,
                subject=spec.subject,
                text_body=spec.text_body,
                html_body=spec.html_body,
            )
    for spec in DEFAULT_TEMPLATES:
        for language in ("de", "fr"):
            translated = built_in(language, spec.channel, spec.type)
            assert translated is not None, (language, spec.channel, spec.type)
            assert translated.period == spec.period
            assert "{{time12}}" not in translated.subject + translated.text_body


# --- customers: the booking's locale, not the request's --------------------------------------


@pytest.mark.date_sensitive
def test_a_german_booking_gets_a_german_confirmation_from_an_english_request(client):
    alice = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(alice, [(0, 24 * 60)])
    service = factories.service([alice], duration_minutes=30)
    add_default_templates(service)
    db.session.commit()
    token, secret = issue_token(alice, "test")
    db.session.add(token)
    db.session.commit()
    start = datetime.combine(TODAY + timedelta(days=14), time(17, 0), tzinfo=UTC)
    response = client.post(
        "/api/appointments/",
        json={
            "serviceId": str(service.id),
            "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timezone": "Europe/Berlin",
            "locale": "de-DE",
            "title": "Beratung",
            "customer": {
                "name": {"firstName": "Jana", "lastName": "Weber"},
                "contact": {"primaryEmail": "jana@example.org"},
            },
        },
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
    )
    assert response.status_code == 201, response.json
    appointment_id = uuid.UUID(response.json["id"])
    (row,) = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.appointment_id == appointment_id, OutboxMessage.type == "CREATE"
        )
    )
    berlin = local(start)
    weekday = format_date(berlin.date(), "EEEE", locale="de")
    clock = format_time(berlin.time(), "short", locale="de_DE")
    assert re.fullmatch(r"\d\d:\d\d", clock)  # "19:00", not "7:00 PM"
    assert row.subject.startswith(f"Terminbestätigung: Beratung am {weekday}, ")
    assert row.text_body.startswith("Guten Tag Jana Weber,")
    assert f"um {clock} Uhr" in row.text_body
    assert "Alice Able" in row.text_body and "Den Kalendereintrag finden Sie im Anhang" in (
        row.text_body
    )
    assert " PM" not in row.text_body and " AM" not in row.text_body
    assert "Termin verschieben oder absagen" in row.html_body
    # The invitation it carries speaks German too.
    assert "Verschieben oder absagen: " in row.ics.replace("\r\n ", "")


def test_a_french_booking_gets_a_french_confirmation(app):
    appointment = make_appointment(LATER, locale="fr_FR", title="Bilan")
    with app.test_request_context(headers={"Accept-Language": "de"}):
        outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    row = only_message(appointment, TemplateType.CREATE)
    paris = local(LATER)
    day = format_date(paris.date(), "full", locale="fr_FR")
    # Subjects are one line of plain spaces (the template's no-break space included).
    assert row.subject == f"Rendez-vous confirmé : Bilan le {day}"
    assert row.text_body.startswith("Bonjour Maria Lopez,")
    assert f"le {day} à {format_time(paris.time(), 'short', locale='fr')}" in row.text_body
    assert "pièce jointe" in row.text_body


def test_english_bookings_keep_the_english_templates(app):
    appointment = make_appointment(LATER, locale="en_US")
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    assert only_message(appointment, TemplateType.CREATE).subject.startswith("Booked: ")


def test_a_template_in_the_customers_language_beats_the_built_in_one(app):
    appointment = make_appointment(LATER, locale="de_DE")
    db.session.add(
        NotificationTemplate(
            service=appointment.service,
            channel=Channel.EMAIL,
            type=TemplateType.CREATE,
            subject="Gebucht: {{title}}",
            text_body="Bis {{date}} um {{time}}, {{time12}}.",
            locale="de",
        )
    )
    db.session.commit()
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    row = only_message(appointment, TemplateType.CREATE)
    berlin = local(LATER)
    assert row.subject == "Gebucht: Consultation"
    # {{time12}} keeps its documented AM/PM; {{time}} follows the locale.
    assert row.text_body == (
        f"Bis {format_date(berlin.date(), 'full', locale='de')} um "
        f"{berlin:%H:%M}, {format_time(berlin.time(), 'h:mm a', locale='de')}."
    )


def test_the_service_locale_decides_for_a_language_the_portal_does_not_speak(app):
    appointment = make_appointment(LATER, locale="es_ES")
    appointment.service.locale = "de"
    db.session.commit()
    template = next(
        t
        for t in appointment.service.templates
        if t.type == TemplateType.CREATE and t.channel == Channel.EMAIL
    )
    rendered = render_template(template, appointment, appointment.customers[0], manage="m")
    assert rendered.subject.startswith("Terminbestätigung: ")


def test_reminders_rendered_at_send_time_stay_german(app):
    appointment = make_appointment(LATER, locale="de")
    template = next(
        t
        for t in appointment.service.templates
        if t.type == TemplateType.REMINDER and t.channel == Channel.SMS
    )
    rendered = render_template(template, appointment, appointment.customers[0], manage="m")
    assert rendered.text_body.startswith("Erinnerung: Consultation mit ")


# --- codes, agents, calendar files ---------------------------------------------------------


def test_the_booking_code_mail_follows_the_request_language(app, client):
    response = client.post(
        "/api/otp", json={"email": "jana@example.org"}, headers={"Accept-Language": "de"}
    )
    assert response.status_code == 202
    (mail,) = [m for m in sent_mails(app) if "jana@example.org" in m.to]
    assert mail.subject.endswith(" ist Ihr Code zur Bestätigung Ihrer Buchung")
    assert mail.body.startswith("Guten Tag,")
    assert "Ihr Code zur Bestätigung Ihrer Buchung lautet:" in mail.body
    assert "10 Minuten lang gültig" in mail.body


def test_agent_notices_follow_the_agents_locale(app):
    agent = make_agent(agent_notices=True)
    agent.locale = "de_DE"
    appointment = make_appointment(LATER, locale="fr_FR", agent=agent)
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    (notice,) = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.appointment_id == appointment.id,
            OutboxMessage.type == "AGENT_CREATE",
        )
    )
    assert notice.subject.startswith("Neue Buchung: Consultation am ")
    assert notice.text_body.startswith(f"Hallo {agent.name},")
    assert "Den Kalendereintrag finden Sie im Anhang." in notice.text_body


def test_the_ics_description_speaks_the_appointments_language(app):
    appointment = make_appointment(
        LATER, locale="de_DE", room_url="https://meet.example.com/room-1"
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        body = appointment_ics(
            appointment,
            method=IcsMethod.REQUEST,
            organizer=Person(appointment.organizer.name, appointment.organizer.email),
            manage_link="https://portal.example.com/manage/x",
        ).decode()
    unfolded = body.replace("\r\n ", "")
    assert "Mit: " in unfolded
    assert "Zum Videotermin: https://meet.example.com/room-1" in unfolded
    assert "Verschieben oder absagen: https://portal.example.com/manage/x" in unfolded
    english = make_appointment(LATER, locale="en")
    assert "With: " in event_description(english, join=None, manage=None)


def test_missing_catalogs_read_as_english():
    w = wording("de_DE", ("/nonexistent",))
    assert w.gettext("Hello %(name)s,", name="Ada") == "Hello Ada,"
    assert w.ngettext("%(num)d minute", "%(num)d minutes", 10) == "10 minutes"
