"""Services: all fields of DESIGN.md 3, agents, slugs, default templates, delete vs deactivate."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import func, select

from portal.admin import services
from portal.domain.errors import Conflict, Invalid, NotFound
from portal.extensions import db
from portal.models import (
    Channel,
    NotificationTemplate,
    Role,
    Service,
    ServiceTimeSlot,
    TemplateType,
)
from tests import factories
from tests.conftest import make_user


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_with_every_field():
    alice = factories.agent("alice@example.com", "Alice")
    sam = make_user("sam@example.com", role=Role.SUPERVISOR, name="Sam")
    service = services.create_service(
        db.session,
        name=" Tax advice ",
        slug="tax-advice",
        description="Forty-five minutes with an adviser.",
        duration=timedelta(minutes=45),
        slot_interval=timedelta(minutes=15),
        buffer_before=timedelta(minutes=5),
        buffer_after=timedelta(minutes=10),
        minimum_notice=timedelta(hours=2),
        horizon_days=30,
        capacity=3,
        timezone="Europe/Berlin",
        locale="de",
        color="#0F766E",
        agent_ids=[str(alice.id), sam.id],
        active=False,
    )
    db.session.expire_all()
    stored = db.session.get(Service, service.id)
    assert stored.name == "Tax advice" and stored.slug == "tax-advice"
    assert (stored.duration_minutes, stored.slot_interval_minutes) == (45, 15)
    assert (stored.buffer_before_minutes, stored.buffer_after_minutes) == (5, 10)
    assert stored.minimum_notice_minutes == 120 and stored.horizon_days == 30
    assert stored.capacity == 3 and stored.timezone == "Europe/Berlin" and stored.locale == "de"
    assert stored.color == "#0f766e" and stored.active is False
    assert {agent.email for agent in stored.agents} == {"alice@example.com", "sam@example.com"}
    assert stored.sender_email is None and stored.sender_verified is False


def test_new_services_get_the_default_templates():
    service = services.create_service(db.session, name="Consult", duration=timedelta(minutes=30))
    kinds = {(t.channel, t.type) for t in service.templates}
    assert {(Channel.EMAIL, kind) for kind in TemplateType} <= kinds
    reminder = next(
        t
        for t in service.templates
        if t.type == TemplateType.REMINDER and t.channel == Channel.EMAIL
    )
    assert reminder.period_seconds and "{{firstName}}" in reminder.text_body


def test_defaults_and_slug_from_the_name():
    one = services.create_service(
        db.session, name="Café Consultation!", duration=timedelta(minutes=30)
    )
    two = services.create_service(
        db.session, name="Café consultation", duration=timedelta(minutes=30)
    )
    assert one.slug == "cafe-consultation" and two.slug == "cafe-consultation-2"
    assert one.slot_interval_minutes is None and one.capacity == 1 and one.horizon_days == 60
    assert one.timezone == "UTC" and one.locale == "en" and one.active is True


BAD_FIELDS = [
    ({"name": ""}, "name"),
    ({"slug": "Has Spaces"}, "slug"),
    ({"slug": "-leading"}, "slug"),
    ({"slug": "a" * 81}, "slug"),
    ({"duration": timedelta(0)}, "duration"),
    ({"duration": timedelta(minutes=-30)}, "duration"),
    ({"duration": timedelta(seconds=90)}, "duration"),
    ({"duration": timedelta(days=2)}, "duration"),
    ({"slot_interval": timedelta(0)}, "slot_interval"),
    ({"buffer_before": timedelta(minutes=-1)}, "buffer_before"),
    ({"buffer_after": timedelta(days=2)}, "buffer_after"),
    ({"minimum_notice": timedelta(days=400)}, "minimum_notice"),
    ({"horizon_days": 0}, "horizon_days"),
    ({"horizon_days": True}, "horizon_days"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": "2"}, "capacity"),
    ({"timezone": "Europe/Atlantis"}, "timezone"),
    ({"locale": "qq"}, "locale"),
    ({"color": "red"}, "color"),
    ({"sender_email": "not mail"}, "sender_email"),
    ({"agent_ids": ["not-a-uuid"]}, "agent_ids"),
    ({"agent_ids": "abc"}, "agent_ids"),
    ({"active": "yes"}, "active"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_FIELDS)
def test_create_refuses_bad_input_and_writes_nothing(fields, field):
    values = {"name": "Consult", "duration": timedelta(minutes=30)} | fields
    with pytest.raises(Invalid) as caught:
        services.create_service(db.session, **values)
    assert field in caught.value.fields
    db.session.rollback()
    assert count(Service) == 0 and count(NotificationTemplate) == 0


def test_agents_must_be_active_agents_or_supervisors():
    inactive = make_user("gone@example.com", active=False)
    admin = make_user("admin@example.com", role=Role.ADMIN)
    integration = make_user("crm@example.com", role=Role.CLIENT_SERVICE, password="")
    unknown = "00000000-0000-0000-0000-000000000001"
    for agent_id in (inactive.id, admin.id, integration.id, unknown):
        with pytest.raises(Invalid) as caught:
            services.create_service(
                db.session, name="X", duration=timedelta(minutes=30), agent_ids=[agent_id]
            )
        assert "agent_ids" in caught.value.fields
    db.session.rollback()
    assert count(Service) == 0


def test_slug_is_unique():
    services.create_service(db.session, name="One", slug="consult", duration=timedelta(minutes=30))
    db.session.commit()
    with pytest.raises(Conflict):
        services.create_service(
            db.session, name="Two", slug="Consult", duration=timedelta(minutes=30)
        )
    db.session.rollback()
    assert count(Service) == 1


def test_update_is_partial_and_validated():
    alice = factories.agent("alice@example.com", "Alice")
    bob = factories.agent("bob@example.com", "Bob")
    service = factories.service([alice], slug="consult", capacity=2)
    services.update_service(db.session, service, agent_ids=[bob.id], capacity=4, slot_interval=None)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Service, service.id)
    assert [agent.name for agent in stored.agents] == ["Bob"] and stored.capacity == 4
    assert stored.name == "Consult" and stored.duration_minutes == 30
    with pytest.raises(Invalid):
        services.update_service(db.session, stored, capacity=0, name="Renamed")
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(Service, service.id)
    assert stored.capacity == 4 and stored.name == "Consult"


def test_update_keeps_its_own_slug_and_refuses_anothers():
    one = factories.service([], slug="one")
    factories.service([], slug="two")
    services.update_service(db.session, one, slug="one", name="Still one")
    with pytest.raises(Conflict):
        services.update_service(db.session, one, slug="two")


def test_delete_never_booked_removes_it_with_templates_and_slots():
    service = services.create_service(db.session, name="Consult", duration=timedelta(minutes=30))
    db.session.add(
        ServiceTimeSlot(service_id=service.id, day_of_week=1, from_minute=540, to_minute=600)
    )
    db.session.commit()
    assert services.delete_service(db.session, service) is services.Removal.DELETED
    assert count(Service) == 0 and count(NotificationTemplate) == 0 and count(ServiceTimeSlot) == 0


def test_delete_booked_deactivates_instead():
    alice = factories.agent()
    service = factories.service([alice])
    factories.appointment(service, alice, datetime(2030, 1, 7, 9, tzinfo=UTC))
    assert services.delete_service(db.session, service) is services.Removal.DEACTIVATED
    db.session.expire_all()
    assert db.session.get(Service, service.id).active is False


def test_get_service_unknown():
    for key in ("nope", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(NotFound):
            services.get_service(db.session, key)


def test_slugify():
    assert services.slugify("  Hello, World!  ") == "hello-world"
    assert services.slugify("Ünïcödé straße") == "unicode-strae"
    assert services.slugify("!!!") == ""
