"""A service's sender email: setting it sends a code; the code verifies it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.admin import services
from portal.domain.errors import Conflict, Invalid
from portal.extensions import db
from portal.models import OutboxMessage, Service


def sent_codes(email: str) -> list[str]:
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.created_at)
    ).all()
    return [re.search(r"\b(\d{6})\b", message.subject).group(1) for message in messages]


def new_service(**fields) -> Service:
    return services.create_service(db.session, name="Consult", duration=timedelta(minutes=30), **fields)


def test_setting_a_sender_queues_a_code_and_the_code_verifies_it():
    service = new_service()
    services.update_service(db.session, service, sender_email="Team@Example.com")
    assert service.sender_email == "team@example.com" and service.sender_verified is False
    (code,) = sent_codes("team@example.com")
    services.confirm_sender(db.session, service, code)
    db.session.expire_all()
    assert db.session.get(Service, service.id).sender_verified is True


def test_a_sender_given_at_creation_is_verified_the_same_way():
    service = new_service(sender_email="team@example.com")
    (code,) = sent_codes("team@example.com")
    services.confirm_sender(db.session, service, code)
    assert db.session.get(Service, service.id).sender_verified is True


def test_wrong_code_is_refused_and_counts():
    service = new_service(sender_email="team@example.com")
    (code,) = sent_codes("team@example.com")
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(Invalid) as caught:
        services.confirm_sender(db.session, service, wrong)
    assert "code" in caught.value.fields
    assert db.session.get(Service, service.id).sender_verified is False


def test_changing_the_sender_unverifies_and_sends_a_new_code():
    service = new_service(sender_email="team@example.com")
    services.confirm_sender(db.session, service, sent_codes("team@example.com")[0])
    services.update_service(db.session, service, sender_email="other@example.com")
    assert service.sender_verified is False and len(sent_codes("other@example.com")) == 1
    # The same address again sends nothing new.
    services.update_service(db.session, service, sender_email="other@example.com")
    assert len(sent_codes("other@example.com")) == 1


def test_clearing_the_sender():
    service = new_service(sender_email="team@example.com")
    services.update_service(db.session, service, sender_email=None)
    assert service.sender_email is None and service.sender_verified is False


def test_resend_makes_the_old_code_useless():
    service = new_service(sender_email="team@example.com")
    services.resend_sender_code(db.session, service)
    first, second = sent_codes("team@example.com")
    if first != second:
        with pytest.raises(Invalid):
            services.confirm_sender(db.session, service, first)
    services.confirm_sender(db.session, service, second)
    assert service.sender_verified is True
    with pytest.raises(Conflict):
        services.resend_sender_code(db.session, service)


def test_resend_without_a_sender_is_a_conflict():
    service = new_service()
    with pytest.raises(Conflict):
        services.resend_sender_code(db.session, service)
    with pytest.raises(Invalid):
        services.confirm_sender(db.session, service, "123456")
