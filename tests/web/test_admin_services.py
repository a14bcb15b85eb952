"""/admin/services: list, create, edit all fields and agents, delete or deactivate."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import NotificationTemplate, Role, Service
from tests import factories
from tests.conftest import make_user
from tests.web.admin_fixtures import admin, admin_client, errors_in  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NEW = {
    "name": "Tax advice",
    "slug": "",
    "description": "With an adviser.",
    "duration": "45",
    "slot_interval": "15",
    "buffer_before": "5",
    "buffer_after": "10",
    "minimum_notice": "120",
    "horizon_days": "30",
    "capacity": "2",
    "timezone": "Europe/Berlin",
    "locale": "de",
    "color": "#0f766e",
    "active": "y",
}


def services_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Service))


def stored(service_id) -> Service:
    db.session.expire_all()
    return db.session.get(Service, service_id)


def edit_data(service: Service, **changes) -> dict:
    data = {
        "name": service.name,
        "slug": service.slug,
        "description": service.description,
        "duration": str(service.duration_minutes),
        "slot_interval": str(service.slot_interval_minutes or ""),
        "buffer_before": str(service.buffer_before_minutes),
        "buffer_after": str(service.buffer_after_minutes),
        "minimum_notice": str(service.minimum_notice_minutes),
        "horizon_days": str(service.horizon_days),
        "capacity": str(service.capacity),
        "timezone": service.timezone,
        "locale": service.locale,
        "color": service.color,
        "agent_ids": [str(a.id) for a in service.agents],
        "version": service.updated_at.isoformat(),
    }
    if service.active:
        data["active"] = "y"
    return data | changes


def test_list(admin_client):
    factories.service([], slug="consult", name="Consult")
    factories.service([], slug="old", name="Old one", active=False)
    page = admin_client.get("/admin/services").get_data(as_text=True)
    assert "Consult" in page and "Old one" in page and "/book/consult" in page


def test_create_with_all_fields_and_agents(admin_client):
    alice = factories.agent("alice@example.com", "Alice")
    sam = make_user("sam@example.com", role=Role.SUPERVISOR, name="Sam")
    page = admin_client.get("/admin/services/new").get_data(as_text=True)
    assert "Alice" in page and "Sam" in page
    response = admin_client.post(
        "/admin/services/new", data=NEW | {"agent_ids": [str(alice.id), str(sam.id)]}
    )
    assert response.status_code == 302
    service = db.session.scalar(select(Service))
    assert response.headers["Location"] == f"/admin/services/{service.id}"
    assert service.slug == "tax-advice" and service.duration_minutes == 45
    assert (
        service.slot_interval_minutes,
        service.buffer_before_minutes,
        service.buffer_after_minutes,
    ) == (15, 5, 10)
    assert (service.minimum_notice_minutes, service.horizon_days, service.capacity) == (120, 30, 2)
    assert (service.timezone, service.locale, service.color, service.active) == (
        "Europe/Berlin",
        "de",
        "#0f766e",
        True,
    )
    assert {a.name for a in service.agents} == {"Alice", "Sam"}
    assert service.templates  # defaults
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "was created with default notification templates" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter a name"),
        ({"duration": ""}, "Enter the duration in minutes."),
        ({"duration": "abc"}, "Not a valid integer value"),
        ({"duration": "0"}, "The duration must be more than zero"),
        ({"duration": "99999999999999"}, "The duration must be more than zero"),
        ({"slug": "Bad Slug"}, "lower-case letters"),
        ({"capacity": "0"}, "The capacity must be"),
        ({"horizon_days": "0"}, "The booking horizon must be"),
        ({"buffer_after": "-5"}, "The buffer after must be"),
        ({"timezone": "Moon/Base"}, "IANA time zone"),
        ({"locale": "zz"}, "Choose a locale"),
        ({"color": "blue"}, "#rrggbb"),
        (
            {"agent_ids": ["00000000-0000-0000-0000-000000000001"]},
            "Only active agents and supervisors",
        ),
    ],
)
def test_create_errors_are_shown_and_nothing_is_written(admin_client, changes, message):
    response = admin_client.post("/admin/services/new", data=NEW | changes)
    assert response.status_code == 422
    errors = errors_in(response.get_data(as_text=True))
    assert any(message in error for error in errors), errors
    assert services_count() == 0
    assert db.session.scalar(select(func.count()).select_from(NotificationTemplate)) == 0


def test_duplicate_slug_is_shown(admin_client):
    factories.service([], slug="tax-advice")
    response = admin_client.post("/admin/services/new", data=NEW | {"slug": "tax-advice"})
    assert response.status_code == 422
    assert any("already uses that slug" in e for e in errors_in(response.get_data(as_text=True)))
    assert services_count() == 1


def test_edit_every_field(admin_client):
    alice = factories.agent("alice@example.com", "Alice")
    bob = factories.agent("bob@example.com", "Bob")
    service = factories.service([alice], slug="consult")
    page = admin_client.get(f"/admin/services/{service.id}").get_data(as_text=True)
    assert 'value="consult"' in page and "Notification templates" in page
    response = admin_client.post(
        f"/admin/services/{service.id}",
        data=edit_data(
            service,
            name="Consultation",
            slug="consultation",
            duration="60",
            slot_interval="",
            capacity="4",
            timezone="Asia/Tokyo",
            agent_ids=[str(bob.id)],
            active="",
        ),
    )
    assert response.status_code == 302
    after = stored(service.id)
    assert (after.name, after.slug, after.duration_minutes, after.slot_interval_minutes) == (
        "Consultation",
        "consultation",
        60,
        None,
    )
    assert (after.capacity, after.timezone, after.active) == (4, "Asia/Tokyo", False)
    assert [a.name for a in after.agents] == ["Bob"]


def test_edit_errors_change_nothing(admin_client):
    alice = factories.agent("alice@example.com", "Alice")
    service = factories.service([alice], slug="consult")
    gone = make_user("gone@example.com", name="Gone", active=False)
    response = admin_client.post(
        f"/admin/services/{service.id}",
        data=edit_data(service, name="Renamed", agent_ids=[str(alice.id), str(gone.id)]),
    )
    assert response.status_code == 422
    assert any("Only active agents" in e for e in errors_in(response.get_data(as_text=True)))
    after = stored(service.id)
    assert after.name == "Consult" and [a.name for a in after.agents] == ["Alice"]


def test_stale_form_is_refused(admin_client, fixed_clock):
    service = factories.service([], slug="consult")
    data = edit_data(service, name="Mine")
    # Someone else saves first (a second later: versions are update times).
    fixed_clock.shift(timedelta(seconds=1))
    service.capacity = 5
    db.session.commit()
    response = admin_client.post(f"/admin/services/{service.id}", data=data)
    assert response.status_code == 422
    assert "Someone else changed this service" in response.get_data(as_text=True)
    assert stored(service.id).name == "Consult" and stored(service.id).capacity == 5


def test_delete_unbooked(admin_client):
    service = factories.service([], slug="consult")
    page = admin_client.get(f"/admin/services/{service.id}").get_data(as_text=True)
    assert "Delete “Consult”" in page
    response = admin_client.post(f"/admin/services/{service.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/services"
    assert services_count() == 0


def test_delete_booked_deactivates(admin_client):
    alice = factories.agent()
    service = factories.service([alice], slug="consult")
    factories.appointment(service, alice, datetime(2030, 1, 7, 9, tzinfo=UTC))
    page = admin_client.get(f"/admin/services/{service.id}").get_data(as_text=True)
    assert "Deactivate “Consult”" in page
    response = admin_client.post(f"/admin/services/{service.id}/delete")
    assert response.status_code == 302
    assert stored(service.id).active is False
    assert "was deactivated instead of deleted" in admin_client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_unknown_service_404(admin_client):
    assert (
        admin_client.get("/admin/services/00000000-0000-0000-0000-000000000000").status_code == 404
    )
    assert (
        admin_client.post("/admin/services/00000000-0000-0000-0000-000000000000/delete").status_code
        == 404
    )


def test_service_page_links_time_slots_when_that_page_exists(app, admin_client):
    service = factories.service([], slug="consult")
    has_page = any(
        rule.rule.endswith("/time-slots") and rule.rule.startswith("/admin/services/")
        for rule in app.url_map.iter_rules()
    )
    page = admin_client.get(f"/admin/services/{service.id}").get_data(as_text=True)
    assert (f"/admin/services/{service.id}/time-slots" in page) == has_page
