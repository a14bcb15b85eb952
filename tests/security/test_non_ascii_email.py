"""Finding 9: an address such as jörg@bücher.example is refused before the @, everywhere.

A non-ASCII local part needs SMTPUTF8 on every hop, which the portal does not carry, so
it used to produce an invalid ``To:`` header and an envelope the relay refuses. Every
input that takes an address now refuses it with one clear sentence and writes nothing;
a non-ASCII domain is fine and travels as punycode (``jorg@xn--bcher-kva.example``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.delivery import send_due
from portal.domain.values import ASCII_LOCAL_PART_MESSAGE
from portal.extensions import db
from portal.notifications.defaults import add_default_templates
from portal.models import (
    Appointment,
    OneTimeCode,
    OutboxMessage,
    Participant,
    ParticipantType,
    Role,
    Service,
    User,
)
from portal.tokens import issue_token
from tests import factories
from tests.booking.web_support import (  # noqa: F401
    details,
    enter_code,
    hidden,
    hold,
    outbox,
    shop,
    text,
)
from tests.conftest import make_user, sign_in
from tests.notifications.factories import parse_mail
from tests.smtp_sink import SmtpSink, smtp  # noqa: F401

pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock

UNICODE_LOCAL = "jörg@bücher.example"
IDN_DOMAIN = "Jorg@Bücher.example"
PUNYCODE = "jorg@xn--bcher-kva.example"
IN_THREE_DAYS = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(
    days=3
)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def bearer(user: User) -> dict[str, str]:
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def refused_by_api(response) -> None:
    assert response.status_code == 400, response.json
    assert response.json["error"] == "invalid_param"
    description = response.json["error_description"]
    assert ASCII_LOCAL_PART_MESSAGE in description


def refused_by_page(response) -> None:
    assert response.status_code in (200, 400, 422)
    assert ASCII_LOCAL_PART_MESSAGE in text(response)


@pytest.fixture
def config_overrides(smtp: SmtpSink) -> dict:  # noqa: F811
    """Every test sends to a real SMTP server, so "nothing sent" is seen where mail arrives."""
    smtp.start()
    return smtp.app_config()


# --- pages ------------------------------------------------------------------------------------


def test_booking_form_refuses_a_non_ascii_local_part(app, client, shop, smtp):  # noqa: F811
    form_page = client.get(hold(client, shop, shop.at(10)).location)
    answer = details(client, shop, hidden(form_page, "h"), email=UNICODE_LOCAL)
    refused_by_page(answer)
    assert not smtp.envelopes and count(OneTimeCode) == 0 and count(Appointment) == 0


def test_my_sign_in_form_refuses_a_non_ascii_local_part(app, client, smtp):  # noqa: F811
    refused_by_page(client.post("/my/code", data={"email": UNICODE_LOCAL}))
    assert not smtp.envelopes and count(OneTimeCode) == 0


def test_staff_sign_in_refuses_a_non_ascii_local_part(app, client):
    make_user("agent@example.com")
    refused_by_page(sign_in(client, UNICODE_LOCAL))


def test_admin_user_and_sender_forms_refuse_a_non_ascii_local_part(app, client):
    make_user("admin@example.com", role=Role.ADMIN, name="Ada Admin")
    assert sign_in(client, "admin@example.com").status_code == 302
    users = count(User)
    new_user = {
        "name": "Jörg",
        "email": UNICODE_LOCAL,
        "role": "AGENT",
        "timezone": "Europe/Berlin",
        "locale": "de",
        "password": "long enough",
    }
    refused_by_page(client.post("/admin/users/new", data=new_user))
    assert count(User) == users

    service = factories.service([], slug="consult")
    answer = client.post(
        f"/admin/services/{service.id}/sender", data={"sender_email": UNICODE_LOCAL}
    )
    refused_by_page(answer)
    db.session.expire_all()
    assert db.session.get(Service, service.id).sender_email is None


def test_agent_participant_form_refuses_a_non_ascii_local_part(app, client):
    alice = factories.agent("alice@example.com", "Alice Able")
    service = factories.service([alice])
    appointment = factories.appointment(service, alice, IN_THREE_DAYS)
    alice.set_password("correct horse")
    db.session.commit()
    assert sign_in(client, "alice@example.com").status_code == 302
    participants = count(Participant)
    answer = client.post(
        f"/agent/appointments/{appointment.id}/participants/customers",
        data={"customer-first_name": "Jörg", "customer-email": UNICODE_LOCAL},
    )
    refused_by_page(answer)
    assert count(Participant) == participants


# --- the API ----------------------------------------------------------------------------------


def test_code_api_refuses_a_non_ascii_local_part(app, client):
    refused_by_api(client.post("/api/otp", json={"email": UNICODE_LOCAL}))
    assert count(OneTimeCode) == 0


def test_users_api_refuses_a_non_ascii_local_part(app, client):
    admin = make_user("admin@example.com", role=Role.ADMIN, name="Ada Admin")
    users = count(User)
    body = {"email": UNICODE_LOCAL, "name": "Jörg", "role": "AGENT", "password": "long enough"}
    refused_by_api(client.post("/api/users", json=body, headers=bearer(admin)))
    assert count(User) == users


def test_services_api_refuses_a_non_ascii_sender(app, client):
    admin = make_user("admin@example.com", role=Role.ADMIN, name="Ada Admin")
    service = factories.service([], slug="consult")
    answer = client.patch(
        f"/api/services/{service.id}", json={"senderEmail": UNICODE_LOCAL}, headers=bearer(admin)
    )
    refused_by_api(answer)
    db.session.expire_all()
    assert db.session.get(Service, service.id).sender_email is None


def test_participants_api_refuses_a_non_ascii_local_part(app, client):
    alice = factories.agent("alice@example.com", "Alice Able")
    service = factories.service([alice])
    appointment = factories.appointment(service, alice, IN_THREE_DAYS)
    participants = count(Participant)
    answer = client.post(
        "/api/appointments/participants/customers/",
        json={
            "id": str(appointment.id),
            "customer": {
                "name": {"firstName": "Jörg", "lastName": "Ö"},
                "contact": {"primaryEmail": UNICODE_LOCAL},
            },
        },
        headers=bearer(alice),
    )
    refused_by_api(answer)
    assert count(Participant) == participants


# --- an internationalised domain books, and its mail goes out in punycode ---------------------


def _code_sent_to(sink: SmtpSink, address: str) -> str:
    for envelope in reversed(sink.envelopes):
        if envelope.rcpt_tos == [address]:
            body = parse_mail(envelope.content).get_payload(decode=True).decode()
            return re.search(r"\b(\d{6})\b", body).group(1)
    raise AssertionError(f"no mail to {address}: {[e.rcpt_tos for e in sink.envelopes]}")


def test_an_idn_domain_books_and_its_mail_has_an_ascii_to_header(app, client, shop, smtp):  # noqa: F811
    add_default_templates(shop.service)
    db.session.commit()
    form_page = client.get(hold(client, shop, shop.at(10)).location)
    code_page = details(client, shop, hidden(form_page, "h"), email=IDN_DOMAIN)
    assert code_page.status_code == 200, text(code_page)
    done = enter_code(client, shop, code_page, _code_sent_to(smtp, PUNYCODE))
    assert done.status_code == 303, text(done)

    (customer,) = db.session.scalars(
        select(Participant).where(Participant.type == ParticipantType.CUSTOMER)
    )
    assert customer.email == PUNYCODE
    assert send_due().sent >= 1
    (row,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CREATE"))
    assert row.recipient == PUNYCODE
    # The code and the confirmation to the customer; the agent's own notice (issue 18) aside.
    to_customer = [e for e in smtp.envelopes if e.rcpt_tos == [PUNYCODE]]
    for envelope in to_customer:
        assert envelope.content.isascii()
        mime = parse_mail(envelope.content)
        assert mime["To"] == PUNYCODE
    assert len(to_customer) == 2

    # The address is found again in whichever form it is typed.
    asked = client.post("/my/code", data={"email": "jorg@BÜCHER.example"})
    assert asked.status_code == 200
    assert smtp.envelopes[-1].rcpt_tos == [PUNYCODE]
