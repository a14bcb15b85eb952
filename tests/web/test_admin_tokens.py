"""/admin/tokens: create shows the secret once, list, revoke."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ApiToken, Role
from portal.tokens import hash_token
from tests.conftest import make_user
from tests.web.admin_fixtures import admin, admin_client, errors_in  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_create_shows_the_secret_once_and_it_works(admin_client):
    crm = make_user("crm@example.com", name="CRM", role=Role.CLIENT_SERVICE, password="")
    page = admin_client.get("/admin/tokens").get_data(as_text=True)
    assert "CRM · crm@example.com" in page
    response = admin_client.post("/admin/tokens", data={"name": "CRM sync", "user": str(crm.id)})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secret = re.search(r'id="token-secret"[^>]*value="(pt_[^"]+)"', page).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == hash_token(secret) and token.user_id == crm.id
    # It authenticates (403: an integration may not list users, but it is known), and the
    # list never shows it again.
    response = admin_client.get("/api/users", headers={"Authorization": f"Bearer {secret}"})
    assert (response.status_code, response.json["error"]) == (403, "forbidden")
    assert secret not in admin_client.get("/admin/tokens").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "user": "USER"}, "Say what the token is for"),
        ({"name": "x", "user": ""}, "Choose an active staff or integration user."),
        ({"name": "x", "user": "not-a-uuid"}, "Choose an active staff or integration user."),
        ({"name": "x", "user": "GONE"}, "Choose an active staff or integration user."),
    ],
)
def test_create_errors(admin_client, data, message):
    user = make_user("agent@example.com")
    gone = make_user("gone@example.com", active=False)
    data = {
        key: value.replace("USER", str(user.id)).replace("GONE", str(gone.id))
        for key, value in data.items()
    }
    response = admin_client.post("/admin/tokens", data=data)
    assert response.status_code == 422
    assert any(message in e for e in errors_in(response.get_data(as_text=True))), errors_in(
        response.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoke(admin_client, admin):
    from portal.admin.tokens import create_token

    token, secret = create_token(db.session, admin, "laptop")
    response = admin_client.post(f"/admin/tokens/{token.id}/revoke")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    page = admin_client.get("/admin/tokens").get_data(as_text=True)
    assert "was revoked" in page and "Revoked" in page
    response = admin_client.get("/api/users", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert (
        admin_client.post("/admin/tokens/00000000-0000-0000-0000-000000000000/revoke").status_code
        == 404
    )
