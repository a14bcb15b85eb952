"""GET /api/openapi.json (OpenAPI 3.1) and GET /api/docs (the same, as a page).

The document is built from ``openapi_spec.operations()``; request bodies are
converted from the very ``Field`` schemas the views parse (``portal.api.body``).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from flask import jsonify, render_template
from markupsafe import Markup, escape

from portal.api import bp
from portal.api.body import _MISSING, Field
from portal.api.openapi_spec import DESCRIPTION, HHMM, SCHEMAS, TITLE, VERSION, Op, operations
from portal.api.params import query_args

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"

_TYPES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    dict: "object",
}
# What a body field's ``parse`` hook accepts, by the hook's name.
_DURATION = {"format": "duration"}
_PARSE_HINTS: dict[str, dict[str, Any]] = {
    "uuid_value": {"format": "uuid"},
    "utc_datetime": {"format": "date-time"},
    "iso_date": {"format": "date"},
    "hhmm": {"pattern": HHMM["pattern"]},
    "iso_duration": _DURATION,
    "_duration": _DURATION,
    "_period_seconds": _DURATION,
    "_time_frame": _DURATION,
    "_email": {"format": "email"},
    "_timezone": {"description": "An IANA time zone, e.g. Europe/Berlin."},
    "parse_timezone": {"description": "An IANA time zone, e.g. Europe/Berlin."},
    "_locale": {"description": "A locale, e.g. en, de or en_GB."},
}
_ERROR_TEXT = {
    400: "Bad input: invalid_param, invalid_param_type, missing_param or invalid_datetime_format.",
    401: "No valid bearer token (unauthorized).",
    403: "The token's role may not do this (forbidden).",
    404: "No such object, or not one the caller may see (not_found).",
    409: "The change conflicts with stored data (conflict).",
    429: "Too many requests (rate_limited).",
}
_PATH_ARGUMENT = re.compile(r"\{([^}]+)\}")


def field_schema(spec: Field) -> dict[str, Any]:
    """The JSON Schema of one body field, as ``parse_body`` checks it."""
    schema: dict[str, Any] = {"type": _TYPES[spec.type]}
    if spec.choices is not None:
        schema["enum"] = list(spec.choices)
    if spec.minimum is not None:
        schema["minimum"] = spec.minimum
    if spec.maximum is not None:
        schema["maximum"] = spec.maximum
    if spec.type is str:
        if spec.min_length is not None:
            schema["minLength"] = spec.min_length
        if spec.max_length is not None:
            schema["maxLength"] = spec.max_length
    if spec.type is list:
        if spec.min_length is not None:
            schema["minItems"] = spec.min_length
        if spec.max_length is not None:
            schema["maxItems"] = spec.max_length
        if spec.items is not None:
            schema["items"] = field_schema(spec.items)
    if spec.type is dict and spec.fields is not None:
        schema.update(object_schema(spec.fields))
    if spec.parse is not None:
        schema.update(_PARSE_HINTS.get(spec.parse.__name__, {}))
    if spec.default is not _MISSING and not callable(spec.default) and _is_json(spec.default):
        schema["default"] = spec.default
    if spec.nullable:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def _is_json(value: Any) -> bool:
    """Defaults that are already parsed values (a ZoneInfo, a date) are not shown."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, list):
        return all(_is_json(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _is_json(item) for key, item in value.items())
    return False


def object_schema(fields: Mapping[str, Field], *, partial: bool = False) -> dict[str, Any]:
    required = [name for name, spec in fields.items() if spec.required and not partial]
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: field_schema(spec) for name, spec in fields.items()},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


def body_target(op: Op) -> Mapping[str, Field] | Field:
    """The schema object an operation's view passes to ``parse_body``."""
    if op.body is None:
        raise ValueError(f"The operation {op.endpoint} takes no body.")
    module_name, _, name = op.body.partition(":")
    return getattr(importlib.import_module(module_name), name)


def body_schema(op: Op) -> dict[str, Any]:
    target = body_target(op)
    if isinstance(target, Field):
        return field_schema(target)
    return object_schema(target, partial=op.partial)


def _path_parameter(name: str) -> dict[str, Any]:
    if name == "reference":
        schema = {"type": "string", "pattern": "^[A-Za-z0-9._~-]{1,128}$"}
        text = "The external reference (seed 003)."
    else:
        schema = {"type": "string", "format": "uuid"}
        text = "An id. Anything that is not an existing id the caller may see answers 404."
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": text}


def _response(response, status: int) -> dict[str, Any]:
    item: dict[str, Any] = {"description": response.description}
    if response.schema is not None:
        item["content"] = {response.media_type: {"schema": response.schema}}
    elif status == 302:
        item["content"] = {"text/html": {"schema": {"type": "string"}}}
    if response.headers:
        item["headers"] = {
            name: {"required": True, "schema": {"type": "string"}} for name in response.headers
        }
    return item


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def operation_object(op: Op) -> dict[str, Any]:
    item: dict[str, Any] = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "tags": [op.tag],
        "x-roles": list(op.roles) if op.roles else ["public"],
    }
    roles = ", ".join(op.roles) if op.roles else "public (no token needed)"
    description = f"Roles: {roles}." + (" Also a customer bearer." if op.customer_bearer else "")
    item["description"] = f"{op.description}\n\n{description}".strip()
    parameters = [_path_parameter(name) for name in _PATH_ARGUMENT.findall(op.path)]
    parameters += [
        {
            "name": param.name,
            "in": "query",
            "required": param.required,
            "schema": param.schema,
            **({"description": param.description} if param.description else {}),
            **({"example": param.example} if param.example is not None else {}),
        }
        for param in op.query
    ]
    if parameters:
        item["parameters"] = parameters
    if op.body is not None:
        body: dict[str, Any] = {
            "required": not op.partial,
            "content": {JSON: {"schema": body_schema(op)}},
        }
        if op.example is not None:
            body["content"][JSON]["example"] = op.example
        item["requestBody"] = body
    responses = {
        str(status): _response(response, status) for status, response in op.responses.items()
    }
    codes = set(op.errors)
    if op.roles:
        codes |= {401, 403}
    if op.customer_bearer:
        codes.add(401)
    for code in sorted(codes):
        responses.setdefault(str(code), _error(_ERROR_TEXT[code]))
    responses["default"] = _error("Any other error, in the same shape (e.g. 405, 429).")
    item["responses"] = responses
    item["security"] = [{"bearerAuth": []}] if op.roles else [{}, {"bearerAuth": []}]
    return item


@cache
def build_spec() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    tags: list[str] = []
    for op in operations():
        paths.setdefault(op.path, {})[op.method] = operation_object(op)
        if op.tag not in tags:
            tags.append(op.tag)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "Staff and integration tokens (pt_…) from `flask --app "
                        "portal create-token` "
                        "or /admin/tokens; customer bearers (cu_…) after code sign-in."
                    ),
                }
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    query_args(())
    response = jsonify(build_spec())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# What /api/docs shows of a description: the document keeps its cross-references to the
# product's design texts and its backtick code spans; the page drops the former and sets
# the latter as <code>.
_INTERNAL_REFERENCE = re.compile(r"\s*\((?:DESIGN\.md [\d.]+|seed \d+)\)")
_CODE_SPAN = re.compile(r"``(.+?)``|`(.+?)`")


def docs_prose(text: str | None) -> Markup:
    """``text`` as HTML for the docs page: escaped, code spans in <code>, no internal notes."""
    text = _INTERNAL_REFERENCE.sub("", text or "")
    parts: list[Markup] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(Markup("<code>%s</code>") % (match[1] or match[2]))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


@bp.get("/docs")
def api_docs():
    query_args(())
    spec = build_spec()
    groups: dict[str, list[dict[str, Any]]] = {tag["name"]: [] for tag in spec["tags"]}
    for path, methods in spec["paths"].items():
        for method, item in methods.items():
            groups[item["tags"][0]].append({"method": method.upper(), "path": path, **item})
    return render_template(
        "api/docs.html",
        spec=spec,
        groups=groups,
        pretty=lambda value: json.dumps(value, indent=2, ensure_ascii=False),
        prose=docs_prose,
    )
