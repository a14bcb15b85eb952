"""/admin/outbox: filter by status (HTMX partial), message details, retry FAILED."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Channel, OutboxMessage, OutboxStatus, utcnow
from tests.web.admin_fixtures import admin, admin_client  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def message(status: OutboxStatus, recipient: str, **fields) -> OutboxMessage:
    item = OutboxMessage(
        type="CREATE",
        channel=Channel.EMAIL,
        recipient=recipient,
        subject=f"To {recipient}",
        text_body="Hello",
        due_at=utcnow() - timedelta(hours=1),
        status=status,
        **fields,
    )
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def messages(app):
    return (
        message(
            OutboxStatus.FAILED, "failed@example.org", attempts=8, last_error="550 no such user"
        ),
        message(OutboxStatus.SENT, "sent@example.org", attempts=1),
        message(OutboxStatus.PENDING, "pending@example.org"),
    )


def test_list_all_and_filter(admin_client, messages):
    page = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert all(f"{name}@example.org" in page for name in ("failed", "sent", "pending"))
    page = admin_client.get("/admin/outbox?status=FAILED").get_data(as_text=True)
    assert (
        "failed@example.org" in page
        and "sent@example.org" not in page
        and "550 no such user" in page
    )
    assert admin_client.get("/admin/outbox?status=BOGUS").status_code == 400
    assert admin_client.get("/admin/outbox?page=0").status_code == 400


def test_filter_partial_for_htmx(admin_client, messages):
    response = admin_client.get("/admin/outbox?status=SENT", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="outbox-table">') and "<html" not in page
    assert "sent@example.org" in page and "failed@example.org" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_message_details(admin_client, messages):
    failed = messages[0]
    page = admin_client.get(f"/admin/outbox/{failed.id}").get_data(as_text=True)
    assert "550 no such user" in page and "Retry now" in page
    assert admin_client.get("/admin/outbox/00000000-0000-0000-0000-000000000000").status_code == 404


def test_retry_failed(admin_client, messages):
    failed = messages[0]
    response = admin_client.post(f"/admin/outbox/{failed.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    after = db.session.get(OutboxMessage, failed.id)
    assert after.status == OutboxStatus.PENDING and after.attempts == 0 and after.last_error is None
    assert after.due_at >= utcnow() - timedelta(minutes=1)
    assert "will be sent again now" in admin_client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_retry_refuses_other_statuses(admin_client, messages):
    sent = messages[1]
    response = admin_client.post(f"/admin/outbox/{sent.id}/retry", data={"back": "message"})
    assert (
        response.status_code == 302 and response.headers["Location"] == f"/admin/outbox/{sent.id}"
    )
    assert "Only failed messages can be retried." in admin_client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, sent.id).status == OutboxStatus.SENT


def test_sender_verification_codes_are_not_shown(admin_client):
    item = message(OutboxStatus.PENDING, "team@example.com")
    item.type = "SENDER_VERIFICATION"
    item.subject = "Your verification code: 123456"
    item.text_body = "Enter this code within 10 minutes: 123456"
    db.session.commit()
    for url in ("/admin/outbox", f"/admin/outbox/{item.id}"):
        page = admin_client.get(url).get_data(as_text=True)
        assert "123456" not in page and "Your verification code: ••••••" in page


def test_due_and_sent_times_name_the_viewers_zone(admin_client, admin, messages):
    """Issue 16: a due or sent time is read in the admin's own zone, and says which."""
    admin.timezone = "America/New_York"
    db.session.commit()
    failed, sent, _pending = messages
    sent.sent_at = utcnow()
    db.session.commit()
    listing = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert listing.count("(America/New_York)") == 3
    shown = admin_client.get(f"/admin/outbox/{sent.id}").get_data(as_text=True)
    assert shown.count("(America/New_York)") == 2  # due and sent
    pending = admin_client.get(f"/admin/outbox/{failed.id}").get_data(as_text=True)
    assert pending.count("(America/New_York)") == 1 and "Not yet" in pending
