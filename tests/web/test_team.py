"""/team: supervisors see every agent's calendar, one column per agent on a day, filterable."""

from __future__ import annotations

from datetime import datetime, UTC

import pytest

from portal.models import Role
from tests import factories
from tests.conftest import make_user, sign_in
from tests.web.staff_support import column_of, events, hour_lines, parse

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
