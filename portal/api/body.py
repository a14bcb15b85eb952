"""JSON request bodies, checked against a small declarative schema.

One place decides the API's body errors (DESIGN.md 8, issue 7):

- the body is not JSON / not the expected shape      → 400 ``invalid_param``
- a field the schema does not know                    → 400 ``invalid_param``
- a required field is absent                          → 400 ``missing_param``
- a field of the wrong JSON type (or null)            → 400 ``invalid_param_type``
- a value out of range / not one of the choices       → 400 ``invalid_param``
- a string containing NUL (PostgreSQL cannot store it) → 400 ``invalid_param``
- a ``parse`` hook may raise any ``ApiError`` itself  (e.g. ``invalid_datetime_format``)

Names in the body are camelCase; the parsed result uses snake_case keys (or the
field's ``dest``), ready to pass on as keyword arguments.

Usage::

    from portal.api.body import Field, parse_body, iso_date, hhmm

    TIME_SLOT = {
        "dayOfWeek": Field(int, required=True, minimum=1, maximum=7),
        "fromTime": Field(str, required=True, parse=hhmm),      # "09:30" -> 570
        "toTime": Field(str, required=True, parse=hhmm),
        "available": Field(bool, default=True),
    }

    @bp.post("/services/<service_id>/time-slots")
    @require_token(Role.ADMIN)
    def create_time_slot(service_id):
        values = parse_body(TIME_SLOT)
        # {"day_of_week": 1, "from_time": 570, "to_time": 1020, "available": True}

    # PATCH: only what was sent, nothing required, no defaults filled in.
    values = parse_body(TIME_SLOT, partial=True)

    # Lists and nested objects:
    CUSTOMER = {"name": Field(dict, fields={"firstName": Field(str), "lastName": Field(str)}),
                "contact": Field(dict, fields={"primaryEmail": Field(str, max_length=254)})}
    BODY = {"agentIds": Field(list, items=Field(str, parse=uuid_value), min_length=1),
            "customer": Field(dict, fields=CUSTOMER, required=True)}

    # A body that is a JSON array (e.g. PUT /api/agents/{id}/working-hours):
    windows = parse_body(Field(list, items=Field(dict, fields=WINDOW)))

``parse_body`` reads ``request`` unless ``data=`` is given (handy in unit tests).
Field paths in messages look like ``customer.name.firstName`` or ``[2].start``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import request

from portal.api.errors import ApiError, invalid_param
from portal.api.params import checked, parse_date, parse_uuid
from portal.domain import values
from portal.scheduling.validation import parse_hhmm

_MISSING: Any = object()

# JSON type names for messages.
_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "an array",
    dict: "an object",
}


@dataclass(frozen=True)
class Field:
    """One body field.

    ``type``: str, int, float (ints accepted), bool, list or dict (bools are never ints).
    ``required``: absent → missing_param (ignored with ``partial=True``).
    ``nullable``: ``null`` allowed (kept as None, ``parse`` not called).
    ``default``: value used when absent (not with ``partial=True``); a callable is a factory.
    ``choices``: allowed values; ``minimum``/``maximum`` for numbers;
    ``min_length``/``max_length`` for strings (after strip) and arrays.
    ``strip``: strings are stripped of surrounding whitespace (default).
    ``items``: the Field every array element must satisfy.
    ``fields``: the schema of a nested object (unknown keys refused there too).
    ``parse``: ``parse(path, value) -> value`` after the checks; raise ApiError to refuse.
    ``dest``: the result key (default: snake_case of the body name).
    """

    type: type
    required: bool = False
    nullable: bool = False
    default: Any = _MISSING
    choices: Collection[Any] | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    strip: bool = True
    items: Field | None = None
    fields: Mapping[str, Field] | None = None
    parse: Callable[[str, Any], Any] | None = None
    dest: str | None = None


def snake_case(name: str) -> str:
    """``sendSmsConfirmation`` → ``send_sms_confirmation``; ``fromTime_gte`` → ``from_time_gte``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def missing_param(path: str) -> ApiError:
    return ApiError(400, "missing_param", f"The field '{path}' is required.")


def invalid_param_type(path: str, expected: str) -> ApiError:
    return ApiError(400, "invalid_param_type", f"'{path}' must be {expected}.")


def read_json() -> Any:
    """The request's JSON value; an empty body reads as ``{}``; anything else not JSON → 400."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    value = request.get_json(force=True, silent=True)
    if value is None:
        raise invalid_param("The request body must be valid JSON.")
    return value


def parse_body(
    schema: Mapping[str, Field] | Field, data: Any = _MISSING, *, partial: bool = False
) -> Any:
    """Check ``data`` (default: the request's JSON body) against ``schema``.

    A mapping schema means "a JSON object with these fields" and returns a dict
    with snake_case keys; a Field schema checks the whole body as that field.
    """
    value = read_json() if data is _MISSING else data
    if isinstance(schema, Field):
        return _check("body", schema, value, partial)
    if not isinstance(value, dict):
        raise invalid_param("The request body must be a JSON object.")
    return _check_object("", schema, value, partial)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _check_object(
    prefix: str, schema: Mapping[str, Field], value: dict[str, Any], partial: bool
) -> dict[str, Any]:
    unknown = sorted(key for key in value if key not in schema)
    if unknown:
        names = ", ".join(_join(prefix, key) for key in unknown)
        raise invalid_param(f"Unknown field: {names}.")
    result: dict[str, Any] = {}
    for name, spec in schema.items():
        path = _join(prefix, name)
        key = spec.dest or snake_case(name)
        if name not in value:
            if partial:
                continue
            if spec.required:
                raise missing_param(path)
            if spec.default is not _MISSING:
                # Defaults are written as body values, so they are parsed like sent ones.
                default = spec.default() if callable(spec.default) else spec.default
                result[key] = _check(path, spec, default, partial)
            continue
        result[key] = _check(path, spec, value[name], partial)
    return result


def _check(path: str, spec: Field, value: Any, partial: bool) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise invalid_param_type(path, f"{_TYPE_NAMES.get(spec.type, 'a value')}, not null")
    if not _is_type(value, spec.type):
        raise invalid_param_type(path, _TYPE_NAMES.get(spec.type, spec.type.__name__))
    if spec.type is str:
        if "\x00" in value:  # PostgreSQL text cannot hold NUL; no field needs it
            raise invalid_param(f"'{path}' must not contain NUL characters.")
        if spec.strip:
            value = value.strip()
    if spec.type is float:
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise invalid_param(f"'{path}' must be a finite number.")
    if spec.choices is not None and value not in spec.choices:
        choices = ", ".join(str(choice) for choice in spec.choices)
        raise invalid_param(f"'{path}' must be one of: {choices}.")
    if spec.minimum is not None and value < spec.minimum:
        raise invalid_param(f"'{path}' must be at least {spec.minimum:g}.")
    if spec.maximum is not None and value > spec.maximum:
        raise invalid_param(f"'{path}' must be at most {spec.maximum:g}.")
    if spec.min_length is not None and len(value) < spec.min_length:
        what = "item" if spec.type is list else "character"
        raise invalid_param(f"'{path}' needs at least {spec.min_length} {what}(s).")
    if spec.max_length is not None and len(value) > spec.max_length:
        what = "item" if spec.type is list else "character"
        raise invalid_param(f"'{path}' allows at most {spec.max_length} {what}(s).")
    if spec.type is list and spec.items is not None:
        value = [
            _check(f"{path}[{i}]", spec.items, item, partial=False) for i, item in enumerate(value)
        ]
    if spec.type is dict and spec.fields is not None:
        value = _check_object(path, spec.fields, value, partial=False)
    if spec.parse is not None:
        value = spec.parse(path, value)
    return value


def _is_type(value: Any, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, expected)


# --- parse hooks for common string formats ---------------------------------------------------


# The query-string parsers take (name, value) too, so they serve as body hooks as they are.
uuid_value = parse_uuid
iso_date = parse_date


def utc_datetime(path: str, value: str) -> datetime:
    """An ISO 8601 date-time with ``Z`` or an offset in 1900..2200, returned as aware UTC."""
    return checked(values.aware_datetime, path, value)


def hhmm(path: str, value: str) -> int:
    """``HH:MM`` (00:00..24:00) → minutes from midnight (invalid_datetime_format otherwise)."""
    try:
        return parse_hhmm(value)
    except ValueError:
        raise ApiError(
            400,
            "invalid_datetime_format",
            f"'{path}' must be a time of day as HH:MM (00:00..24:00).",
        ) from None


__all__ = [
    "Field",
    "hhmm",
    "invalid_param_type",
    "iso_date",
    "missing_param",
    "parse_body",
    "read_json",
    "snake_case",
    "utc_datetime",
    "uuid_value",
]
