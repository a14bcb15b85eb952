"""The API's one error shape: {"error": code, "error_description": sentence}."""

from __future__ import annotations

from typing import Any

from flask import jsonify


class ApiError(Exception):
    """Raised anywhere under /api; answered as JSON with its status."""

    def __init__(self, status: int, error: str, description: str, **extra: Any) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.extra = extra

    def response(self):
        body = {"error": self.error, "error_description": self.description, **self.extra}
        return jsonify(body), self.status


def not_found(what: str = "That object") -> ApiError:
    return ApiError(404, "not_found", f"{what} does not exist.")


def invalid_param(description: str) -> ApiError:
    return ApiError(400, "invalid_param", description)
