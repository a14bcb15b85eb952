"""/admin/webhooks: subscribe (secret shown once), edit, the delivery log, delete; CSRF forms."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from portal.booking import operations
from portal.booking.operations import Customer
from portal.delivery import send_due
from portal.extensions import db
from portal.models import Role, WebhookSubscription
from tests import factories
from tests.clock import TEST_NOW
from tests.conftest import make_user, sign_in

NEW = {
    "url": "http://127.0.0.1:9/hooks",
    "events": ["appointment.created", "appointment.cancelled"],
    "description": "CRM sync",
    "active": "y",
}


@pytest.fixture
def admin_client(app, client):
    make_user("admin@example.com", role=Role.ADMIN)
    sign_in(client, "admin@example.com")
    return client


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(WebhookSubscription))


def test_create_shows_the_secret_once(admin_client):
    created = admin_client.post("/admin/webhooks", data=NEW)

    assert created.status_code == 201
    page = created.get_data(as_text=True)
    secret = re.search(r'id="webhook-secret"[^>]*value="(whsec_[^"]+)"', page).group(1)
    assert created.headers["Cache-Control"] == "no-store"
    assert count() == 1
    listing = admin_client.get("/admin/webhooks").get_data(as_text=True)
    assert "http://127.0.0.1:9/hooks" in listing and "CRM sync" in listing
    assert secret not in listing
    subscription = db.session.scalars(select(WebhookSubscription)).one()
    assert secret not in admin_client.get(f"/admin/webhooks/{subscription.id}").get_data(
        as_text=True
    )


def test_bad_input_is_a_form_error(admin_client):
    response = admin_client.post("/admin/webhooks", data=NEW | {"url": "ftp://x", "events": []})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "must start with https://" in page and "Choose at least one event" in page
    assert count() == 0


def test_edit_and_the_delivery_log(app, admin_client):
    admin_client.post("/admin/webhooks", data=NEW)
    subscription = db.session.scalars(select(WebhookSubscription)).one()
    agent = factories.agent()
    factories.weekly_hours(agent, [(0, 24 * 60)])
    service = factories.service([agent])
    start = TEST_NOW.replace(hour=0, minute=0, second=0) + timedelta(days=1, hours=10)
    operations.book(db.session, service, start, Customer("Cora", "C", "cora@example.org"))
    db.session.commit()
    send_due()  # port 9 refuses: a failed attempt in the log

    page = admin_client.get(f"/admin/webhooks/{subscription.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "appointment.created" in text and "msg_" in text and "ConnectionError" in text
    outbox = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert "· webhook" in outbox and "http://127.0.0.1:9/hooks" in outbox

    saved = admin_client.post(
        f"/admin/webhooks/{subscription.id}",
        data={"url": "https://hooks.example.com/x", "events": ["appointment.ended"]},
    )
    assert saved.status_code == 302
    db.session.refresh(subscription)
    assert subscription.url == "https://hooks.example.com/x"
    assert subscription.events == ["appointment.ended"]
    assert subscription.active is False  # the box was not ticked

    deleted = admin_client.post(f"/admin/webhooks/{subscription.id}/delete")
    assert deleted.status_code == 302 and count() == 0


def test_only_admins(app, client):
    make_user("agent@example.com", role=Role.AGENT)
    sign_in(client, "agent@example.com")
    assert client.get("/admin/webhooks").status_code == 403
    assert client.post("/admin/webhooks", data=NEW).status_code == 403


class TestWithCsrf:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_forms_need_their_token(self, app, client):
        make_user("admin@example.com", role=Role.ADMIN)
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/login",
            data={"email": "admin@example.com", "password": "correct horse", "csrf_token": token},
        )
        assert client.post("/admin/webhooks", data=NEW).status_code == 400
        g.pop("csrf_token", None)
        page = client.get("/admin/webhooks").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post("/admin/webhooks", data=NEW | {"csrf_token": token}).status_code == 201
