"""Administration refusals: the domain's one error type under the names admin code uses.

``Invalid`` carries one message per field (the domain's field names), so a
page puts each under its input and the API answers with the first one.
"""

from __future__ import annotations

from portal.domain.errors import Conflict, DomainError, FieldErrors, Invalid, NotFound

AdminError = DomainError
Collector = FieldErrors


__all__ = ["AdminError", "Collector", "Conflict", "Invalid", "NotFound"]
