"""/admin/services/<id>/time-slots: list, add, edit, delete; validation; admins only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Role, ServiceTimeSlot
from portal.schedules import service_windows as domain
from tests import factories
from tests.conftest import make_user, sign_in
from tests.web.admin_fixtures import admin, admin_client, errors_in  # noqa: F401

SLOT = {"day_of_week": "2", "from_time": "09:00", "to_time": "12:00", "available": "y"}


@pytest.fixture
def service(app):
    alice = factories.agent("alice@example.com", "Alice")
    factories.weekly_hours(alice, [(8 * 60, 18 * 60)])
    return factories.service(
        [alice], duration_minutes=60, horizon_days=90, timezone="Europe/Berlin"
    )


def slots() -> list[ServiceTimeSlot]:
    return list(db.session.scalars(select(ServiceTimeSlot)))


def url(service, rest: str = "") -> str:
    return f"/admin/services/{service.id}/time-slots{rest}"


def test_add_list_and_filter(admin_client, service):
    assert admin_client.post(url(service), data=SLOT).status_code == 303
    assert (
        admin_client.post(
            url(service), data=SLOT | {"day_of_week": "5", "available": ""}
        ).status_code
        == 303
    )
    saved = sorted(slots(), key=lambda s: s.day_of_week)
    assert [(s.day_of_week, s.from_minute, s.to_minute, s.available) for s in saved] == [
        (2, 540, 720, True),
        (5, 540, 720, False),
    ]
    page = admin_client.get(url(service)).get_data(as_text=True)
    assert "Europe/Berlin" in page and "Tuesday" in page and "Offered" in page and "Blocked" in page
    friday = admin_client.get(url(service, "?day=5")).get_data(as_text=True)
    assert "Friday" in friday and "Tuesday</td>" not in friday


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"from_time": "12:00", "to_time": "09:00"}, "later than the start"),
        ({"from_time": "13pm"}, "HH:MM"),
        ({"day_of_week": "8"}, "Not a valid choice"),
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(admin_client, service, changes, message):
    response = admin_client.post(url(service), data=SLOT | changes)
    assert response.status_code == 422
    assert any(message in e for e in errors_in(response.get_data(as_text=True)))
    assert slots() == []


def test_edit_stale_and_delete(admin_client, service):
    slot = domain.create_service_window(db.session, service, domain.ServiceWindowData(2, 540, 720))
    page = admin_client.get(url(service, f"/{slot.id}/edit")).get_data(as_text=True)
    assert 'value="9:00 AM"' in page  # the admin's hour cycle (English: 12-hour)
    original = "2,540,720,1"
    assert (
        admin_client.post(
            url(service, f"/{slot.id}/edit"), data=SLOT | {"to_time": "13:00", "original": original}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert slot.to_minute == 780
    stale = admin_client.post(
        url(service, f"/{slot.id}/edit"), data=SLOT | {"to_time": "14:00", "original": original}
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert slot.to_minute == 780
    assert (
        admin_client.post(
            url(service, f"/{slot.id}/delete"), data={"original": original}
        ).status_code
        == 303
    )
    assert len(slots()) == 1
    assert (
        admin_client.post(
            url(service, f"/{slot.id}/delete"), data={"original": "2,540,780,1"}
        ).status_code
        == 303
    )
    assert slots() == []


def test_unknown_service_or_slot_is_404(admin_client, service):
    other = factories.service([], slug="other")
    slot = domain.create_service_window(db.session, service, domain.ServiceWindowData(2, 540, 720))
    assert (
        admin_client.get(
            "/admin/services/00000000-0000-0000-0000-000000000000/time-slots"
        ).status_code
        == 404
    )
    assert admin_client.get(url(other, f"/{slot.id}/edit")).status_code == 404


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_non_admins_get_403(client, service, role):
    make_user("staff@example.com", role)
    sign_in(client, "staff@example.com")
    assert client.get(url(service)).status_code == 403
    assert client.post(url(service), data=SLOT).status_code == 403
    assert slots() == []


@pytest.mark.date_sensitive
def test_windows_shape_the_offered_slots(admin_client, service):
    day = date.today() + timedelta(days=14)
    admin_client.post(
        url(service),
        data=SLOT
        | {"day_of_week": str(day.isoweekday()), "from_time": "10:00", "to_time": "12:00"},
    )
    query = {"from": day.isoformat(), "to": day.isoformat(), "timezone": "Europe/Berlin"}
    starts = admin_client.get(f"/api/services/{service.id}/slots", query_string=query).json
    assert len(starts) == 2  # 10:00 and 11:00 Berlin time, whatever the agent's longer day
