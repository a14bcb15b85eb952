"""Benchmark: a month of slots for a 20-agent service, across a DST change.

20 agents (Europe/Berlin and Europe/London) x October 2026 (clocks go back on
the 25th), Mon-Sat 09:00-12:30 and 13:30-18:00, 3 days off per agent, about
3,700 booked 30-minute appointments, a 15-minute grid.

Prints the median time of the pure computation (portal.scheduling.free_slots),
of the loader (portal.booking.loader), and how many SQL statements the loader
issued. Runs on SQLite by default; set PORTAL_BENCH_DATABASE_URL to use another
database (it must be empty or disposable: tables are dropped and created).

    python bench/slots.py [--runs 50]
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/http.py shares its name with the standard library's ``http``: run as a
# script from this folder, the folder must not come first on the import path.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date, datetime, timedelta, UTC  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from sqlalchemy import event  # noqa: E402

from portal import create_app  # noqa: E402
from portal.booking.availability import day_range_utc  # noqa: E402
from portal.booking.loader import load_availability  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Base, Service  # noqa: E402
from portal.scheduling import free_slots  # noqa: E402

from bench.calendars import add_agents, fill_calendars  # noqa: E402

FIRST_DAY, LAST_DAY = date(2026, 10, 1), date(2026, 10, 31)
NOW = datetime(2026, 9, 30, 12, 0, tzinfo=UTC)
AGENTS = 20


def populate() -> Service:
    agents = add_agents(db.session, AGENTS)
    service = Service(
        slug="bench",
        name="Bench",
        duration_minutes=30,
        slot_interval_minutes=15,
        timezone="Europe/Berlin",
        horizon_days=90,
        agents=agents,
    )
    db.session.add(service)
    days = [FIRST_DAY + timedelta(days=offset) for offset in range(31)]
    booked = fill_calendars(db.session, service, agents, days)
    db.session.commit()
    print(
        f"data: {AGENTS} agents, {booked} appointments, {FIRST_DAY}..{LAST_DAY} (DST change on "
        f"2026-10-25)"
    )
    return service


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("PORTAL_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TIMEZONE": "Europe/Berlin"},
            instance_path=folder,
        )
        with app.app_context():
            Base.metadata.drop_all(db.engine)
            Base.metadata.create_all(db.engine)
            service = populate()
            zone = ZoneInfo("Europe/Berlin")
            start, end = day_range_utc(FIRST_DAY, LAST_DAY, zone)

            statements = []
            listener = lambda *a, **k: statements.append(a[2])  # noqa: E731
            loader_times, compute_times, slot_count = [], [], 0
            for run in range(args.runs):
                db.session.expire_all()
                service = db.session.get(Service, service.id)
                _ = service.duration  # the caller already has the service loaded
                event.listen(db.engine, "before_cursor_execute", listener)
                began = time.perf_counter()
                data = load_availability(db.session, service, start, end, now=NOW)
                loader_times.append(time.perf_counter() - began)
                event.remove(db.engine, "before_cursor_execute", listener)
                if run == 0:
                    issued = len(statements)
                began = time.perf_counter()
                slots = free_slots(
                    data.service,
                    data.agents,
                    office_hours=data.office_hours,
                    office_timezone="Europe/Berlin",
                    first_day=FIRST_DAY,
                    last_day=LAST_DAY,
                    timezone="Europe/Berlin",
                    now=NOW,
                )
                compute_times.append(time.perf_counter() - began)
                slot_count = len(slots)
            db.session.remove()
            db.engine.dispose()
    print(f"database: {url.split(':')[0]}, runs: {args.runs}, offered slots: {slot_count}")
    print(
        f"pure computation (free_slots)  median {median_ms(compute_times):7.2f} ms   target <= 10 "
        f"ms"
        f"   ratio {median_ms(compute_times) / 10:.2f} of target"
    )
    print(
        f"loader (load_availability)     median {median_ms(loader_times):7.2f} ms   target <= 20 ms"
        f"   ratio {median_ms(loader_times) / 20:.2f} of target"
    )
    print(f"loader SQL statements          {issued:7d}      target <= 3")


if __name__ == "__main__":
    main()
