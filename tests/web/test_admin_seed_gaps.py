"""Admin pages for issue 18: the template test mail, new template periods, P5M, and the
employee reference on the user pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import NotificationTemplate
from tests.conftest import sign_in
from tests.web.admin_fixtures import admin, admin_client  # noqa: F401
from tests.web.test_admin_templates import form_of, reminder, service  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def mailbox(app) -> list:
    return getattr(app.extensions["mailman"], "outbox", [])


def test_the_test_mail_button_sends_the_text_as_edited_to_the_admin(app, admin_client, service):
    template = reminder(service)
    page = admin_client.get(f"/admin/services/{service.id}/templates/{template.id}")
    assert "Send a test mail to me" in page.get_data(as_text=True)
    response = admin_client.post(
        f"/admin/services/{service.id}/templates/test-mail",
        data=form_of(template, subject="Soon, {{firstName}}", text_body="At {{time24}} {{zone}}"),
    )
    assert response.status_code == 200
    assert "A test mail with sample data went to admin@example.com" in response.get_data(
        as_text=True
    )
    (message,) = mailbox(app)
    assert message.to == ["admin@example.com"]
    assert message.subject == "Soon, Jane"
    assert re.fullmatch(r"At \d\d:\d\d Europe/Berlin\s*", message.body)
    # Nothing was saved: the stored template is unchanged.
    db.session.expire_all()
    assert db.session.get(NotificationTemplate, template.id).subject != "Soon, Jane"


def test_a_broken_template_or_an_sms_is_not_sent(app, admin_client, service):
    template = reminder(service)
    broken = admin_client.post(
        f"/admin/services/{service.id}/templates/test-mail",
        data=form_of(template, text_body="Hi {{customerPassword}}"),
    )
    assert "Not sent:" in broken.get_data(as_text=True)
    sms = admin_client.post(
        f"/admin/services/{service.id}/templates/test-mail",
        data={"channel": "SMS", "type": "CREATE", "locale": "en", "text_body": "Booked"},
    )
    assert "Test mails are for email templates" in sms.get_data(as_text=True)
    assert mailbox(app) == []


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_the_test_mail_needs_the_csrf_token(app, client, admin, service, config_overrides):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={"email": "admin@example.com", "password": "correct horse", "csrf_token": token},
    )
    data = form_of(reminder(service))
    assert (
        client.post(f"/admin/services/{service.id}/templates/test-mail", data=data).status_code
        == 400
    )
    assert mailbox(app) == []


def test_a_new_template_has_a_period_only_when_it_is_a_reminder_or_room_link(admin_client, service):
    url = f"/admin/services/{service.id}/templates/new"

    def period_value(query: str) -> str | None:
        page = admin_client.get(url + query).get_data(as_text=True)
        match = re.search(r'<input[^>]*name="period"[^>]*>', page)
        value = re.search(r'value="([^"]*)"', match.group(0))
        return value.group(1) if value else None

    assert period_value("") in (None, "")
    for kind in ("CREATE", "RESCHEDULE", "CANCEL"):
        assert period_value(f"?type={kind}") in (None, ""), kind
    assert period_value("?type=REMINDER") == "1440"
    # A period left in the field after switching to a confirmation is not saved with it.
    response = admin_client.post(
        url,
        data={
            "channel": "EMAIL",
            "type": "CANCEL",
            "period": "1440",
            "locale": "fr",
            "subject": "Annulé",
            "text_body": "{{title}}",
            "active": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    created = db.session.scalar(
        select(NotificationTemplate).where(NotificationTemplate.locale == "fr")
    )
    assert created.period_seconds is None


def test_p5m_as_a_period_asks_whether_minutes_were_meant():
    from portal.domain import values
    from portal.domain.errors import Invalid

    with pytest.raises(Invalid) as refused:
        values.duration("P5M", "period")
    assert "did you mean PT5M" in refused.value.message
    assert "5 months" in refused.value.message
    assert values.duration("PT5M", "period") == timedelta(minutes=5)


# --- employeeReference on the users pages --------------------------------------------------------


def test_the_user_pages_set_the_employee_reference(admin_client):
    from tests.web.test_admin_users import NEW_USER, edit_form, get_user

    created = admin_client.post("/admin/users/new", data=NEW_USER | {"reference": " emp-07 "})
    assert created.status_code == 302
    user = get_user("nina@example.com")
    assert user.reference == "emp-07"
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="emp-07"' in page
    saved = admin_client.post(f"/admin/users/{user.id}", data=edit_form(user, reference="emp-08"))
    assert saved.status_code == 302
    assert get_user("nina@example.com").reference == "emp-08"
    too_long = admin_client.post(
        f"/admin/users/{user.id}", data=edit_form(get_user("nina@example.com"), reference="x" * 129)
    )
    assert too_long.status_code == 422
    assert get_user("nina@example.com").reference == "emp-08"
