"""Notification templates of a service (editor, live preview) and its sender email."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.admin import services as service_domain
from portal.extensions import db
from portal.models import NotificationTemplate, OutboxMessage, Service, TemplateType
from tests.web.admin_fixtures import admin, admin_client, errors_in  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def service(app):
    created = service_domain.create_service(
        db.session, name="Consult", duration=timedelta(minutes=30), timezone="Europe/Berlin"
    )
    db.session.commit()
    return created


def reminder(service: Service) -> NotificationTemplate:
    return next(
        t
        for t in service.templates
        if t.type == TemplateType.REMINDER and t.channel.value == "EMAIL"
    )


def stored(template_id) -> NotificationTemplate:
    db.session.expire_all()
    return db.session.get(NotificationTemplate, template_id)


def form_of(template: NotificationTemplate, **changes) -> dict:
    data = {
        "channel": template.channel.value,
        "type": template.type.value,
        "period": str((template.period_seconds or 0) // 60 or ""),
        "locale": template.locale,
        "subject": template.subject,
        "text_body": template.text_body,
        "html_body": template.html_body,
        "template_id": str(template.id),
        "active": "y",
    }
    return data | changes


def test_list_shows_the_defaults(admin_client, service):
    page = admin_client.get(f"/admin/services/{service.id}/templates").get_data(as_text=True)
    assert "Booking confirmation" in page and "Reminder" in page and "1 day before" in page


def test_edit_template(admin_client, service):
    template = reminder(service)
    url = f"/admin/services/{service.id}/templates/{template.id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert 'id="template-preview"' in page and "Jane" in page  # preview rendered with sample data
    response = admin_client.post(
        url, data=form_of(template, subject="Soon: {{title}}", period="180")
    )
    assert response.status_code == 302
    after = stored(template.id)
    assert after.subject == "Soon: {{title}}" and after.period_seconds == 3 * 3600


def test_unknown_placeholder_is_refused(admin_client, service):
    template = reminder(service)
    before = template.text_body
    response = admin_client.post(
        f"/admin/services/{service.id}/templates/{template.id}",
        data=form_of(template, text_body="Hi {{nickname}}"),
    )
    assert response.status_code == 422
    assert any("{{nickname}}" in error for error in errors_in(response.get_data(as_text=True)))
    assert stored(template.id).text_body == before


def test_a_template_problem_reads_in_the_admins_language(admin_client, service):
    template = reminder(service)
    admin_client.set_cookie("portal_locale", "de")  # the header's language menu
    response = admin_client.post(
        f"/admin/services/{service.id}/templates/{template.id}",
        data=form_of(template, text_body="Hi {{nickname}}"),
    )
    assert response.status_code == 422
    errors = " ".join(errors_in(response.get_data(as_text=True)))
    assert "Der Text enthält unbekannte Platzhalter: {{nickname}}." in errors
    assert "uses unknown placeholders" not in errors


def test_live_preview_partial(admin_client, service):
    template = reminder(service)
    response = admin_client.post(
        f"/admin/services/{service.id}/templates/preview",
        data=form_of(
            template,
            subject="For {{firstName}}",
            text_body="At {{time24}} ({{zone}}) {{oops}}",
            html_body="<p>{{lastName}}</p>",
        ),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="template-preview"')
    assert "For Jane" in page and "At 10:00 (Europe/Berlin)" in page
    assert "{{oops}}" in page and "cannot be saved" in page
    assert "&lt;p&gt;Doe&lt;/p&gt;" in page  # the HTML body inside srcdoc
    assert stored(template.id).subject != "For {{firstName}}"  # nothing saved


def test_preview_without_javascript_returns_the_whole_editor(admin_client, service):
    template = reminder(service)
    response = admin_client.post(
        f"/admin/services/{service.id}/templates/preview",
        data=form_of(template, subject="For {{firstName}}"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page and "For Jane" in page
    assert 'value="For {{firstName}}"' in page


def test_add_and_delete_template(admin_client, service):
    url = f"/admin/services/{service.id}/templates/new"
    assert admin_client.get(url).status_code == 200
    data = {
        "channel": "SMS",
        "type": "CREATE",
        "locale": "de",
        "text_body": "Gebucht: {{title}}",
        "active": "y",
    }
    response = admin_client.post(url, data=data)
    assert response.status_code == 302
    created = db.session.scalar(
        select(NotificationTemplate).where(NotificationTemplate.locale == "de")
    )
    assert created.channel.value == "SMS" and created.text_body == "Gebucht: {{title}}"
    # The same again is a conflict shown in the form.
    response = admin_client.post(url, data=data)
    assert response.status_code == 422 and "already has a SMS CREATE template" in response.get_data(
        as_text=True
    )
    response = admin_client.post(f"/admin/services/{service.id}/templates/{created.id}/delete")
    assert response.status_code == 302
    assert stored(created.id) is None


def test_add_template_errors(admin_client, service):
    before = db.session.scalar(select(func.count()).select_from(NotificationTemplate))
    response = admin_client.post(
        f"/admin/services/{service.id}/templates/new",
        data={
            "channel": "EMAIL",
            "type": "ROOM",
            "locale": "en",
            "subject": "Join",
            "text_body": "{{roomLink}}",
        },
    )
    assert response.status_code == 422
    assert "needs a period" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NotificationTemplate)) == before


def test_template_of_another_service_is_404(admin_client, service):
    other = service_domain.create_service(db.session, name="Other", duration=timedelta(minutes=30))
    template = reminder(other)
    assert (
        admin_client.get(f"/admin/services/{service.id}/templates/{template.id}").status_code == 404
    )
    assert (
        admin_client.post(
            f"/admin/services/{service.id}/templates/{template.id}/delete"
        ).status_code
        == 404
    )


# --- sender email -------------------------------------------------------------------------------


def last_code(email: str) -> str:
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.created_at.desc())
    ).first()
    return re.search(r"\b(\d{6})\b", message.subject).group(1)


def test_set_and_verify_the_sender(admin_client, service):
    response = admin_client.post(
        f"/admin/services/{service.id}/sender", data={"sender_email": "Team@Example.com"}
    )
    assert response.status_code == 302
    page = admin_client.get(f"/admin/services/{service.id}").get_data(as_text=True)
    assert "We sent a verification code to team@example.com" in page and "Not verified" in page
    response = admin_client.post(
        f"/admin/services/{service.id}/sender/confirm", data={"code": "12345x"}
    )
    assert response.status_code == 422
    assert any(
        "not right" in e and "4 more tries" in e for e in errors_in(response.get_data(as_text=True))
    )
    response = admin_client.post(
        f"/admin/services/{service.id}/sender/confirm", data={"code": last_code("team@example.com")}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Service, service.id).sender_verified is True
    assert "Verified" in admin_client.get(f"/admin/services/{service.id}").get_data(as_text=True)


def test_bad_sender_email_is_shown(admin_client, service):
    response = admin_client.post(
        f"/admin/services/{service.id}/sender", data={"sender_email": "not mail"}
    )
    assert response.status_code == 422
    assert any("email address" in e for e in errors_in(response.get_data(as_text=True)))
    db.session.expire_all()
    assert db.session.get(Service, service.id).sender_email is None


def test_resend_code_and_clear_sender(admin_client, service):
    admin_client.post(
        f"/admin/services/{service.id}/sender", data={"sender_email": "team@example.com"}
    )
    first = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    response = admin_client.post(f"/admin/services/{service.id}/sender/resend")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == first + 1
    admin_client.post(f"/admin/services/{service.id}/sender", data={"sender_email": ""})
    db.session.expire_all()
    assert db.session.get(Service, service.id).sender_email is None
    response = admin_client.post(f"/admin/services/{service.id}/sender/resend")
    assert "no sender email" in admin_client.get(response.headers["Location"]).get_data(
        as_text=True
    )
