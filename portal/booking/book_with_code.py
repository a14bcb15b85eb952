"""Book with a code: a customer proves their email address and books, in one unit of work.

The one assembly of this use case, for the booking pages (time → details, where
the time is held and the code sent (``portal.booking.holds``) → code →
confirmation) and for ``POST /api/appointments/basic``. The
rules (docs/decisions.md, "Booking with a code"):

1. The request is checked first: a first or last name, the customer's email,
   when given, is the address the code was sent to (it is stored as the customer's),
   and the answers to the service's booking questions.
2. Then the address is proven: by a right ``booking`` code, or because the caller
   proved it already (a browser signed in as that customer: no second code).
   Every try of a code counts, even when the request then fails (``portal.codes``).
3. Then ``operations.book`` books, as for every customer: the minimum notice
   applies; an agent, when chosen, must serve the service (else 404); a live hold
   of the same service and start claims its agent and its seat, a stale one is
   ignored; time zone and locale default to the service's.
4. A refusal at any step rolls back the whole request: a right code that was
   checked stays usable when the slot turned out to be taken.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal import codes
from portal.booking import operations, questions
from portal.booking.operations import Customer
from portal.domain.errors import FieldErrors
from portal.domain.i18n import N_
from portal.models import Appointment, CodePurpose, Service, normalize_email, utcnow

MISMATCHED_EMAIL = N_("The customer's email must be the address the code was sent to.")
NO_NAME = N_("Enter a first or a last name.")


@dataclass(frozen=True)
class CustomerBooking:
    """What a customer asks to book; ``email`` is the address that gets (or got) the code."""

    service: Service
    start: datetime
    email: str
    customer: Customer
    agent_id: uuid.UUID | None = None  # the customer's choice; None: any agent
    hold_id: uuid.UUID | None = None  # the pages hold the time while the customer confirms
    timezone: str | None = None
    locale: str | None = None
    title: str | None = None
    notes: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)  # {question id: value}


def code_needed(email: str, proven_email: str | None) -> bool:
    """Whether booking for ``email`` needs a code, when ``proven_email`` is already proven."""
    return not proven_email or normalize_email(proven_email) != normalize_email(email)


def book_with_code(
    session: Session,
    settings: codes.CodeSettings,
    booking: CustomerBooking,
    code: str | None,
    *,
    proven_email: str | None = None,
    on_proven: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Check the request and the code, then book; raises a ``DomainError`` otherwise.

    ``on_proven(email)`` is called once a code proved the address, before the
    booking is tried (the pages sign the browser in, so that after "just taken"
    the next time needs no second code).
    """
    now = now or utcnow()
    email = normalize_email(booking.email)
    customer = _checked_customer(booking.customer, email)
    # Answers are part of the request: a missing one must not use the code up.
    questions.check_answers(booking.service.questions or [], booking.answers)
    if code_needed(email, proven_email):
        codes.verify_code(session, settings, email, CodePurpose.BOOKING, code or "", now)
        if on_proven is not None:
            on_proven(email)
    return operations.book(
        session,
        booking.service,
        booking.start,
        customer,
        agent_id=booking.agent_id,
        hold_id=booking.hold_id,
        timezone=booking.timezone,
        locale=booking.locale,
        title=booking.title,
        notes=booking.notes,
        metadata=booking.metadata,
        answers=booking.answers,
        now=now,
    )


def _checked_customer(customer: Customer, email: str) -> Customer:
    problems = FieldErrors()
    if not (customer.first_name.strip() or customer.last_name.strip()):
        problems.add("first_name", NO_NAME)
    if customer.email and normalize_email(customer.email) != email:
        problems.add("email", MISMATCHED_EMAIL)
    problems.raise_if_any()
    return replace(customer, email=email)
