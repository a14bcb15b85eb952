"""Small SQL functions that differ by database."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class epoch_seconds(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """Whole seconds since 1970 of a UTC datetime column.

    Hot paths read thousands of times; integers skip per-row datetime parsing.
    """

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    # Stored as naive UTC text, which both read as UTC and cut alike. unixepoch()
    # (SQLite 3.38) is a third cheaper per row than strftime.
    column = compiler.process(element.clauses, **kw)
    if sqlite3.sqlite_version_info >= (3, 38):
        return f"unixepoch({column})"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element, compiler, **kw):
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS BIGINT)"


SECOND = timedelta(seconds=1)


def whole_second(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def ceil_second(value: datetime) -> datetime:
    floor = whole_second(value)
    return floor if floor == value else floor + SECOND


@dataclass(frozen=True)
class TimeBounds:
    """Comparisons on one timestamp column: gt / gte / lt / lte (all optional).

    Whole-second semantics: the API shows times to the second (``utc_z``), and a
    filter compares with the value as shown, i.e. the stored time cut to its
    second. So ``lte=<shown value>`` includes the record itself although the
    column holds microseconds: each comparison becomes one on the stored value
    against the start or the end of the filter's second.
    """

    gt: datetime | None = None
    gte: datetime | None = None
    lt: datetime | None = None
    lte: datetime | None = None

    def clauses(self, column) -> list[ColumnElement[bool]]:
        out = []
        if self.gt is not None:  # shown > v  ⟺  stored ≥ the second after v's
            out.append(column >= whole_second(self.gt) + SECOND)
        if self.gte is not None:  # shown ≥ v  ⟺  stored ≥ v rounded up to a second
            out.append(column >= ceil_second(self.gte))
        if self.lt is not None:  # shown < v  ⟺  stored < v rounded up to a second
            out.append(column < ceil_second(self.lt))
        if self.lte is not None:  # shown ≤ v  ⟺  stored < the second after v's
            out.append(column < whole_second(self.lte) + SECOND)
        return out
