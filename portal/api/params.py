"""Query-string parsing with the API's error codes: unknown names are refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import request
from werkzeug.datastructures import MultiDict

from portal.api.errors import ApiError, invalid_param
from portal.domain import values
from portal.domain.errors import Invalid

T = TypeVar("T")


def query_args(allowed: Iterable[str]) -> MultiDict[str, str]:
    """The query arguments, after refusing any name not in ``allowed``."""
    allowed = set(allowed)
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise invalid_param(f"Unknown query parameter: {', '.join(unknown)}.")
    return request.args


def required(args: MultiDict[str, str], name: str) -> str:
    value = args.get(name, "").strip()
    if not value:
        raise ApiError(400, "missing_param", f"The query parameter '{name}' is required.")
    return value


def checked(check: Callable[..., T], name: str, value: Any, **options: Any) -> T:
    """``portal.domain.values`` for a parameter: its refusal names the parameter first."""
    try:
        return check(value, name, **options)
    except Invalid as error:
        raise Invalid(f"'{name}': {error.message}", name, code=error.code) from None


def parse_date(name: str, value: str) -> date:
    """``YYYY-MM-DD`` in 1900..2200 (invalid_datetime_format, or invalid_param out of range)."""
    return checked(values.day, name, value)


def parse_timezone(name: str, value: str) -> ZoneInfo:
    return checked(values.zone, name, value)


def parse_uuid(name: str, value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise invalid_param(f"'{name}' must be a UUID.") from None
