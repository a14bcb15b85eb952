"""Staff listing: visibility, the seed 001 + 003 filters, sorting, paging, counts."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from portal.booking import participants, queries
from portal.booking.errors import NotFound
from portal.booking.operations import cancel
from portal.extensions import db
from portal.models import AppointmentStatus, Role
from tests import factories
from tests.booking.conftest import TEN
from tests.conftest import make_user

Q = queries.AppointmentFilter


@pytest.fixture
def booked(team):
    a1 = factories.appointment(
        team.service, team.alice, TEN, title="Kitchen install", reference="REF-100"
    )
    a2 = factories.appointment(
        team.service, team.alice, TEN + timedelta(hours=1), minutes=60, title="Kitchen review"
    )
    b1 = factories.appointment(
        team.service,
        team.bob,
        TEN + timedelta(hours=2),
        minutes=45,
        title="Bath 50% plan",
        reference="ref-200",
    )
    b2 = factories.appointment(team.service, team.bob, TEN + timedelta(days=1), title="Garden")
    cancel(db.session, b2, "moved")
    return a1, a2, b1, b2


def ids(items):
    return [item.id for item in items]


def listed(user, filters=None, **kwargs):
    return queries.list_appointments(db.session, user, filters or Q(), **kwargs)


def test_an_agent_sees_what_they_organise_or_join(team, booked):
    a1, a2, b1, b2 = booked
    items, total = listed(team.alice)
    assert ids(items) == [a1.id, a2.id] and total == 2
    participants.add_agent(db.session, b1, team.alice.id)
    assert ids(listed(team.alice)[0]) == [a1.id, a2.id, b1.id]
    assert queries.can_see(team.alice, b1) and not queries.can_see(team.alice, b2)
    with pytest.raises(NotFound):
        queries.find_visible(db.session, team.alice, b2.id)
    with pytest.raises(NotFound):
        queries.find_visible(db.session, team.alice, uuid.uuid4())


def test_supervisors_admins_and_integrations_see_all(team, booked):
    admin = make_user("ada@example.com", Role.ADMIN)
    robot = make_user("robot@example.com", Role.CLIENT_SERVICE, password="")
    customer = make_user("cus@example.com", Role.CUSTOMER, password="")
    for user in (team.sam, admin, robot):
        assert listed(user)[1] == 4
    assert listed(customer)[1] == 0
    assert queries.find_visible(db.session, team.sam, booked[3].id).id == booked[3].id


def test_organizer_filter_is_ignored_for_agents(team, booked):
    a1, a2, b1, b2 = booked
    by_bob = Q(organizer_ids=[team.bob.id])
    assert ids(listed(team.sam, by_bob)[0]) == [b1.id, b2.id]
    assert ids(listed(team.alice, by_bob)[0]) == [a1.id, a2.id]


def test_duration_range_and_date_filters(team, booked):
    a1, a2, b1, b2 = booked
    assert ids(
        listed(team.sam, Q(durations=[timedelta(minutes=60), timedelta(minutes=45)]))[0]
    ) == [a2.id, b1.id]
    inside = Q(range_start=TEN, range_end=TEN + timedelta(hours=2))
    assert ids(listed(team.sam, inside)[0]) == [a1.id, a2.id]
    assert ids(listed(team.sam, Q(start=queries.Bounds(gt=TEN)))[0]) == [a2.id, b1.id, b2.id]
    assert ids(
        listed(team.sam, Q(start=queries.Bounds(gte=TEN, lt=TEN + timedelta(hours=2))))[0]
    ) == [a1.id, a2.id]
    assert ids(listed(team.sam, Q(end=queries.Bounds(lte=TEN + timedelta(minutes=30))))[0]) == [
        a1.id
    ]
    created = a1.created_at
    assert listed(team.sam, Q(created=queries.Bounds(gte=created - timedelta(minutes=1))))[1] == 4
    assert listed(team.sam, Q(updated=queries.Bounds(lt=created - timedelta(minutes=1))))[1] == 0


def test_title_and_reference_wildcards(team, booked):
    a1, a2, b1, b2 = booked
    assert ids(listed(team.sam, Q(title="kitchen*"))[0]) == [a1.id, a2.id]
    assert ids(listed(team.sam, Q(title="*REVIEW"))[0]) == [a2.id]
    assert ids(listed(team.sam, Q(title="Garden"))[0]) == [b2.id]
    assert ids(listed(team.sam, Q(title="Kitchen"))[0]) == []  # no wildcard: whole title
    # % and _ are plain characters, not SQL wildcards.
    assert ids(listed(team.sam, Q(title="*50%*"))[0]) == [b1.id]
    assert ids(listed(team.sam, Q(title="*5_%*"))[0]) == []
    assert ids(listed(team.sam, Q(reference="ref-*"))[0]) == [a1.id, b1.id]
    assert ids(listed(team.sam, Q(reference="*-200"))[0]) == [b1.id]


def test_status_filter(team, booked):
    assert ids(listed(team.sam, Q(statuses=[AppointmentStatus.CANCELLED]))[0]) == [booked[3].id]


def test_sorting_and_paging(team, booked):
    a1, a2, b1, b2 = booked
    assert ids(listed(team.sam, sort_field="start", sort_order="desc")[0]) == [
        b2.id,
        b1.id,
        a2.id,
        a1.id,
    ]
    by_duration = ids(listed(team.sam, sort_field="duration", sort_order="desc")[0])
    assert by_duration[:2] == [a2.id, b1.id]
    assert ids(listed(team.sam, sort_field="id")[0]) == sorted([a1.id, a2.id, b1.id, b2.id])
    page, total = listed(team.sam, page_number=2, page_size=3)
    assert ids(page) == [b2.id] and total == 4
    assert ids(listed(team.sam, sort_field="end")[0]) == [a1.id, a2.id, b1.id, b2.id]


def test_schedule_counts_and_overlaps(team):
    for organizer in (team.alice, team.bob):
        factories.appointment(team.service, organizer, TEN)
    factories.appointment(team.service, team.alice, TEN + timedelta(hours=1))
    gone = factories.appointment(team.service, team.bob, TEN + timedelta(hours=1))
    cancel(db.session, gone, "x")
    counts = queries.schedule_counts(db.session, team.service.id, TEN, timedelta(hours=2))
    assert [(c.start, c.count, c.duration) for c in counts] == [
        (TEN, 2, timedelta(minutes=30)),
        (TEN + timedelta(hours=1), 1, timedelta(minutes=30)),
    ]
    assert counts[0].timezone == "UTC"
    assert (
        queries.schedule_counts(db.session, team.service.id, TEN, timedelta(hours=1))[0].count == 2
    )
    assert (
        queries.overlap_count(
            db.session, team.service.id, TEN + timedelta(minutes=29), timedelta(minutes=5)
        )
        == 2
    )
    assert (
        queries.overlap_count(
            db.session, team.service.id, TEN + timedelta(minutes=30), timedelta(minutes=30)
        )
        == 0
    )


def test_appointments_between_for_calendars(team, booked):
    a1, a2, b1, b2 = booked
    day = (TEN.replace(hour=0), TEN.replace(hour=0) + timedelta(days=2))
    assert ids(queries.appointments_between(db.session, *day, agent_ids=[team.alice.id])) == [
        a1.id,
        a2.id,
    ]
    assert ids(
        queries.appointments_between(
            db.session, *day, agent_ids=[team.bob.id], include_cancelled=True
        )
    ) == [b1.id, b2.id]
    assert ids(queries.appointments_between(db.session, *day, viewer=team.alice)) == [a1.id, a2.id]
    assert queries.appointments_between(db.session, *day, agent_ids=[]) == []
