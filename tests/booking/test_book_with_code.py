"""Booking with a code (portal.booking.book_with_code): one set of rules for pages and API.

The domain function is called directly; ``db.session.commit()`` or ``rollback()``
stands where a request would have ended.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.booking.book_with_code import (
    MISMATCHED_EMAIL,
    CustomerBooking,
    book_with_code,
    code_needed,
)
from portal.booking.operations import Customer
from portal.codes import CodeSettings, WrongCode, issue_code
from portal.domain.errors import DomainError, Invalid, NotFound, SlotUnavailable
from portal.extensions import db
from portal.models import Appointment, CodePurpose, OneTimeCode, SlotHold
from tests.booking.web_support import Shop, last_code, shop, start_booking  # noqa: F401
from tests.conftest import make_user

EMAIL = "cora@example.org"


@pytest.fixture
def settings(app) -> CodeSettings:
    return CodeSettings.from_config(app.config)


def a_code(settings: CodeSettings, email: str = EMAIL) -> str:
    code = issue_code(db.session, settings, email, CodePurpose.BOOKING)
    db.session.commit()
    return code


def request(shop: Shop, **changes) -> CustomerBooking:
    values = dict(
        service=shop.service,
        start=shop.at(10),
        email="Cora@Example.org",
        customer=Customer("Cora", "Customer", None, "+49 30 1234567"),
    )
    return CustomerBooking(**(values | changes))


def attempt(settings, booking: CustomerBooking, code: str | None, **options) -> Appointment:
    """One request: commits the booking, or rolls back and re-raises the refusal."""
    try:
        appointment = book_with_code(db.session, settings, booking, code, **options)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return appointment


def appointments() -> int:
    return db.session.scalar(select(func.count()).select_from(Appointment))


def tries() -> int:
    db.session.expire_all()
    return db.session.scalars(select(OneTimeCode.attempts)).one()


def test_a_right_code_books_with_the_proven_address_and_the_defaults(app, shop, settings):
    proven = []
    appointment = attempt(settings, request(shop), a_code(settings), on_proven=proven.append)
    assert proven == [EMAIL]
    customer = appointment.customers[0]
    assert (customer.email, customer.phone) == (EMAIL, "+49 30 1234567")
    service = shop.service
    assert (appointment.timezone, appointment.locale) == (service.timezone, service.locale)
    # The service alone: the messages add "with <agent>" themselves (issue 14).
    assert appointment.title == service.name


def test_a_wrong_code_books_nothing_and_counts(app, shop, settings):
    code = a_code(settings)
    proven = []
    with pytest.raises(WrongCode):
        wrong = "000000" if code != "000000" else "111111"
        attempt(settings, request(shop), wrong, on_proven=proven.append)
    assert proven == [] and appointments() == 0 and tries() == 1


def test_the_request_is_checked_before_the_code(app, shop, settings):
    code = a_code(settings)
    with pytest.raises(Invalid) as mismatch:
        attempt(settings, request(shop, customer=Customer("Cora", "", "mallory@example.org")), code)
    assert mismatch.value.fields == {"email": MISMATCHED_EMAIL}
    with pytest.raises(Invalid) as nameless:
        attempt(settings, request(shop, customer=Customer(" ", "", None)), code)
    assert "first_name" in nameless.value.fields
    assert tries() == 0
    # One name is enough; the same address in another spelling is the same address.
    attempt(settings, request(shop, customer=Customer("", "Customer", "CORA@example.org")), code)


def test_a_proven_address_needs_no_code(app, shop, settings):
    assert not code_needed(EMAIL, "Cora@Example.org")
    assert code_needed(EMAIL, None) and code_needed(EMAIL, "dan@example.org")
    attempt(settings, request(shop), None, proven_email=EMAIL)
    with pytest.raises(DomainError):  # another signed-in address proves nothing for this one
        attempt(settings, request(shop, start=shop.at(11)), None, proven_email="dan@example.org")
    assert appointments() == 1


def test_a_taken_time_leaves_the_code_usable(app, shop, settings):
    code = a_code(settings)
    attempt(settings, request(shop, email="dan@example.org"), None, proven_email="dan@example.org")
    attempt(settings, request(shop, email="eve@example.org"), None, proven_email="eve@example.org")
    with pytest.raises(SlotUnavailable):
        attempt(settings, request(shop), code)
    assert tries() == 1
    attempt(settings, request(shop, start=shop.at(11)), code)


def test_customers_keep_the_minimum_notice_and_the_service_agents(app, shop, settings):
    shop.service.minimum_notice_minutes = 60 * 24 * 30
    db.session.commit()
    with pytest.raises(SlotUnavailable):
        attempt(settings, request(shop), None, proven_email=EMAIL)
    shop.service.minimum_notice_minutes = 0
    outsider = make_user("olga@example.com", name="Olga Outside")
    with pytest.raises(NotFound):
        attempt(settings, request(shop, agent_id=outsider.id), None, proven_email=EMAIL)
    booked = attempt(settings, request(shop, agent_id=shop.bob.id), None, proven_email=EMAIL)
    assert booked.organizer_id == shop.bob.id


def test_a_live_hold_claims_its_agent_and_a_stale_one_is_ignored(app, client, shop, settings):
    start_booking(client, shop, shop.at(10))  # the pages hold the time for Cora
    (held,) = db.session.scalars(select(SlotHold)).all()
    hold_id, held_agent = held.id, held.agent_id
    other = shop.bob.id if held_agent == shop.alice.id else shop.alice.id
    # A hold for another time is no claim: the choice of agent stands.
    stale = request(shop, start=shop.at(12), hold_id=hold_id, agent_id=other)
    assert attempt(settings, stale, None, proven_email=EMAIL).organizer_id == other
    # The live hold claims its agent, whatever agent the request names.
    booking = request(shop, hold_id=hold_id, agent_id=other)
    assert attempt(settings, booking, last_code(app, EMAIL)).organizer_id == held_agent
