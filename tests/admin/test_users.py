"""Users: every rule of create / update / reset / deactivate, and nothing written on failure."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.admin import users
from portal.domain.errors import Conflict, Invalid, NotFound
from portal.extensions import db
from portal.models import Role, User
from tests.conftest import make_user


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_create_staff_user_with_hashed_password():
    user = users.create_user(
        db.session,
        email=" New.Agent@Example.COM ",
        name=" Nina ",
        role="AGENT",
        timezone="Europe/Berlin",
        locale="de-AT",
        password="long enough",
    )
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.email == "new.agent@example.com"
    assert stored.name == "Nina"
    assert stored.role == Role.AGENT
    assert stored.timezone == "Europe/Berlin"
    assert stored.locale == "de_AT"
    assert stored.active is True
    assert stored.password_hash != "long enough" and stored.check_password("long enough")


def test_create_integration_user_without_password():
    user = users.create_user(
        db.session, email="crm@example.com", name="CRM", role=Role.CLIENT_SERVICE
    )
    assert user.password_hash is None and user.timezone == "UTC" and user.locale == "en"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"role": "CUSTOMER"}, "role"),
        ({"role": "KING"}, "role"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"locale": "xx_YY"}, "locale"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 201}, "password"),
        ({"role": "CLIENT_SERVICE", "password": "long enough"}, "password"),
        ({"active": "yes"}, "active"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(fields, field):
    values = dict(email="a@example.com", name="A", role="AGENT", password="long enough") | fields
    before = count_users()
    with pytest.raises(Invalid) as caught:
        users.create_user(db.session, **values)
    assert field in caught.value.fields
    db.session.rollback()
    assert count_users() == before


def test_every_problem_is_reported_at_once():
    with pytest.raises(Invalid) as caught:
        users.create_user(db.session, email="x", name="", role="NOPE", timezone="Nowhere")
    assert set(caught.value.fields) == {"email", "name", "role", "timezone"}


def test_email_is_unique_case_insensitively():
    make_user("taken@example.com")
    with pytest.raises(Conflict) as caught:
        users.create_user(db.session, email="TAKEN@example.com", name="B", role="AGENT")
    assert caught.value.code == "conflict" and caught.value.status == 409
    db.session.rollback()
    assert count_users() == 1


def test_update_changes_fields_and_keeps_own_email():
    user = make_user("agent@example.com")
    users.update_user(
        db.session,
        user,
        email="AGENT@example.com",
        role="SUPERVISOR",
        timezone="America/New_York",
        locale="fr",
    )
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert (stored.email, stored.role, stored.timezone, stored.locale) == (
        "agent@example.com",
        Role.SUPERVISOR,
        "America/New_York",
        "fr",
    )


def test_update_to_a_taken_email_is_a_conflict():
    make_user("one@example.com")
    two = make_user("two@example.com")
    with pytest.raises(Conflict):
        users.update_user(db.session, two, email="One@example.com")
    db.session.rollback()
    assert db.session.get(User, two.id).email == "two@example.com"


def test_failed_update_changes_nothing():
    user = make_user("agent@example.com", timezone="UTC")
    with pytest.raises(Invalid):
        users.update_user(db.session, user, timezone="Europe/Berlin", locale="??")
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone == "UTC"


def test_becoming_an_integration_drops_the_password():
    user = make_user("agent@example.com")
    users.update_user(db.session, user, role="CLIENT_SERVICE")
    assert user.password_hash is None


def test_reset_password():
    user = make_user("agent@example.com")
    users.reset_password(db.session, user, "a new password")
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.check_password("a new password") and not stored.check_password("correct horse")


def test_reset_password_rules():
    user = make_user("agent@example.com")
    with pytest.raises(Invalid):
        users.reset_password(db.session, user, "short")
    integration = make_user("crm@example.com", role=Role.CLIENT_SERVICE, password="")
    with pytest.raises(Invalid):
        users.reset_password(db.session, integration, "long enough")
    db.session.rollback()
    assert db.session.get(User, user.id).check_password("correct horse")


def test_deactivate_and_reactivate():
    user = make_user("agent@example.com")
    users.deactivate_user(db.session, user)
    assert db.session.get(User, user.id).active is False
    users.update_user(db.session, user, active=True)
    assert db.session.get(User, user.id).active is True


def test_the_last_admin_cannot_be_demoted_or_deactivated():
    admin = make_user("admin@example.com", role=Role.ADMIN)
    with pytest.raises(Conflict):
        users.deactivate_user(db.session, admin)
    with pytest.raises(Conflict):
        users.update_user(db.session, admin, role="AGENT")
    db.session.rollback()
    other = make_user("admin2@example.com", role=Role.ADMIN)
    users.update_user(db.session, admin, role="AGENT")
    assert db.session.get(User, admin.id).role == Role.AGENT
    with pytest.raises(Conflict):
        users.deactivate_user(db.session, other)


def test_an_admin_cannot_deactivate_or_demote_themselves():
    me = make_user("me@example.com", role=Role.ADMIN)
    make_user("other@example.com", role=Role.ADMIN)
    with pytest.raises(Conflict):
        users.deactivate_user(db.session, me, actor=me)
    with pytest.raises(Conflict):
        users.update_user(db.session, me, actor=me, role="SUPERVISOR")
    users.update_user(db.session, me, actor=me, name="Still Me", timezone="Asia/Tokyo")
    assert db.session.get(User, me.id).name == "Still Me"


def test_get_user_hides_customers_and_unknown_ids():
    customer = make_user("c@example.org", role=Role.CUSTOMER, password="")
    for key in (customer.id, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(NotFound):
            users.get_user(db.session, key)


def test_list_users_filters_and_counts():
    make_user("b@example.com", name="Bea", role=Role.AGENT)
    make_user("a@example.com", name="Abe", role=Role.ADMIN)
    make_user("z@example.com", name="Zed", role=Role.AGENT, active=False)
    make_user("c@example.org", name="Cus", role=Role.CUSTOMER, password="")
    rows, total = users.list_users(db.session)
    assert [user.name for user in rows] == ["Abe", "Bea", "Zed"] and total == 3
    rows, total = users.list_users(db.session, role=Role.AGENT, active=True)
    assert [user.name for user in rows] == ["Bea"] and total == 1
    rows, total = users.list_users(db.session, sort="email", descending=True, limit=1, offset=1)
    assert [user.email for user in rows] == ["b@example.com"] and total == 3
