"""Pages and the API give the same decision for every lifecycle action, role and state.

For each appointment state (upcoming, open call, ended call, cancelled, over) and
each action, every role tries it once through its page and once through the API,
each on a fresh appointment in that state. Both answers must be the decision of
``portal.booking.lifecycle.decide``: allowed (the page redirects, the API answers
2xx) or the same refusal (404, 403 or 409 with the same sentence).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from portal.booking import lifecycle
from portal.booking.lifecycle import Action, Actor
from tests.factories import manage_token
from portal.extensions import db, settings
from portal.models import (
    Appointment,
    AppointmentStatus,
    InteractionState,
    Participant,
    ParticipantType,
    Role,
    RoomTicket,
    User,
    utcnow,
)
from portal.tokens import issue_token
from tests import factories
from tests.conftest import make_user, sign_in

STATES = ("upcoming", "open", "ended", "cancelled", "over")
STAFF_ACTIONS = (
    Action.RESCHEDULE,
    Action.CANCEL,
    Action.END,
    Action.ACTIVATE,
    Action.EDIT_DETAILS,
    Action.REASSIGN,
    Action.ADD_PARTICIPANT,
)


@dataclass
class World:
    service: object
    alice: User  # organises every appointment here
    bob: User  # a colleague who serves the service (reassign target)
    carol: User  # an agent with no part in them
    pat: User  # an agent who takes part in every one of them, without organising
    sam: User
    ada: User
    robot: User
    tokens: dict
    now: datetime
    slot: int = 0

    def next_start(self) -> datetime:
        """A fresh hour for each appointment, so none overlap."""
        self.slot += 1
        return self.base + timedelta(hours=self.slot)

    @property
    def base(self) -> datetime:
        return self.now.replace(minute=0, second=0, microsecond=0) + timedelta(days=3)


@pytest.fixture
def world(app):
    alice = factories.agent("alice@example.com", "Alice Agent")
    bob = factories.agent("bob@example.com", "Bob Agent")
    carol = factories.agent("carol@example.com", "Carol Agent")
    pat = factories.agent("pat@example.com", "Pat Partner")
    for agent in (alice, bob, carol, pat):
        factories.weekly_hours(agent, [(0, 1440)])
    service = factories.service([alice, bob], horizon_days=60, capacity=5)
    sam = make_user("sam@example.com", Role.SUPERVISOR)
    ada = make_user("ada@example.com", Role.ADMIN)
    robot = make_user("robot@example.com", Role.CLIENT_SERVICE, password="")
    tokens = {}
    for user in (alice, carol, pat, sam, ada, robot):
        token, secret = issue_token(user, "parity")
        db.session.add(token)
        tokens[user.id] = {"Authorization": f"Bearer {secret}"}
    db.session.commit()
    return World(service, alice, bob, carol, pat, sam, ada, robot, tokens, utcnow())


def in_state(world: World, state: str) -> Appointment:
    """A fresh appointment of Alice's in ``state``.

    The service has several seats, so the started ones may share the current time
    (the database refuses overlaps only for single-seat appointments).
    """
    now = world.now
    if state in ("upcoming", "cancelled"):
        start = world.next_start()
    elif state in ("open", "ended"):
        start = now - timedelta(minutes=10)
    else:  # over: ended two days ago, never opened
        start = now - timedelta(days=2)
    appointment = factories.appointment(world.service, world.alice, start, minutes=30)
    appointment.participants.append(
        Participant(
            type=ParticipantType.AGENT,
            user=world.pat,
            is_organizer=False,
            first_name="Pat",
            last_name="Partner",
            email=world.pat.email,
        )
    )
    if state == "open":
        appointment.interaction_state = InteractionState.ACTIVE
        appointment.room_tickets.append(
            RoomTicket(
                url="https://meet.example/x",
                type="MULTI_USE_TICKET",
                expires_at=now + timedelta(hours=1),
                created_at=now - timedelta(minutes=10),
            )
        )
    elif state == "ended":
        appointment.interaction_state = InteractionState.ENDED
        appointment.done = True
    elif state == "cancelled":
        appointment.status = AppointmentStatus.CANCELLED
    db.session.commit()
    return appointment


def target_start(world: World) -> datetime:
    return world.next_start()


def z(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the two ways in ---------------------------------------------------------------------------


def page_attempt(client, world: World, action: Action, item: Appointment):
    base = f"/agent/appointments/{item.id}"
    if action == Action.RESCHEDULE:
        return client.post(
            f"{base}/reschedule", data={"start": z(target_start(world)), "timezone": "UTC"}
        )
    if action == Action.CANCEL:
        return client.post(f"{base}/cancel", data={"cancel-reason": "Parity", "cancel-email": "y"})
    if action == Action.END:
        return client.post(f"{base}/end")
    if action == Action.ACTIVATE:
        return client.post(f"{base}/activate")
    if action == Action.EDIT_DETAILS:
        version = item.updated_at.isoformat()
        return client.post(
            f"{base}/details", data={"details-version": version, "details-title": "Parity"}
        )
    if action == Action.REASSIGN:
        return client.post(f"{base}/reassign", data={"reassign-user_id": str(world.bob.id)})
    if action == Action.ADD_PARTICIPANT:
        return client.post(
            f"{base}/participants/agents", data={"agent-user_id": str(world.carol.id)}
        )
    raise AssertionError(action)


def api_attempt(client, world: World, action: Action, item: Appointment, user: User):
    headers = world.tokens[user.id]
    if action == Action.RESCHEDULE:
        body = {"id": str(item.id), "start": z(target_start(world))}
        return client.put("/api/appointments/reschedule/", json=body, headers=headers)
    if action == Action.CANCEL:
        return client.delete(f"/api/appointments/{item.id}", headers=headers)
    if action == Action.END:
        return client.put(f"/api/appointments/{item.id}/end", headers=headers)
    if action == Action.ACTIVATE:
        return client.post(f"/api/appointments/activate/{item.id}", headers=headers)
    if action == Action.EDIT_DETAILS:
        return client.put(
            "/api/appointments/", json={"id": str(item.id), "title": "Parity"}, headers=headers
        )
    if action == Action.REASSIGN:
        body = {"id": str(item.id), "userId": str(world.bob.id)}
        return client.put("/api/appointments/reassign/", json=body, headers=headers)
    if action == Action.ADD_PARTICIPANT:
        body = {"id": str(item.id), "userId": str(world.carol.id)}
        return client.post("/api/appointments/participants/agents/", json=body, headers=headers)
    raise AssertionError(action)


def page_outcome(response) -> tuple[int, str | None]:
    """(status, refusal sentence): a redirect is success (0)."""
    if response.status_code in (302, 303):
        return 0, None
    return response.status_code, html.unescape(response.get_data(as_text=True))


def api_outcome(response) -> tuple[int, str | None]:
    if response.status_code < 300:
        return 0, None
    return response.status_code, response.json.get("error_description")


def expected(world: World, user: User, action: Action, state: str) -> tuple[int, str | None]:
    item = in_state(world, state)
    decision = lifecycle.decide(Actor.of(user), action, item, utcnow())
    if decision.allowed:
        return 0, None
    return decision.refusal.status, decision.refusal.message


# --- the parity suite -----------------------------------------------------------------------------


# API-only roles may be refused by the token check before the policy (403): the
# policy's decision must then be a refusal too.
API_ROLE_GATED = {
    (Role.CLIENT_SERVICE, Action.END),
    (Role.CLIENT_SERVICE, Action.REASSIGN),
    (Role.CLIENT_SERVICE, Action.ADD_PARTICIPANT),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", STAFF_ACTIONS, ids=lambda a: a.value)
def test_pages_and_api_decide_alike(app, world, state, action):
    callers = {
        "organizer": world.alice,
        "other agent": world.carol,
        "taking part": world.pat,
        "supervisor": world.sam,
        "admin": world.ada,
        "integration": world.robot,
    }
    for who, user in callers.items():
        want_status, want_message = expected(world, user, action, state)
        api_status, api_message = api_outcome(
            api_attempt(app.test_client(), world, action, in_state(world, state), user)
        )
        if (user.role, action) in API_ROLE_GATED:
            assert want_status == 403 and api_status == 403, (who, action, state)
        else:
            assert api_status == want_status, (who, action, state, api_message)
            if want_message:
                assert api_message == want_message, (who, action, state)
        if user.role == Role.CLIENT_SERVICE:
            continue  # integrations have no pages
        client = app.test_client()
        assert sign_in(client, user.email).status_code == 302
        page_status, page_text = page_outcome(
            page_attempt(client, world, action, in_state(world, state))
        )
        assert page_status == want_status, (who, action, state, page_status, want_status)
        if want_message and want_status != 404:
            assert want_message in page_text, (who, action, state)


@pytest.mark.parametrize("state", STATES)
def test_the_page_offers_exactly_the_allowed_actions(app, world, state):
    """The staff page shows a button or form for an action exactly when the policy allows it."""
    markers = {
        Action.RESCHEDULE: 'id="reschedule"',
        Action.CANCEL: 'id="cancel"',
        Action.END: '/end"',
        Action.ACTIVATE: '/activate"',
        Action.REASSIGN: 'id="reassign"',
        Action.ADD_PARTICIPANT: 'id="add-people"',
    }
    for user in (world.alice, world.pat, world.sam):
        client = app.test_client()
        sign_in(client, user.email)
        item = in_state(world, state)
        html = client.get(f"/agent/appointments/{item.id}").get_data(as_text=True)
        allowed = lifecycle.allowed(Actor.of(user), item, utcnow())
        for action, marker in markers.items():
            if action == Action.ACTIVATE and state == "open":
                continue  # an open room offers "join", not "open" again
            assert (marker in html) == (action in allowed), (user.role, state, action)


@pytest.mark.parametrize("state", STATES)
def test_the_manage_page_offers_exactly_the_customers_allowed_changes(app, world, state):
    """Issue 16: an ended, past or cancelled appointment shows no Reschedule (nor Cancel);
    the manage page shows each change exactly when the policy allows it."""
    item = in_state(world, state)
    body = app.test_client().get(f"/manage/{manage_token(item)}").get_data(as_text=True)
    allowed = lifecycle.allowed(Actor.customer(), item, utcnow())
    assert ('id="reschedule"' in body) == (Action.RESCHEDULE in allowed), state
    assert ('id="cancel"' in body) == (Action.CANCEL in allowed), state
    if state in ("ended", "cancelled", "over"):
        assert Action.RESCHEDULE not in allowed and Action.CANCEL not in allowed


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", (Action.RESCHEDULE, Action.CANCEL), ids=lambda a: a.value)
def test_customer_manage_page_follows_the_policy(app, world, state, action):
    item = in_state(world, state)
    decision = lifecycle.decide(Actor.customer(), action, item, utcnow())
    path = f"/manage/{manage_token(item)}"
    if action == Action.RESCHEDULE:
        response = app.test_client().post(
            f"{path}/reschedule/confirm", data={"start": z(target_start(world))}
        )
    else:
        response = app.test_client().post(f"{path}/cancel", data={"reason": "Parity"})
    status, text = page_outcome(response)
    if decision.allowed:
        assert status == 0, (state, action, text and re.sub(r"\s+", " ", text)[:300])
    else:
        assert status == decision.refusal.status and decision.refusal.message in text


def customer_api_attempt(app, world: World, action: Action, item: Appointment):
    """A customer bearer (``cu_``) of the appointment's customer tries ``action``."""
    from portal.api import customer_tokens

    with app.test_request_context("/"):
        headers = {"Authorization": f"Bearer {customer_tokens.issue('cora@example.org')}"}
    client = app.test_client()
    if action == Action.RESCHEDULE:
        body = {"id": str(item.id), "start": z(target_start(world))}
        return client.put("/api/appointments/reschedule/", json=body, headers=headers)
    return client.delete(f"/api/appointments/{item.id}", headers=headers)


@pytest.mark.parametrize("cutoff_days", (None, 4), ids=("no cut-off", "past the cut-off"))
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", (Action.RESCHEDULE, Action.CANCEL), ids=lambda a: a.value)
def test_customer_page_and_token_decide_alike(app, world, state, action, cutoff_days):
    """The manage page and a customer bearer get the policy's decision, cut-offs included
    (issue 18: "upcoming" starts three days ahead, inside a four-day cut-off)."""
    minutes = cutoff_days * 24 * 60 if cutoff_days else None
    world.service.cancel_cutoff_minutes = world.service.reschedule_cutoff_minutes = minutes
    db.session.commit()
    item = in_state(world, state)
    decision = lifecycle.decide(Actor.customer(), action, item, utcnow())
    api_status, api_message = api_outcome(customer_api_attempt(app, world, action, item))
    if decision.allowed:
        assert api_status == 0, (state, action, api_message)
    else:
        assert (api_status, api_message) == (decision.refusal.status, decision.refusal.message)
    item = in_state(world, state)  # a fresh one: its own start, so its own deadline
    decision = lifecycle.decide(Actor.customer(), action, item, utcnow())
    path = f"/manage/{manage_token(item)}"
    if action == Action.RESCHEDULE:
        response = app.test_client().post(
            f"{path}/reschedule/confirm", data={"start": z(target_start(world))}
        )
    else:
        response = app.test_client().post(f"{path}/cancel", data={"reason": "Parity"})
    status, text = page_outcome(response)
    if decision.allowed:
        assert status == 0, (state, action, text and re.sub(r"\s+", " ", text)[:300])
    else:
        assert status == decision.refusal.status and decision.refusal.message in text
