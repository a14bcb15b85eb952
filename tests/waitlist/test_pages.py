"""The waitlist pages: from a full day on the booking page to the waitlist, with a code."""

from __future__ import annotations

import re
from html import unescape

from portal.extensions import db
from portal.models import WaitlistEntry, WaitlistStatus
from tests.booking.web_support import hidden, last_code, text
from tests.waitlist.conftest import LEAVE_LINK, mails_to, run_sender

CORA = "cora@example.org"


def waitlist_link(response) -> str:
    match = re.search(r'id="waitlist-link"[^>]*href="([^"]+)"', response.get_data(as_text=True))
    assert match, "no waitlist link on the page"
    return unescape(match.group(1))


def test_join_from_the_full_day_with_a_code(app, client, full_day):
    day = client.get(f"/book/consult/day/{full_day.day.isoformat()}?timezone=UTC")
    assert day.status_code == 200
    assert "Tell me if a time frees up" in text(day)
    form = client.get(waitlist_link(day))
    assert form.status_code == 200 and "Join the waitlist" in text(form)

    sent = client.post("/book/consult/waitlist", data={"w": hidden(form, "w"), "email": CORA})
    assert sent.status_code == 200 and "Enter the code we sent" in text(sent)

    wrong = client.post(
        "/book/consult/waitlist/code", data={"p": hidden(sent, "p"), "code": "000000"}
    )
    assert wrong.status_code == 422 and "not right" in text(wrong)
    joined = client.post(
        "/book/consult/waitlist/code",
        data={"p": hidden(sent, "p"), "code": last_code(app, CORA)},
    )
    assert joined.status_code == 200, text(joined)
    assert "You are on the waitlist" in text(joined)
    entry = db.session.scalars(db.select(WaitlistEntry)).one()
    assert (entry.email, entry.day, entry.agent_id) == (CORA, full_day.day, None)

    # The browser proved the address: joining again needs no second code.
    again = client.post("/book/consult/waitlist", data={"w": hidden(form, "w"), "email": CORA})
    assert "You are on the waitlist" in text(again)
    assert len(db.session.scalars(db.select(WaitlistEntry)).all()) == 1


def test_the_chosen_agent_travels_to_the_entry(app, client, full_day):
    agent = str(full_day.alice.id)
    day = client.get(f"/book/consult/day/{full_day.day.isoformat()}?timezone=UTC&agent={agent}")
    form = client.get(waitlist_link(day))
    sent = client.post("/book/consult/waitlist", data={"w": hidden(form, "w"), "email": CORA})
    client.post(
        "/book/consult/waitlist/code",
        data={"p": hidden(sent, "p"), "code": last_code(app, CORA)},
    )
    entry = db.session.scalars(db.select(WaitlistEntry)).one()
    assert entry.agent_id == full_day.alice.id


def test_a_day_with_free_times_offers_no_waitlist(client, full_day):
    db.session.delete(db.session.merge(full_day.nine))
    db.session.commit()
    day = client.get(f"/book/consult/day/{full_day.day.isoformat()}?timezone=UTC")
    assert "Tell me if a time frees up" not in text(day)
    form = client.get(f"/book/consult/waitlist?day={full_day.day.isoformat()}&timezone=UTC")
    assert form.status_code == 200
    assert "That day still has free times" in text(form)
    assert 'name="email"' not in form.get_data(as_text=True)


def test_bad_input_is_a_form_error_not_a_500(client, full_day):
    form = client.get(f"/book/consult/waitlist?day={full_day.day.isoformat()}&timezone=UTC")
    bad = client.post("/book/consult/waitlist", data={"w": hidden(form, "w"), "email": "nope"})
    assert bad.status_code == 422 and "valid email" in text(bad)
    assert (
        client.post("/book/consult/waitlist", data={"w": "forged", "email": CORA}).status_code
        == 404
    )
    assert client.get("/book/consult/waitlist?day=someday").status_code == 404
    assert client.get("/book/nope/waitlist?day=2030-01-01").status_code == 404
    past = client.get("/book/consult/waitlist?day=2020-01-01&timezone=UTC")
    assert "That day has passed" in text(past)


def test_the_leave_link_from_the_mail(app, client, full_day):
    form = client.get(f"/book/consult/waitlist?day={full_day.day.isoformat()}&timezone=UTC")
    sent = client.post("/book/consult/waitlist", data={"w": hidden(form, "w"), "email": CORA})
    client.post(
        "/book/consult/waitlist/code",
        data={"p": hidden(sent, "p"), "code": last_code(app, CORA)},
    )
    run_sender()
    (mail,) = mails_to(app, CORA, "You are on the waitlist")
    token = LEAVE_LINK.search(mail.body).group(1)
    page = client.get(f"/waitlist/leave/{token}")
    assert page.status_code == 200 and "Leave the waitlist?" in text(page)
    left = client.post(f"/waitlist/leave/{token}")
    assert left.status_code == 200 and "You left the waitlist" in text(left)
    assert db.session.scalars(db.select(WaitlistEntry)).one().status == WaitlistStatus.LEFT
    assert "no longer on this waitlist" in text(client.get(f"/waitlist/leave/{token}"))
    assert client.get("/waitlist/leave/not-a-token").status_code == 404
    assert client.post("/waitlist/leave/not-a-token").status_code == 404


def test_unknown_offer_links_are_404(client, full_day):
    assert client.get("/waitlist/offer/not-a-token").status_code == 404
    assert client.post("/waitlist/offer/not-a-token", data={}).status_code == 404


def test_a_full_day_in_the_month_leads_to_its_day_view(client, full_day):
    month = client.get(f"/book/consult?month={full_day.day:%Y-%m}&timezone=UTC")
    body = month.get_data(as_text=True)
    day_url = f"/book/consult/day/{full_day.day.isoformat()}?timezone=UTC"
    assert re.search(
        r'class="month__day month__day--muted month__day--full[^"]*"\s+href="'
        + re.escape(day_url.replace("&", "&amp;")),
        body,
    )
    assert "Tell me if a time frees up" in text(client.get(day_url))
