"""A plain HTTP client for the tests against live servers: one request, or many at one moment."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tests.live_server import LiveServer

FORM = "application/x-www-form-urlencoded"


@dataclass
class Answer:
    status: int  # -1: the request failed before an answer (``body`` says why)
    body: str
    headers: http.client.HTTPMessage | dict = field(default_factory=dict)

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Request:
    server: LiveServer
    method: str
    path: str
    form: dict | None = None
    json_body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[str | None, dict[str, str]]:
        if self.form is not None:
            return urlencode(self.form), {"Content-Type": FORM, **self.headers}
        if self.json_body is not None:
            return json.dumps(self.json_body), {"Content-Type": "application/json", **self.headers}
        return None, self.headers


def send(request: Request, *, barrier: threading.Barrier | None = None) -> Answer:
    """Send on a connection of its own; with ``barrier``, connect first and send when all are
    ready.
    """
    body, headers = request.encoded()
    connection = http.client.HTTPConnection(request.server.host, request.server.port, timeout=120)
    try:
        connection.connect()
        if barrier is not None:
            barrier.wait(timeout=60)
        connection.request(request.method, request.path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read().decode("utf-8", "replace"), response.headers)
    finally:
        connection.close()


def send_all_at_once(requests: Sequence[Request]) -> list[Answer]:
    """Every request at the same moment, each from its own thread and connection."""
    barrier = threading.Barrier(len(requests))
    answers: list[Answer | None] = [None] * len(requests)

    def attempt(index: int, request: Request) -> None:
        try:
            answers[index] = send(request, barrier=barrier)
        except Exception as error:  # recorded; the assertions say what went wrong
            answers[index] = Answer(-1, repr(error))

    threads = [threading.Thread(target=attempt, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return [answer if answer is not None else Answer(-1, "no answer") for answer in answers]


def statuses(answers: Sequence[Answer]) -> list[int]:
    return [answer.status for answer in answers]


def summary(answers: Sequence[Answer]) -> str:
    return "; ".join(f"{a.status}: {' '.join(a.body.split())[:160]}" for a in answers)
