"""Half-open interval arithmetic: [start, end).

The functions only compare and pick endpoints, so the same code works on aware
datetimes (the public ``Interval``) and on integer epoch seconds, which the slot
engine uses internally because ints are far cheaper than datetimes.

``union`` normalises any list (sorted, disjoint, non-touching, non-empty
pieces); ``intersect`` and ``subtract`` require normalised inputs and run as
linear two-pointer sweeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

Interval = tuple[datetime, datetime]

# Anything ordered: datetime or int.
T = TypeVar("T", bound=Any)


def union(intervals: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """Sort and merge; overlapping and touching pieces merge, empty ones vanish."""
    result: list[tuple[T, T]] = []
    current_start = current_end = None
    for start, end in sorted(intervals):
        if not start < end:
            continue
        if current_end is not None and start <= current_end:
            if end > current_end:
                current_end = end
            continue
        if current_end is not None:
            result.append((current_start, current_end))
        current_start, current_end = start, end
    if current_end is not None:
        result.append((current_start, current_end))
    return result


def intersect(a: list[tuple[T, T]], b: list[tuple[T, T]]) -> list[tuple[T, T]]:
    """Time in both normalised lists."""
    result: list[tuple[T, T]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        a_start, a_end = a[i]
        b_start, b_end = b[j]
        start = a_start if a_start > b_start else b_start
        end = a_end if a_end < b_end else b_end
        if start < end:
            result.append((start, end))
        # Drop whichever piece finishes first; the other may meet the next one.
        if a_end < b_end:
            i += 1
        else:
            j += 1
    return result


def subtract(a: list[tuple[T, T]], b: list[tuple[T, T]]) -> list[tuple[T, T]]:
    """Time in normalised ``a`` not covered by normalised ``b``."""
    result: list[tuple[T, T]] = []
    j, cuts = 0, len(b)
    for start, end in a:
        # Cuts that end before this piece can never matter again.
        while j < cuts and b[j][1] <= start:
            j += 1
        k = j
        while k < cuts:
            cut_start, cut_end = b[k]
            if cut_start >= end:
                break
            if cut_start > start:
                result.append((start, cut_start))
            if cut_end > start:
                start = cut_end
            if start >= end:
                break
            k += 1
        if start < end:
            result.append((start, end))
    return result
