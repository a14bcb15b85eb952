"""/agent: today's agenda and what comes next, in the agent's zone, with join buttons."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest

from portal.booking import interaction
from portal.booking.operations import cancel
from portal.extensions import db
from portal.models import utcnow
from tests import factories
from tests.conftest import make_user, sign_in
from tests.web.staff_support import parse

UTC = UTC
pytestmark = pytest.mark.date_sensitive  # today's agenda


def local_today_at(zone: ZoneInfo, hour: int, minute: int = 0) -> datetime:
    day = utcnow().astimezone(zone).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


@pytest.fixture
def tokyo(app, client):
    """An agent whose day differs from UTC's for half of every day."""
    kenji = factories.agent("kenji@example.com", "Kenji Tanaka", "Asia/Tokyo")
    service = factories.service([kenji], duration_minutes=45, color="#b45309")
    sign_in(client, "kenji@example.com")
    return kenji, service


def test_today_and_upcoming(client, tokyo):
    kenji, service = tokyo
    zone = ZoneInfo("Asia/Tokyo")
    early = factories.appointment(service, kenji, local_today_at(zone, 0, 15))
    late = factories.appointment(service, kenji, local_today_at(zone, 23, 0))
    tomorrow = factories.appointment(service, kenji, local_today_at(zone, 9) + timedelta(days=1))
    yesterday = factories.appointment(service, kenji, local_today_at(zone, 9) - timedelta(days=1))
    other = factories.agent("olga@example.com", "Olga")
    factories.appointment(service, other, local_today_at(zone, 12))
    response = client.get("/agent")
    assert response.status_code == 200
    tree = parse(response.data)
    today_section = tree.find("dashboard__today")
    upcoming_section = tree.find("dashboard__upcoming")
    assert [r.attrs["data-appointment"] for r in today_section.find_all("agenda__item")] == [
        str(early.id),
        str(late.id),
    ]
    assert [r.attrs["data-appointment"] for r in upcoming_section.find_all("agenda__item")] == [
        str(tomorrow.id)
    ]
    assert str(yesterday.id) not in response.get_data(as_text=True)
    text = today_section.text
    assert "12:15 – 1:00 AM" in text and "11:00 – 11:45 PM" in text  # local, Babel, never ISO
    assert "Cora Customer" in text and service.name in text and "Scheduled" in text
    assert "Times in Asia/Tokyo" in tree.text


def test_join_buttons_and_states(client, tokyo):
    kenji, service = tokyo
    now = utcnow()
    starting = factories.appointment(service, kenji, now + timedelta(minutes=5))
    later = factories.appointment(service, kenji, now + timedelta(hours=3))
    live = factories.appointment(service, kenji, now + timedelta(hours=4))
    interaction.activate(db.session, live)
    gone = factories.appointment(service, kenji, now + timedelta(hours=5))
    with client.application.test_request_context("/"):
        cancel(db.session, gone, "x")
    tree = parse(client.get("/agent").data)
    by_id = {row.attrs["data-appointment"]: row for row in tree.find_all("agenda__item")}

    def joinable(appointment):
        form = by_id[str(appointment.id)].find(tag="form")
        return form is not None and form.attrs["action"].endswith(
            f"/agent/appointments/{appointment.id}/join"
        )

    local_day = lambda a: a.start_at.astimezone(ZoneInfo("Asia/Tokyo")).date()  # noqa: E731
    today = now.astimezone(ZoneInfo("Asia/Tokyo")).date()
    assert joinable(starting)
    if local_day(later) == today:
        assert not joinable(later)
    if local_day(live) == today:
        assert joinable(live) and "Live" in by_id[str(live.id)].text
    if local_day(gone) == today:
        assert "Cancelled" in by_id[str(gone.id)].text and not joinable(gone)


def test_the_dashboard_is_for_staff_only(app):
    client = app.test_client()
    assert client.get("/agent").status_code == 302
    assert client.get("/agent/").status_code == 302


def test_dashboard_offers_the_calendar_feed_and_renews_it(app, client):
    agent = make_user("feed@example.com")
    sign_in(client, "feed@example.com")
    page = client.get("/agent").get_data(as_text=True)
    assert "no calendar address yet" in page and "Create a link" in page
    assert ".ics" not in page
    old_secret = factories.feed_secret(agent)
    page = client.get("/agent").get_data(as_text=True)
    # The address exists but is never shown again: only its hash is kept.
    assert "You have a calendar address" in page and "Create a new link" in page
    assert old_secret not in page and ".ics" not in page
    assert client.get(f"/calendar/{old_secret}.ics").status_code == 200
    response = client.post("/calendar/secret", data={"next": "/agent"})
    assert response.status_code == 200 and "shown <strong>only this once" in response.get_data(
        as_text=True
    )
    new_secret = response.get_data(as_text=True).split("/calendar/", 1)[1].split(".ics")[0]
    assert new_secret != old_secret
    assert client.get(f"/calendar/{old_secret}.ics").status_code == 404
    assert client.get(f"/calendar/{new_secret}.ics").status_code == 200
    assert new_secret not in client.get("/agent").get_data(as_text=True)
