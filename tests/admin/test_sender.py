"""A service's sender email: setting it sends a code; the code verifies it.

The domain functions are called directly; ``db.session.commit()`` stands where
a request would have ended (a refused one rolls back).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from portal.admin import services
from portal.codes import CodeSettings
from portal.domain.errors import Conflict, Invalid
from portal.extensions import db
from portal.models import OneTimeCode, OutboxMessage, Service


def settings() -> CodeSettings:
    return CodeSettings.from_config(current_app.config)


def sent_codes(email: str) -> list[str]:
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.created_at)
    ).all()
    return [re.search(r"\b(\d{6})\b", message.subject).group(1) for message in messages]


def new_service(**fields) -> Service:
    service = services.create_service(
        db.session,
        name="Consult",
        duration=timedelta(minutes=30),
        code_settings=settings(),
        **fields,
    )
    db.session.commit()
    return service


def update(service: Service, **fields) -> None:
    services.update_service(db.session, service, code_settings=settings(), **fields)
    db.session.commit()


def confirm(service: Service, code: str) -> None:
    try:
        services.confirm_sender(db.session, service, code, settings())
    except Invalid:
        db.session.rollback()
        raise
    db.session.commit()


def resend(service: Service) -> None:
    services.resend_sender_code(db.session, service, settings())
    db.session.commit()


def test_setting_a_sender_queues_a_code_and_the_code_verifies_it():
    service = new_service()
    update(service, sender_email="Team@Example.com")
    assert service.sender_email == "team@example.com" and service.sender_verified is False
    (code,) = sent_codes("team@example.com")
    confirm(service, code)
    db.session.expire_all()
    assert db.session.get(Service, service.id).sender_verified is True


def test_a_sender_given_at_creation_is_verified_the_same_way():
    service = new_service(sender_email="team@example.com")
    (code,) = sent_codes("team@example.com")
    confirm(service, code)
    assert db.session.get(Service, service.id).sender_verified is True


def test_wrong_code_is_refused_and_counts():
    service = new_service(sender_email="team@example.com")
    (code,) = sent_codes("team@example.com")
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(Invalid) as caught:
        confirm(service, wrong)
    assert "code" in caught.value.fields and "4 more tries" in caught.value.message
    assert db.session.get(Service, service.id).sender_verified is False
    # The request rolled back; the try still counts.
    assert db.session.scalars(select(OneTimeCode.attempts)).one() == 1


def test_the_code_mail_names_the_configured_lifetime():
    current_app.config["ONE_TIME_CODE_MINUTES"] = 30
    new_service(sender_email="team@example.com")
    message = db.session.scalars(select(OutboxMessage)).one()
    assert "It works for 30 minutes." in message.text_body and "Consult" in message.text_body


def test_changing_the_sender_unverifies_and_sends_a_new_code():
    service = new_service(sender_email="team@example.com")
    confirm(service, sent_codes("team@example.com")[0])
    update(service, sender_email="other@example.com")
    assert service.sender_verified is False and len(sent_codes("other@example.com")) == 1
    # The same address again sends nothing new.
    update(service, sender_email="other@example.com")
    assert len(sent_codes("other@example.com")) == 1


def test_clearing_the_sender():
    service = new_service(sender_email="team@example.com")
    update(service, sender_email=None)
    assert service.sender_email is None and service.sender_verified is False


def test_resend_makes_the_old_code_useless():
    service = new_service(sender_email="team@example.com")
    resend(service)
    first, second = sent_codes("team@example.com")
    if first != second:
        with pytest.raises(Invalid):
            confirm(service, first)
    confirm(service, second)
    assert service.sender_verified is True
    with pytest.raises(Conflict):
        resend(service)


def test_resend_without_a_sender_is_a_conflict():
    service = new_service()
    with pytest.raises(Conflict):
        resend(service)
    with pytest.raises(Invalid):
        confirm(service, "123456")
