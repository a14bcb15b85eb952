"""Notification templates of a service: add, edit, delete, preview; placeholder rules."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import func, select

from portal.admin import templates
from portal.domain.errors import Conflict, Invalid, NotFound
from portal.extensions import db
from portal.models import Channel, NotificationTemplate, TemplateType
from tests import factories


@pytest.fixture
def service():
    return factories.service([], slug="consult", timezone="Europe/Berlin", locale="de")


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(NotificationTemplate))


def test_create_and_update(service):
    template = templates.create_template(
        db.session,
        service,
        channel="EMAIL",
        type="REMINDER",
        period=timedelta(hours=3),
        subject="Soon: {{title}}",
        text_body="Hi {{firstName}}, at {{time24}}.",
        locale="de",
    )
    assert template.period_seconds == 3 * 3600 and template.locale == "de" and template.active
    templates.update_template(db.session, template, subject="Bald: {{title}}", active=False)
    db.session.expire_all()
    stored = db.session.get(NotificationTemplate, template.id)
    assert stored.subject == "Bald: {{title}}" and stored.active is False
    assert stored.text_body == "Hi {{firstName}}, at {{time24}}."


@pytest.mark.parametrize(
    "fields",
    [
        {"text_body": "Hello {{nickname}}"},
        {"subject": "{{title"},
        {"subject": ""},
        {"period": None},
        {"period": timedelta(seconds=30)},
        {"locale": "nope"},
        {"subject": "Line one\nLine two"},
    ],
)
def test_bad_templates_are_refused_and_nothing_written(service, fields):
    values = (
        dict(
            channel="EMAIL",
            type="REMINDER",
            period=timedelta(hours=1),
            subject="S",
            text_body="Hi {{firstName}}",
        )
        | fields
    )
    with pytest.raises(Invalid):
        templates.create_template(db.session, service, **values)
    db.session.rollback()
    assert count() == 0


def test_unknown_channel_or_type(service):
    with pytest.raises(Invalid) as caught:
        templates.create_template(db.session, service, channel="FAX", type="PARTY", text_body="x")
    assert set(caught.value.fields) == {"channel", "type"}


def test_sms_has_no_subject_or_html(service):
    with pytest.raises(Invalid):
        templates.create_template(
            db.session, service, channel="SMS", type="CANCEL", subject="x", text_body="y"
        )
    sms = templates.create_template(
        db.session, service, channel="SMS", type="CANCEL", text_body="Cancelled {{title}}"
    )
    assert sms.channel == Channel.SMS


def test_duplicates_are_conflicts_but_other_periods_and_locales_are_fine(service):
    base = dict(channel="EMAIL", subject="S", text_body="T")
    templates.create_template(db.session, service, type="CREATE", locale="en", **base)
    db.session.commit()
    with pytest.raises(Conflict):
        templates.create_template(db.session, service, type="CREATE", locale="en", **base)
    db.session.rollback()
    templates.create_template(db.session, service, type="CREATE", locale="de", **base)
    templates.create_template(
        db.session, service, type="REMINDER", period=timedelta(days=1), **base
    )
    templates.create_template(
        db.session, service, type="REMINDER", period=timedelta(hours=1), **base
    )
    db.session.commit()
    with pytest.raises(Conflict):
        templates.create_template(
            db.session, service, type="REMINDER", period=timedelta(days=1), **base
        )
    db.session.rollback()
    assert count() == 4


def test_failed_update_changes_nothing(service):
    template = templates.create_template(
        db.session, service, channel="EMAIL", type="CREATE", subject="S", text_body="T"
    )
    db.session.commit()
    with pytest.raises(Invalid):
        templates.update_template(db.session, template, text_body="{{bogus}}", subject="New")
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(NotificationTemplate, template.id).subject == "S"


def test_delete_and_get(service):
    template = templates.create_template(
        db.session, service, channel="EMAIL", type="CREATE", subject="S", text_body="T"
    )
    other = factories.service([], slug="other")
    with pytest.raises(NotFound):
        templates.get_template(db.session, other, template.id)
    assert templates.get_template(db.session, service, str(template.id)).id == template.id
    templates.delete_template(db.session, template)
    assert count() == 0


def test_preview_renders_sample_data_in_the_service_zone_and_escapes_html(service):
    rendered = templates.preview(
        service,
        subject="For {{firstName}} on {{dd-MM-yyyy}}",
        text_body="{{title}} at {{time24}} ({{zone}})",
        html_body="<p>{{firstName}} {{lastName}}</p>",
        now=datetime(2030, 3, 10, 12, tzinfo=UTC),
    )
    assert rendered.subject == "For Jane on 11-03-2030"
    assert rendered.text_body == "Sample appointment at 10:00 (Europe/Berlin)"
    assert rendered.html_body == "<p>Jane Doe</p>"
    problems = templates.template_problems(
        Channel.EMAIL,
        TemplateType.CREATE,
        period=None,
        subject="x",
        text_body="{{oops}}",
        html_body="",
    )
    assert problems and "oops" in problems[0]
