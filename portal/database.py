"""Engine set-up and the write lock that keeps bookings from overlapping.

PostgreSQL: bookings lock the rows of the agents whose calendars they change
(``SELECT ... FOR UPDATE``, in id order so two bookings never deadlock).
SQLite: a booking runs in a ``BEGIN IMMEDIATE`` transaction, so only one writer
at a time checks and writes; readers carry on (WAL).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from contextvars import ContextVar

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.models import User

_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # pysqlite's own transaction handling would hide our BEGIN; we emit it ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")


def begin_write(session: Session) -> None:
    """Make sure the transaction holds SQLite's write lock before it reads what it will change.

    A SQLite transaction that reads and then writes fails at once with "database
    is locked" if another writer committed meanwhile; beginning IMMEDIATE waits
    for the lock instead (busy timeout). Call it before the transaction's reads.

    A request is one unit of work: when its transaction already writes (an earlier
    step flushed, or it began IMMEDIATE), it holds the lock and keeps going; only a
    transaction that has merely read is ended (nothing to lose) and begun again.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.info.get(_WRITING):
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write must come before any change in the transaction")
    session.commit()
    token = _begin_immediate.set(True)
    try:
        session.execute(select(1))
    finally:
        _begin_immediate.reset(token)
    session.info[_WRITING] = True


def is_writing(session: Session) -> bool:
    """Whether the session's transaction has written, or holds changes it will write."""
    return bool(session.info.get(_WRITING) or session.new or session.dirty or session.deleted)


# Set while the session's transaction holds SQLite's write lock; cleared when it ends.
_WRITING = "portal.sqlite_writing"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    # A flush that wrote rows took the write lock (SQLite locks on the first write).
    session.info[_WRITING] = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WRITING, None)


def lock_calendars(session: Session, agent_ids: Iterable[uuid.UUID]) -> None:
    """Serialise writers of these agents' calendars until the session commits.

    Call it first in an operation: on SQLite it ends the current read
    transaction to begin an immediate one; on PostgreSQL it locks the agents' rows.
    """
    if session.get_bind().dialect.name == "sqlite":
        begin_write(session)
        return
    ids = sorted(set(agent_ids))
    if ids:
        session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update())


def lock_names(session: Session, names: Iterable[str]) -> None:
    """Serialise writers that work on these names (an e-mail, an address) until commit.

    SQLite: the immediate transaction already admits one writer at a time.
    PostgreSQL: one transaction-scoped advisory lock per name, taken in a fixed
    order so two writers never deadlock; take them before any calendar lock.
    """
    if session.get_bind().dialect.name == "sqlite":
        begin_write(session)
        return
    for key in sorted({_lock_key(name) for name in names}):
        session.execute(select(func.pg_advisory_xact_lock(key)))


def _lock_key(name: str) -> int:
    # A signed 64-bit number, as pg_advisory_xact_lock(bigint) takes it.
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
