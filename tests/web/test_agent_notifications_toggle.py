"""The agent's appointment page switches the customers' notices off and on (issue 18)."""

from __future__ import annotations

import pytest

from tests.web.staff_support import parse
from tests.web.test_agent_appointment import (  # noqa: F401 - ``desk`` is a fixture
    at,
    desk,
    fresh,
    outbox,
    url,
)

pytestmark = pytest.mark.date_sensitive


def test_switching_notices_off_on_the_page_queues_nothing(client, desk):
    page = parse(client.get(url(desk.mine)).data)
    toggle = page.find(id="notifications")
    assert "On" in toggle.text and "Switch off" in toggle.text
    response = client.post(url(desk.mine, "notifications"), data={"active": "off"})
    assert response.status_code == 303
    assert fresh(desk.mine).notifications_active is False
    page = parse(client.get(url(desk.mine)).data)
    assert "nothing is sent" in page.find(id="notifications").text
    assert "Switch on" in page.find(id="notifications").text
    cancelled = client.post(
        url(desk.mine, "cancel"), data={"cancel-reason": "ill", "cancel-email": "y"}
    )
    assert cancelled.status_code == 303
    assert outbox(desk.mine, "CANCEL") == []


def test_switching_notices_on_again(client, desk):
    client.post(url(desk.mine, "notifications"), data={"active": "off"})
    client.post(url(desk.mine, "notifications"), data={"active": "on"})
    assert fresh(desk.mine).notifications_active is True
    client.post(url(desk.mine, "cancel"), data={"cancel-reason": "ill", "cancel-email": "y"})
    assert [m.recipient for m in outbox(desk.mine, "CANCEL")] == ["cora@example.org"]


def test_a_bad_value_or_someone_elses_appointment_writes_nothing(client, desk):
    assert client.post(url(desk.mine, "notifications"), data={"active": "maybe"}).status_code == 400
    assert fresh(desk.mine).notifications_active is True
    assert client.post(url(desk.theirs, "notifications"), data={"active": "off"}).status_code == 404
    assert fresh(desk.theirs).notifications_active is True
