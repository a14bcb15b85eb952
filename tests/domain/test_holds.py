"""Holds (portal.booking.holds) and who they bind (lifecycle.held_slots_bind).

Domain functions are called directly; ``db.session.commit()`` or ``rollback()``
stands where a request would have ended.
"""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import func, select

from portal.booking import lifecycle
from portal.booking.holds import HoldRequest, TooManyHolds, hold_and_send_code, hold_slot
from portal.booking.operations import Customer, book, reschedule
from portal.booking.updates import create_for_staff
from portal.codes import CodeNotSent, CodeSettings, CodeThrottled
from portal.domain.errors import Invalid, SlotUnavailable
from portal.domain.settings import Settings, bind_settings
from portal.extensions import db
from portal.models import OneTimeCode, Role, SlotHold
from tests import factories

NOW = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)  # a Monday
TEN = datetime(2030, 3, 5, 10, 0, tzinfo=UTC)
CORA = Customer("Cora", "Customer", "cora@example.org")


@pytest.fixture
def team(app):
    alice = factories.agent("alice@example.com", "Alice")
    factories.weekly_hours(alice, [(9 * 60, 17 * 60)])
    service = factories.service([alice], duration_minutes=30)
    return service, alice


def ask(service, email="cora@example.org", browser="b1", address="192.0.2.1", start=TEN):
    return HoldRequest(service, start, email, browser, address)


def live() -> int:
    query = select(func.count()).select_from(SlotHold).where(SlotHold.expires_at > NOW)
    return db.session.scalar(query)


def test_an_empty_email_holds_nothing(team):
    service, _ = team
    with pytest.raises(Invalid):
        hold_slot(db.session, ask(service, email=""), now=NOW)


def test_staff_book_over_a_customer_hold_and_the_holder_hears_just_taken(team):
    service, alice = team
    held = hold_slot(db.session, ask(service), now=NOW)
    db.session.commit()
    # Another customer is kept off the time...
    with pytest.raises(SlotUnavailable):
        book(db.session, service, TEN, Customer("Dan", "", "dan@example.org"), now=NOW)
    db.session.rollback()
    # ...staff are not.
    staff = create_for_staff(db.session, service, TEN, Customer("Pat", "Phone", None), now=NOW)
    db.session.commit()
    assert staff.organizer_id == alice.id
    with pytest.raises(SlotUnavailable):
        book(db.session, service, TEN, CORA, hold_id=held.id, now=NOW + timedelta(minutes=1))


def test_a_customer_reschedule_respects_holds_a_staff_one_does_not(team):
    service, alice = team
    moved = factories.appointment(service, alice, TEN + timedelta(hours=2))
    hold_slot(db.session, ask(service), now=NOW)
    db.session.commit()
    with pytest.raises(SlotUnavailable):
        reschedule(db.session, moved, TEN, actor=lifecycle.Actor.customer(), now=NOW)
    db.session.rollback()
    staff = lifecycle.Actor(role=Role.AGENT, user_id=alice.id)
    assert reschedule(db.session, moved, TEN, actor=staff, now=NOW).start_at == TEN


def test_the_per_address_limit_counts_emails_not_choices(app, team):
    service, _ = team
    app.config["HOLDS_PER_ADDRESS_PER_HOUR"] = 2
    bind_settings(db.session, Settings.from_config(app.config))
    for n, email in enumerate(["a@example.org", "b@example.org", "a@example.org"]):
        start = TEN + timedelta(minutes=30 * n)
        hold_slot(db.session, ask(service, email, f"b{n}", start=start), now=NOW)
    db.session.commit()
    with pytest.raises(TooManyHolds) as refused:
        hold_slot(db.session, ask(service, "c@example.org", "b9", start=TEN), now=NOW)
    assert refused.value.status == 429 and refused.value.field == "email"
    db.session.rollback()
    assert live() == 2


def test_no_code_sent_means_nothing_held(app, team):
    service, _ = team
    settings = CodeSettings.from_config(app.config)

    def broken(to, subject, body):
        raise OSError("mail server down")

    with pytest.raises(CodeNotSent):
        hold_and_send_code(db.session, settings, broken, ask(service), now=NOW)
    db.session.rollback()  # where the request ends
    assert live() == 0 and not db.session.scalars(select(OneTimeCode)).all()


def test_a_waiting_code_stands_and_the_hourly_code_limit_refuses(app, team):
    service, _ = team
    settings = CodeSettings.from_config(app.config)
    mails = []

    def deliver(to, subject, body):
        mails.append(to)

    first = hold_and_send_code(db.session, settings, deliver, ask(service), now=NOW)
    db.session.commit()
    assert first.code_sent
    later = ask(service, start=TEN + timedelta(hours=1))
    again = hold_and_send_code(db.session, settings, deliver, later, now=NOW)
    db.session.commit()
    assert not again.code_sent and len(mails) == 1 and live() == 1
    # Beyond the hourly code limit nothing is held either.
    limited = CodeSettings(secret=settings.secret, per_hour=1)
    then = NOW + timedelta(minutes=5)
    with pytest.raises(CodeThrottled):
        hold_and_send_code(db.session, limited, deliver, ask(service, start=TEN), now=then)
