"""The public calendar links, the agent feed and renewing its secret."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, UTC
from urllib.parse import parse_qs, urlsplit

import pytest
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from portal.calendars.feed import FEED_UID_NAMESPACE
from portal.extensions import db
from portal.models import AppointmentStatus, Role, utcnow
from tests.conftest import make_user, sign_in
from tests.factories import feed_secret
from tests.notifications.factories import MANAGE_PREFIX, make_agent, make_appointment

UTC = UTC


def test_ics_download(app, client, fake_manage_links):  # a minted link would still not show
    appointment = make_appointment(
        datetime(2030, 3, 31, 0, 30, tzinfo=UTC), title="Tax, advice; <b>"
    )
    response = client.get(f"/api/cal/events/ical/{appointment.id}/event")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="appointment-2030-03-31.ics"'
    )
    calendar = Calendar.from_ical(response.data)
    IcsCalendarStream.calendar_from_ics(response.get_data(as_text=True))
    assert calendar["METHOD"] == "PUBLISH"
    event = calendar.events[0]
    assert event["UID"] == f"{appointment.id}@portal"
    assert event["SUMMARY"] == "Tax, advice; <b>"
    assert "ATTENDEE" not in event
    assert MANAGE_PREFIX not in event["DESCRIPTION"]
    assert "Reschedule or cancel" not in event["DESCRIPTION"]
    assert str(event["ORGANIZER"]) == "mailto:no-reply@portal.localhost"
    assert event["ORGANIZER"].params["CN"] == "Dana Agent"


def test_ics_of_a_cancelled_appointment(app, client):
    appointment = make_appointment(datetime(2030, 3, 31, 0, 30, tzinfo=UTC))
    appointment.status = AppointmentStatus.CANCELLED
    appointment.sequence = 3
    db.session.commit()
    event = Calendar.from_ical(
        client.get(f"/api/cal/events/ical/{appointment.id}/event").data
    ).events[0]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 3


def test_unknown_or_malformed_ids_answer_404(app, client):
    for path in ("ical", "google"):
        for key in ("8d9f4c1e-3b7a-4f3e-9a51-0c3f2b1d7e6a", "not-a-uuid", "1%0d%0aX"):
            response = client.get(f"/api/cal/events/{path}/{key}/event")
            assert response.status_code == 404
            assert response.json["error"] == "not_found"


def test_unknown_query_parameters_are_refused(app, client):
    appointment = make_appointment(datetime(2030, 3, 31, 0, 30, tzinfo=UTC))
    response = client.get(f"/api/cal/events/ical/{appointment.id}/event?x=1")
    assert response.status_code == 400 and response.json["error"] == "invalid_param"


def test_the_public_exports_carry_no_manage_link(app, client):
    """The id is not secret (feeds and staff pages carry it): its exports grant no control."""
    appointment = make_appointment(datetime(2030, 3, 31, 0, 30, tzinfo=UTC))
    ics = client.get(f"/api/cal/events/ical/{appointment.id}/event").get_data(as_text=True)
    google = client.get(f"/api/cal/events/google/{appointment.id}/event").headers["Location"]
    for body in (ics, google):
        assert "manage" not in body and "Reschedule or cancel" not in body


def test_google_link_redirects(app, client):
    appointment = make_appointment(datetime(2030, 3, 31, 0, 30, tzinfo=UTC), title="A & B")
    response = client.get(f"/api/cal/events/google/{appointment.id}/event")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc == "calendar.google.com"
    params = parse_qs(location.query)
    assert params["text"] == ["A & B"]
    assert params["dates"] == ["20300331T003000Z/20300331T010000Z"]


def test_google_link_of_a_cancelled_appointment_is_gone(app, client):
    appointment = make_appointment(datetime(2030, 3, 31, 0, 30, tzinfo=UTC))
    appointment.status = AppointmentStatus.CANCELLED
    db.session.commit()
    response = client.get(f"/api/cal/events/google/{appointment.id}/event")
    assert response.status_code == 410
    assert response.json["error"] == "cancelled"


def _feed_uids(client, secret: str) -> set[str]:
    response = client.get(f"/calendar/{secret}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-cache"
    IcsCalendarStream.calendar_from_ics(response.get_data(as_text=True))
    return {str(event["UID"]) for event in Calendar.from_ical(response.data).events}


@pytest.mark.date_sensitive
def test_agent_feed_lists_own_appointments_from_30_days_back(app, client):
    agent = make_agent("Alice Agent", tz="Europe/Berlin")
    other = make_agent("Otto Other")
    now = utcnow()
    recent = make_appointment(now - timedelta(days=29), agent=agent)
    old = make_appointment(now - timedelta(days=31), agent=agent)
    upcoming = make_appointment(now + timedelta(days=3), agent=agent)
    cancelled = make_appointment(now + timedelta(days=4), agent=agent)
    cancelled.status = AppointmentStatus.CANCELLED
    foreign = make_appointment(now + timedelta(days=3), agent=other)
    db.session.commit()

    secret = feed_secret(agent)
    uids = _feed_uids(client, secret)
    assert uids == {f"{a.id}@portal" for a in (recent, upcoming, cancelled)}
    assert f"{old.id}@portal" not in uids and f"{foreign.id}@portal" not in uids
    feed = Calendar.from_ical(client.get(f"/calendar/{secret}.ics").data)
    statuses = {str(e["UID"]): e["STATUS"] for e in feed.events}
    assert statuses[f"{cancelled.id}@portal"] == "CANCELLED"
    # The customer's manage link is theirs alone: never in the agent's feed.
    assert "/manage/" not in client.get(f"/calendar/{secret}.ics").get_data(as_text=True)


def test_wrong_secret_or_customer_secret_is_404(app, client):
    customer = make_user("customer@example.com", role=Role.CUSTOMER, password="")
    assert client.get("/calendar/not-the-secret.ics").status_code == 404
    assert client.get(f"/calendar/{feed_secret(customer)}.ics").status_code == 404
    agent = make_agent()
    secret = feed_secret(agent)
    agent.active = False
    db.session.commit()
    assert client.get(f"/calendar/{secret}.ics").status_code == 404


def test_renewing_the_secret_retires_the_old_link(app, client):
    agent = make_user("alice@example.com", role=Role.AGENT)
    old_secret = feed_secret(agent)
    assert client.get(f"/calendar/{old_secret}.ics").status_code == 200

    # Signed out: to the sign-in page, nothing changes.
    response = client.post("/calendar/secret")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

    sign_in(client, "alice@example.com")
    response = client.post(
        "/calendar/secret", headers={"Referer": "http://localhost/agent/settings?tab=feed"}
    )
    # The new address is shown once, on the answer; "Done" goes back where the button was.
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    assert 'href="/agent/settings?tab=feed"' in page
    new_secret = page.split("/calendar/", 1)[1].split(".ics", 1)[0]
    assert new_secret != old_secret
    assert client.get(f"/calendar/{old_secret}.ics").status_code == 404
    assert client.get(f"/calendar/{new_secret}.ics").status_code == 200

    # A foreign 'next' is ignored.
    response = client.post("/calendar/secret", data={"next": "https://evil.example/"})
    assert "evil" not in response.get_data(as_text=True)


def test_feed_is_the_same_bytes_until_something_changes(app, client):
    agent = make_agent("Alice Agent")
    appointment = make_appointment(datetime(2030, 3, 31, 0, 30, tzinfo=UTC), agent=agent)
    secret = feed_secret(agent)
    first = client.get(f"/calendar/{secret}.ics")
    assert first.status_code == 200
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    text = first.get_data(as_text=True)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in text
    assert "X-PUBLISHED-TTL:PT15M\r\n" in text
    calendar = Calendar.from_ical(first.data)
    assert calendar["UID"] == str(uuid.uuid5(FEED_UID_NAMESPACE, str(agent.id)))
    # DTSTAMP is the appointment's last change, not the moment of the fetch.
    assert appointment.updated_at == calendar.events[0].DTSTAMP
    assert client.get(f"/calendar/{secret}.ics").data == first.data

    # Nothing changed: 304 by the ETag, and by the date alone.
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": last_modified}):
        unchanged = client.get(f"/calendar/{secret}.ics", headers=headers)
        assert unchanged.status_code == 304 and unchanged.data == b""
        assert unchanged.headers["ETag"] == etag

    # Rescheduled: the old ETag gets the new file.
    appointment.start_at += timedelta(hours=1)
    appointment.end_at += timedelta(hours=1)
    appointment.sequence += 1
    db.session.commit()
    changed = client.get(f"/calendar/{secret}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert Calendar.from_ical(changed.data).events[0]["SEQUENCE"] == 1
    assert Calendar.from_ical(changed.data)["UID"] == calendar["UID"]
