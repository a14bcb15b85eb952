"""Errors raised while parsing API input: the domain's error type, built from a status.

The API answers every ``DomainError`` in one shape (``portal.errors``):
``{"error": code, "error_description": sentence, **details}``.
"""

from __future__ import annotations

from typing import Any

from portal.domain.errors import DomainError, kind_of_status


class ApiError(DomainError):
    """Raised anywhere under /api for input the edge refuses."""

    def __init__(self, status: int, error: str, description: str, **extra: Any) -> None:
        super().__init__(description, kind=kind_of_status(status), code=error, details=extra)


def not_found(what: str = "That object") -> ApiError:
    return ApiError(404, "not_found", f"{what} does not exist.")


def invalid_param(description: str) -> ApiError:
    return ApiError(400, "invalid_param", description)
