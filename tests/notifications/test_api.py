"""POST /api/notifications/emails/confirm and /test (ADMIN)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.codes import CodeSettings
from portal.extensions import db
from portal.models import OneTimeCode, Role, utcnow
from portal.delivery import send_due
from portal.notifications.verification import start_sender_verification
from portal.tokens import issue_token
from tests.conftest import make_user
from tests.notifications.factories import make_service


def token_for(role: Role, email: str) -> dict[str, str]:
    user = make_user(
        email, role=role, password="" if role == Role.CLIENT_SERVICE else "correct horse"
    )
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin(app) -> dict[str, str]:
    return token_for(Role.ADMIN, "admin@example.com")


def mailbox(app) -> list:
    return getattr(app.extensions["mailman"], "outbox", [])


def emailed_code(app) -> str:
    send_due()
    return re.search(r"\b(\d{6})\b", mailbox(app)[-1].body).group(1)


def with_sender(app, email: str = "team@clinic.example"):
    service = make_service()
    service.sender_email = email
    start_sender_verification(db.session, CodeSettings.from_config(app.config), service)
    db.session.commit()
    return service


def test_sender_verification_round_trip(app, client, admin):
    service = with_sender(app)
    assert service.sender_verified is False
    code = emailed_code(app)
    assert mailbox(app)[-1].to == ["team@clinic.example"]
    assert mailbox(app)[-1].from_email == "Portal <no-reply@portal.localhost>"

    response = client.post(
        "/api/notifications/emails/confirm",
        json={"serviceId": str(service.id), "code": code},
        headers=admin,
    )
    assert response.status_code == 204
    db.session.refresh(service)
    assert service.sender_verified is True
    # The code is spent.
    service.sender_verified = False
    db.session.commit()
    again = client.post(
        "/api/notifications/emails/confirm",
        json={"serviceId": str(service.id), "code": code},
        headers=admin,
    )
    assert again.status_code == 400


def test_wrong_codes_count_and_run_out(app, client, admin):
    service = with_sender(app)
    code = emailed_code(app)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(app.config["ONE_TIME_CODE_MAX_ATTEMPTS"]):
        response = client.post(
            "/api/notifications/emails/confirm",
            json={"serviceId": str(service.id), "code": wrong},
            headers=admin,
        )
        assert response.status_code == 400 and response.json["error"] == "invalid_param"
    response = client.post(
        "/api/notifications/emails/confirm",
        json={"serviceId": str(service.id), "code": code},
        headers=admin,
    )
    assert response.status_code == 400  # used up, even with the right code
    db.session.refresh(service)
    assert service.sender_verified is False


def test_expired_and_superseded_codes_fail(app, client, admin):
    service = with_sender(app)
    old_code = emailed_code(app)
    # A new mail: the old code stops working.
    start_sender_verification(db.session, CodeSettings.from_config(app.config), service)
    db.session.commit()
    new_code = emailed_code(app)
    if new_code != old_code:
        response = client.post(
            "/api/notifications/emails/confirm",
            json={"serviceId": str(service.id), "code": old_code},
            headers=admin,
        )
        assert response.status_code == 400
    row = db.session.scalar(select(OneTimeCode).where(OneTimeCode.used_at.is_(None)))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(
        "/api/notifications/emails/confirm",
        json={"serviceId": str(service.id), "code": new_code},
        headers=admin,
    )
    assert response.status_code == 400
    assert not db.session.get(type(service), service.id).sender_verified


@pytest.mark.parametrize(
    "body, status, error",
    [
        ({}, 400, "missing_param"),
        ({"serviceId": "nope", "code": "123456"}, 400, "invalid_param"),
        ({"serviceId": "8d9f4c1e-3b7a-4f3e-9a51-0c3f2b1d7e6a", "code": "123456"}, 404, "not_found"),
        (
            {"serviceId": "8d9f4c1e-3b7a-4f3e-9a51-0c3f2b1d7e6a", "code": 123456},
            400,
            "invalid_param_type",
        ),
        ({"applicationId": "x", "code": "1"}, 400, "invalid_param"),
    ],
)
def test_confirm_input_errors(app, client, admin, body, status, error):
    response = client.post("/api/notifications/emails/confirm", json=body, headers=admin)
    assert (response.status_code, response.json["error"]) == (status, error)


def test_confirm_needs_an_admin_token(app, client):
    service = with_sender(app)
    body = {"serviceId": str(service.id), "code": "123456"}
    assert client.post("/api/notifications/emails/confirm", json=body).status_code == 401
    agent = token_for(Role.AGENT, "agent@example.com")
    assert (
        client.post("/api/notifications/emails/confirm", json=body, headers=agent).status_code
        == 403
    )


SEED_TEST_BODY = {
    "channel": "EMAIL",
    "htmlBody": "<html><body>Dear {{firstName}},<br><div>This is a reminder of your video call "
    "that is scheduled for {{dd-MM-yyyy}} {{time24}} {{zone}}</div></body></html>",
    "locale": "en-GB",
    "period": "P1D",
    "subject": "Video appointment reminder",
    "textBody": "Dear {{firstName}},\n\nThis is a reminder of your video call scheduled for "
    "{{dd-MM-yyyy}} {{time24}} {{zone}} ({{time12}})",
    "timezone": "Europe/Berlin",
    "toEmail": "email@yourdomain.com",
    "type": "REMINDER",
}


def test_test_mail_renders_sample_data_and_sends_it(app, client, admin):
    service = make_service()
    db.session.commit()
    response = client.post(
        "/api/notifications/emails/test",
        json=SEED_TEST_BODY | {"serviceId": str(service.id)},
        headers=admin,
    )
    assert response.status_code == 204, response.json
    (message,) = mailbox(app)
    assert message.to == ["email@yourdomain.com"]
    assert message.subject == "Video appointment reminder"
    assert re.search(
        r"Dear Jane,\n\nThis is a reminder .* \d\d-\d\d-\d{4} 10:00 Europe/Berlin \(10:00 am\)",
        message.body,
    )
    html = message.alternatives[0][0]
    assert "Dear Jane,<br>" in html


def test_test_mail_rejects_unknown_placeholders(app, client, admin):
    body = SEED_TEST_BODY | {"textBody": "Hi {{customerPassword}}"}
    response = client.post("/api/notifications/emails/test", json=body, headers=admin)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_param"
    assert "{{customerPassword}}" in response.json["error_description"]
    assert mailbox(app) == []


@pytest.mark.parametrize(
    "change, error",
    [
        ({"toEmail": "not an email"}, "invalid_param"),
        ({"toEmail": "a@b.c\r\nBcc: x@y.z"}, "invalid_param"),
        ({"timezone": "Mars/Base"}, "invalid_param"),
        ({"period": "one day"}, "invalid_param"),
        ({"type": "BIRTHDAY"}, "invalid_param"),
        ({"channel": "SMS"}, "invalid_param"),
        ({"subject": "Two\nlines"}, "invalid_param"),
        ({"unknown": 1}, "invalid_param"),
    ],
)
def test_test_mail_input_errors(app, client, admin, change, error):
    response = client.post(
        "/api/notifications/emails/test", json=SEED_TEST_BODY | change, headers=admin
    )
    assert (response.status_code, response.json["error"]) == (400, error)


def test_test_mail_reports_a_mail_server_failure(app, client, admin):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_TIMEOUT=2)
    app.extensions["mailman"].backend = "smtp"
    app.extensions["mailman"].port = 9
    app.extensions["mailman"].server = "127.0.0.1"
    response = client.post("/api/notifications/emails/test", json=SEED_TEST_BODY, headers=admin)
    assert response.status_code == 502
    assert response.json["error"] == "mail_unavailable"
