"""The shared availability cache: answers keyed by the availability versions they read.

Month grids, day partials (rendered HTML) and slot lists (JSON) are stored
through Flask-Caching: Redis when ``CACHE_TYPE`` / ``CACHE_REDIS_URL`` say so
(shared by every app server), an in-process ``SimpleCache`` otherwise.

An entry's key holds the digest of the versions (``portal.booking.versions``)
read *before* the data it was computed from, so a change committed anywhere
gives new keys on every server at once, and answers whose scopes did not
change stay. An entry also keeps the instant at which time alone changes it
(notice, horizon, a hold running out, midnight) and is not served from then on.
Booking, hold and reschedule checks never come here.

``AVAILABILITY_CACHE_ENABLED = False`` computes every answer (benchmarks, debugging).
"""

from __future__ import annotations

import hashlib
import logging
import math
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, current_app
from flask_caching import Cache
from sqlalchemy.orm import Session

from portal.booking.versions import answering_for, read_versions

T = TypeVar("T")
logger = logging.getLogger(__name__)

cache = Cache()


def init_app(app: Flask) -> None:
    """Redis when configured, else in-process; every ``CACHE_*`` key is Flask-Caching's own."""
    config = {key: value for key, value in app.config.items() if key.startswith("CACHE_")}
    if not config.get("CACHE_TYPE"):
        config["CACHE_TYPE"] = "RedisCache" if config.get("CACHE_REDIS_URL") else "SimpleCache"
    config.setdefault("CACHE_KEY_PREFIX", "portal:")
    cache.init_app(app, config=config)


def enabled() -> bool:
    return bool(current_app.config.get("AVAILABILITY_CACHE_ENABLED", True))


def _micros(instant: datetime) -> int:
    return math.floor(instant.timestamp() * 1_000_000)


def cached(
    session: Session,
    key: tuple,
    compute: Callable[[uuid.UUID | None], tuple[T, datetime | None]],
    *,
    now: datetime,
    slug: str | None = None,
    service_id: uuid.UUID | None = None,
) -> T:
    """``compute(service id)`` → (answer, changes_at), shared while the versions and time allow.

    The service is named by ``slug`` or ``service_id``; ``key`` names everything
    else the answer depends on (the request's values, the locale). The versions
    are read here, before ``compute`` loads anything, in one statement that also
    finds the service's id (None: no such service).
    """
    if not enabled():
        return compute(None)[0]
    service, versions = read_versions(session, slug=slug, service_id=service_id)
    if service is None:
        return compute(None)[0]
    # The office hours' zone is configuration, not data: servers set up alike share answers.
    text = repr((key, current_app.config.get("TIMEZONE"))).encode()
    name = f"availability:{versions}:{hashlib.blake2b(text, digest_size=16).hexdigest()}"
    found: Any = _guarded(cache.get, name)
    if found is not None:
        answer, changes_at = found
        if changes_at is None or _micros(now) < changes_at:
            return answer
    with answering_for(versions):
        answer, until = compute(service)
    lifetime = int(current_app.config.get("AVAILABILITY_CACHE_SECONDS", 3600))
    if until is not None:
        lifetime = min(lifetime, math.ceil((until - now).total_seconds()))
    if lifetime > 0:
        entry = (answer, None if until is None else _micros(until))
        _guarded(cache.set, name, entry, timeout=lifetime)
    return answer


def _guarded(operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A cache that does not answer (Redis down) only costs speed: compute instead."""
    try:
        return operation(*args, **kwargs)
    except Exception:  # noqa: BLE001 - any storage failure; the answer is computed anyway
        logger.warning("availability cache unavailable", exc_info=True)
        return None
