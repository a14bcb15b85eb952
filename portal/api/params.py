"""Query-string parsing with the API's error codes: unknown names are refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import request
from werkzeug.datastructures import MultiDict

from portal.api.errors import ApiError, invalid_param


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


def parse_date(name: str, value: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(
            400, "invalid_datetime_format", f"'{name}' must be a date as YYYY-MM-DD, not {value!r}."
        ) from None


def parse_timezone(name: str, value: str) -> ZoneInfo:
    try:
        if not value or value.startswith(("/", ".")) or ".." in value:
            raise ValueError
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise invalid_param(f"'{name}' must be an IANA time zone such as Europe/Berlin.") from None


def parse_uuid(name: str, value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise invalid_param(f"'{name}' must be a UUID.") from None
