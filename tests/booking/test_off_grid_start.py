"""A start off the slot grid is "not one of the offered times", not "just taken" (issue 18):
on the booking page, in the customer and staff API."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from portal.booking.availability import OFF_GRID
from portal.domain.errors import SlotUnavailable
from tests import factories
from tests.booking.web_support import hold, shop, text  # noqa: F401

pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock


def at(shop, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(shop.day, time(hour, minute), tzinfo=UTC)


def test_the_page_says_an_off_grid_time_is_not_offered(client, shop):
    refused = hold(client, shop, at(shop, 10, 7))
    assert refused.status_code == 409
    assert "That is not one of the offered times" in text(refused)
    assert "just taken" not in text(refused)
    # Outside the working hours is off the grid too.
    assert "not one of the offered times" in text(hold(client, shop, at(shop, 3)))


def test_a_taken_time_on_the_grid_is_still_just_taken(client, shop):
    for person in (shop.alice, shop.bob):
        factories.appointment(shop.service, person, at(shop, 10))
    refused = hold(client, shop, at(shop, 10))
    assert refused.status_code == 409
    assert "That time was just taken" in text(refused)


def test_the_staff_api_says_so_too(client, shop):
    from tests.api.test_appointments_api import bearer
    from tests.conftest import make_user
    from portal.models import Role

    sam = make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super")
    body = {
        "serviceId": str(shop.service.id),
        "customer": {"name": {"firstName": "Dana"}},
    }
    response = client.post(
        "/api/appointments/",
        json=body | {"start": at(shop, 10, 7).strftime("%Y-%m-%dT%H:%M:%SZ")},
        headers=bearer(sam),
    )
    assert response.status_code == 409
    assert response.json == {"error": "slot_unavailable", "error_description": OFF_GRID}
    for person in (shop.alice, shop.bob):
        factories.appointment(shop.service, person, at(shop, 11))
    taken = client.post(
        "/api/appointments/",
        json=body | {"start": at(shop, 11).strftime("%Y-%m-%dT%H:%M:%SZ")},
        headers=bearer(sam),
    )
    assert taken.status_code == 409
    assert taken.json["error_description"] == SlotUnavailable.default_message
