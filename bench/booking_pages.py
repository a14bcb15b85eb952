"""Benchmark: the customer month page and day partial, served for real.

A 20-agent service (Europe/Berlin and Europe/London agents, Mon-Sat
09:00-12:30 and 13:30-18:00, a 15-minute grid, about half of the next 45 days
booked) is served by gunicorn (``--workers 2 --threads 4``, the app from
``portal.create_app()`` plus one bare ``/__hello`` route in the same app).
Eight client threads, each with its own keep-alive HTTP connection, request:

- ``hello``       GET /__hello                                  (the baseline)
- ``month page``  GET /book/bench?month=<next month>&timezone=Europe/Berlin (whole page)
- ``day partial`` GET /book/bench/day/<day>?timezone=Europe/Berlin with HX-Request

and the script prints median / p95 latency, requests per second and the
ratios to the targets (month p95 <= 100 ms, day p95 <= 50 ms, each >= 25 % of
the hello throughput). SQLite by default; PORTAL_BENCH_DATABASE_URL picks
another (disposable!) database. ``--no-cache`` turns the availability cache
off (``AVAILABILITY_CACHE_ENABLED=false``), to see the cost of computing every answer.

    python bench/booking_pages.py [--seconds 8] [--clients 8] [--workers 2] [--threads 4]
        [--no-cache]
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
import http.client  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from datetime import date, datetime, timedelta, UTC  # noqa: E402

AGENTS = 20
DAYS = 45
UTC = UTC


def populate(url: str, folder: str) -> tuple[date, date]:
    from portal import create_app
    from portal.extensions import db
    from portal.models import Base, Service

    from bench.calendars import add_agents, fill_calendars

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}, instance_path=folder)
    today = datetime.now(UTC).date()
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        agents = add_agents(db.session, AGENTS)
        service = Service(
            slug="bench",
            name="Bench consultation",
            duration_minutes=30,
            slot_interval_minutes=15,
            timezone="Europe/Berlin",
            horizon_days=90,
            agents=agents,
        )
        db.session.add(service)
        days = [today + timedelta(days=offset) for offset in range(1, DAYS + 1)]
        booked = fill_calendars(db.session, service, agents, days)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    print(f"data: {AGENTS} agents, {booked} appointments over the next {DAYS} days, 15-minute grid")
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    day = next_month + timedelta(days=(7 - next_month.weekday()) % 7 + 1)  # a Tuesday
    return next_month, day


def serve(
    url: str, folder: str, port: int, workers: int, threads: int, cache: bool
) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_SQLALCHEMY_DATABASE_URI=url,
        PORTAL_SECRET_KEY="bench",
        PORTAL_RATELIMIT_ENABLED="false",
        PORTAL_MAIL_BACKEND="locmem",
        PYTHONPATH=str(ROOT),
    )
    env["PORTAL_AVAILABILITY_CACHE_ENABLED"] = "true" if cache else "false"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        "bench.served_app:bench_app()",
    ]
    log = open(Path(folder) / "gunicorn.log", "wb")  # noqa: SIM115 - the server writes it until stopped
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/__hello", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start:\n" + (Path(folder) / "gunicorn.log").read_text())


def measure(port: int, path: str, headers: dict, clients: int, seconds: float) -> dict:
    """``clients`` threads hammer ``path`` for ``seconds``; latencies of 2xx answers."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    start_gate = threading.Barrier(clients)
    stop_at = [0.0]

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        # Warm the connection and the worker.
        connection.request("GET", path, headers=headers)
        connection.getresponse().read()
        start_gate.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - began
            if response.status == 200:
                mine.append(elapsed)
            else:
                with lock:
                    failures[0] += 1
        connection.close()
        with lock:
            latencies.extend(mine)

    stop_at[0] = time.perf_counter() + seconds + 1.0  # + the warm-up
    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {
        "count": len(latencies),
        "failures": failures[0],
        "median": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rps": len(latencies) / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--no-cache", action="store_true", help="compute every answer (the cache off)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("PORTAL_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
        month, day = populate(url, folder)
        import socket

        port = args.port
        if not port:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
        process = serve(url, folder, port, args.workers, args.threads, not args.no_cache)
        try:
            targets = [
                ("hello", "/__hello", {}),
                ("month page", f"/book/bench?month={month:%Y-%m}&timezone=Europe/Berlin", {}),
                (
                    "day partial",
                    f"/book/bench/day/{day.isoformat()}?timezone=Europe/Berlin",
                    {"HX-Request": "true"},
                ),
            ]
            results = {}
            for name, path, headers in targets:
                results[name] = measure(port, path, headers, args.clients, args.seconds)
        finally:
            process.terminate()
            process.wait(timeout=15)

    print(
        f"database: {url.split(':')[0]}, gunicorn {args.workers} workers x {args.threads} threads, "
        f"{args.clients} clients, {args.seconds:g} s each, {os.cpu_count()} CPUs, cache "
        f"{'off' if args.no_cache else 'on (in-process)'}"
    )
    print(f"{'':12} {'median ms':>10} {'p95 ms':>8} {'req/s':>8} {'requests':>9} {'non-200':>8}")
    for name, r in results.items():
        print(
            f"{name:12} {r['median']:10.1f} {r['p95']:8.1f} {r['rps']:8.1f} {r['count']:9d} "
            f"{r['failures']:8d}"
        )
    hello = results["hello"]["rps"]
    for name, target in (("month page", 100.0), ("day partial", 50.0)):
        r = results[name]
        share = r["rps"] / hello
        print(
            f"{name:12} p95 {r['p95']:6.1f} ms / target {target:.0f} ms = {r['p95'] / target:4.2f}"
            f"  {'ok' if r['p95'] <= target else 'MISSED'}   "
            f"throughput {share:6.1%} of hello (target >= 25%)  "
            f"{'ok' if share >= 0.25 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
