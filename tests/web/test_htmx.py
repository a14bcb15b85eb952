"""Every page that serves an htmx partial: the fragment only when htmx asks for one.

Back and Forward after htmx's history cache missed send ``HX-Request`` together with
``HX-History-Restore-Request``, and a boosted link sends ``HX-Boosted``: both must get
the whole page, or the browser shows a bare fragment in place of the page. Each answer
carries ``Vary: HX-Request`` so no cache mixes the two.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, UTC

import pytest
from sqlalchemy import select

from portal.extensions import db, settings
from portal.models import (
    Appointment,
    OfficeHours,
    Role,
    Service,
    ServiceTimeSlot,
    TimeException,
    User,
)
from tests import factories
from tests.conftest import make_user, sign_in

UTC = UTC
HX = {"HX-Request": "true"}
RESTORE = HX | {"HX-History-Restore-Request": "true"}
BOOSTED = HX | {"HX-Boosted": "true"}


@dataclass
class World:
    service: Service
    agent: User
    appointment: Appointment
    day: date
    time_off: TimeException
    office_hours: OfficeHours
    time_slot: ServiceTimeSlot

    @property
    def manage(self) -> str:
        return f"/manage/{factories.manage_token(self.appointment)}"


@pytest.fixture
def world(app, client) -> World:
    """An admin signed in (every staff page opens for them) and one of each thing a page lists."""
    make_user("admin@example.com", role=Role.ADMIN, name="Ada Admin")
    assert sign_in(client, "admin@example.com").status_code == 302
    agent = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(agent, [(9 * 60, 17 * 60)])
    service = factories.service([agent], slug="consult", name="Consultation")
    day = datetime.now(UTC).date() + timedelta(days=3)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    appointment = factories.appointment(service, agent, start)
    made = [
        client.post(
            f"/agent/time-off/new?agent={agent.id}",
            data={
                "agents": [str(agent.id)],
                "kind": "once",
                "from_date": (day + timedelta(days=20)).isoformat(),
                "to_date": (day + timedelta(days=20)).isoformat(),
                "reason_text": "Vacation",
                "block_time": "y",
            },
        ),
        client.post(
            "/admin/office-hours",
            data={
                "name": "Lunch",
                "type": "lunchtime",
                "dow": "mon",
                "time_from": "12:00",
                "time_to": "13:00",
            },
        ),
        client.post(
            f"/admin/services/{service.id}/time-slots",
            data={"day_of_week": "2", "from_time": "09:00", "to_time": "12:00", "available": "y"},
        ),
    ]
    assert [response.status_code for response in made] == [303, 303, 303]
    client.get("/")  # let the flashed messages go
    return World(
        service=service,
        agent=agent,
        appointment=appointment,
        day=day,
        time_off=db.session.scalars(select(TimeException)).one(),
        office_hours=db.session.scalars(select(OfficeHours)).one(),
        time_slot=db.session.scalars(select(ServiceTimeSlot)).one(),
    )


# (name, URL of the page, id of the partial's root element)
PAGES: list[tuple[str, Callable[[World], str], str]] = [
    ("book month", lambda w: "/book/consult?timezone=UTC", "picker"),
    ("book day", lambda w: f"/book/consult/day/{w.day.isoformat()}?timezone=UTC", "slots"),
    ("manage", lambda w: f"{w.manage}?timezone=UTC", "picker"),
    ("manage day", lambda w: f"{w.manage}/day/{w.day.isoformat()}?timezone=UTC", "slots"),
    (
        "staff appointment",
        lambda w: f"/agent/appointments/{w.appointment.id}?month={w.day:%Y-%m}",
        "picker",
    ),
    (
        "staff appointment day",
        lambda w: f"/agent/appointments/{w.appointment.id}/day/{w.day.isoformat()}",
        "slots",
    ),
    ("agent calendar", lambda w: f"/agent/calendar?view=week&date={w.day.isoformat()}", "calendar"),
    ("team calendar", lambda w: f"/team?view=day&date={w.day.isoformat()}", "calendar"),
    ("working hours", lambda w: f"/agent/hours?agent={w.agent.id}", "hours-editor"),
    ("time off", lambda w: f"/agent/time-off?agent={w.agent.id}", "time-off-list"),
    ("new time off", lambda w: f"/agent/time-off/new?agent={w.agent.id}", "time-off-form"),
    ("edit time off", lambda w: f"/agent/time-off/{w.time_off.id}/edit", "time-off-form"),
    ("office hours", lambda w: "/admin/office-hours", "office-hours-list"),
    (
        "edit office hours",
        lambda w: f"/admin/office-hours/{w.office_hours.id}/edit",
        "office-hours-form",
    ),
    ("time slots", lambda w: f"/admin/services/{w.service.id}/time-slots", "service-windows-list"),
    (
        "edit time slot",
        lambda w: f"/admin/services/{w.service.id}/time-slots/{w.time_slot.id}/edit",
        "service-window-form",
    ),
    ("outbox", lambda w: "/admin/outbox?status=PENDING", "outbox-table"),
]


def is_whole_page(html: str) -> bool:
    return (
        html.lstrip().startswith("<!doctype html>")
        and "<html" in html
        and 'class="site-header"' in html
    )


def is_fragment(html: str, root_id: str) -> bool:
    return re.match(rf'<\w+ id="{root_id}"[ >]', html.lstrip()) is not None and "<html" not in html


def varies(response) -> bool:
    """Vary names every header the choice read."""
    named = {part.strip() for part in response.headers.get("Vary", "").split(",")}
    return {"HX-Request", "HX-History-Restore-Request", "HX-Boosted"} <= named


@pytest.mark.parametrize(
    "url, root_id", [(url, root) for _, url, root in PAGES], ids=[n for n, _, _ in PAGES]
)
def test_back_restores_the_whole_page_and_htmx_gets_the_partial(client, world, url, root_id):
    address = url(world)

    page = client.get(address)
    assert page.status_code == 200 and varies(page)
    html = page.get_data(as_text=True)
    assert is_whole_page(html) and f'id="{root_id}"' in html  # the partial is part of the page

    restored = client.get(address, headers=RESTORE)
    assert restored.status_code == 200 and varies(restored)
    assert is_whole_page(restored.get_data(as_text=True))

    boosted = client.get(address, headers=BOOSTED)
    assert boosted.status_code == 200 and varies(boosted)
    assert is_whole_page(boosted.get_data(as_text=True))

    partial = client.get(address, headers=HX)
    assert partial.status_code == 200 and varies(partial)
    assert is_fragment(partial.get_data(as_text=True), root_id)


def test_template_preview_is_a_partial_only_for_htmx(client, world):
    url = f"/admin/services/{world.service.id}/templates/preview"
    form = {
        "channel": "EMAIL",
        "type": "CREATE",
        "locale": "en",
        "subject": "For {{firstName}}",
        "text_body": "Hello",
        "html_body": "",
        "active": "y",
    }
    partial = client.post(url, data=form, headers=HX)
    assert partial.status_code == 200 and varies(partial)
    assert is_fragment(partial.get_data(as_text=True), "template-preview")
    for headers in ({}, BOOSTED):
        whole = client.post(url, data=form, headers=headers)
        assert whole.status_code == 200 and varies(whole)
        assert is_whole_page(whole.get_data(as_text=True))


def test_a_saved_form_sends_htmx_to_the_list_as_a_whole_page(client, world):
    url = f"/admin/office-hours/{world.office_hours.id}/edit"
    data = {
        "name": "Long lunch",
        "type": "lunchtime",
        "dow": "mon",
        "time_from": "12:00",
        "time_to": "14:00",
    }
    data["version"] = re.search(
        r'name="version"[^>]*value="([^"]*)"', client.get(url).get_data(as_text=True)
    )[1]
    saved = client.post(url, data=data, headers=HX)
    assert saved.status_code == 204 and saved.headers["HX-Redirect"] == "/admin/office-hours"
