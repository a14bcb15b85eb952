"""Run the real app as a real server for load and browser tests.

``gunicorn_server`` starts ``gunicorn 'portal:create_app()'`` (several worker
processes, like production) on a free localhost port against the test
database, configured only through ``PORTAL_*`` environment variables, and
stops it afterwards. Its log is kept so a test can show it on failure and
check that no request crashed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import time_machine

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    log_path: Path

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def server_environment(settings: dict[str, object]) -> dict[str, str]:
    """The process environment: ours without PORTAL_* settings, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    for key, value in settings.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        env[f"PORTAL_{key}"] = str(value)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@contextmanager
def gunicorn_server(
    settings: dict[str, object],
    log_dir: Path,
    *,
    workers: int = 4,
    threads: int = 5,
    startup_timeout: float = 60.0,
) -> Iterator[LiveServer]:
    if time_machine.escape_hatch.is_travelling():
        # The server would book, expire and compare on another day than the test's data.
        raise RuntimeError("a live server keeps the real clock: mark the test real_clock")
    port = free_port()
    log_path = log_dir / f"gunicorn-{port}.log"
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
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        "--error-logfile",
        "-",
        "portal:create_app()",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            # Absolute links (manage links, mails) point at this server unless a test says
            # otherwise.
            # Tests run the sender themselves when they want mail sent.
            env=server_environment(
                {"PUBLIC_URL": f"http://127.0.0.1:{port}", "MAIL_SEND_IN_PROCESS": False} | settings
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_until_up(server, process, startup_timeout, workers)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_until_up(
    server: LiveServer, process: subprocess.Popen, timeout: float, workers: int
) -> None:
    deadline = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + "/", timeout=5) as response:
                if response.status == 200:
                    answered += 1
                    # A few answers, so more than one worker has booted.
                    if answered >= workers:
                        return
                    continue
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{server.log()}")
