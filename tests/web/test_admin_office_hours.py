"""/admin/office-hours: list with a day filter, add, edit, delete; validation; admins only."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import DayOfWeek, OfficeHours, OfficeHoursType, Role
from portal.schedules import office_hours as domain
from tests import factories
from tests.conftest import make_user, sign_in
from tests.web.admin_fixtures import admin, admin_client, errors_in  # noqa: F401

LUNCH = {
    "name": "Lunch",
    "type": "lunchtime",
    "dow": "mon",
    "time_from": "12:00",
    "time_to": "13:00",
}


def rows() -> list[OfficeHours]:
    return list(db.session.scalars(select(OfficeHours)))


def test_add_and_list(admin_client):
    response = admin_client.post("/admin/office-hours", data=LUNCH)
    assert response.status_code == 303
    [saved] = rows()
    assert (saved.name, saved.type, saved.dow, saved.time_from, saved.time_to) == (
        "Lunch",
        OfficeHoursType.LUNCHTIME,
        DayOfWeek.MON,
        43200,
        46800,
    )
    page = admin_client.get("/admin/office-hours").get_data(as_text=True)
    assert "Office hours “Lunch” added." in page
    assert "12:00–13:00" in page and "Monday" in page and "Lunchtime" in page
    assert "UTC" in page  # the account time zone


def test_filter_by_day(admin_client):
    domain.create_office_hours(
        db.session,
        domain.OfficeHoursData("Lunch", OfficeHoursType.LUNCHTIME, DayOfWeek.MON, 43200, 46800),
    )
    domain.create_office_hours(
        db.session,
        domain.OfficeHoursData("Sunday", OfficeHoursType.WEEKENDS, DayOfWeek.SUN, 0, 86400),
    )
    page = admin_client.get("/admin/office-hours?dow=sun").get_data(as_text=True)
    assert "00:00–24:00" in page and "12:00–13:00" not in page
    partial = admin_client.get("/admin/office-hours?dow=mon", headers={"HX-Request": "true"})
    html = partial.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="office-hours-list">') and "12:00–13:00" in html
    assert "HX-Request" in partial.headers["Vary"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "Enter a name"),
        ({"name": "x" * 25}, "at most 24"),
        ({"time_from": "13:00", "time_to": "12:00"}, "end must be later"),
        ({"time_to": "25:00"}, "HH:MM"),
        ({"type": "siesta"}, "Not a valid choice"),
        ({"dow": "xyz"}, "Not a valid choice"),
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(admin_client, changes, message):
    response = admin_client.post("/admin/office-hours", data=LUNCH | changes)
    assert response.status_code == 422
    assert any(message in error for error in errors_in(response.get_data(as_text=True)))
    assert rows() == []


def test_edit_with_seconds_and_stale_form(admin_client, fixed_clock):
    item = domain.create_office_hours(
        db.session,
        domain.OfficeHoursData("Lunch", OfficeHoursType.LUNCHTIME, DayOfWeek.MON, 43200, 46800),
    )
    page = admin_client.get(f"/admin/office-hours/{item.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)
    fixed_clock.shift(timedelta(seconds=1))  # versions are update times: the edit comes later
    response = admin_client.post(
        f"/admin/office-hours/{item.id}/edit",
        data=LUNCH | {"name": "Long lunch", "time_to": "13:30:15", "version": version},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (item.name, item.time_to) == ("Long lunch", 13 * 3600 + 30 * 60 + 15)
    assert "13:30:15" in admin_client.get("/admin/office-hours").get_data(as_text=True)
    stale = admin_client.post(
        f"/admin/office-hours/{item.id}/edit", data=LUNCH | {"name": "Old", "version": version}
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert item.name == "Long lunch"
    bad = admin_client.post(
        f"/admin/office-hours/{item.id}/edit",
        data=LUNCH | {"time_from": "14:00", "version": domain.version_of(item)},
    )
    assert bad.status_code == 422
    db.session.expire_all()
    assert item.time_from == 43200


def test_delete(admin_client):
    item = domain.create_office_hours(
        db.session,
        domain.OfficeHoursData("Lunch", OfficeHoursType.LUNCHTIME, DayOfWeek.MON, 43200, 46800),
    )
    db.session.commit()  # where a request would have ended: the refused delete rolls back
    assert (
        admin_client.post(
            f"/admin/office-hours/{item.id}/delete", data={"version": "old"}
        ).status_code
        == 303
    )
    assert len(rows()) == 1
    assert (
        admin_client.post(
            f"/admin/office-hours/{item.id}/delete", data={"version": domain.version_of(item)}
        ).status_code
        == 303
    )
    assert rows() == []
    assert admin_client.post(f"/admin/office-hours/{item.id}/delete").status_code == 404
    assert admin_client.get("/admin/office-hours/not-a-uuid/edit").status_code == 404


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_non_admins_get_403(client, app, role):
    make_user("staff@example.com", role)
    sign_in(client, "staff@example.com")
    assert client.get("/admin/office-hours").status_code == 403
    assert client.post("/admin/office-hours", data=LUNCH).status_code == 403
    assert rows() == []


@pytest.mark.date_sensitive
def test_office_hours_close_slots_for_everyone(admin_client):
    alice = factories.agent("alice@example.com", "Alice")
    factories.weekly_hours(alice, [(9 * 60, 17 * 60)])
    service = factories.service([alice], duration_minutes=60, horizon_days=90)
    day = date.today() + timedelta(days=14)
    admin_client.post(
        "/admin/office-hours",
        data=LUNCH
        | {
            "dow": DayOfWeek(["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.weekday()]).value
        },
    )
    query = {"from": day.isoformat(), "to": day.isoformat(), "timezone": "UTC"}
    starts = [
        s["start"][11:16]
        for s in admin_client.get(f"/api/services/{service.id}/slots", query_string=query).json
    ]
    assert "12:00" not in starts and "11:00" in starts and "13:00" in starts
