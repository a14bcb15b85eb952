"""/api/webhooks: ADMIN only, validation answers 400, the secret is shown once."""

from __future__ import annotations

import pytest

from portal.models import Role
from tests.conftest import make_user
from tests.webhooks.conftest import bearer

HOOK = {
    "url": "https://hooks.example.com/portal",
    "events": ["appointment.created", "appointment.cancelled"],
    "description": "CRM sync",
}


def test_create_answers_201_with_the_secret_once(client, admin_auth):
    response = client.post("/api/webhooks", json=HOOK, headers=admin_auth)

    assert response.status_code == 201
    body = response.get_json()
    assert body["secret"].startswith("whsec_")
    assert body["url"] == HOOK["url"]
    assert body["events"] == HOOK["events"]
    assert body["description"] == "CRM sync"
    assert body["active"] is True
    assert response.headers["Location"].endswith(f"/api/webhooks/{body['id']}")

    fetched = client.get(f"/api/webhooks/{body['id']}", headers=admin_auth).get_json()
    listed = client.get("/api/webhooks", headers=admin_auth).get_json()
    assert "secret" not in fetched
    assert listed["total"] == 1
    assert "secret" not in listed["content"][0]
    assert body["secret"] not in str(listed) + str(fetched)


def test_patch_and_delete(client, admin_auth):
    created = client.post("/api/webhooks", json=HOOK, headers=admin_auth).get_json()
    path = f"/api/webhooks/{created['id']}"

    changed = client.patch(
        path,
        json={"events": ["waitlist.offered"], "active": False, "description": None},
        headers=admin_auth,
    )

    assert changed.status_code == 200
    assert changed.get_json()["events"] == ["waitlist.offered"]
    assert changed.get_json()["active"] is False
    assert changed.get_json()["description"] == ""
    assert changed.get_json()["url"] == HOOK["url"]
    assert client.delete(path, headers=admin_auth).status_code == 204
    assert client.get(path, headers=admin_auth).status_code == 404
    assert client.delete(path, headers=admin_auth).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"events": ["appointment.created"]}, "url"),
        ({"url": "https://x.example/h"}, "events"),
        ({**HOOK, "url": "ftp://files.example/h"}, "url"),
        ({**HOOK, "url": "javascript:alert(1)"}, "url"),
        ({**HOOK, "url": "https://user:pw@x.example/h"}, "url"),
        ({**HOOK, "url": "https:///nohost"}, "url"),
        ({**HOOK, "url": "https://x.example:99999/h"}, "url"),
        ({**HOOK, "url": "https://x.example/" + "a" * 2000}, "url"),
        ({**HOOK, "url": "https://x.example/a b"}, "url"),
        ({**HOOK, "url": 42}, "url"),
        ({**HOOK, "events": []}, "events"),
        ({**HOOK, "events": ["appointment.exploded"]}, "events"),
        ({**HOOK, "events": "appointment.created"}, "events"),
        ({**HOOK, "events": [1]}, "events"),
        ({**HOOK, "description": "x" * 501}, "description"),
        ({**HOOK, "active": "yes"}, "active"),
        ({**HOOK, "secret": "whsec_mine"}, "secret"),
    ],
)
def test_bad_input_answers_400(client, admin_auth, body, field):
    response = client.post("/api/webhooks", json=body, headers=admin_auth)

    assert response.status_code == 400
    error = response.get_json()
    assert error["error"] in ("invalid_param", "missing_param", "invalid_param_type")
    assert field in error["error_description"] or error["error"] == "invalid_param"


def test_patch_validates_too(client, admin_auth):
    created = client.post("/api/webhooks", json=HOOK, headers=admin_auth).get_json()
    response = client.patch(
        f"/api/webhooks/{created['id']}", json={"url": "gopher://x"}, headers=admin_auth
    )
    assert response.status_code == 400


def test_unknown_ids_answer_404(client, admin_auth):
    assert client.get("/api/webhooks/not-a-uuid", headers=admin_auth).status_code == 404
    assert (
        client.patch(
            "/api/webhooks/00000000-0000-0000-0000-000000000000", json={}, headers=admin_auth
        ).status_code
        == 404
    )


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.CLIENT_SERVICE])
def test_only_admins(client, app, role):
    headers = bearer(make_user(f"{role.value.lower()}@example.com", role=role, password=""))
    assert client.get("/api/webhooks", headers=headers).status_code == 403
    assert client.post("/api/webhooks", json=HOOK, headers=headers).status_code == 403
    assert client.get("/api/webhooks").status_code == 401


@pytest.mark.parametrize(
    "config_overrides", [{"WEBHOOK_BLOCK_PRIVATE_ADDRESSES": True}], indirect=False
)
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/h",
        "http://localhost/h",
        "http://10.1.2.3/h",
        "http://192.168.0.10/h",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/h",
        "http://[::ffff:127.0.0.1]/h",
        "http://0.0.0.0/h",
    ],
)
def test_private_targets_are_refused_when_blocking(client, admin_auth, url):
    response = client.post("/api/webhooks", json={**HOOK, "url": url}, headers=admin_auth)
    assert response.status_code == 400
    assert "private" in response.get_json()["error_description"]


def test_private_targets_are_allowed_by_default(client, admin_auth):
    response = client.post(
        "/api/webhooks", json={**HOOK, "url": "http://127.0.0.1:8080/h"}, headers=admin_auth
    )
    assert response.status_code == 201
