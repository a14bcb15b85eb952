"""Placeholders: validation when saved, rendering in the appointment's zone and locale."""

from __future__ import annotations

from datetime import datetime, UTC

import pytest

from portal.models import Channel, TemplateType
from portal.booking.lifecycle import format_moment
from portal.notifications.defaults import DEFAULT_TEMPLATES, default_templates
from portal.notifications.placeholders import (
    PLACEHOLDERS,
    TemplateError,
    render,
    render_subject,
    validate_template,
)
from portal.notifications.rendering import placeholder_values, render_template
from tests.notifications.factories import make_appointment, make_service

UTC = UTC


def valid(**changes):
    fields = dict(
        channel=Channel.EMAIL,
        type=TemplateType.CREATE,
        period_seconds=None,
        subject="Hello {{firstName}}",
        text_body="At {{time24}}",
        html_body="<p>{{title}}</p>",
    )
    validate_template(**(fields | changes))


def test_every_known_placeholder_is_accepted():
    valid(text_body=" ".join(f"{{{{{name}}}}}" for name in PLACEHOLDERS) + " {{ firstName }}")


@pytest.mark.parametrize(
    "changes, fragment",
    [
        (dict(text_body="Hi {{firstname}}"), "{{firstname}}"),
        (dict(subject="{{customerEmail}}"), "{{customerEmail}}"),
        (dict(html_body="<p>{{ password }}</p>"), "{{password}}"),
        (dict(text_body="Hi {{firstName}"), "not part of a placeholder"),
        (dict(text_body="Hi {{{{firstName}}}}"), "not part of a placeholder"),
        (dict(subject="Two\nlines"), "single line"),
        (dict(type=TemplateType.REMINDER), "needs a period"),
        (dict(period_seconds=3600), "Only REMINDER and ROOM"),
        (dict(channel=Channel.SMS), "SMS templates have a text body only"),
        (dict(text_body="  "), "text body is required"),
    ],
)
def test_invalid_templates_are_rejected(changes, fragment):
    with pytest.raises(TemplateError) as raised:
        valid(**changes)
    assert fragment in str(raised.value)


def test_defaults_are_valid_and_cover_the_main_types(app):
    kinds = {(t.channel, t.type) for t in DEFAULT_TEMPLATES}
    for type_ in TemplateType:
        assert (Channel.EMAIL, type_) in kinds
    assert len(default_templates(make_service(templates=False))) == len(DEFAULT_TEMPLATES)


def test_html_bodies_escape_values_text_bodies_keep_them():
    values = {"firstName": '<script>alert("x")</script> & co'}
    assert render("<p>{{firstName}}</p>", values, html=True) == (
        "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co</p>"
    )
    assert render("Hi {{firstName}}", values) == 'Hi <script>alert("x")</script> & co'


def test_values_are_not_rendered_again():
    assert render("{{firstName}} {{lastName}}", {"firstName": "{{lastName}}", "lastName": "X"}) == (
        "{{lastName}} X"
    )


def test_no_value_can_inject_a_header_through_the_subject():
    subject = render_subject("Hi {{firstName}}", {"firstName": "A\r\nBcc: victim@example.com\n"})
    assert subject == "Hi A Bcc: victim@example.com"
    assert "\n" not in subject and "\r" not in subject


@pytest.mark.parametrize(
    "tz, locale, date, t24, t12, abbr, long_date, local_time",
    [
        # after spring-forward
        (
            "Europe/Berlin",
            "de",
            "31-03-2030",
            "03:30",
            "3:30 AM",
            "CEST",
            "Sonntag, 31. März 2030",
            "03:30",
        ),
        (
            "America/New_York",
            "en_US",
            "30-03-2030",
            "21:30",
            "9:30 PM",
            "EDT",
            "Saturday, March 30, 2030",
            "9:30\u202fPM",
        ),
        (
            "Asia/Kolkata",
            "en-GB",
            "31-03-2030",
            "07:00",
            "7:00 am",
            "IST",
            "Sunday, 31 March 2030",
            "07:00",
        ),
    ],
)
def test_values_in_the_appointments_zone_and_locale(
    app, tz, locale, date, t24, t12, abbr, long_date, local_time
):
    appointment = make_appointment(
        datetime(2030, 3, 31, 1, 30, tzinfo=UTC), tz=tz, locale=locale, title="Check-up"
    )
    customer = appointment.customers[0]
    values = placeholder_values(appointment, customer, manage="https://x/manage")
    assert values == {
        "firstName": "Maria",
        "lastName": "Lopez",
        "title": "Check-up",
        "dd-MM-yyyy": date,
        "time24": t24,
        "time12": t12,
        "date": long_date,
        "time": local_time,
        "zone": tz,
        "zoneAbbr": abbr,
        "roomLink": "",
        "manageLink": "https://x/manage",
        "agentName": "Dana Agent",
        # No cut-off: changes online until the start.
        "cancelDeadline": format_moment(appointment.start_at, tz, locale),
        "rescheduleDeadline": format_moment(appointment.start_at, tz, locale),
        "answers": "",
    }
    assert set(values) == set(PLACEHOLDERS)


def test_deadlines_and_answers(app):
    appointment = make_appointment(
        datetime(2030, 6, 5, 8, 0, tzinfo=UTC), tz="Europe/Berlin", locale="en", title="Check-up"
    )
    appointment.service.cancel_cutoff_minutes = 24 * 60
    appointment.service.reschedule_cutoff_minutes = 90
    appointment.answers = [
        {"id": "reason", "label": "Reason", "type": "text", "value": "Back pain"},
        {"id": "first", "label": "First visit?", "type": "checkbox", "value": True},
    ]
    values = placeholder_values(appointment, appointment.customers[0], manage="https://x/m")
    assert values["cancelDeadline"] == "Jun 4, 2030, 10:00 (Europe/Berlin)"
    assert values["rescheduleDeadline"] == "Jun 5, 2030, 08:30 (Europe/Berlin)"
    assert values["answers"] == "Reason: Back pain\nFirst visit?: Yes"
    assert render("{{answers}}", values, html=True) == "Reason: Back pain\nFirst visit?: Yes"


def test_default_create_template_renders(app):
    appointment = make_appointment(
        datetime(2030, 6, 1, 8, 0, tzinfo=UTC),
        title="Tom & Jerry <b>",
        customers=[("O'Neil <i>", "X", "o@example.org", None)],
    )
    template = next(
        t
        for t in appointment.service.templates
        if t.type == TemplateType.CREATE and t.channel == Channel.EMAIL
    )
    rendered = render_template(
        template, appointment, appointment.customers[0], manage="https://p/m?a=1&b=2"
    )
    assert rendered.subject == "Booked: Tom & Jerry <b> on 01-06-2030"
    assert "Dear O'Neil <i>," in rendered.text_body
    assert "01-06-2030 at 10:00 CEST (Europe/Berlin)" in rendered.text_body
    assert "https://p/m?a=1&b=2" in rendered.text_body
    assert "Tom &amp; Jerry &lt;b&gt;" in rendered.html_body
    assert "O&#39;Neil &lt;i&gt;" in rendered.html_body
    assert 'href="https://p/m?a=1&amp;b=2"' in rendered.html_body
