"""The sender's offering step: order, one offer per slot per entry, agents, expiry, leaving."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.booking import operations, waitlist
from portal.booking.lifecycle import Actor
from portal.booking.operations import Customer
from portal.extensions import db
from portal.models import (
    Appointment,
    SlotHold,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
    utcnow,
)
from tests import factories
from tests.waitlist.conftest import LEAVE_LINK, join, mails_to, offers_to, run_sender

FIRST = "first@example.org"
SECOND = "second@example.org"


def cancel(appointment) -> None:
    operations.cancel(db.session, db.session.get(Appointment, appointment.id))
    db.session.commit()


def test_an_entry_is_offered_a_slot_at_most_once(app, client, full_day, fixed_clock):
    assert join(app, client, full_day, FIRST).status_code == 201
    cancel(full_day.nine)
    run_sender()
    assert len(offers_to(app, FIRST)) == 1
    for _ in range(3):  # the hold lapses again and again; the slot stays free
        fixed_clock.shift(timedelta(minutes=20))
        run_sender()
    assert len(offers_to(app, FIRST)) == 1
    offers = db.session.scalars(select(WaitlistOffer)).all()
    assert [(o.start_at, o.entry.email) for o in offers] == [(full_day.at(9), FIRST)]


def test_a_second_freed_slot_goes_to_the_next_entry_at_once(app, client, full_day, fixed_clock):
    assert join(app, client, full_day, FIRST).status_code == 201
    fixed_clock.shift(timedelta(seconds=1))
    assert join(app, client, full_day, SECOND).status_code == 201
    cancel(full_day.nine)
    cancel(full_day.half_past)
    run_sender()
    assert len(offers_to(app, FIRST)) == 1 and len(offers_to(app, SECOND)) == 1
    held = {o.entry.email: o.start_at for o in db.session.scalars(select(WaitlistOffer))}
    assert held == {FIRST: full_day.at(9), SECOND: full_day.at(9, 30)}


def test_an_entry_for_another_agent_is_not_offered_this_agents_time(
    app, client, full_day, fixed_clock
):
    bob = factories.agent("bob@example.com", "Bob Baker")
    full_day.service.agents.append(bob)
    db.session.commit()
    factories.weekly_hours(bob, [(9 * 60, 9 * 60 + 30)])
    factories.appointment(full_day.service, bob, full_day.at(9))
    assert join(app, client, full_day, FIRST, agentId=str(bob.id)).status_code == 201
    fixed_clock.shift(timedelta(seconds=1))
    assert join(app, client, full_day, SECOND).status_code == 201
    cancel(full_day.nine)  # Alice's time frees up
    run_sender()
    assert offers_to(app, FIRST) == []
    assert len(offers_to(app, SECOND)) == 1


def test_entries_for_past_days_expire(app, client, full_day, fixed_clock):
    assert join(app, client, full_day, FIRST).status_code == 201
    fixed_clock.shift(timedelta(days=4))
    run_sender()
    entry = db.session.scalars(select(WaitlistEntry)).one()
    assert entry.status == WaitlistStatus.EXPIRED
    assert offers_to(app, FIRST) == []


def test_leaving_releases_a_live_offer_for_the_next(app, client, full_day, fixed_clock):
    assert join(app, client, full_day, FIRST).status_code == 201
    fixed_clock.shift(timedelta(seconds=1))
    assert join(app, client, full_day, SECOND).status_code == 201
    cancel(full_day.nine)
    run_sender()
    (token,) = offers_to(app, FIRST)
    # The offer mail's leave link leaves the waitlist and gives the time back.
    (offer_mail,) = mails_to(app, FIRST, "A time freed up")
    leave_token = LEAVE_LINK.search(offer_mail.body).group(1)
    page = client.get(f"/waitlist/leave/{leave_token}")
    assert page.status_code == 200 and "Leave the waitlist" in page.get_data(as_text=True)
    assert client.post(f"/waitlist/leave/{leave_token}").status_code == 200
    live = select(SlotHold).where(SlotHold.expires_at > utcnow())
    assert db.session.scalars(live).all() == []  # the held time is given back
    run_sender()
    assert len(offers_to(app, SECOND)) == 1
    assert client.get(f"/waitlist/offer/{token}").status_code == 410


def test_staff_book_over_an_offer_hold(app, client, full_day):
    assert join(app, client, full_day, FIRST).status_code == 201
    cancel(full_day.nine)
    run_sender()
    (token,) = offers_to(app, FIRST)
    operations.book(
        db.session,
        full_day.service,
        full_day.at(9),
        Customer("Walk", "In", "walkin@example.org"),
        actor=Actor.of(full_day.alice),
    )
    db.session.commit()
    answer = client.post(f"/waitlist/offer/{token}", data={"first_name": "F", "last_name": "F"})
    assert answer.status_code == 409
    assert "taken" in answer.get_data(as_text=True)


def test_a_pass_with_nobody_waiting_makes_no_offer(app, full_day):
    assert waitlist.offer_freed_slots(db.session) == 0


def test_the_offer_form_wants_a_name(app, client, full_day):
    assert join(app, client, full_day, FIRST).status_code == 201
    cancel(full_day.nine)
    run_sender()
    (token,) = offers_to(app, FIRST)
    answer = client.post(f"/waitlist/offer/{token}", data={"first_name": "", "last_name": ""})
    assert answer.status_code == 422
    assert "Enter your first name" in answer.get_data(as_text=True)
    assert client.get(f"/waitlist/offer/{token}").status_code == 200  # still held


def test_a_failing_offer_step_does_not_stop_the_sending(app, client, full_day, monkeypatch):
    assert join(app, client, full_day, FIRST).status_code == 201

    def broken(session, *, now=None):
        raise RuntimeError("the offering step broke")

    monkeypatch.setattr(waitlist, "offer_freed_slots", broken)
    run_sender()
    assert mails_to(app, FIRST, "You are on the waitlist")  # the joined mail still went out


def test_an_offer_emits_waitlist_offered_in_the_same_transaction(app, client, full_day):
    import json

    from portal.models import OutboxMessage
    from portal.webhooks.subscriptions import create_subscription

    create_subscription(
        db.session, {"url": "http://127.0.0.1:9/hook", "events": ["waitlist.offered"]}
    )
    db.session.commit()
    assert join(app, client, full_day, FIRST).status_code == 201
    cancel(full_day.nine)
    run_sender()  # offers, then tries the delivery (nobody listens on port 9: it stays queued)
    hooks = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.webhook_subscription_id.is_not(None))
    ).all()
    assert len(hooks) == 1
    event = json.loads(hooks[0].text_body)
    assert event["type"] == "waitlist.offered"
    assert event["data"]["email"] == FIRST
    assert event["data"]["offer"]["start"] == full_day.at(9).strftime("%Y-%m-%dT%H:%M:%SZ")
