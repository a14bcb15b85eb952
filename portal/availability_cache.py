"""The shared availability cache: answers keyed by the availability versions they read.

Month grids, day partials (rendered HTML) and slot lists (JSON) are stored
through Flask-Caching: Redis when ``CACHE_TYPE`` / ``CACHE_REDIS_URL`` say so
(shared by every app server), an in-process ``SimpleCache`` otherwise.

An entry's key holds the digest of the versions (``portal.booking.versions``)
read *before* the data it was computed from, so a change committed anywhere
gives new keys on every server at once, and answers whose scopes did not
change stay. An entry also keeps the instant at which time alone changes it
(notice, horizon, a hold running out, midnight), or at which it has been kept
``AVAILABILITY_CACHE_SECONDS``, if sooner, and is not served from then on.
Booking, hold and reschedule checks never come here.

Each process also keeps the entries it used last in its own memory, in front of
the store (``Recent``): an entry's name changes with the versions, which are read
from the database on every request, so a copy kept under the same name is as exact
as the stored one, and a hit needs no round trip to Redis and no unpickling.

``AVAILABILITY_CACHE_ENABLED = False`` computes every answer (benchmarks, debugging).
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, current_app
from flask_caching import Cache
from flask_caching.backends import NullCache
from sqlalchemy.orm import Session

from portal.booking.versions import VersionsRead, answering_for, read_versions

T = TypeVar("T")
logger = logging.getLogger(__name__)

cache = Cache()
# Entries each process keeps in front of the store: a few hundred pages of ~10-30 kB.
RECENT_ENTRIES = 256


class Recent:
    """The entries this process used last, by name, each until its store lifetime ends."""

    def __init__(self, size: int = RECENT_ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str) -> Any:
        with self._lock:
            found = self._entries.get(name)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                del self._entries[name]
                return None
            self._entries.move_to_end(name)
            return found[1]

    def put(self, name: str, entry: Any, lifetime: float) -> None:
        with self._lock:
            self._entries[name] = (time.monotonic() + lifetime, entry)
            self._entries.move_to_end(name)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def init_app(app: Flask) -> None:
    """Redis when configured, else in-process; every ``CACHE_*`` key is Flask-Caching's own."""
    config = {key: value for key, value in app.config.items() if key.startswith("CACHE_")}
    if not config.get("CACHE_TYPE"):
        config["CACHE_TYPE"] = "RedisCache" if config.get("CACHE_REDIS_URL") else "SimpleCache"
    config.setdefault("CACHE_KEY_PREFIX", "portal:")
    cache.init_app(app, config=config)
    # A store set to hold nothing (``NullCache``: measuring misses) keeps nothing here either.
    holds_nothing = isinstance(app.extensions["cache"][cache], NullCache)
    app.extensions["availability_cache_recent"] = Recent(0 if holds_nothing else RECENT_ENTRIES)


def enabled() -> bool:
    return bool(current_app.config.get("AVAILABILITY_CACHE_ENABLED", True))


def _micros(instant: datetime) -> int:
    return math.floor(instant.timestamp() * 1_000_000)


def cached(
    session: Session,
    key: tuple | Callable[[VersionsRead], tuple],
    compute: Callable[[uuid.UUID | None], tuple[T, datetime | None]],
    *,
    now: datetime,
    slug: str | None = None,
    service_id: uuid.UUID | None = None,
) -> T:
    """``compute(service id)`` → (answer, changes_at), shared while the versions and time allow.

    The service is named by ``slug`` or ``service_id``; ``key`` names everything
    else the answer depends on (the request's values, the locale), or gives it from
    what the versions statement found (``VersionsRead``: the service's locale). The
    versions are read here, before ``compute`` loads anything, in one statement that
    also finds the service's id (None: no such service).
    """
    if not enabled():
        return compute(None)[0]
    read = read_versions(session, slug=slug, service_id=service_id)
    if read.service_id is None:
        return compute(None)[0]
    if callable(key):
        key = key(read)
    # The office hours' zone is configuration, not data: servers set up alike share answers.
    text = repr((key, current_app.config.get("TIMEZONE"))).encode()
    name = f"availability:{read.versions}:{hashlib.blake2b(text, digest_size=16).hexdigest()}"
    longest = int(current_app.config.get("AVAILABILITY_CACHE_SECONDS", 3600))
    now_micros = _micros(now)
    recent: Recent = current_app.extensions["availability_cache_recent"]
    found: Any = recent.get(name)
    if found is None:
        found = _guarded(cache.get, name)
        if found is not None and (found[1] is None or now_micros < found[1]):
            left = longest if found[1] is None else (found[1] - now_micros) / 1_000_000
            recent.put(name, found, min(left, longest))
    if found is not None:
        answer, served_until = found
        if served_until is None or now_micros < served_until:
            return answer
    with answering_for(read.versions):
        answer, until = compute(read.service_id)
    lifetime = longest
    if until is not None:
        lifetime = min(lifetime, math.ceil((until - now).total_seconds()))
    if lifetime > 0:
        # Served until time alone changes it, and never longer than the store keeps it:
        # the copy in a process's memory (``Recent``) ends with it.
        served_until = now_micros + longest * 1_000_000
        if until is not None:
            served_until = min(served_until, _micros(until))
        entry = (answer, served_until)
        _guarded(cache.set, name, entry, timeout=lifetime)
        recent.put(name, entry, lifetime)
    return answer


def _guarded(operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A cache that does not answer (Redis down) only costs speed: compute instead."""
    try:
        return operation(*args, **kwargs)
    except Exception:  # noqa: BLE001 - any storage failure; the answer is computed anyway
        logger.warning("availability cache unavailable", exc_info=True)
        return None
