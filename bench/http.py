"""Benchmark: the booking endpoints under the production gunicorn config, and slot scaling.

Part 1, HTTP. ``gunicorn -c deploy/gunicorn.conf.py`` (the production settings:
gthread workers, ``2 x cores`` processes with 4 threads unless ``--workers`` /
``--threads`` say otherwise) serves ``portal.create_app()`` plus one bare
``/__hello`` route in the same app. The service has 20 agents (Europe/Berlin and
Europe/London, Mon-Sat 09:00-12:30 and 13:30-18:00, a 15-minute grid, 3 days off
each, about half of every working day booked from tomorrow to the end of next
month). Client threads, each with its own keep-alive connection, request:

- ``hello``         GET /__hello                                    (the baseline)
- ``month page``    GET /book/<slug>?month=<next month>&timezone=Europe/Berlin
- ``day partial``   GET /book/<slug>/day/<day>?timezone=...  with HX-Request
- ``slots API``     GET /api/services/<id>/slots for the same day (public)
- ``booking POST``  POST /api/appointments/ with a CLIENT_SERVICE API token

and, signed in as a supervisor (``team_page_targets``), the team calendar of every agent:

- ``team month``    GET /team?view=month&date=<next month>
- ``team week``     GET /team?view=week&date=<the Tuesday>

Each booking POST takes a different free (start, agent) pair read from the slots
API beforehand, spread over all agents and days, so nearly all succeed (201); a
409 means the slot was gone. The table shows requests per second and p50 / p95
latency of the expected answers (200, or 201 for the booking) and each
endpoint's throughput as a share of hello's in the same run. Rate limits are off
and mail goes nowhere, so neither is measured. Each page is measured twice,
side by side: with the availability cache (its production default: in-process,
or Redis with ``--redis-url``) and without it, each on its own server started for it:
by default a cache that never keeps an answer (Flask-Caching's ``NullCache``), so every
answer is computed as on a miss in production (the versions read, a service's rules read
once per version); ``--uncached off`` switches the cache off instead
(``AVAILABILITY_CACHE_ENABLED=false``: the rules read on every request too). The booking POST
runs on the cached one. Each client sends back the cookies it was given, as a
returning browser does (``--first-visits``: none, every request a new session).
With ``--servers N`` each side is N such servers on the same database (and, with
``--redis-url``, one Redis under one key prefix, as N production servers share
it), the clients spread over them in turn: give PostgreSQL with it, the one
database several processes write at once.

Part 2, scaling. The slot computation behind the slots API (the loader,
``portal.booking.loader.load_availability``, then the pure
``portal.scheduling.free_slots``) for all of next month, in process, for
services of 5, 10, 20 and 40 agents over the same calendars: median time, time
per agent and the ratio to 5 agents, which doubles with the agents when the
growth is linear.

SQLite in a temporary folder by default; PORTAL_BENCH_DATABASE_URL picks another
database, which must be disposable (its tables are dropped and created).

    python bench/http.py [--seconds 8] [--clients 8] [--workers N] [--threads N]
                         [--servers 1] [--repeat 1] [--redis-url URL] [--runs 20]
                         [--skip-http] [--skip-scaling] [--first-visits] [--only NAME ...]
                         [--uncached miss|off]
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file shares its name with the standard library's ``http``: run as a
# script, its own folder must not come first on the import path.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import functools  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import runpy  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date, datetime, timedelta, UTC  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

AGENTS = 20  # the served service
SCALING = (5, 10, 20, 40)
ZONE = "Europe/Berlin"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
UTC = UTC

# method, path, headers, body
Request = tuple[str, str, dict[str, str], bytes | None]


# --- data -------------------------------------------------------------------


@dataclass
class Data:
    services: dict[int, uuid.UUID]  # agent count -> service id
    token: str  # a CLIENT_SERVICE API token
    month: date  # first day of next month
    day: date  # a Tuesday in it
    last_day: date  # the last day with calendars


def slug(agents: int) -> str:
    return f"bench-{agents}"


def month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def populate(app, sizes: list[int]) -> Data:
    """``max(sizes)`` agents with calendars; one service per size over the first agents."""
    from portal.extensions import db
    from portal.models import Base, Role, Service, User
    from portal.tokens import issue_token

    from bench.calendars import add_agents, fill_calendars

    today = datetime.now(UTC).date()
    month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    last_day = month_end(month)
    days = [today + timedelta(days=offset) for offset in range(1, (last_day - today).days + 1)]
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        agents = add_agents(db.session, max(sizes))
        services = {
            size: Service(
                slug=slug(size),
                name=f"Bench consultation ({size} agents)",
                duration_minutes=30,
                slot_interval_minutes=15,
                timezone=ZONE,
                horizon_days=90,
                agents=agents[:size],
            )
            for size in sizes
        }
        db.session.add_all(services.values())
        integration = User(
            email="crm@bench.example", name="CRM", role=Role.CLIENT_SERVICE, timezone=ZONE
        )
        token, secret = issue_token(integration, "bench")
        db.session.add_all([integration, token])
        booked = fill_calendars(db.session, services[max(sizes)], agents, days)
        db.session.commit()
        service_ids = {size: service.id for size, service in services.items()}
        db.session.remove()
    print(
        f"data: {max(sizes)} agents, {booked} appointments from tomorrow to {last_day}, 15-minute "
        f"grid"
    )
    tuesday = month + timedelta(days=(7 - month.weekday()) % 7 + 1)
    return Data(services=service_ids, token=secret, month=month, day=tuesday, last_day=last_day)


# --- slot computation scaling -------------------------------------------------


@dataclass
class Scaling:
    agents: int
    loader_ms: float
    compute_ms: float
    slots: int

    @property
    def total_ms(self) -> float:
        return self.loader_ms + self.compute_ms


def time_slot_computation(app, data: Data, runs: int) -> list[Scaling]:
    """What the slots API computes for next month, per service size (median of ``runs``)."""
    from portal.booking.availability import day_range_utc
    from portal.booking.loader import load_availability
    from portal.extensions import db
    from portal.models import Service
    from portal.scheduling import free_slots

    first_day, last_day = data.month, month_end(data.month)
    start, end = day_range_utc(first_day, last_day, ZoneInfo(ZONE))
    now = datetime.now(UTC)
    results = []
    with app.app_context():
        for size in SCALING:
            loader_times, compute_times, slot_count = [], [], 0
            for _ in range(runs):
                db.session.expire_all()
                service = db.session.get(Service, data.services[size])
                _ = service.duration  # the API view has the service loaded already
                began = time.perf_counter()
                availability = load_availability(db.session, service, start, end, now=now)
                loaded = time.perf_counter()
                slots = free_slots(
                    availability.service,
                    availability.agents,
                    office_hours=availability.office_hours,
                    office_timezone=ZONE,
                    first_day=first_day,
                    last_day=last_day,
                    timezone=ZONE,
                    now=now,
                )
                computed = time.perf_counter()
                loader_times.append(loaded - began)
                compute_times.append(computed - loaded)
                slot_count = len(slots)
            results.append(
                Scaling(
                    size,
                    statistics.median(loader_times) * 1000,
                    statistics.median(compute_times) * 1000,
                    slot_count,
                )
            )
        db.session.remove()
    return results


# --- team pages (issue 15) ------------------------------------------------------

SUPERVISOR_EMAIL = "lead@bench.example"
BENCH_AGENT = "portal-bench"
SUPERVISOR_PASSWORD = "bench password"  # noqa: S105 - a throwaway account in a throwaway database


def add_supervisor(app) -> None:
    """The supervisor whose session asks for the team pages."""
    from portal.extensions import db
    from portal.models import Role, User

    with app.app_context():
        lead = User(email=SUPERVISOR_EMAIL, name="Lead", role=Role.SUPERVISOR, timezone=ZONE)
        lead.set_password(SUPERVISOR_PASSWORD)
        db.session.add(lead)
        db.session.commit()
        db.session.remove()


def supervisor_cookie(port: int) -> str:
    """Sign in through the login form (with its CSRF token); the session cookie header."""
    import http.cookiejar
    import re
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    # The session is bound to the browser (Flask-Login's session protection): one user agent.
    opener.addheaders = [("User-Agent", BENCH_AGENT)]
    base = f"http://127.0.0.1:{port}"
    with opener.open(f"{base}/login", timeout=60) as response:
        form = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form) or re.search(
        r'name="csrf_token" value="([^"]+)"', form
    )
    fields = {"email": SUPERVISOR_EMAIL, "password": SUPERVISOR_PASSWORD}
    if token:
        fields["csrf_token"] = token.group(1)
    body = urllib.parse.urlencode(fields).encode()
    with opener.open(f"{base}/login", data=body, timeout=60):
        pass
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    with opener.open(f"{base}/team?view=day", timeout=60) as response:
        if response.status != 200 or "/login" in response.url:
            raise SystemExit("the bench supervisor could not sign in")
    return cookie


def team_page_targets(port: int, data: Data) -> list[tuple[str, Callable[[], Request], int]]:
    """The supervisors' team calendar of every agent: month and week (rows of the table)."""
    headers = {"Cookie": supervisor_cookie(port), "User-Agent": BENCH_AGENT}
    tuesday = data.day
    return [
        ("team month", constant(f"/team?view=month&date={data.month}", headers), 200),
        ("team week", constant(f"/team?view=week&date={tuesday}", headers), 200),
    ]


# --- the server -------------------------------------------------------------


def server_environment(
    url: str,
    folder: str,
    port: int,
    workers: int | None,
    threads: int | None,
    cache: bool = True,
    redis_url: str | None = None,
    key_prefix: str | None = None,
    uncached: str = "off",
) -> dict[str, str]:
    # The caller's own PORTAL_* settings stay out: the server must use the bench database.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    env.update(
        PORTAL_BIND=f"127.0.0.1:{port}",
        PORTAL_SQLALCHEMY_DATABASE_URI=url,
        PORTAL_SECRET_KEY="bench",
        PORTAL_TIMEZONE=ZONE,
        PORTAL_RATELIMIT_ENABLED="false",
        PORTAL_MAIL_BACKEND="locmem",
        PORTAL_SMS_BACKEND="locmem",
        PORTAL_MAIL_FILE_PATH=str(Path(folder) / "mail"),
        PORTAL_SMS_LOG_PATH=str(Path(folder) / "sms.log"),
        PYTHONPATH=str(ROOT),
    )
    if workers is not None:
        env["PORTAL_WORKERS"] = str(workers)
    if threads is not None:
        env["PORTAL_THREADS"] = str(threads)
    env["PORTAL_AVAILABILITY_CACHE_ENABLED"] = "true" if cache or uncached == "miss" else "false"
    if not cache and uncached == "miss":
        env["PORTAL_CACHE_TYPE"] = "NullCache"  # every answer a miss: computed, never kept
    elif redis_url:
        env["PORTAL_CACHE_REDIS_URL"] = redis_url
        # One prefix for every server of a run: they share the entries, as in production.
        env["PORTAL_CACHE_KEY_PREFIX"] = key_prefix or f"bench-{uuid.uuid4().hex}:"
    return env


def gunicorn_settings(env: dict[str, str]) -> dict:
    """The settings the production config file yields under ``env``."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        return runpy.run_path(str(GUNICORN_CONFIG))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def serve(env: dict[str, str], folder: str, port: int, name: str = "") -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(GUNICORN_CONFIG),
        "bench.served_app:bench_app()",
    ]
    log_path = Path(folder) / f"gunicorn{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/__hello", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start:\n" + log_path.read_text())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_tree_cpu(roots: list[int]) -> float:
    """CPU seconds used so far by the processes ``roots`` and all they started (Linux
    ``/proc``): the gunicorn masters, their live workers, and the workers they reaped."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        # utime, stime; and for a master the workers it waited for (cutime, cstime).
        used[pid] = sum(int(value) for value in fields[11:15])
    total, stack = 0, list(roots)
    while stack:
        pid = stack.pop()
        total += used.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total / tick


# --- the load ---------------------------------------------------------------


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, expected answers only
    statuses: Counter[int] = field(default_factory=Counter)
    wall: float = 0.0
    exhausted: bool = False  # the requests ran out before the time was up
    server_cpu: float = math.nan  # seconds of CPU the app servers used in the window

    @classmethod
    def merged(cls, rounds: list[Result]) -> Result:
        """Several rounds of one row as one: their answers over their summed time."""
        whole = cls()
        for one in rounds:
            whole.latencies.extend(one.latencies)
            whole.statuses.update(one.statuses)
            whole.wall += one.wall
            whole.exhausted |= one.exhausted
            whole.server_cpu = (0.0 if math.isnan(whole.server_cpu) else whole.server_cpu) + (
                one.server_cpu
            )
        return whole

    @property
    def cpu_ms(self) -> float:
        """The app servers' CPU per answer: what the machine's other load does not change."""
        answers = sum(self.statuses.values())
        return self.server_cpu / answers * 1000 if answers else math.nan

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.wall if self.wall else 0.0

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(math.ceil(len(ordered) * share) - 1, 0)] * 1000 if ordered else math.nan


def measure(
    ports: list[int],
    next_request: Callable[[], Request | None],
    expected: int,
    clients: int,
    seconds: float,
    browser: bool = True,
    server_cpu: Callable[[], float] | None = None,
) -> Result:
    """``clients`` threads send ``next_request()`` for ``seconds``, after one warm-up request
    each, client ``i`` to server ``ports[i % len(ports)]``. With ``browser``, each client
    sends back the cookies it was given (a returning visitor); without, every request is a
    first visit (a new session and CSRF token).
    """
    result = Result()
    lock = threading.Lock()
    window: dict[str, float] = {}
    ended: list[float] = []
    errors: list[BaseException] = []

    def open_window() -> None:  # runs once, when every client is warm
        window["start"] = time.perf_counter()
        window["cpu"] = server_cpu() if server_cpu else math.nan
        window["stop"] = window["start"] + seconds

    gate = threading.Barrier(clients, action=open_window)

    def client(port: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        cookies: dict[str, str] = {}

        def send(request: Request) -> int:
            method, path, headers, body = request
            if cookies and "Cookie" not in headers:
                # Like a browser: the session cookie of the first answer comes back.
                headers = {**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if browser:
                for header in response.msg.get_all("Set-Cookie") or ():
                    name, _, value = header.split(";", 1)[0].partition("=")
                    if value:
                        cookies[name.strip()] = value
                    else:
                        cookies.pop(name.strip(), None)
            return response.status

        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        exhausted = False
        try:
            warm_up = next_request()
            if warm_up is not None:
                send(warm_up)
            gate.wait(timeout=120)
            while time.perf_counter() < window["stop"]:
                request = next_request()
                if request is None:
                    exhausted = True
                    break
                began = time.perf_counter()
                status = send(request)
                elapsed = time.perf_counter() - began
                statuses[status] += 1
                if status == expected:
                    latencies.append(elapsed)
        except BaseException as error:  # reported by the main thread
            gate.abort()
            with lock:
                errors.append(error)
        finally:
            connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.statuses.update(statuses)
            result.exhausted |= exhausted
            ended.append(time.perf_counter())

    threads = [
        threading.Thread(target=client, args=(ports[number % len(ports)],))
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"a client failed: {errors[0]!r}")
    result.wall = max(ended) - window["start"]
    if server_cpu:
        result.server_cpu = server_cpu() - window["cpu"]
    return result


def fetch_json(port: int, path: str) -> object:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
        return json.load(response)


def free_bookings(
    port: int, service_id: str, first_day: date, last_day: date
) -> list[tuple[str, str]]:
    """Free (start, agent id) pairs from the slots API, none overlapping another for the same
    agent.
    """
    last_day = min(last_day, first_day + timedelta(days=61))  # the API answers 62 days at a time
    slots = fetch_json(
        port, f"/api/services/{service_id}/slots?from={first_day}&to={last_day}&timezone={ZONE}"
    )
    free_from: dict[str, str] = {}  # agent -> end of the slot last picked for them
    pairs = []
    for slot in sorted(slots, key=lambda s: s["start"]):  # UTC "Z" times sort as text
        for agent_id in slot["agentIds"]:
            if slot["start"] >= free_from.get(agent_id, ""):
                pairs.append((slot["start"], agent_id))
                free_from[agent_id] = slot["end"]
    random.Random(11).shuffle(pairs)  # concurrent bookings land on different agents and days
    return pairs


def constant(path: str, headers: dict[str, str] | None = None) -> Callable[[], Request]:
    request: Request = ("GET", path, headers or {}, None)
    return lambda: request


def booking_requests(
    service_id: str, token: str, pairs: list[tuple[str, str]]
) -> Callable[[], Request | None]:
    """A thread-safe supply of booking POSTs, one per free pair, then None."""
    numbered: Iterator[tuple[int, tuple[str, str]]] = iter(enumerate(pairs))
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def next_request() -> Request | None:
        with lock:
            try:
                number, (start, agent_id) = next(numbered)
            except StopIteration:
                return None
        body = {
            "serviceId": service_id,
            "start": start,
            "agentId": agent_id,
            "timezone": ZONE,
            "locale": "en",
            "customer": {
                "name": {"firstName": "Bench", "lastName": f"Customer {number}"},
                "contact": {"primaryEmail": f"customer{number}@bench.example"},
            },
        }
        return "POST", "/api/appointments/", headers, json.dumps(body).encode()

    return next_request


def page_targets(data: Data, service_id: str) -> list[tuple[str, Callable[[], Request], int]]:
    return [
        ("hello", constant("/__hello"), 200),
        (
            "month page",
            constant(f"/book/{slug(AGENTS)}?month={data.month:%Y-%m}&timezone={ZONE}"),
            200,
        ),
        (
            "day partial",
            constant(
                f"/book/{slug(AGENTS)}/day/{data.day}?timezone={ZONE}", {"HX-Request": "true"}
            ),
            200,
        ),
        (
            "slots API",
            constant(
                f"/api/services/{service_id}/slots?from={data.day}&to={data.day}&timezone={ZONE}"
            ),
            200,
        ),
        (
            "slots API 31d",
            constant(
                f"/api/services/{service_id}/slots?from={data.month}&to={month_end(data.month)}"
                f"&timezone={ZONE}"
            ),
            200,
        ),
    ]


def start_servers(
    url: str, folder: str, args: argparse.Namespace, cache: bool
) -> tuple[list[int], list[subprocess.Popen], dict]:
    """``args.servers`` servers alike (one database, one cache prefix); their ports."""
    ports: list[int] = []
    processes: list[subprocess.Popen] = []
    prefix = f"bench-{uuid.uuid4().hex}:"
    settings: dict = {}
    try:
        for number in range(args.servers):
            port = (args.port + number) if args.port else free_port()
            env = server_environment(
                url,
                folder,
                port,
                args.workers,
                args.threads,
                cache,
                args.redis_url,
                prefix,
                args.uncached,
            )
            settings = gunicorn_settings(env)
            processes.append(serve(env, folder, port, f"-{'on' if cache else 'off'}-{number}"))
            ports.append(port)
    except BaseException:
        stop_servers(processes)
        raise
    return ports, processes, settings


def stop_servers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def run_http(url: str, folder: str, data: Data, args: argparse.Namespace) -> None:
    service_id = str(data.services[AGENTS])
    # side (cache on?) -> row -> one Result per round
    runs: dict[bool, dict[str, list[Result]]] = {}
    pairs: list[tuple[str, str]] = []
    settings: dict = {}
    wanted = set(args.only or ()) | {"hello"}

    def chosen(name: str) -> bool:
        return not args.only or name in wanted

    for cache in (True, False):
        ports, processes, settings = start_servers(url, folder, args, cache)
        try:
            roots = [process.pid for process in processes]
            server_cpu = functools.partial(process_tree_cpu, roots)

            targets = page_targets(data, service_id)
            if chosen("team month") or chosen("team week"):
                targets += team_page_targets(ports[0], data)
            results: dict[str, list[Result]] = {}
            # Rounds of every row in turn: a burst of the machine's other load spreads out.
            for _round in range(args.repeat):
                for name, supply, expected in targets:
                    if chosen(name):
                        results.setdefault(name, []).append(
                            measure(
                                ports,
                                supply,
                                expected,
                                args.clients,
                                args.seconds,
                                not args.first_visits,
                                server_cpu,
                            )
                        )
            if cache and chosen("booking POST"):
                tomorrow = datetime.now(UTC).date() + timedelta(days=1)
                pairs = free_bookings(ports[0], service_id, tomorrow, data.last_day)
                results["booking POST"] = [
                    measure(
                        ports,
                        booking_requests(service_id, data.token, pairs),
                        201,
                        args.clients,
                        args.seconds,
                        server_cpu=server_cpu,
                    )
                ]
            runs[cache] = results
        finally:
            stop_servers(processes)

    store = f"Redis {args.redis_url}" if args.redis_url else "in-process"
    servers = (
        f"{args.servers} servers (one database"
        + (", one Redis prefix)" if args.redis_url else ")")
        + " x "
        if args.servers > 1
        else ""
    )
    print(
        f"HTTP: {os.cpu_count()} cores, gunicorn -c deploy/gunicorn.conf.py: {servers}"
        f"{settings['workers']} workers x {settings['threads']} threads "
        f"({settings['worker_class']}); database {url.split(':')[0]}; "
        f"{args.clients} clients, {args.seconds:g} s per endpoint"
        + (f", {args.repeat} rounds" if args.repeat > 1 else "")
        + f"; cache {store} vs "
        + ("a cache that never hits; " if args.uncached == "miss" else "off; ")
        + ("first visits (no cookies)" if args.first_visits else "cookies sent back")
    )
    side = 8 + 8 + 8 + 9 + 13 + 8 + 6 + 4
    other_side = " uncached (every request a miss) " if args.uncached == "miss" else " cache off "
    print(f"{'':14} {' availability cache on ':-^{side}}   {other_side:-^{side}}")
    column = (
        f"{'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'vs hello':>9} {'(spread)':>13} "
        f"{'cpu ms':>8} {'other':>6}"
    )
    print(f"{'endpoint':14} {column}   {column}")
    for name in runs[True]:
        cells = []
        for cache in (True, False):
            rounds = runs[cache].get(name)
            if rounds is None:
                continue
            r = Result.merged(rounds)
            hello_rounds = runs[cache]["hello"]
            shares = sorted(
                one.rps / hello.rps
                for one, hello in zip(rounds, hello_rounds, strict=False)
                if hello.rps
            )
            share = statistics.median(shares) if shares else math.nan
            spread = f"({shares[0]:.0%}-{shares[-1]:.0%})" if len(shares) > 1 else ""
            cells.append(
                f"{r.rps:8.1f} {r.percentile_ms(0.50):8.1f} {r.percentile_ms(0.95):8.1f} "
                f"{share:9.1%} {spread:>13} {r.cpu_ms:8.2f} {sum(r.statuses.values()) - r.count:6d}"
            )
        print(f"{name:14} " + "   ".join(cells))
    booking = runs[True].get("booking POST", [None])[0]
    if booking is not None:
        others = {status: n for status, n in booking.statuses.items() if status not in (201, 409)}
        print(
            f"booking POST: {booking.statuses[201]} created (201), {booking.statuses[409]} taken "
            "(409)"
            + (f", other answers {others}" if others else "")
            + f"; {len(pairs)} free slots prepared"
            + (", all used before the time was up" if booking.exhausted else "")
        )
    print(
        "(req/s and latencies count the expected answers: 200, or 201 for the booking; vs hello: "
        "the median of the rounds' shares, (lowest-highest); cpu ms: the app servers' CPU time "
        "per answer, gunicorn masters and workers (not the database, Redis or clients); other: "
        "answers with another status)"
    )


def print_scaling(results: list[Scaling], runs: int, month: date) -> None:
    print(
        f"slot computation for {month:%B %Y} (loader + free_slots, as the slots API; median of "
        f"{runs} runs)"
    )
    print(
        f"{'agents':>6} {'slots':>6} {'loader ms':>10} {'compute ms':>11} {'total ms':>9} "
        f"{'ms/agent':>9} {'vs 5 agents':>12}"
    )
    base = results[0].total_ms
    for r in results:
        print(
            f"{r.agents:6d} {r.slots:6d} {r.loader_ms:10.2f} {r.compute_ms:11.2f} "
            f"{r.total_ms:9.2f} "
            f"{r.total_ms / r.agents:9.3f} {r.total_ms / base:11.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="load time per endpoint")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client connections")
    parser.add_argument(
        "--workers", type=int, default=None, help="PORTAL_WORKERS (default: the config's)"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="PORTAL_THREADS (default: the config's)"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="the first server's (default: free ones)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of every row (in turn) per server start; the share's spread is shown",
    )
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="app servers per side, sharing the database and the cache (clients spread)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="measure only this row (repeatable; hello is always measured), e.g. 'month page'",
    )
    parser.add_argument(
        "--redis-url",
        default=None,
        help="keep the availability cache in this Redis (default: in each process)",
    )
    parser.add_argument(
        "--runs", type=int, default=20, help="timed runs per size in the scaling part"
    )
    parser.add_argument(
        "--skip-http", action="store_true", help="only the slot computation scaling"
    )
    parser.add_argument("--skip-scaling", action="store_true", help="only the HTTP part")
    parser.add_argument(
        "--uncached",
        choices=("miss", "off"),
        default="miss",
        help="the uncached side: a cache that never hits (as a production miss; default) or "
        "the cache switched off (AVAILABILITY_CACHE_ENABLED=false)",
    )
    parser.add_argument(
        "--first-visits",
        action="store_true",
        help="send no cookies back: every page request starts a session (default: browser-like)",
    )
    args = parser.parse_args()
    if args.skip_http and args.skip_scaling:
        parser.error("nothing left to measure")
    if args.servers < 1 or args.repeat < 1:
        parser.error("--servers and --repeat must be at least 1")

    from portal import create_app
    from portal.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("PORTAL_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TIMEZONE": ZONE},
            instance_path=folder,
        )
        data = populate(app, sorted({AGENTS} if args.skip_scaling else {AGENTS, *SCALING}))
        add_supervisor(app)
        # Measured before the bookings of the HTTP part change the calendars.
        scaling = None if args.skip_scaling else time_slot_computation(app, data, args.runs)
        with app.app_context():
            db.engine.dispose()
        if not args.skip_http:
            run_http(url, folder, data, args)
    if scaling:
        print_scaling(scaling, args.runs, data.month)


if __name__ == "__main__":
    main()
