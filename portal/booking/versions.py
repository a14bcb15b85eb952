"""Availability versions: which cached availability answers still hold.

Every change that can alter availability replaces a random token of each scope
it touches, in the same transaction as the change (so the new token and the new
data become visible together, on every server):

- a **service**: its settings, its agents (membership), its time windows;
- an **agent**: working hours, time off, appointments they organise or joined,
  holds on their calendar, their name, zone and active flag;
- the **account** (``ACCOUNT_SCOPE``): office hours, and any bulk statement on a
  watched table whose rows cannot be told (every answer reads this scope).

The tokens are written by one session listener, not by each domain function:
every flush is looked at, so a new use case cannot forget it. A model that
changes availability is registered once in ``WATCHED`` (``watch(...)``) with the
scopes an instance touches; bulk ``UPDATE`` / ``DELETE`` statements on it are
covered by selecting the scopes of the rows they match before they run.

Cached answers are keyed by ``read_versions`` of the scopes they read, read
*before* the data they are computed from, so an answer is never older than its
key. Tokens are random rather than counters: one rolled back, or a database
restored from a backup, never names other data than it did.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NamedTuple

from functools import lru_cache

from sqlalchemy import (
    BigInteger,
    Select,
    String,
    Uuid,
    bindparam,
    cast,
    event,
    inspect,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Session, scoped_session

from portal.models import (
    ACCOUNT_SCOPE,
    Appointment,
    AvailabilityVersion,
    OfficeHours,
    Participant,
    ParticipantType,
    Service,
    ServiceTimeSlot,
    SlotHold,
    TimeException,
    User,
    WorkingHours,
    service_agents,
    utcnow,
)

ScopeIds = Callable[[Session, object], Iterable[uuid.UUID | None]]
BulkScopes = Callable[[object], Select]


@dataclass(frozen=True)
class Watched:
    """How a model's rows touch availability scopes.

    ``instance``: the scopes of a new, changed or deleted instance (old and new
    values alike); ``bulk``: given a bulk statement's WHERE clause, a SELECT of
    the scope ids of the rows it matches.
    """

    instance: ScopeIds
    bulk: BulkScopes | None = None


WATCHED: dict[type, Watched] = {}


def watch(model: type, instance: ScopeIds, bulk: BulkScopes | None = None) -> None:
    """Register ``model`` as changing availability (see the module's docstring)."""
    WATCHED[model] = Watched(instance, bulk)


def _values(obj: object, attribute: str) -> list:
    """The attribute's value now and any value it had before this flush (loaded if expired)."""
    history = inspect(obj).attrs[attribute].load_history()
    return [*history.added, *history.unchanged, *history.deleted]


def _changed(session: Session, obj: object, *attributes: str) -> bool:
    if obj in session.new or obj in session.deleted:
        return True
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attributes)


# --- the watched models ----------------------------------------------------------------

_APPOINTMENT_FIELDS = ("status", "start_at", "end_at", "organizer_id", "service_id")


def _appointment_scopes(session: Session, appointment: Appointment):
    if not _changed(session, appointment, *_APPOINTMENT_FIELDS):
        return []
    scopes = _values(appointment, "organizer_id")
    if appointment not in session.new:
        # Agents who joined are busy for it too; their rows may be untouched.
        scopes += session.connection().scalars(
            select(Participant.user_id).where(
                Participant.appointment_id == appointment.id,
                Participant.type == ParticipantType.AGENT,
            )
        )
    return scopes


def _participant_scopes(_session: Session, participant: Participant):
    if ParticipantType.AGENT not in _values(participant, "type"):
        return []
    return _values(participant, "user_id")


def _time_exception_scopes(_session: Session, exception: TimeException):
    return [agent.id for agent in _values(exception, "agents")]


def _user_scopes(session: Session, user: User):
    return [user.id] if _changed(session, user, "name", "timezone", "active", "role") else []


watch(
    Appointment,
    _appointment_scopes,
    lambda where: select(Appointment.organizer_id).where(where),
)
watch(
    Participant,
    _participant_scopes,
    lambda where: select(Participant.user_id).where(where),
)
watch(
    SlotHold,
    lambda _s, hold: _values(hold, "agent_id"),
    # Rows already expired count for nobody: removing them changes nothing.
    lambda where: select(SlotHold.agent_id).where(where, SlotHold.expires_at > utcnow()),
)
watch(
    WorkingHours,
    lambda _s, hours: _values(hours, "agent_id"),
    lambda where: select(WorkingHours.agent_id).where(where),
)
watch(TimeException, _time_exception_scopes)
watch(OfficeHours, lambda _s, _hours: [ACCOUNT_SCOPE])
watch(Service, lambda _s, service: [service.id])
watch(
    ServiceTimeSlot,
    lambda _s, window: _values(window, "service_id"),
    lambda where: select(ServiceTimeSlot.service_id).where(where),
)
watch(User, _user_scopes, lambda where: select(User.id).where(where))


# --- writing the tokens ------------------------------------------------------------------

_PENDING = "portal.availability_scopes"


def replace_tokens(session: Session, scopes: Iterable[uuid.UUID | None]) -> None:
    """Give each scope a new token, in the session's transaction (also for raw SQL writers)."""
    ids = sorted({scope for scope in scopes if scope is not None})
    if not ids:
        return
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    table = AvailabilityVersion.__table__
    statement = dialect.insert(table).values(
        [{"scope_id": scope, "token": secrets.randbits(62)} for scope in ids]
    )
    # Sorted ids: two transactions lock the rows in the same order, never in a cycle.
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.scope_id], set_={"token": statement.excluded.token}
        )
    )


def _scopes_of(session: Session, objects: Iterable[object], scopes: set) -> None:
    for obj in objects:
        watched = WATCHED.get(type(obj))
        if watched is not None:
            scopes.update(watched.instance(session, obj))


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    # Old values while they can still be loaded (a deleted row is gone after the flush).
    _scopes_of(
        session, (*session.dirty, *session.deleted), session.info.setdefault(_PENDING, set())
    )


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    # New values once relationships have set the foreign keys.
    scopes = session.info.pop(_PENDING, set())
    _scopes_of(session, (*session.new, *session.dirty), scopes)
    replace_tokens(session, scopes)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    watched = WATCHED.get(mapper.class_) if mapper is not None else None
    if watched is None:
        return
    # A bulk INSERT names no rows to select: it bumps everything, as does a bare UPDATE.
    where = None if state.is_insert else state.statement.whereclause
    if watched.bulk is None or where is None:
        replace_tokens(state.session, [ACCOUNT_SCOPE])
        return
    replace_tokens(state.session, state.session.connection().scalars(watched.bulk(where)))


# --- reading them ------------------------------------------------------------------------


class VersionsRead(NamedTuple):
    """What ``read_versions`` found: the service (None if there is none), its locale, and
    the digest of the tokens an answer about it depends on."""

    service_id: uuid.UUID | None
    service_locale: str | None
    versions: str


def read_versions(
    session: Session | scoped_session[Session],
    *,
    slug: str | None = None,
    service_id: uuid.UUID | None = None,
) -> VersionsRead:
    """The service (by slug or id), its locale, and a digest of the tokens an answer about it
    depends on: its own, its agents' and the account's. One statement.

    Read it before the data the answer is computed from. With no transaction under way
    on a database server, it runs outside one (autocommit: no BEGIN and COMMIT round trips,
    the statement is all a cached answer costs the database); whatever the answer then reads
    is read later, so it is never older than the versions.
    """
    by_slug = slug is not None
    values = {"slug": slug} if by_slug else {"service_id": service_id}
    # ``Session(...)`` or the registry of a scoped session: the request's own.
    own = session() if isinstance(session, scoped_session) else session
    engine = own.get_bind()
    if own.in_transaction() or not isinstance(engine, Engine) or engine.dialect.name == "sqlite":
        # In the transaction under way (or the connection the session was given). SQLite
        # is in the process (no round trips); its transaction's snapshot is kept, so the
        # versions must be read in it. Core, not the ORM: this runs before every cached
        # answer.
        rows = own.connection().execute(_versions_statement(by_slug), values).all()
    elif engine.dialect.driver == "psycopg":
        rows = _autocommit_rows(engine, by_slug, values)
    else:
        with engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            rows = autocommit.execute(_versions_statement(by_slug), values).all()
    found = locale = None
    tokens = []
    for scope_id, token, service_locale in rows:
        if token is None:
            found, locale = uuid.UUID(scope_id), service_locale
        else:
            tokens.append(f"{scope_id}={token}")
    digest = hashlib.blake2b(";".join(sorted(tokens)).encode(), digest_size=12).hexdigest()
    return VersionsRead(found, locale, f"{found.hex if found else '-'}.{digest}")


def _autocommit_rows(engine: Engine, by_slug: bool, values: dict) -> list:
    """The statement on a pooled psycopg connection in autocommit, through the driver.

    A third of what SQLAlchemy's Core spends around it on the hit path of every cached
    answer; the SQL is compiled once, by SQLAlchemy, for this dialect.
    """
    sql, fixed = _compiled_for(engine.dialect, by_slug)
    pooled = engine.raw_connection()
    try:
        driver = pooled.driver_connection
        driver.autocommit = True
        rows = driver.execute(sql, fixed | values).fetchall()
        driver.autocommit = False  # back to what SQLAlchemy expects of a pooled connection
    except BaseException:
        pooled.invalidate()  # broken, or left in autocommit: not handed out again
        raise
    finally:
        pooled.close()
    return rows


@lru_cache(maxsize=4)
def _compiled_for(dialect: Dialect, by_slug: bool) -> tuple[str, dict]:
    compiled = _versions_statement(by_slug).compile(dialect=dialect)
    # The account scope's literal; the slug or id is the caller's.
    fixed = {k: v for k, v in compiled.params.items() if k not in ("slug", "service_id")}
    return str(compiled), fixed


@lru_cache(maxsize=2)
def _versions_statement(by_slug: bool):
    # Built once: the hot path of every cached answer.
    if by_slug:
        which = Service.slug == bindparam("slug", type_=String())
    else:
        which = Service.id == bindparam("service_id", type_=Uuid())
    # The service's own row (no token) brings its locale: the booking pages' last resort
    # for the language, which is then not asked for separately.
    service = select(
        cast(Service.id, String()).label("scope_id"),
        cast(null(), BigInteger()).label("token"),
        Service.locale.label("locale"),
    ).where(which)
    version = AvailabilityVersion
    columns = (cast(version.scope_id, String()), version.token, cast(null(), String()))
    # Three lookups by the token table's key (no scan of every scope in the account, which
    # grows with every agent and service): the account's, the service's, its agents'.
    account = select(*columns).where(version.scope_id == literal(ACCOUNT_SCOPE, Uuid()))
    own = select(*columns).join(Service, Service.id == version.scope_id).where(which)
    agents = (
        select(*columns)
        .join(service_agents, service_agents.c.user_id == version.scope_id)
        .join(Service, Service.id == service_agents.c.service_id)
        .where(which)
    )
    return union_all(service, account, own, agents)


# --- what is read once per version ---------------------------------------------------------

_in_force: ContextVar[str | None] = ContextVar("availability_versions", default=None)
_ONCE: OrderedDict[tuple, Any] = OrderedDict()
_ONCE_LOCK = threading.Lock()
_ONCE_ENTRIES = 256


@contextmanager
def answering_for(versions: str) -> Iterator[None]:
    """While an answer keyed by ``versions`` is computed (read just before, in this transaction)."""
    token = _in_force.set(versions)
    try:
        yield
    finally:
        _in_force.reset(token)


def once_per_version(key: tuple, read: Callable[[], Any]) -> Any:
    """``read()`` once per versions in force (``answering_for``), else every time.

    For what those versions cover entirely, e.g. a service's rules: its agents,
    their working hours, its time windows and the office hours. The result must
    not be changed by the caller (it is shared by threads).
    """
    versions = _in_force.get()
    if versions is None:
        return read()
    key = (versions, *key)
    with _ONCE_LOCK:
        found = _ONCE.get(key)
        if found is not None:
            _ONCE.move_to_end(key)
            return found
    found = read()
    with _ONCE_LOCK:
        _ONCE[key] = found
        while len(_ONCE) > _ONCE_ENTRIES:
            _ONCE.popitem(last=False)
    return found


__all__ = [
    "answering_for",
    "once_per_version",
    "WATCHED",
    "Watched",
    "read_versions",
    "VersionsRead",
    "replace_tokens",
    "watch",
]
