"""/manage/<token>: view, reschedule with the picker, cancel; tampered tokens are 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.booking import links
from portal.extensions import db, settings
from portal.models import Appointment, AppointmentStatus, utcnow
from tests import factories
from tests.booking.web_support import (
    book_through_pages,
    iso,
    manage_path,
    reload,
    shop,
    slot_values,
    text,
)  # noqa: F401

HX = {"HX-Request": "true"}
pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock


@pytest.fixture
def booked(app, client, shop):
    confirmation = book_through_pages(app, client, shop, shop.at(10))
    appointment = db.session.scalars(select(Appointment)).one()
    return appointment, manage_path(confirmation)


def test_manage_page_and_its_partials(app, shop, booked):
    appointment, path = booked
    stranger = app.test_client()  # the link alone is enough: no sign-in
    page = stranger.get(path)
    assert page.status_code == 200 and "HX-Request" in page.headers["Vary"]
    assert page.headers["Referrer-Policy"] == "no-referrer"
    content = text(page)
    assert "Your appointment" in content and "Consultation" in content
    assert "10:00 AM – 10:30 AM" in content and appointment.organizer.name in content
    body = page.get_data(as_text=True)
    assert f"/api/cal/events/google/{appointment.id}/event" in body
    assert f"/api/cal/events/ical/{appointment.id}/event" in body
    # The picker opens on the appointment's day with its own time marked.
    assert "your current time" in body and 'id="picker"' in body
    assert 'id="cancel" open' not in body and 'id="reschedule" open' not in body
    assert 'id="cancel" open' in stranger.get(path + "?open=cancel").get_data(as_text=True)
    assert 'id="reschedule" open' in stranger.get(path + "?open=reschedule").get_data(as_text=True)

    partial = stranger.get(path + "?timezone=UTC", headers=HX)
    assert partial.get_data(as_text=True).lstrip().startswith('<div id="picker"')
    assert "HX-Request" in partial.headers["Vary"]
    day = stranger.get(f"{path}/day/{shop.day.isoformat()}?timezone=UTC", headers=HX)
    assert day.get_data(as_text=True).lstrip().startswith('<div id="slots"')
    full_day = stranger.get(f"{path}/day/{shop.day.isoformat()}?timezone=UTC")
    assert "<html" in full_day.get_data(as_text=True)
    # Only the organizer's free times are offered, and not the current one.
    assert iso(shop.at(10)) not in slot_values(day)
    assert iso(shop.at(9)) in slot_values(day)


def test_tampered_tokens_are_404(app, shop, booked):
    appointment, path = booked
    token = path.rsplit("/", 1)[1]
    client = app.test_client()
    # A random token stored as a hash: any change at all is another token.
    forged = f"{'B' if token[0] == 'A' else 'A'}{token[1:]}"
    for bad in (forged, "x" + token, token[:-1], "nonsense", token + ".", "x" * 200):
        assert client.get(f"/manage/{bad}").status_code == 404
        assert client.get(f"/manage/{bad}/day/{shop.day.isoformat()}").status_code == 404
        assert client.post(f"/manage/{bad}/cancel", data={"reason": "x"}).status_code == 404
        assert (
            client.post(f"/manage/{bad}/reschedule", data={"start": iso(shop.at(12))}).status_code
            == 404
        )
    assert reload(appointment).status == AppointmentStatus.SCHEDULED


def test_reschedule_keeps_the_id_and_frees_the_old_time(app, shop, booked):
    appointment, path = booked
    client = app.test_client()
    chosen = {"start": iso(shop.at(15)), "timezone": "UTC"}
    # Choosing a time only asks: the confirm step shows both times, each with its zone.
    step = client.post(f"{path}/reschedule", data=chosen)
    assert step.status_code == 200 and reload(appointment).start_at == shop.at(10)
    shown = text(step)
    assert "Confirm the new time" in shown
    assert "10:00 AM UTC" in shown
    assert "3:00 PM UTC" in shown
    body = step.get_data(as_text=True)
    assert f'action="{path}/reschedule/confirm"' in body
    assert f'value="{iso(shop.at(15))}"' in body and 'name="csrf_token"' in body
    assert f"{path}/day/{shop.day.isoformat()}?timezone=UTC#reschedule" in body  # the way back
    assert reload(appointment).sequence == 0
    answer = client.post(f"{path}/reschedule/confirm", data=chosen)
    assert answer.status_code == 303
    page = client.get(answer.location)
    assert "Done: your appointment is now on" in text(page) and "3:00 PM" in text(page)
    moved = reload(appointment)
    assert moved.id == appointment.id and moved.start_at == shop.at(15)
    assert moved.sequence == 1
    url = f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC&agent={moved.organizer_id}"
    offered = slot_values(client.get(url, headers=HX))
    assert iso(shop.at(10)) in offered and iso(shop.at(15)) not in offered


def test_reschedule_to_a_taken_time_shows_the_refreshed_day(app, shop, booked):
    appointment, path = booked
    factories.appointment(shop.service, appointment.organizer, shop.at(12))
    answer = app.test_client().post(
        f"{path}/reschedule/confirm", data={"start": iso(shop.at(12)), "timezone": "UTC"}
    )
    assert answer.status_code == 409
    assert "That time was just taken" in text(answer)
    assert 'id="slots"' in answer.get_data(as_text=True)
    assert iso(shop.at(12)) not in slot_values(answer) and slot_values(answer)
    assert reload(appointment).start_at == shop.at(10)


def test_cancel_with_a_reason(app, shop, booked):
    appointment, path = booked
    client = app.test_client()
    answer = client.post(f"{path}/cancel", data={"reason": "Something came up"})
    assert answer.status_code == 303
    page = client.get(answer.location)
    assert "Your appointment is cancelled" in text(page)
    assert "This appointment is cancelled: “Something came up”" in text(page)
    assert "Cancel appointment" not in text(page)
    cancelled = reload(appointment)
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert cancelled.cancellation_reason == "Something came up"
    # Cancelling twice changes nothing; rescheduling a cancelled one is refused.
    again = client.post(f"{path}/cancel", data={})
    assert again.status_code == 409 and "This appointment is cancelled." in text(again)
    for step in ("reschedule", "reschedule/confirm"):
        refused = client.post(f"{path}/{step}", data={"start": iso(shop.at(15))})
        assert refused.status_code == 409 and "This appointment is cancelled." in text(refused)
    assert reload(appointment).start_at == shop.at(10)
    # The time is free again.
    url = f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC&agent={cancelled.organizer_id}"
    assert iso(shop.at(10)) in slot_values(client.get(url, headers=HX))


def test_a_past_appointment_can_only_be_viewed(app, shop):
    past = factories.appointment(
        shop.service, shop.alice, utcnow().replace(microsecond=0) - timedelta(days=2)
    )
    client = app.test_client()
    path = f"/manage/{factories.manage_token(past)}"
    page = client.get(path)
    assert page.status_code == 200 and "Past" in text(page)
    assert "Change the time" not in text(page) and "Cancel appointment" not in text(page)
    late = client.post(f"{path}/cancel", data={})
    assert late.status_code == 409 and "already started" in text(late)
    assert reload(past).status == AppointmentStatus.SCHEDULED
    assert client.get(path, headers=HX).status_code == 404  # no picker to give
