"""What can go wrong in administration, as exceptions pages and the API translate.

``InvalidInput`` carries one message per field (the domain's field names), so a
page puts each under its input and the API answers with the first one.
"""

from __future__ import annotations


class AdminError(Exception):
    code = "invalid_param"
    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(AdminError):
    """One or more fields are not acceptable; nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        field = next(iter(self.errors))
        super().__init__(" ".join(self.errors.values()), field)


class Conflict(AdminError):
    """The change contradicts stored data (a taken email or slug, the last admin)."""

    code = "conflict"
    status = 409


class NotFound(AdminError):
    code = "not_found"
    status = 404


class Collector:
    """Gathers field errors so every problem is reported at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)
