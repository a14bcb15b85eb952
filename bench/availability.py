"""Benchmark: CPU time per request of the availability pages, in one process, cache off.

A 20-agent service (Europe/Berlin and Europe/London agents, Mon-Sat 09:00-12:30
and 13:30-18:00, a 15-minute grid, about half of every working day booked from
tomorrow to the end of next month) is asked through the Flask test client, with
the availability cache switched off (``AVAILABILITY_CACHE_ENABLED = False``;
``PICKER_CACHE_SECONDS = 0`` for the code before it), so every answer is computed:

- ``hello``        GET /__hello                                       (the baseline)
- ``month page``   GET /book/<slug>?month=<next month>&timezone=Europe/Berlin
- ``day partial``  GET /book/<slug>/day/<a Tuesday>?timezone=... with HX-Request
- ``slots API``    GET /api/services/<id>/slots for all of next month (31 days or fewer)
- ``cached month`` / ``cached day``: the month page and the day partial again with the
  cache on (in-process SimpleCache)
- with ``--misses``, the three again on a cache that never hits (``NullCache``): the
  availability versions are read first, as on a miss in production, so a service's rules
  are read once per version

Each row is the median CPU time (``time.process_time``) of one request, the
garbage collector left on, and separately the mean including the collections a
run of requests triggers; ``--freeze`` runs ``gc.collect(); gc.freeze()`` after
start-up, as each production worker does (deploy/gunicorn.conf.py). Then the pure
computation for next month (``free_slots``: every slot; ``first_free_starts``:
which days have one, what the month grid asks).

    python bench/availability.py [--runs 60] [--freeze] [--misses]
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
import gc  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from datetime import date, datetime, timedelta, UTC  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

AGENTS = 20
ZONE = "Europe/Berlin"


def month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def build_app(url: str, folder: str, cache_type: str | None = None):
    """The app with the availability cache off, or on with ``cache_type`` as its store."""
    from portal import create_app

    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench",
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "locmem",
        "TIMEZONE": ZONE,
        "REQUEST_LOG": False,
        "AVAILABILITY_CACHE_ENABLED": cache_type is not None,
        "PICKER_CACHE_SECONDS": 0,
    }
    if cache_type is not None:
        config["CACHE_TYPE"] = cache_type
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Flask-Caching warns that NullCache holds nothing
        app = create_app(config, instance_path=folder)

    @app.get("/__hello")
    def hello():
        return "hello"

    return app


def build(url: str, folder: str):
    from portal.extensions import db
    from portal.models import Base, Service

    from bench.calendars import add_agents, fill_calendars

    app = build_app(url, folder)

    today = datetime.now(UTC).date()
    month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        agents = add_agents(db.session, AGENTS)
        service = Service(
            slug="bench",
            name="Bench consultation",
            duration_minutes=30,
            slot_interval_minutes=15,
            timezone=ZONE,
            horizon_days=90,
            agents=agents,
        )
        db.session.add(service)
        days = [today + timedelta(days=n) for n in range(1, (month_end(month) - today).days + 1)]
        booked = fill_calendars(db.session, service, agents, days)
        db.session.commit()
        service_id = service.id
        db.session.remove()
    print(f"data: {AGENTS} agents, {booked} appointments from tomorrow to {month_end(month)}")
    return app, service_id, month


def cpu_ms(client, path: str, headers: dict, runs: int) -> tuple[float, float]:
    """(median CPU ms per request, mean CPU ms per request with the collections it caused)."""
    for _ in range(3):
        assert client.get(path, headers=headers).status_code == 200, path
    samples = []
    total_began = time.process_time()
    for _ in range(runs):
        began = time.process_time()
        client.get(path, headers=headers)
        samples.append(time.process_time() - began)
    total = time.process_time() - total_began
    return statistics.median(samples) * 1000, total / runs * 1000


def pure(app, service_id, month: date, runs: int) -> list[tuple[str, float]]:
    from portal.booking.availability import day_range_utc
    from portal.booking.loader import load_availability
    from portal.extensions import db
    from portal.models import Service
    from portal.scheduling import free_slots

    try:
        from portal.scheduling.slots import first_free_starts
    except ImportError:  # the code before the month grid asked only for free days
        first_free_starts = None
    first_day, last_day = month, month_end(month)
    start, end = day_range_utc(first_day, last_day, ZoneInfo(ZONE))
    now = datetime.now(UTC)
    rows = []
    with app.app_context():
        service = db.session.get(Service, service_id)
        data = load_availability(db.session, service, start, end, now=now)
        arguments = dict(
            office_hours=data.office_hours,
            office_timezone=ZONE,
            first_day=first_day,
            last_day=last_day,
            timezone=ZONE,
            now=now,
        )
        functions = [("free_slots (every slot)", free_slots)]
        if first_free_starts is not None:
            functions.append(("first_free_starts (month grid)", first_free_starts))
        for name, function in functions:
            samples = []
            for _ in range(runs):
                began = time.process_time()
                function(data.service, data.agents, **arguments)
                samples.append(time.process_time() - began)
            rows.append((name, statistics.median(samples) * 1000))
        db.session.remove()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after start-up")
    parser.add_argument(
        "--misses",
        action="store_true",
        help="also the pages on a cache that never hits (as a miss in production)",
    )
    args = parser.parse_args()
    url = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as folder:
        app, service_id, month = build(url or f"sqlite:///{folder}/bench.sqlite", folder)
        with app.app_context():
            from portal.extensions import db

            db.session.remove()
        client = app.test_client()
        tuesday = month + timedelta(days=(7 - month.weekday()) % 7 + 1)
        if args.freeze:
            gc.collect()
            gc.freeze()
        hx = {"HX-Request": "true"}
        rows = [
            ("hello", "/__hello", {}),
            ("month page", f"/book/bench?month={month:%Y-%m}&timezone={ZONE}", {}),
            ("day partial", f"/book/bench/day/{tuesday}?timezone={ZONE}", hx),
            (
                "slots API",
                f"/api/services/{service_id}/slots?from={month}&to={month_end(month)}"
                f"&timezone={ZONE}",
                {},
            ),
        ]
        database = (url or "sqlite").split(":")[0]
        print(
            f"in process, cache off, database {database}, {args.runs} runs, gc.freeze {args.freeze}"
        )
        print(f"{'request':20} {'median CPU ms':>14} {'with GC ms':>11} {'hello share':>12}")
        hello = None
        for name, path, headers in rows:
            median, with_gc = cpu_ms(client, path, headers, args.runs)
            hello = hello or with_gc
            print(f"{name:20} {median:14.2f} {with_gc:11.2f} {hello / with_gc:12.1%}")
        if args.misses:
            # A cache that never holds an entry: every answer computed, as on a miss in
            # production (the versions read first, so rules are read once per version).
            miss_app = build_app(app.config["SQLALCHEMY_DATABASE_URI"], folder, "NullCache")
            miss_client = miss_app.test_client()
            for name, path, headers in rows[1:]:
                median, with_gc = cpu_ms(miss_client, path, headers, args.runs)
                label = f"{name} (miss)"
                print(f"{label:20} {median:14.2f} {with_gc:11.2f} {hello / with_gc:12.1%}")
        app.config["AVAILABILITY_CACHE_ENABLED"] = True
        app.config["PICKER_CACHE_SECONDS"] = 3600
        for name, path, headers in rows[1:3]:
            median, with_gc = cpu_ms(client, path, headers, args.runs)
            label = f"cached {name.split()[0]}"
            print(f"{label:20} {median:14.2f} {with_gc:11.2f} {hello / with_gc:12.1%}")
        print(f"pure computation, {month:%B %Y}, {AGENTS} agents (median CPU ms of {args.runs})")
        for name, ms in pure(app, service_id, month, args.runs):
            print(f"  {name:32} {ms:8.2f} ms")


if __name__ == "__main__":
    main()
