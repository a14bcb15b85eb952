"""/team: supervisors see every agent's calendar, one column per agent on a day, filterable."""

from __future__ import annotations

from datetime import datetime, UTC

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.models import AppointmentStatus, Role
from tests import factories
from tests.conftest import make_user, sign_in
from tests.web.staff_support import appointment_id, column_of, events, hour_lines, parse

UTC = UTC


@pytest.fixture
def team(app, client):
    alice = factories.agent("alice@example.com", "Alice Able", "Europe/Berlin")
    nora = factories.agent("nora@example.com", "Nora Newyork", "America/New_York")
    factories.weekly_hours(alice, [(9 * 60, 17 * 60)])
    factories.weekly_hours(nora, [(9 * 60, 17 * 60)])
    service = factories.service([alice, nora], duration_minutes=60)
    make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super", timezone="Europe/Berlin")
    sign_in(client, "sam@example.com")
    a1 = factories.appointment(
        service, alice, datetime(2026, 3, 24, 9, 0, tzinfo=UTC)
    )  # 10:00 Berlin
    n1 = factories.appointment(
        service, nora, datetime(2026, 3, 24, 14, 0, tzinfo=UTC)
    )  # 10:00 NY, 15:00 Berlin
    return alice, nora, a1, n1


def test_team_day_has_a_column_per_agent(client, team):
    alice, nora, a1, n1 = team
    response = client.get("/team", query_string={"view": "day", "date": "2026-03-24"})
    assert response.status_code == 200
    tree = parse(response.data)
    columns = tree.find_all("cal__col")
    assert [c.attrs["data-agent"] for c in columns] == [str(alice.id), str(nora.id)]
    assert [h.text for h in tree.find_all("cal__head-name")] == ["Alice Able", "Nora Newyork"]
    blocks = events(tree)
    assert column_of(blocks[str(a1.id)]).attrs["data-agent"] == str(alice.id)
    assert column_of(blocks[str(n1.id)]).attrs["data-agent"] == str(nora.id)
    # In the viewer's zone (Berlin): Nora's 10:00 New York call is at 3 PM.
    lines = hour_lines(tree)
    assert round(blocks[str(a1.id)].style("--top"), 3) == round(lines["10 AM"], 3)
    assert round(blocks[str(n1.id)].style("--top"), 3) == round(lines["3 PM"], 3)
    # Nora's working hours start at 3 PM Berlin: her morning is shaded as outside work.
    nora_column = columns[1]
    assert any(s.style("--top") == 0 for s in nora_column.find_all("cal__closed--outside"))


def test_filter_by_agents(client, team):
    alice, nora, a1, n1 = team
    tree = parse(
        client.get(
            "/team", query_string={"view": "week", "date": "2026-03-24", "agent": str(nora.id)}
        ).data
    )
    assert set(events(tree)) == {str(n1.id)}
    assert "Nora Newyork" in events(tree)[str(n1.id)].text  # team blocks name the agent
    checked = [
        i.attrs["value"] for i in tree.find_all(tag="input", name="agent") if "checked" in i.attrs
    ]
    assert checked == [str(nora.id)]
    both = parse(
        client.get(f"/team?view=week&date=2026-03-24&agent={nora.id}&agent={alice.id}").data
    )
    assert set(events(both)) == {str(a1.id), str(n1.id)}
    everyone = parse(client.get("/team?view=month&date=2026-03-24").data)
    cell = [c for c in everyone.find_all("cal-month__day") if c.attrs["data-day"] == "2026-03-24"][
        0
    ]
    assert {e.attrs["data-appointment"] for e in cell.find_all("cal-month__event")} == {
        str(a1.id),
        str(n1.id),
    }
    # Unknown ids are ignored rather than failing.
    assert (
        client.get("/team?agent=nope&agent=00000000-0000-0000-0000-000000000000").status_code == 200
    )


def test_team_blocks_open_the_appointment(client, team):
    alice, nora, a1, n1 = team
    tree = parse(client.get("/team?view=week&date=2026-03-24").data)
    href = events(tree)[str(n1.id)].attrs["href"]
    assert href == f"/agent/appointments/{n1.id}"
    assert client.get(href).status_code == 200


def test_team_is_for_supervisors_and_admins(app, team):
    agent = app.test_client()
    sign_in(agent, "alice@example.com")
    assert agent.get("/team").status_code == 403
    make_user("ada@example.com", Role.ADMIN)
    admin = app.test_client()
    sign_in(admin, "ada@example.com")
    assert admin.get("/team").status_code == 200
    assert app.test_client().get("/team").status_code == 302
    htmx = admin.get("/team?view=day", headers={"HX-Request": "true"})
    assert htmx.get_data(as_text=True).lstrip().startswith('<section id="calendar"')


# --- only what is shown (issue 15) ---------------------------------------------------------


def month_cell(tree, day: str):
    return [c for c in tree.find_all("cal-month__day") if c.attrs["data-day"] == day][0]


def test_team_month_lists_three_a_day_and_counts_the_rest(client, team):
    alice, nora, a1, n1 = team
    service = a1.service
    # Five more for Alice on the 24th (Berlin), one crossing into the 25th, one cancelled.
    later = [
        factories.appointment(service, alice, datetime(2026, 3, 24, hour, 0, tzinfo=UTC))
        for hour in (6, 11, 12, 13)
    ]
    night = factories.appointment(
        service, alice, datetime(2026, 3, 24, 22, 30, tzinfo=UTC), minutes=120
    )  # 23:30 on the 24th to 01:30 on the 25th, Berlin
    cancelled = factories.appointment(
        service, alice, datetime(2026, 3, 24, 15, 0, tzinfo=UTC), status=AppointmentStatus.CANCELLED
    )
    tree = parse(client.get("/team?view=month&date=2026-03-24").data)
    cell = month_cell(tree, "2026-03-24")
    # a1 10:00, n1 15:00 and the others at 07:00, 12:00, 13:00, 14:00, 23:30 Berlin: 7 shown ones.
    assert cell.attrs["data-count"] == "7"
    shown = [e.attrs["data-appointment"] for e in cell.find_all("cal-month__event")]
    assert shown == [str(later[0].id), str(a1.id), str(later[1].id)]
    more = cell.find("cal-month__more")
    assert more.text.strip() == "+4 more"
    assert more.attrs["href"] == "/team/?view=day&date=2026-03-24"
    # The night call continues on the 25th, where it is the only one.
    next_day = month_cell(tree, "2026-03-25")
    assert next_day.attrs["data-count"] == "1"
    assert [e.attrs["data-appointment"] for e in next_day.find_all("cal-month__event")] == [
        str(night.id)
    ]
    assert tree.find(tag="a", id="cal-cancelled").text.strip() == "Show cancelled (1)"
    with_cancelled = parse(client.get("/team?view=month&date=2026-03-24&cancelled=1").data)
    assert month_cell(with_cancelled, "2026-03-24").attrs["data-count"] == "8"
    # Filtered to Nora: only her one appointment that day.
    nora_only = parse(client.get(f"/team?view=month&date=2026-03-24&agent={nora.id}").data)
    cell = month_cell(nora_only, "2026-03-24")
    assert cell.attrs["data-count"] == "1" and cell.find("cal-month__more") is None
    assert str(cancelled.id) not in client.get("/team?view=month&date=2026-03-24").text


def test_team_month_sends_as_many_statements_for_many_appointments_as_for_few(app, client, team):
    alice, nora, a1, n1 = team

    def statements() -> int:
        count = []
        listener = lambda *args: count.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/team?view=month&date=2026-03-24").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(count)

    statements()  # the first request of a session may write (sign-in bookkeeping)
    few = statements()
    for day in range(2, 28):
        for hour in (5, 6, 7):
            factories.appointment(a1.service, alice, datetime(2026, 3, day, hour, tzinfo=UTC))
    assert statements() == few


def test_team_week_caps_each_day_and_links_the_rest(client, team):
    alice, nora, a1, n1 = team
    service = a1.service
    others = [factories.agent(f"agent{n}@example.com", f"Agent {n}") for n in range(3)]
    service.agents.extend(others)
    db.session.commit()
    # Four at 10:00 Berlin on the 24th (Alice's a1 and three more): two fit side by side.
    crowd = [a1] + [
        factories.appointment(service, agent, datetime(2026, 3, 24, 9, 0, tzinfo=UTC))
        for agent in others
    ]
    tree = parse(client.get("/team?view=week&date=2026-03-24").data)
    columns = {c.attrs["data-day"]: c for c in tree.find_all("cal__col")}
    shown = {appointment_id(e) for e in columns["2026-03-24"].find_all("cal__event")}
    crowd_ids = {str(a.id) for a in crowd}
    assert len(shown & crowd_ids) == 2 and str(n1.id) in shown  # 15:00 is alone: shown
    more = [m for m in tree.find_all("cal__more")]
    assert [m.text.strip() for m in more] == ["+2 more"]
    assert more[0].attrs["href"] == "/team/?view=day&date=2026-03-24"
    assert more[0].ancestor("cal__head") is not None
    # The day view shows every agent's column, all four at 10:00.
    day = parse(client.get(more[0].attrs["href"]).data)
    assert crowd_ids | {str(n1.id)} == set(events(day))
    assert day.find("cal__more") is None
    # The phone list of the week is capped the same way: the first three, then "+2 more".
    agenda_day = next(
        d for d in tree.find_all("cal-agenda__day") if d.attrs["data-day"] == "2026-03-24"
    )
    listed = agenda_day.find_all("cal-agenda__item", tag="li")
    assert len(listed) == 3
    assert {row.attrs["data-appointment"] for row in listed} < crowd_ids | {str(n1.id)}
    agenda_more = agenda_day.find("cal-agenda__more", tag="a")
    assert agenda_more.text.strip() == "+2 more"
    assert agenda_more.attrs["href"] == "/team/?view=day&date=2026-03-24"
    # The day view's list is not capped: all five.
    day_agenda = next(
        d for d in day.find_all("cal-agenda__day") if d.attrs["data-day"] == "2026-03-24"
    )
    assert len(day_agenda.find_all("cal-agenda__item", tag="li")) == 5
    assert day_agenda.find("cal-agenda__more") is None


def test_team_month_edges(client, team):
    alice, nora, a1, n1 = team
    service = a1.service
    # 23:00 to midnight Berlin on the 25th: that day only.
    to_midnight = factories.appointment(service, alice, datetime(2026, 3, 25, 22, tzinfo=UTC))
    # Starts on Sunday 22 February, before the grid (from Monday 23), ends on the 23rd.
    early = factories.appointment(
        service, nora, datetime(2026, 2, 22, 22, 0, tzinfo=UTC), minutes=300
    )
    tree = parse(client.get("/team?view=month&date=2026-03-24").data)
    assert month_cell(tree, "2026-03-25").attrs["data-count"] == "1"
    assert month_cell(tree, "2026-03-26").attrs["data-count"] == "0"
    assert [
        e.attrs["data-appointment"]
        for e in month_cell(tree, "2026-03-25").find_all("cal-month__event")
    ] == [str(to_midnight.id)]
    first = month_cell(tree, "2026-02-23")
    assert first.attrs["data-count"] == "1"
    assert first.find("cal-month__event").attrs["data-appointment"] == str(early.id)


def test_team_blocks_show_their_agent_initials_in_the_agent_colour(client, team):
    alice, nora, a1, n1 = team
    week = client.get("/team", query_string={"view": "week", "date": "2026-03-24"})
    html = week.get_data(as_text=True)
    for agent, initials in ((alice, "AA"), (nora, "NN")):
        badge = f'<span class="cal__agent cal__agent--{agent.id.int % 6}" aria-hidden="true">'
        assert f"{badge}{initials}</span>" in html
    # The badge is hidden from screen readers: the block's own text names the agent.
    assert "Alice Able · " in html and "Nora Newyork · " in html


def test_team_week_has_an_agenda_list_for_phones_day_by_day(client, team):
    """Beside the grid, every day of the week is a heading and an ordered list of its
    appointments: time range, customer, agent, status (the CSS shows it on phones only)."""
    alice, nora, a1, n1 = team
    response = client.get("/team", query_string={"view": "week", "date": "2026-03-24"})
    tree = parse(response.data)
    agenda = tree.find("cal-agenda")
    assert agenda is not None
    days = agenda.find_all("cal-agenda__day")
    assert [day.attrs["data-day"] for day in days] == [f"2026-03-{d}" for d in range(23, 30)]
    tuesday = days[1]
    assert tuesday.find(tag="h3") is not None
    rows = tuesday.find("cal-agenda__list", tag="ol").find_all("cal-agenda__item", tag="li")
    assert [row.attrs["data-appointment"] for row in rows] == [str(a1.id), str(n1.id)]
    first = rows[0].text
    assert "10:00" in first and "11:00" in first  # the range in Berlin
    assert "Alice Able" in first
    assert rows[0].find("cal-agenda__status").text == "Past"  # 2026-03-24 is over
    assert rows[0].find("cal__agent").text == "AA"
    assert rows[0].find("cal-agenda__title", tag="a").attrs["href"].endswith(str(a1.id))
    assert days[0].find("cal-agenda__none") is not None  # Monday: no appointments


def test_agenda_list_folds_the_days_before_today(app, client, team):
    alice, nora, a1, n1 = team
    sign_in(client, "alice@example.com")
    today = datetime.now(UTC).date()
    tree = parse(client.get("/agent/calendar", query_string={"view": "week"}).data)
    agenda = tree.find("cal-agenda")
    days = agenda.find_all("cal-agenda__day")
    assert len(days) == 7
    earlier = agenda.find("cal-agenda__earlier", tag="details")
    first_open = next(day for day in days if day.ancestor("cal-agenda__earlier") is None)
    assert (earlier is None) == (today.isoweekday() == 1)
    assert "cal-agenda__day--today" in first_open.classes
    assert first_open.attrs["data-day"] == today.isoformat()
    assert tree.find("cal-agenda__today") is not None


def test_month_view_has_no_agenda_list(client, team):
    tree = parse(client.get("/team", query_string={"view": "month", "date": "2026-03-24"}).data)
    assert tree.find("cal-agenda") is None
