"""/my: sign in by emailed code, own appointments only, sign out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.booking import links
from portal.extensions import db
from portal.models import Appointment, OneTimeCode, ParticipantType, utcnow
from tests import factories
from tests.booking.web_support import book_through_pages, hidden, last_code, outbox, shop, text  # noqa: F401

pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock


def own_path(appointment: Appointment) -> str:
    return f"/my/appointments/{appointment.id}"


def sign_in(app, client, email):
    asked = client.post("/my/code", data={"email": email})
    assert asked.status_code == 200
    code = last_code(app, email.lower())
    answer = client.post("/my/verify", data={"email": hidden(asked, "email"), "code": code})
    assert answer.status_code == 303, text(answer)
    return client.get(answer.location)


def appointment_for(email, when, shop, agent):
    appointment = factories.appointment(shop.service, agent, when)
    for participant in appointment.participants:
        if participant.type == ParticipantType.CUSTOMER:
            participant.email = email
    db.session.commit()
    return appointment


def test_sign_in_page_and_codes(app, client, shop):
    page = client.get("/my")
    assert page.status_code == 200
    assert "Email me a code" in text(page)
    assert "no-store" in page.headers["Cache-Control"]
    asked = client.post("/my/code", data={"email": "Nobody@Example.org"})
    # The same answer for any address: no way to learn who has appointments.
    assert asked.status_code == 200 and "a 6-digit code is on its way" in text(asked)
    assert outbox(app)[-1].to == ["nobody@example.org"]
    assert "sign-in code" in outbox(app)[-1].subject
    invalid = client.post("/my/code", data={"email": "not an email"})
    assert invalid.status_code == 422 and "Enter a valid email address" in text(invalid)


def test_wrong_then_right_code(app, client, shop):
    client.post("/my/code", data={"email": "cora@example.org"})
    code = last_code(app, "cora@example.org")
    wrong = client.post(
        "/my/verify",
        data={"email": "cora@example.org", "code": "999999" if code != "999999" else "888888"},
    )
    assert wrong.status_code == 422 and "That code is not right" in text(wrong)
    assert (
        client.get("/my").get_data(as_text=True).count("Email me a code") == 1
    )  # still signed out
    db.session.execute(update(OneTimeCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    expired = client.post("/my/verify", data={"email": "cora@example.org", "code": code})
    assert expired.status_code == 422 and "expired" in text(expired)


def test_own_appointments_only_and_sign_out(app, client, shop):
    mine_next = appointment_for("cora@example.org", shop.at(10), shop, shop.alice)
    mine_past = appointment_for(
        "cora@example.org", utcnow().replace(microsecond=0) - timedelta(days=3), shop, shop.bob
    )
    theirs = appointment_for("dan@example.org", shop.at(11), shop, shop.bob)

    page = sign_in(app, client, "Cora@example.org")
    content = text(page)
    assert "Signed in as cora@example.org" in content
    assert "Coming up" in content and "Past and cancelled" in content
    body = page.get_data(as_text=True)
    assert own_path(mine_next) in body and own_path(mine_past) in body
    assert str(theirs.id) not in body
    assert "/manage/" not in body  # links are minted only when one is followed
    assert "10:00 AM – 10:30 AM" in content

    # An own appointment by id opens its manage page; another's is not there.
    own = client.get(f"/my/appointments/{mine_next.id}", query_string={"open": "cancel"})
    assert own.status_code == 302 and "/manage/" in own.location and "open=cancel" in own.location
    assert (
        links.appointment_for_manage_token(db.session, own.location.split("/")[-1].split("?")[0])
        == mine_next
    )
    assert client.get(own.location).status_code == 200
    assert client.get(f"/my/appointments/{theirs.id}").status_code == 404
    assert client.get("/my/appointments/not-a-uuid").status_code == 404

    signed_out = client.post("/my/sign-out")
    assert signed_out.status_code == 303
    assert "Email me a code" in text(client.get("/my"))
    assert client.get(f"/my/appointments/{mine_next.id}").status_code == 302  # to sign-in


def test_booking_signs_the_customer_in(app, client, shop):
    book_through_pages(app, client, shop, shop.at(9))
    page = client.get("/my")
    assert "Signed in as cora@example.org" in text(page)
    (appointment,) = db.session.scalars(select(Appointment)).all()
    assert own_path(appointment) in page.get_data(as_text=True)
    # Another browser is not signed in and cannot reach it by id.
    other = app.test_client()
    assert "Email me a code" in text(other.get("/my"))
    sign_in(app, other, "dan@example.org")
    assert own_path(appointment) not in other.get("/my").get_data(as_text=True)
    assert other.get(f"/my/appointments/{appointment.id}").status_code == 404


def test_an_old_customer_session_has_expired(app, client, shop):
    with client.session_transaction() as session:
        session["customer"] = {"email": "cora@example.org", "at": 0}
    assert "Email me a code" in text(client.get("/my"))
    with client.session_transaction() as session:
        session["customer"] = "cora@example.org"  # not the shape we write: ignored
    assert "Email me a code" in text(client.get("/my"))
