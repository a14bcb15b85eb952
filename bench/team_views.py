"""Benchmark: the supervisors' team calendar and the appointments list API, in process.

For 20 and 40 agents (``bench.calendars``: Europe/Berlin and Europe/London,
Mon-Sat, about half of every working day booked, each appointment with one
customer) over this month and next, a signed-in supervisor asks for:

- ``team month``  GET /team?view=month&date=<next month>   (every agent)
- ``team week``   GET /team?view=week&date=<a Tuesday>      (every agent)
- ``team day``    GET /team?view=day&date=<that Tuesday>    (every agent)

and a CLIENT_SERVICE token asks ``GET /api/appointments/?pageSize=10`` and
``?pageSize=200`` (the service has the default notification templates; every
tenth appointment has an open video room). The tables show the median wall and
CPU time per request over ``--runs`` runs, the response size and the number of
SQL statements each request sends (SQLAlchemy's ``before_cursor_execute``).

Targets (issue 15): team month <= 60 ms at 20 agents and <= 120 ms at 40; week
HTML <= 150 KB at 20 agents; the appointments list <= 10 statements whatever the
page size.

SQLite in a temporary folder by default; PORTAL_BENCH_DATABASE_URL picks another
database, which must be disposable (its tables are dropped and created).

    python bench/team_views.py [--runs 15] [--sizes 20 40]
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/http.py shares its name with the standard library's ``http``.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date, datetime, timedelta, UTC  # noqa: E402

ZONE = "Europe/Berlin"
PASSWORD = "bench password"  # noqa: S105 - a throwaway account in a throwaway database


@dataclass
class Row:
    name: str
    agents: int
    wall_ms: float
    cpu_ms: float
    size: int
    statements: int
    items: int | None = None


@dataclass
class Data:
    month: date  # first day of next month
    tuesday: date  # a Tuesday in it
    token: str


def populate(app, agents_count: int) -> Data:
    from portal.extensions import db
    from portal.models import (
        Appointment,
        Base,
        Participant,
        ParticipantType,
        Role,
        RoomTicket,
        Service,
        User,
    )
    from portal.notifications.defaults import add_default_templates
    from portal.tokens import issue_token

    from bench.calendars import add_agents, fill_calendars

    today = datetime.now(UTC).date()
    first = today.replace(day=1)
    month = (first + timedelta(days=32)).replace(day=1)
    last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        agents = add_agents(db.session, agents_count)
        service = Service(
            slug="bench",
            name="Bench consultation",
            duration_minutes=30,
            timezone=ZONE,
            horizon_days=90,
            agents=agents,
        )
        db.session.add(service)
        add_default_templates(service)
        supervisor = User(
            email="lead@bench.example", name="Lead", role=Role.SUPERVISOR, timezone=ZONE
        )
        supervisor.set_password(PASSWORD)
        integration = User(
            email="crm@bench.example", name="CRM", role=Role.CLIENT_SERVICE, timezone=ZONE
        )
        token, secret = issue_token(integration, "bench")
        db.session.add_all([supervisor, integration, token])
        fill_calendars(db.session, service, agents, days)
        appointments = [obj for obj in db.session.new if isinstance(obj, Appointment)]
        appointments.sort(key=lambda a: (a.start_at, a.organizer.email))
        for number, appointment in enumerate(appointments):
            appointment.participants.append(
                Participant(
                    type=ParticipantType.CUSTOMER,
                    first_name="Customer",
                    last_name=f"{number:05d}",
                    email=f"customer{number}@bench.example",
                )
            )
            if number % 10 == 0:
                appointment.room_tickets.append(
                    RoomTicket(url=f"https://meet.example/room-{number}", expires_at=None)
                )
        db.session.commit()
        db.session.remove()
    tuesday = month + timedelta(days=(7 - month.weekday()) % 7 + 1)
    return Data(month=month, tuesday=tuesday, token=secret)


def measure(app, client, name: str, agents: int, path: str, headers, runs: int) -> Row:
    from sqlalchemy import event

    from portal.extensions import db

    with app.app_context():
        engine = db.engine
    counted: list[int] = [0]  # the warm-up's

    def count(*_args, **_kwargs) -> None:
        counted[-1] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        walls, cpus, size = [], [], 0
        client.get(path, headers=headers)  # warm-up
        for _ in range(runs):
            counted.append(0)
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")
            size = len(response.data)
            body = response.get_json(silent=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    items = len(body["content"]) if isinstance(body, dict) and "content" in body else None
    return Row(
        name,
        agents,
        statistics.median(walls) * 1000,
        statistics.median(cpus) * 1000,
        size,
        max(counted[1:]),
        items,
    )


def run(size: int, runs: int, folder: str) -> list[Row]:
    from portal import create_app

    url = os.environ.get("PORTAL_BENCH_DATABASE_URL") or f"sqlite:///{folder}/team{size}.sqlite"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "TIMEZONE": ZONE,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "MAIL_BACKEND": "locmem",
        },
        instance_path=folder,
    )
    data = populate(app, size)
    client = app.test_client()
    signed_in = client.post("/login", data={"email": "lead@bench.example", "password": PASSWORD})
    if signed_in.status_code != 302:
        raise SystemExit("the supervisor could not sign in")
    api = {"Authorization": f"Bearer {data.token}"}
    rows = [
        measure(app, client, "team month", size, f"/team?view=month&date={data.month}", {}, runs),
        measure(app, client, "team week", size, f"/team?view=week&date={data.tuesday}", {}, runs),
        measure(app, client, "team day", size, f"/team?view=day&date={data.tuesday}", {}, runs),
    ]
    for page_size in (10, 200):
        rows.append(
            measure(
                app,
                client,
                f"api list {page_size}",
                size,
                f"/api/appointments/?pageSize={page_size}",
                api,
                runs,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15, help="timed requests per row")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 40], help="agent counts")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            rows += run(size, args.runs, folder)
    database = (os.environ.get("PORTAL_BENCH_DATABASE_URL") or "sqlite").split(":")[0]
    print(
        f"team views and appointments list, in process ({database}; median of {args.runs} runs; "
        f"this month and next booked)"
    )
    print(
        f"{'request':14} {'agents':>6} {'wall ms':>8} {'cpu ms':>8} {'KB':>8} {'SQL':>5} "
        f"{'items':>6} {'B/item':>7}"
    )
    for r in rows:
        per_item = f"{r.size / r.items:7.0f}" if r.items else f"{'':7}"
        items = f"{r.items:6d}" if r.items is not None else f"{'':6}"
        print(
            f"{r.name:14} {r.agents:6d} {r.wall_ms:8.1f} {r.cpu_ms:8.1f} {r.size / 1024:8.1f} "
            f"{r.statements:5d} {items} {per_item}"
        )
    print(
        "targets: team month <= 60 ms at 20 agents, <= 120 ms at 40; week <= 150 KB at 20; "
        "api list <= 10 statements at any page size"
    )


if __name__ == "__main__":
    main()
