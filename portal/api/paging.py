"""The API's one list shape, with pageNumber / pageSize."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from werkzeug.datastructures import MultiDict

from portal.api.errors import invalid_param

PAGING_PARAMS = ("pageNumber", "pageSize", "sortField", "sortOrder")
MAX_PAGE_SIZE = 200
# Offsets must fit a 64-bit integer on every database; nobody pages this far.
MAX_PAGE_NUMBER = 1_000_000


def _positive(
    args: MultiDict[str, str], name: str, default: int, maximum: int | None = None
) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        bound = f" and at most {maximum}" if maximum else ""
        raise invalid_param(f"'{name}' must be a whole number of at least 1{bound}.")
    return int(raw)


def page_params(args: MultiDict[str, str]) -> tuple[int, int]:
    return (
        _positive(args, "pageNumber", 1, MAX_PAGE_NUMBER),
        _positive(args, "pageSize", 25, MAX_PAGE_SIZE),
    )


def sort_params(args: MultiDict[str, str], fields: Sequence[str], default: str) -> tuple[str, str]:
    field = args.get("sortField", default)
    if field not in fields:
        raise invalid_param(f"'sortField' must be one of: {', '.join(fields)}.")
    order = args.get("sortOrder", "asc").lower()
    if order not in ("asc", "desc"):
        raise invalid_param("'sortOrder' must be asc or desc.")
    return field, order


def page_of(
    items: Sequence[Any],
    total: int,
    page_number: int,
    page_size: int,
    sort_field: str,
    sort_order: str,
    render: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    return {
        "content": [render(item) for item in items],
        "pageNumber": page_number,
        "pageSize": page_size,
        "pageCount": (total + page_size - 1) // page_size,
        "total": total,
        "sortField": sort_field,
        "sortOrder": sort_order,
    }
