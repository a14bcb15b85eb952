"""A short-lived cache of picker answers, shared by every visitor of this process.

The month of a 20-agent service takes tens of milliseconds to compute; the
same answer serves every visitor for a few seconds. Entries live at most
PICKER_CACHE_SECONDS (default 3) and are dropped at once when this process
commits anything that changes availability (appointments, holds, hours,
time off, office hours, services, agents). Other app servers may show a
taken slot for those few seconds; booking re-checks at commit time, so that
can only ever end in "that time was just taken", never in a double booking.
The checks themselves (hold, book, reschedule) never read this cache.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from portal.models import Service
from portal.scheduling import Slot
from portal.web.formatting import locale

DEFAULT_CACHE_SECONDS = 3.0
MAX_CACHE_ENTRIES = 512


@dataclass
class PickerEntry:
    generation: int
    expires: float
    month: date
    day: date | None
    today: date
    last_day: date
    free_days: dict[date, int]
    day_slots: list[Slot]
    day_notes: list[str] = field(default_factory=list)
    fragments: dict[str, Markup] = field(default_factory=dict)


@dataclass
class _Rendered:
    generation: int
    expires: float
    html: str
    meta: dict


# Rendered pickers are cached with this in place of the visitor's CSRF token.
CSRF_PLACEHOLDER = "__portal_csrf_token__"


def cached_render(key: tuple, compute: Callable[[], tuple[str, dict]]) -> tuple[str, dict]:
    """``compute()`` → (html, meta), shared by every visitor for the cache's lifetime.

    The html must hold no per-visitor data except ``CSRF_PLACEHOLDER``.
    """
    ttl = float(current_app.config.get("PICKER_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))
    if ttl <= 0:
        return compute()
    cache = picker_cache()
    key = ("rendered", str(locale()), *key)
    found = cache.get(key)
    if found is not None:
        return found.html, found.meta
    generation = cache.generation
    html, meta = compute()
    cache.put(key, _Rendered(generation, time.monotonic() + ttl, html, meta))
    return html, meta


class PickerCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, PickerEntry | _Rendered] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def generation(self) -> int:
        return _generation[0]

    def get(self, key: tuple):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.generation != _generation[0] or entry.expires <= time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry) -> None:
        with self._lock:
            if entry.generation != _generation[0]:
                return  # something changed while it was computed
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_CACHE_ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_generation = [0]
_generation_lock = threading.Lock()


def invalidate_picker_cache() -> None:
    """Forget every cached picker answer in this process (all apps)."""
    with _generation_lock:
        _generation[0] += 1


def picker_cache() -> PickerCache:
    return current_app.extensions.setdefault("portal.picker_cache", PickerCache())


def _availability_types() -> tuple[type, ...]:
    from portal.models import (
        Appointment,
        OfficeHours,
        Participant,
        ServiceTimeSlot,
        SlotHold,
        TimeException,
        User,
        WorkingHours,
    )

    return (
        Appointment,
        Participant,
        SlotHold,
        WorkingHours,
        TimeException,
        OfficeHours,
        Service,
        ServiceTimeSlot,
        User,
    )


_STALE = "portal.picker_stale"


@event.listens_for(OrmSession, "after_flush")
def _flushed(session: OrmSession, _context) -> None:
    types = _availability_types()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, types):
            session.info[_STALE] = True
            return


@event.listens_for(OrmSession, "do_orm_execute")
def _bulk_statement(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    types = _availability_types()
    if any(issubclass(mapper.class_, types) for mapper in state.all_mappers):
        state.session.info[_STALE] = True


@event.listens_for(OrmSession, "after_commit")
def _committed(session: OrmSession) -> None:
    if session.info.pop(_STALE, False):
        invalidate_picker_cache()


@event.listens_for(OrmSession, "after_soft_rollback")
def _rolled_back(session: OrmSession, _previous) -> None:
    session.info.pop(_STALE, None)
