"""Benchmark: stale offers between two app servers sharing PostgreSQL and Redis.

Two gunicorn servers (``deploy/gunicorn.conf.py``, ``--workers`` each) serve the
same PostgreSQL database and keep the availability cache in the same Redis
(``PORTAL_CACHE_REDIS_URL``, one key prefix for both, as two production servers).
A 20-agent service has half of every working day booked. Then, ``--rounds``
times (200 by default):

1. ask server B for the day's slots (API), that agent's day partial (htmx) and
   whole day page (cached whole for an anonymous visitor), so B has them cached;
2. book a free (start, agent) on server A through the API (201);
3. at once ask B again: an answer that still offers that start for that agent
   is stale.

It prints the count of stale answers (the target is 0) and how many rounds ran.

    PORTAL_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        python bench/stale.py [--redis-url redis://127.0.0.1:6379/0] [--rounds 200]

The database must be disposable: its tables are dropped and created.
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
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402
from datetime import datetime, timedelta, UTC  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

AGENTS = 20
DAYS = 14
ZONE = "Europe/Berlin"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def populate(url: str, folder: str) -> tuple[str, str]:
    from portal import create_app
    from portal.extensions import db
    from portal.models import Base, Role, Service, User
    from portal.tokens import issue_token

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
            timezone=ZONE,
            horizon_days=90,
            agents=agents,
        )
        integration = User(
            email="crm@bench.example", name="CRM", role=Role.CLIENT_SERVICE, timezone=ZONE
        )
        token, secret = issue_token(integration, "bench")
        db.session.add_all([service, integration, token])
        days = [today + timedelta(days=offset) for offset in range(1, DAYS + 1)]
        booked = fill_calendars(db.session, service, agents, days)
        db.session.commit()
        service_id = str(service.id)
        db.session.remove()
        db.engine.dispose()
    print(f"data: {AGENTS} agents, {booked} appointments over the next {DAYS} days")
    return service_id, secret


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(env: dict[str, str], folder: str, name: str, port: int) -> subprocess.Popen:
    env = env | {"PORTAL_BIND": f"127.0.0.1:{port}"}
    log_path = Path(folder) / f"gunicorn-{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "portal:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn {name} did not start:\n" + log_path.read_text())


class Client:
    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, str]:
        self.connection.request(method, path, body=body, headers=headers or {})
        response = self.connection.getresponse()
        return response.status, response.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    url = os.environ.get("PORTAL_BENCH_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("set PORTAL_BENCH_DATABASE_URL to a disposable PostgreSQL database")

    with tempfile.TemporaryDirectory() as folder:
        service_id, token = populate(url, folder)
        env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
        env.update(
            PORTAL_SQLALCHEMY_DATABASE_URI=url,
            PORTAL_SECRET_KEY="bench",
            PORTAL_TIMEZONE=ZONE,
            PORTAL_RATELIMIT_ENABLED="false",
            PORTAL_MAIL_BACKEND="locmem",
            PORTAL_SMS_BACKEND="locmem",
            PORTAL_WORKERS=str(args.workers),
            PORTAL_THREADS="4",
            PORTAL_CACHE_REDIS_URL=args.redis_url,
            PORTAL_CACHE_KEY_PREFIX=f"bench-stale-{uuid.uuid4().hex}:",
            PYTHONPATH=str(ROOT),
        )
        port_a, port_b = free_port(), free_port()
        servers = [serve(env, folder, "A", port_a)]
        try:
            servers.append(serve(env, folder, "B", port_b))
            run(Client(port_a), Client(port_b), service_id, token, args.rounds)
        finally:
            for process in servers:
                process.terminate()
            for process in servers:
                process.wait(timeout=30)


def offered(page: str) -> list[str]:
    """The starts a booking page offers (its slot buttons)."""
    return re.findall(r'name="start" value="([^"]+)"', page)


def run(a: Client, b: Client, service_id: str, token: str, rounds: int) -> None:
    today = datetime.now(UTC).date()
    first, last = today + timedelta(days=1), today + timedelta(days=DAYS)
    status, body = a.request(
        "GET", f"/api/services/{service_id}/slots?from={first}&to={last}&timezone={ZONE}"
    )
    assert status == 200, body
    pairs = [(slot["start"], agent) for slot in json.loads(body) for agent in slot["agentIds"]]
    random.Random(15).shuffle(pairs)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    stale_api = stale_partial = stale_page = booked = taken = shown_before = 0
    for number, (start, agent) in enumerate(pairs):
        if booked >= rounds:
            break
        day = datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(ZoneInfo(ZONE))
        slots_path = (
            f"/api/services/{service_id}/slots?from={day:%Y-%m-%d}&to={day:%Y-%m-%d}"
            f"&timezone={ZONE}"
        )
        page_path = f"/book/bench/day/{day:%Y-%m-%d}?timezone={ZONE}&agent={agent}"
        hx = {"HX-Request": "true"}
        # B has the day cached...
        b.request("GET", slots_path)
        _, partial = b.request("GET", page_path, headers=hx)
        _, page = b.request("GET", page_path)
        # The check below means something only if B offered the time before.
        offered_before = start in offered(partial) and start in offered(page)
        body = {
            "serviceId": service_id,
            "start": start,
            "agentId": agent,
            "timezone": ZONE,
            "locale": "en",
            "customer": {
                "name": {"firstName": "Stale", "lastName": f"Check {number}"},
                "contact": {"primaryEmail": f"stale{number}@bench.example"},
            },
        }
        # ...A books...
        status, answer = a.request("POST", "/api/appointments/", json.dumps(body).encode(), headers)
        if status == 409:
            taken += 1  # an earlier round took an overlapping time of this agent
            continue
        assert status == 201, (status, answer)
        booked += 1
        shown_before += offered_before
        # ...and B is asked at once.
        _, slots = b.request("GET", slots_path)
        if any(s["start"] == start and agent in s["agentIds"] for s in json.loads(slots)):
            stale_api += 1
        _, partial = b.request("GET", page_path, headers=hx)
        if start in offered(partial):
            stale_partial += 1
        _, page = b.request("GET", page_path)
        if start in offered(page):
            stale_page += 1
    print(
        f"two gunicorn servers on PostgreSQL sharing Redis; {booked} bookings on A "
        f"({taken} refused as overlapping an earlier one), each followed at once by B's answers;"
        f" B's pages offered the booked time just before in {shown_before} rounds"
    )
    print(
        f"stale answers from B: slots API {stale_api}, day partial {stale_partial}, "
        f"whole day page {stale_page} (target 0)"
    )


if __name__ == "__main__":
    main()
