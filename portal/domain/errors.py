"""The domain's one error type.

Every refusal of the domain is a ``DomainError`` with a ``kind`` (what went wrong,
which decides the HTTP status), a sentence fit to show a person, optional field
errors (``{field: sentence}``, the domain's snake_case names) and, for the API, an
optional specific ``code`` (``invalid_datetime_format``...) and extra ``details``.
Pages and the API each translate it in one place (``portal.errors``).

The subclasses only preset a kind (and keep call sites short); catch ``DomainError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from portal.domain.i18n import N_


class Kind(StrEnum):
    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    SLOT_UNAVAILABLE = "slot_unavailable"
    GONE = "gone"
    UNSUPPORTED = "unsupported"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    BAD_GATEWAY = "bad_gateway"
    UNAVAILABLE = "unavailable"


STATUS: dict[Kind, int] = {
    Kind.INVALID: 400,
    Kind.UNAUTHORIZED: 401,
    Kind.FORBIDDEN: 403,
    Kind.NOT_FOUND: 404,
    Kind.CONFLICT: 409,
    Kind.SLOT_UNAVAILABLE: 409,
    Kind.GONE: 410,
    Kind.TOO_LARGE: 413,
    Kind.UNSUPPORTED: 415,
    Kind.RATE_LIMITED: 429,
    Kind.BAD_GATEWAY: 502,
    Kind.UNAVAILABLE: 503,
}

# The API's error code when the error names none (DESIGN.md 8).
DEFAULT_CODE: dict[Kind, str] = {
    Kind.INVALID: "invalid_param",
    Kind.UNAUTHORIZED: "unauthorized",
    Kind.FORBIDDEN: "forbidden",
    Kind.NOT_FOUND: "not_found",
    Kind.CONFLICT: "conflict",
    Kind.SLOT_UNAVAILABLE: "slot_unavailable",
    Kind.GONE: "gone",
    Kind.TOO_LARGE: "too_large",
    Kind.UNSUPPORTED: "unsupported_media_type",
    Kind.RATE_LIMITED: "rate_limited",
    Kind.BAD_GATEWAY: "bad_gateway",
    Kind.UNAVAILABLE: "unavailable",
}

_KIND_OF_STATUS: dict[int, Kind] = {
    400: Kind.INVALID,
    401: Kind.UNAUTHORIZED,
    403: Kind.FORBIDDEN,
    404: Kind.NOT_FOUND,
    409: Kind.CONFLICT,
    410: Kind.GONE,
    413: Kind.TOO_LARGE,
    415: Kind.UNSUPPORTED,
    429: Kind.RATE_LIMITED,
    502: Kind.BAD_GATEWAY,
    503: Kind.UNAVAILABLE,
}


def kind_of_status(status: int) -> Kind:
    return _KIND_OF_STATUS.get(status, Kind.INVALID if status < 500 else Kind.UNAVAILABLE)


class DomainError(Exception):
    """A refusal: nothing the operation meant to write is kept (the request rolls back)."""

    kind: Kind = Kind.INVALID
    default_message = N_("The request could not be completed.")
    _code: str | None = None  # a subclass may name its own API code

    def __init__(
        self,
        message: str | None = None,
        field: str | None = None,
        *,
        kind: Kind | None = None,
        fields: Mapping[str, str] | None = None,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.fields: dict[str, str] = dict(fields or {})
        if field is not None and message is not None:
            self.fields.setdefault(field, message)
        if message is None:
            message = " ".join(self.fields.values()) or self.default_message
        super().__init__(message)
        self.message = message
        if kind is not None:
            self.kind = kind
        if code is not None:
            self._code = code
        self.details: dict[str, Any] = dict(details or {})

    @property
    def status(self) -> int:
        return STATUS[self.kind]

    @property
    def code(self) -> str:
        return self._code or DEFAULT_CODE[self.kind]

    @property
    def field(self) -> str | None:
        """The first field at fault, if the error names one."""
        return next(iter(self.fields), None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.kind.value}: {self.message!r})"


class Invalid(DomainError):
    kind = Kind.INVALID


class NotFound(DomainError):
    kind = Kind.NOT_FOUND
    default_message = N_("That does not exist.")


class Forbidden(DomainError):
    kind = Kind.FORBIDDEN
    default_message = N_("You may not do that.")


class Conflict(DomainError):
    kind = Kind.CONFLICT


class SlotUnavailable(DomainError):
    kind = Kind.SLOT_UNAVAILABLE
    default_message = N_("That time was just taken. Please pick another.")


class FieldErrors:
    """Gathers field errors so every problem is reported at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise Invalid(fields=self.errors)


__all__ = [
    "Conflict",
    "DomainError",
    "FieldErrors",
    "Forbidden",
    "Invalid",
    "Kind",
    "NotFound",
    "SlotUnavailable",
    "kind_of_status",
]
