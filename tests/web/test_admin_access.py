"""Who reaches /admin: admins only (403 for other staff, sign-in for everyone else)."""

from __future__ import annotations

import pytest

from portal.models import Role
from tests.conftest import make_user, sign_in
from tests.web.admin_fixtures import admin, admin_client  # noqa: F401

ADMIN_GETS = [
    "/admin",
    "/admin/users",
    "/admin/users/new",
    "/admin/services",
    "/admin/services/new",
    "/admin/tokens",
    "/admin/outbox",
    "/admin/outbox?status=FAILED",
]
ADMIN_POSTS = [
    "/admin/users/new",
    "/admin/services/new",
    "/admin/tokens",
]


@pytest.mark.parametrize("path", ADMIN_GETS)
def test_admin_sees_every_page(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 200, path


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
@pytest.mark.parametrize("path", ADMIN_GETS)
def test_other_staff_get_403(client, role, path):
    make_user("staff@example.com", role=role)
    sign_in(client, "staff@example.com")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
@pytest.mark.parametrize("path", ADMIN_POSTS)
def test_other_staff_cannot_post(client, role, path):
    make_user("staff@example.com", role=role)
    sign_in(client, "staff@example.com")
    assert client.post(path, data={"name": "x", "email": "x@example.com"}).status_code == 403


@pytest.mark.parametrize("path", ADMIN_GETS)
def test_anonymous_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_customers_and_integrations_cannot_sign_in_to_reach_admin(client):
    make_user("customer@example.org", role=Role.CUSTOMER)
    make_user("crm@example.com", role=Role.CLIENT_SERVICE)
    for email in ("customer@example.org", "crm@example.com"):
        sign_in(client, email)
        response = client.get("/admin")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_link_in_navigation_only_for_admins(client, admin):
    make_user("agent@example.com", role=Role.AGENT)
    sign_in(client, "agent@example.com")
    assert 'href="/admin"' not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    sign_in(client, "admin@example.com")
    assert 'href="/admin"' in client.get("/").get_data(as_text=True)


def test_overview_links_every_section(admin_client):
    page = admin_client.get("/admin").get_data(as_text=True)
    for href in ("/admin/users", "/admin/services", "/admin/tokens", "/admin/outbox"):
        assert f'href="{href}"' in page


def test_overview_links_office_hours_when_that_page_exists(app, admin_client):
    has_page = any(rule.rule == "/admin/office-hours" for rule in app.url_map.iter_rules())
    page = admin_client.get("/admin").get_data(as_text=True)
    assert ('href="/admin/office-hours"' in page) == has_page
