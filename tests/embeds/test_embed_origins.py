"""Embed origins of a service: set through the API and the admin page, validated once."""

from __future__ import annotations

import pytest

from portal.domain.errors import Invalid
from portal.domain.values import web_origin
from portal.extensions import db
from portal.models import Role
from tests import factories
from tests.conftest import make_user, sign_in
from tests.webhooks.conftest import bearer


@pytest.mark.parametrize(
    "value, origin",
    [
        ("https://shop.example", "https://shop.example"),
        ("HTTPS://Shop.Example:443/", "https://shop.example"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("http://localhost:80", "http://localhost"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_origins_are_normalised(value, origin):
    assert web_origin(value) == origin


@pytest.mark.parametrize(
    "value",
    [
        "shop.example",
        "https://shop.example/page",
        "https://shop.example?x=1",
        "ftp://shop.example",
        "https://user@shop.example",
        "https://shop.example:0",
        "https://shop.example:70000",
        "https://*.example",
        "https://shop.example 'unsafe-inline'",
        "https://shop.example;script-src",
        "https://[::1]",
        "",
        "https://" + "a" * 300 + ".example",
        42,
    ],
)
def test_bad_origins_are_refused(value):
    with pytest.raises(Invalid):
        web_origin(value)


@pytest.fixture
def service(app):
    return factories.service([factories.agent()])


def test_the_api_sets_and_shows_embed_origins(client, service):
    auth = bearer(make_user("admin@example.com", role=Role.ADMIN))
    response = client.patch(
        f"/api/services/{service.id}",
        json={"embedOrigins": ["https://Shop.example/", "https://shop.example"]},
        headers=auth,
    )
    assert response.status_code == 200
    assert response.get_json()["embedOrigins"] == ["https://shop.example"]
    assert (
        client.get("/embed/consult")
        .headers["Content-Security-Policy"]
        .count("frame-ancestors https://shop.example;")
    )

    refused = client.patch(
        f"/api/services/{service.id}", json={"embedOrigins": ["https://x/page"]}, headers=auth
    )
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "invalid_param"
    wrong_type = client.patch(
        f"/api/services/{service.id}", json={"embedOrigins": "https://x"}, headers=auth
    )
    assert wrong_type.status_code == 400


def test_the_admin_page_sets_origins_and_shows_the_snippet(app, client, service):
    make_user("admin@example.com", role=Role.ADMIN)
    sign_in(client, "admin@example.com")
    page = client.get(f"/admin/services/{service.id}")
    assert "List the sites that may embed" in page.get_data(as_text=True)

    form = {
        "name": service.name,
        "slug": service.slug,
        "duration": "30",
        "horizon_days": "60",
        "capacity": "1",
        "timezone": "UTC",
        "locale": "en",
        "color": "#4f46e5",
        "active": "y",
        "agent_ids": [str(a.id) for a in service.agents],
        "embed_origins": "https://shop.example\n\nhttp://127.0.0.1:8001\n",
        "version": service.updated_at.isoformat(),
    }
    saved = client.post(f"/admin/services/{service.id}", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    db.session.refresh(service)
    assert service.embed_origins == ["https://shop.example", "http://127.0.0.1:8001"]

    page = client.get(f"/admin/services/{service.id}").get_data(as_text=True)
    assert 'id="embed-snippet-code"' in page
    assert "http://127.0.0.1:5000/embed/consult" in page  # PUBLIC_URL
    assert "event.origin !== &#34;http://127.0.0.1:5000&#34;" in page
    assert "portal:resize" in page

    form |= {
        "embed_origins": "https://shop.example/path",
        "version": service.updated_at.isoformat(),
    }
    refused = client.post(f"/admin/services/{service.id}", data=form)
    assert refused.status_code == 422
    assert "Enter an origin like https://shop.example" in refused.get_data(as_text=True)
