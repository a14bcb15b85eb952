"""Booking through the pages: hold, details, code, confirmation, and every way it fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal.booking.operations import Customer, book
from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentStatus,
    OneTimeCode,
    ParticipantType,
    SlotHold,
    TimeException,
    utcnow,
)
from tests import factories
from tests.booking.web_support import (  # noqa: F401
    book_through_pages,
    details,
    enter_code,
    hidden,
    hold,
    hold_for,
    last_code,
    manage_path,
    outbox,
    shop,
    slot_values,
    start_booking,
    text,
)

HX = {"HX-Request": "true"}
pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock


def appointments():
    db.session.expire_all()
    return db.session.scalars(select(Appointment)).all()


def day_slots(client, shop):
    return slot_values(
        client.get(f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC", headers=HX)
    )


def expire_holds():
    db.session.execute(update(SlotHold).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_book_end_to_end(app, client, shop):
    start = shop.at(10)
    iso_start = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    held = hold(client, shop, start)
    assert held.status_code == 303 and "/book/consult/confirm?h=" in held.location
    form_page = client.get(held.location)
    assert form_page.status_code == 200
    page = text(form_page)
    assert "Your details" in page and "10:00 AM – 10:30 AM" in page
    assert "We keep this time for you until" not in page  # nothing is held before the e-mail
    assert not db.session.scalars(select(SlotHold)).all()

    code_page = details(client, shop, hidden(form_page, "h"))
    assert code_page.status_code == 200
    assert "We sent a 6-digit code to cora@example.org" in text(code_page)
    assert "We keep this time for you until" in text(code_page)
    (held_now,) = db.session.scalars(select(SlotHold)).all()
    assert (held_now.email, held_now.start_at) == ("cora@example.org", start)
    mail = outbox(app)[-1]
    assert mail.to == ["cora@example.org"] and "code" in mail.subject
    assert not appointments()  # nothing is booked before the code

    done = enter_code(client, shop, code_page, last_code(app, "cora@example.org"))
    assert done.status_code == 303 and "/book/consult/confirmed/" in done.location
    confirmation = client.get(done.location)
    assert confirmation.status_code == 200
    page = text(confirmation)
    assert "You are booked" in page
    assert "Consultation" in page and "10:00 AM – 10:30 AM" in page
    assert "UTC" in page and "Coordinated Universal Time" in page
    assert shop.day.strftime("%A, %B") in page
    (appointment,) = appointments()
    body = confirmation.get_data(as_text=True)
    assert f"/api/cal/events/google/{appointment.id}/event" in body
    assert f"/api/cal/events/ical/{appointment.id}/event" in body
    assert client.get(manage_path(confirmation)).status_code == 200

    assert appointment.start_at == start and appointment.status == AppointmentStatus.SCHEDULED
    assert appointment.organizer.name in page
    (customer,) = [p for p in appointment.participants if p.type == ParticipantType.CUSTOMER]
    assert (customer.first_name, customer.last_name, customer.email, customer.phone) == (
        "Cora",
        "Customer",
        "cora@example.org",
        "+49 30 1234567",
    )
    assert appointment.notes == "About my plans."
    live = select(func.count()).select_from(SlotHold).where(SlotHold.expires_at > utcnow())
    assert db.session.scalar(live) == 0  # the hold was used up
    # The slot is gone for everyone else with that agent.
    url = f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC&agent={appointment.organizer_id}"
    assert iso_start not in slot_values(app.test_client().get(url, headers=HX))


def test_a_held_slot_is_taken_for_others_until_the_hold_expires(app, client, shop):
    start = shop.at(11)
    key = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    other = app.test_client()
    assert hold_for(client, shop, start, agent=str(shop.alice.id)).status_code == 200
    assert key not in slot_values(
        other.get(
            f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC&agent={shop.alice.id}",
            headers=HX,
        )
    )
    # Bob is still free then, so "any agent" still offers it...
    assert key in day_slots(other, shop)
    # ...but once Bob's time is held too, it is gone: a third customer who chose it
    # meanwhile is refused in the page when sending the details.
    late = app.test_client()
    form_page = late.get(hold(late, shop, start).location)
    assert hold_for(other, shop, start, email="dan@example.org").status_code == 200
    assert key not in day_slots(app.test_client(), shop)
    refused = details(late, shop, hidden(form_page, "h"), email="eve@example.org")
    assert refused.status_code == 409
    assert "That time was just taken" in text(refused)
    assert 'id="slots"' in refused.get_data(as_text=True)  # the picker, not an error page
    assert key not in slot_values(refused) and slot_values(refused)
    # Clicking the taken time (a stale picker) answers the same way at once.
    clicked = hold(app.test_client(), shop, start)
    assert clicked.status_code == 409 and "That time was just taken" in text(clicked)
    # It answers a POST: it names its GET address (zone and day) for the address bar.
    address = f"/book/consult?timezone=UTC&amp;day={shop.day.isoformat()}"
    assert f'data-page-address="{address}"' in clicked.get_data(as_text=True)

    expire_holds()
    assert key in day_slots(app.test_client(), shop)
    assert hold_for(app.test_client(), shop, start, email="eve@example.org").status_code == 200


def test_choosing_a_time_holds_nothing(app, client, shop):
    chosen = hold(client, shop, shop.at(10), agent=str(shop.alice.id))
    assert chosen.status_code == 303 and "/book/consult/confirm?h=" in chosen.location
    assert not db.session.scalars(select(SlotHold)).all()
    assert shop.at(10).strftime("%Y-%m-%dT%H:%M:%SZ") in day_slots(app.test_client(), shop)


def test_holding_another_time_releases_the_first_hold(app, client, shop):
    alice = str(shop.alice.id)
    assert hold_for(client, shop, shop.at(9), agent=alice).status_code == 200
    # A minute later (the first code is still waiting) the customer picks another time.
    assert hold_for(client, shop, shop.at(10), agent=alice).status_code == 200
    live = select(SlotHold).where(SlotHold.expires_at > utcnow())
    assert [h.start_at for h in db.session.scalars(live)] == [shop.at(10)]
    # Going back and holding the same time again is not blocked by one's own hold.
    again = hold_for(client, shop, shop.at(10), agent=alice)
    assert again.status_code == 200, text(again)
    db.session.rollback()
    assert len(db.session.scalars(live).all()) == 1


def test_the_code_page_says_when_the_waiting_code_stands(app, client, shop):
    hold_for(client, shop, shop.at(9))
    again = hold_for(client, shop, shop.at(10))
    assert again.status_code == 200
    assert "use the newest email" in text(again)
    assert len([m for m in outbox(app) if "cora@example.org" in m.to]) == 1


def test_wrong_codes_then_too_many_tries(app, client, shop):
    code_page = start_booking(client, shop, shop.at(10))
    right = last_code(app, "cora@example.org")
    wrong = "000000" if right != "000000" else "111111"
    answer = enter_code(client, shop, code_page, wrong)
    assert answer.status_code == 422
    assert "That code is not right" in text(answer) and "4 more tries" in text(answer)
    assert 'aria-invalid="true"' in answer.get_data(as_text=True)
    for _ in range(3):
        answer = enter_code(client, shop, answer, wrong)
    assert "1 more try" in text(answer)
    answer = enter_code(client, shop, answer, wrong)
    assert "Too many wrong tries" in text(answer)
    answer = enter_code(client, shop, answer, right)
    assert answer.status_code == 422 and "Too many wrong tries" in text(answer)
    assert not appointments()
    # A new code works again.
    db.session.execute(update(OneTimeCode).values(created_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    resent = client.post("/book/consult/confirm/resend", data={"p": hidden(answer, "p")})
    assert resent.status_code == 200 and "We sent a new code" in text(resent)
    done = enter_code(client, shop, resent, last_code(app, "cora@example.org"))
    assert done.status_code == 303 and len(appointments()) == 1


def test_malformed_code_is_a_form_error(app, client, shop):
    code_page = start_booking(client, shop, shop.at(10))
    answer = enter_code(client, shop, code_page, "12ab")
    assert answer.status_code == 422 and "The code is 6 digits" in text(answer)


def test_expired_code_and_throttled_resend(app, client, shop):
    code_page = start_booking(client, shop, shop.at(10))
    code = last_code(app, "cora@example.org")
    db.session.execute(update(OneTimeCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    answer = enter_code(client, shop, code_page, code)
    assert answer.status_code == 422 and "That code has expired" in text(answer)
    assert "Send a new code" in text(answer)
    # Sent moments ago: a new one only after a minute.
    again = client.post("/book/consult/confirm/resend", data={"p": hidden(answer, "p")})
    assert again.status_code == 429 and "You can ask for another in" in text(again)
    assert not appointments()


def test_details_are_validated(app, client, shop):
    held = hold(client, shop, shop.at(10))
    form_page = client.get(held.location)
    answer = details(client, shop, hidden(form_page, "h"), email="not-an-email", first_name="")
    assert answer.status_code == 422
    assert "Enter a valid email address" in text(answer) and "Enter your first name" in text(answer)
    assert not outbox(app)


def test_tampered_or_foreign_drafts_are_404(app, client, shop):
    held = hold(client, shop, shop.at(10))
    token = held.location.split("h=")[1]
    assert client.get(f"/book/consult/confirm?h={token}x").status_code == 404
    assert client.get("/book/consult/confirm").status_code == 404
    factories.service([shop.alice], slug="other")
    assert client.get(f"/book/other/confirm?h={token}").status_code == 404
    assert (
        client.post(
            "/book/consult/confirm/code", data={"p": "forged", "code": "123456"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("intruder", ["customer", "staff", "time-off"])
def test_slot_taken_meanwhile_shows_the_refreshed_day(app, client, shop, intruder):
    start = shop.at(10)
    code_page = start_booking(client, shop, start)
    code = last_code(app, "cora@example.org")
    (held,) = db.session.scalars(select(SlotHold)).all()
    agent = db.session.get(type(shop.alice), held.agent_id)
    others = [a for a in (shop.alice, shop.bob) if a.id != agent.id]
    expire_holds()  # the customer took too long
    # Someone takes the time from both agents (so "any agent" cannot save it either).
    for person in (agent, *others):
        if intruder == "customer":
            book(
                db.session,
                shop.service,
                start,
                Customer("Dan", "Other", "dan@example.org"),
                agent_id=person.id,
            )
            db.session.commit()  # where Dan's request ends
        elif intruder == "staff":
            factories.appointment(shop.service, person, start)
        else:
            db.session.add(TimeException(from_date=shop.day, to_date=shop.day, agents=[person]))
            db.session.commit()

    answer = enter_code(client, shop, code_page, code)
    assert answer.status_code == 409
    page = text(answer)
    assert "That time was just taken" in page
    assert "Something went wrong" not in page
    body = answer.get_data(as_text=True)
    assert 'id="picker"' in body and 'id="slots"' in body
    assert start.strftime("%Y-%m-%dT%H:%M:%SZ") not in slot_values(answer)
    if intruder == "time-off":
        assert slot_values(answer) == [] and "Nothing is free on this day" in page
    else:
        assert slot_values(answer)  # the rest of the day is still offered
    # Only the intruders' appointments exist: nothing for Cora.
    assert all(a.notes != "About my plans." for a in appointments())
    assert len(appointments()) == (0 if intruder == "time-off" else 2)


def test_a_verified_customer_books_again_without_a_code(app, client, shop):
    book_through_pages(app, client, shop, shop.at(9))
    sent = len(outbox(app))
    held = hold(client, shop, shop.at(14))
    form_page = client.get(held.location)
    assert 'value="cora@example.org"' in form_page.get_data(as_text=True)  # remembered
    done = details(client, shop, hidden(form_page, "h"))
    assert done.status_code == 303 and "/confirmed/" in done.location
    assert len(appointments()) == 2
    assert all(m for m in outbox(app)[sent:] if "code" not in m.subject)


def test_after_taken_a_verified_customer_just_picks_again(app, client, shop):
    start = shop.at(10)
    code_page = start_booking(client, shop, start)
    code = last_code(app, "cora@example.org")
    expire_holds()
    for person in (shop.alice, shop.bob):
        factories.appointment(shop.service, person, start)
    taken = enter_code(client, shop, code_page, code)
    assert taken.status_code == 409
    # Pick another time from the refreshed list: no new code needed.
    other = slot_values(taken)[0]
    held = client.post(
        "/book/consult/hold", data={"start": other, "timezone": "UTC", "agent": "any"}
    )
    form_page = client.get(held.location)
    done = details(client, shop, hidden(form_page, "h"))
    assert done.status_code == 303
    assert client.get(done.location).status_code == 200


def test_an_inactive_agent_is_not_booked(app, client, shop):
    shop.bob.active = False
    db.session.commit()
    book_through_pages(app, client, shop, shop.at(12))
    (appointment,) = appointments()
    assert appointment.organizer_id == shop.alice.id
