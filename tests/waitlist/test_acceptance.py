"""Issue 19's acceptance: two customers wait for a full day, a booking is cancelled, the
sender runs; the first gets exactly one offer, its link holds the slot (others see it as
taken, the first can book it), and the second is offered the slot only after the first
hold lapses."""

from __future__ import annotations

from datetime import timedelta

from portal.booking import operations
from portal.extensions import db
from portal.models import Appointment, AppointmentStatus, WaitlistEntry, WaitlistStatus
from tests.booking.web_support import last_code
from tests.waitlist.conftest import join, offers_to, run_sender

FIRST = "first@example.org"
SECOND = "second@example.org"


def free_starts(client, full_day) -> list[str]:
    day = full_day.day.isoformat()
    answer = client.get(
        f"/api/services/{full_day.service.id}/slots",
        query_string={"from": day, "to": day, "timezone": "UTC"},
    )
    assert answer.status_code == 200
    return [slot["start"] for slot in answer.json]


def cancel_nine(full_day) -> None:
    operations.cancel(db.session, db.session.get(Appointment, full_day.nine.id), "ill")
    db.session.commit()


def customer_books(app, client, full_day, email: str):
    assert client.post("/api/otp", json={"email": email}).status_code == 202
    return client.post(
        "/api/appointments/basic",
        json={
            "serviceId": str(full_day.service.id),
            "start": full_day.at(9).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "customer": {"name": {"firstName": "Other", "lastName": "One"}},
            "otp": {"email": email, "code": last_code(app, email)},
        },
    )


def test_first_is_offered_the_freed_slot_and_the_second_only_after_the_hold_lapses(
    app, client, full_day, fixed_clock
):
    assert join(app, client, full_day, FIRST).status_code == 201
    fixed_clock.shift(timedelta(seconds=1))
    assert join(app, client, full_day, SECOND).status_code == 201
    run_sender()
    assert offers_to(app, FIRST) == [] and offers_to(app, SECOND) == []  # nothing freed yet

    cancel_nine(full_day)
    run_sender()
    assert len(offers_to(app, FIRST)) == 1
    assert offers_to(app, SECOND) == []

    # The link holds the slot: it opens the booking with the time, others see it taken.
    (token,) = offers_to(app, FIRST)
    page = client.get(f"/waitlist/offer/{token}")
    assert page.status_code == 200
    assert FIRST in page.get_data(as_text=True)
    assert free_starts(client, full_day) == []
    assert customer_books(app, client, full_day, "other@example.org").status_code == 409

    # More passes within the hold: no second offer to anyone.
    fixed_clock.shift(timedelta(minutes=5))
    run_sender()
    assert len(offers_to(app, FIRST)) == 1 and offers_to(app, SECOND) == []

    # The hold lapses (WAITLIST_HOLD_MINUTES = 15): the next one waiting gets the slot.
    fixed_clock.shift(timedelta(minutes=11))
    run_sender()
    assert len(offers_to(app, SECOND)) == 1
    assert len(offers_to(app, FIRST)) == 1  # never offered the same slot twice
    assert client.get(f"/waitlist/offer/{token}").status_code == 410
    assert free_starts(client, full_day) == []

    # When the second hold lapses too, everyone had the slot once: it is free for all again.
    fixed_clock.shift(timedelta(minutes=16))
    run_sender()
    assert len(offers_to(app, FIRST)) == 1 and len(offers_to(app, SECOND)) == 1
    assert free_starts(client, full_day) == [full_day.at(9).strftime("%Y-%m-%dT%H:%M:%SZ")]


def test_the_first_books_the_held_slot_through_the_link(app, client, full_day, fixed_clock):
    assert join(app, client, full_day, FIRST).status_code == 201
    fixed_clock.shift(timedelta(seconds=1))
    assert join(app, client, full_day, SECOND).status_code == 201
    cancel_nine(full_day)
    run_sender()
    (token,) = offers_to(app, FIRST)

    fixed_clock.shift(timedelta(minutes=10))
    booked = client.post(
        f"/waitlist/offer/{token}", data={"first_name": "Fay", "last_name": "First"}
    )
    assert booked.status_code == 303
    assert "/book/consult/confirmed/" in booked.headers["Location"]
    appointment = db.session.scalars(
        db.select(Appointment).where(
            Appointment.start_at == full_day.at(9),
            Appointment.status == AppointmentStatus.SCHEDULED,
        )
    ).one()
    assert [p.email for p in appointment.customers] == [FIRST]
    first = db.session.scalars(db.select(WaitlistEntry).where(WaitlistEntry.email == FIRST)).one()
    assert first.status == WaitlistStatus.BOOKED

    # Booked: the link is spent and nothing is left to offer the second.
    assert client.get(f"/waitlist/offer/{token}").status_code == 410
    fixed_clock.shift(timedelta(minutes=30))
    run_sender()
    assert offers_to(app, SECOND) == []
