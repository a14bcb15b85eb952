"""/admin/users: list, create, edit, reset password, deactivate; errors shown, nothing written."""

from __future__ import annotations

import re

import pytest
from flask import g
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Role, User
from tests.conftest import make_user, sign_in
from tests.web.admin_fixtures import admin, admin_client, errors_in  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NEW_USER = {
    "name": "Nina Neu",
    "email": "Nina@Example.com",
    "role": "AGENT",
    "timezone": "Europe/Berlin",
    "locale": "de",
    "password": "long enough",
}


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def get_user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def edit_form(user: User, **changes) -> dict:
    values = {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "timezone": user.timezone,
        "locale": user.locale,
        "version": user.updated_at.isoformat(),
    }
    return values | changes


def test_list_shows_staff_and_filters(admin_client):
    make_user("agent@example.com", name="Alice Agent")
    make_user("gone@example.com", name="Gina Gone", active=False)
    make_user("cust@example.org", name="Carl Customer", role=Role.CUSTOMER, password="")
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Alice Agent" in page and "Ada Admin" in page
    assert "Gina Gone" not in page and "Carl Customer" not in page
    page = admin_client.get("/admin/users?inactive=y").get_data(as_text=True)
    assert "Gina Gone" in page
    page = admin_client.get("/admin/users?role=ADMIN").get_data(as_text=True)
    assert "Ada Admin" in page and "Alice Agent" not in page


def test_create_user(admin_client):
    response = admin_client.post("/admin/users/new", data=NEW_USER)
    assert response.status_code == 302
    user = get_user("nina@example.com")
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert (user.name, user.role, user.timezone, user.locale) == (
        "Nina Neu",
        Role.AGENT,
        "Europe/Berlin",
        "de",
    )
    assert user.check_password("long enough")
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nina Neu (nina@example.com) was created." in page
    # The new user can sign in.
    admin_client.post("/logout")
    assert sign_in(admin_client, "nina@example.com", "long enough").status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "nope"}, "Enter an email address"),
        ({"name": ""}, "Enter a name"),
        ({"role": "CUSTOMER"}, "The role must be"),
        ({"timezone": "Europe/Nowhere"}, "IANA time zone"),
        ({"locale": "zz_ZZ"}, "Choose a locale"),
        ({"password": "short"}, "at least 8 characters"),
        ({"email": "ADMIN@example.com"}, "already has that email"),
    ],
)
def test_create_user_errors_are_shown_and_nothing_is_written(admin_client, changes, message):
    before = user_count()
    response = admin_client.post("/admin/users/new", data=NEW_USER | changes)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert any(message in error for error in errors_in(page)), errors_in(page)
    assert 'value="Nina Neu"' in page or changes.get("name") == ""  # the input is kept
    assert user_count() == before


def test_edit_user(admin_client):
    user = make_user("agent@example.com", name="Alice")
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="agent@example.com"' in page
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data=edit_form(user, role="SUPERVISOR", timezone="America/New_York", locale="fr"),
    )
    assert response.status_code == 302
    stored = get_user("agent@example.com")
    assert (stored.role, stored.timezone, stored.locale) == (
        Role.SUPERVISOR,
        "America/New_York",
        "fr",
    )


def test_edit_with_bad_zone_shows_error_and_changes_nothing(admin_client):
    user = make_user("agent@example.com", name="Alice")
    response = admin_client.post(
        f"/admin/users/{user.id}", data=edit_form(user, timezone="Moon/Base", name="Changed")
    )
    assert response.status_code == 422
    assert any("IANA time zone" in e for e in errors_in(response.get_data(as_text=True)))
    stored = get_user("agent@example.com")
    assert stored.timezone == "UTC" and stored.name == "Alice"


def test_stale_edit_form_is_refused(admin_client):
    user = make_user("agent@example.com", name="Alice")
    stale = edit_form(user, version="2000-01-01T00:00:00+00:00", name="Mine")
    response = admin_client.post(f"/admin/users/{user.id}", data=stale)
    assert response.status_code == 422
    assert "Someone else changed this user" in response.get_data(as_text=True)
    assert get_user("agent@example.com").name == "Alice"


def test_admin_cannot_change_own_role_or_deactivate_self(admin_client, admin):
    page = admin_client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert (
        "You cannot change your own role." in page
        and "You cannot deactivate your own account." in page
    )
    # A tampered form is refused by the rule itself.
    make_user("other@example.com", role=Role.ADMIN)
    response = admin_client.post(f"/admin/users/{admin.id}", data=edit_form(admin, role="AGENT"))
    assert response.status_code == 422
    response = admin_client.post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 422
    stored = get_user("admin@example.com")
    assert stored.role == Role.ADMIN and stored.active
    # Without a role (the disabled select) the rest saves.
    data = edit_form(admin, name="Ada Renamed")
    del data["role"]
    assert admin_client.post(f"/admin/users/{admin.id}", data=data).status_code == 302
    assert get_user("admin@example.com").name == "Ada Renamed"


def test_reset_password(admin_client):
    user = make_user("agent@example.com")
    response = admin_client.post(
        f"/admin/users/{user.id}/password",
        data={"password": "brand new pw", "confirm": "brand new pw"},
    )
    assert response.status_code == 302
    assert get_user("agent@example.com").check_password("brand new pw")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "brand new pw", "confirm": "different pw"}, "The two passwords differ."),
        ({"password": "short", "confirm": "short"}, "at least 8 characters"),
    ],
)
def test_reset_password_errors(admin_client, data, message):
    user = make_user("agent@example.com")
    response = admin_client.post(f"/admin/users/{user.id}/password", data=data)
    assert response.status_code == 422
    assert any(message in e for e in errors_in(response.get_data(as_text=True)))
    assert get_user("agent@example.com").check_password("correct horse")


def test_deactivate_signs_the_user_out_and_reactivate(app, admin_client):
    user = make_user("agent@example.com")
    agent_client = app.test_client()
    sign_in(agent_client, "agent@example.com")
    assert "Sign out" in agent_client.get("/").get_data(as_text=True)
    # The test app context outlives requests, so Flask-Login's per-request cache in ``g``
    # must be dropped when switching between two clients.
    g.pop("_login_user", None)
    response = admin_client.post(f"/admin/users/{user.id}/deactivate")
    assert response.status_code == 302
    assert get_user("agent@example.com").active is False
    g.pop("_login_user", None)
    assert "Sign out" not in agent_client.get("/").get_data(as_text=True)
    g.pop("_login_user", None)
    assert "was deactivated" in admin_client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    admin_client.post(f"/admin/users/{user.id}/activate")
    assert get_user("agent@example.com").active is True


def test_last_admin_cannot_be_deactivated_by_another_path(admin_client, admin):
    other = make_user("admin2@example.com", role=Role.ADMIN)
    # Demote the other admin: fine, we remain.
    assert (
        admin_client.post(
            f"/admin/users/{other.id}", data=edit_form(other, role="AGENT")
        ).status_code
        == 302
    )


def test_unknown_user_is_404(admin_client):
    assert admin_client.get("/admin/users/00000000-0000-0000-0000-000000000000").status_code == 404
    assert admin_client.get("/admin/users/not-a-uuid").status_code == 404
    customer = make_user("c@example.org", role=Role.CUSTOMER, password="")
    assert admin_client.get(f"/admin/users/{customer.id}").status_code == 404


class TestWithCsrf:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_post_without_token_is_refused(self, client, app):
        make_user("admin@example.com", role=Role.ADMIN)
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/login",
            data={"email": "admin@example.com", "password": "correct horse", "csrf_token": token},
        )
        before = user_count()
        response = client.post("/admin/users/new", data=NEW_USER)
        assert response.status_code == 400
        assert user_count() == before
        g.pop("csrf_token", None)  # Flask-WTF caches the token in the (long-lived test) ``g``
        page = client.get("/admin/users/new").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/admin/users/new", data=NEW_USER | {"csrf_token": token})
        assert response.status_code == 302 and user_count() == before + 1
