"""Services: create, update, delete (or deactivate), their agents and sender email.

Pages (/admin/services) and the API (/api/services) call these; every rule of
DESIGN.md 3 for a service lives here. Durations arrive as ``timedelta`` (the API
parses ISO 8601, the pages minutes) and are stored as whole minutes.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.admin.errors import Collector, Conflict, Invalid, NotFound
from portal.booking import questions
from portal.admin.validation import check_email, check_text, check_zone_and_locale
from portal.codes import CodeError, CodeSettings
from portal.domain import values
from portal.domain.i18n import N_
from portal.models import Appointment, Role, Service, SlotHold, User
from portal.notifications.defaults import add_default_templates
from portal.notifications.verification import confirm_sender as confirm_code
from portal.notifications.verification import start_sender_verification

MAX_NAME = 120
MAX_SLUG = 80
MAX_DESCRIPTION = 5000
MAX_DAY_MINUTES = 24 * 60
MAX_NOTICE = timedelta(days=365)
MAX_HORIZON_DAYS = 730
MAX_CAPACITY = 1000
MAX_CUTOFF = timedelta(days=90)
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
COLOR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
AGENT_ROLES = (Role.AGENT, Role.SUPERVISOR)

SERVICE_FIELDS = frozenset(
    {
        "name",
        "slug",
        "description",
        "duration",
        "slot_interval",
        "buffer_before",
        "buffer_after",
        "minimum_notice",
        "horizon_days",
        "capacity",
        "timezone",
        "locale",
        "color",
        "agent_ids",
        "sender_email",
        "active",
        "cancel_cutoff",
        "reschedule_cutoff",
        "max_bookings_per_customer",
        "max_per_agent_per_day",
        "questions",
        "embed_origins",
    }
)
MAX_EMBED_ORIGINS = 20
# Model attribute for each duration field, and its bounds (inclusive, in minutes).
DURATIONS = {
    "duration": ("duration_minutes", 1, MAX_DAY_MINUTES),
    "slot_interval": ("slot_interval_minutes", 1, MAX_DAY_MINUTES),
    "buffer_before": ("buffer_before_minutes", 0, MAX_DAY_MINUTES),
    "buffer_after": ("buffer_after_minutes", 0, MAX_DAY_MINUTES),
    "minimum_notice": ("minimum_notice_minutes", 0, int(MAX_NOTICE.total_seconds()) // 60),
    # None: customers may change online until the start.
    "cancel_cutoff": ("cancel_cutoff_minutes", 0, int(MAX_CUTOFF.total_seconds()) // 60),
    "reschedule_cutoff": ("reschedule_cutoff_minutes", 0, int(MAX_CUTOFF.total_seconds()) // 60),
}
# Fields where None (no value) is allowed and means "none".
NULLABLE_DURATIONS = frozenset({"slot_interval", "cancel_cutoff", "reschedule_cutoff"})
LIMITS = {
    "max_bookings_per_customer": N_("The bookings per customer"),
    "max_per_agent_per_day": N_("The appointments per agent and day"),
}
MAX_LIMIT = 1000
LABELS = {
    "duration": N_("The duration"),
    "slot_interval": N_("The slot interval"),
    "buffer_before": N_("The buffer before"),
    "buffer_after": N_("The buffer after"),
    "minimum_notice": N_("The minimum notice"),
    "cancel_cutoff": N_("The cancel cut-off"),
    "reschedule_cutoff": N_("The reschedule cut-off"),
}


class Removal(StrEnum):
    DELETED = "deleted"
    DEACTIVATED = "deactivated"


def slugify(text: str) -> str:
    """``"Café Consultation!"`` → ``"cafe-consultation"`` (may be empty)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_SLUG].strip("-")


def get_service(session: Session, service_id: uuid.UUID | str) -> Service:
    """Any service by id, active or not."""
    try:
        key = service_id if isinstance(service_id, uuid.UUID) else uuid.UUID(str(service_id))
    except ValueError:
        raise NotFound(N_("That service does not exist.")) from None
    service = session.get(Service, key)
    if service is None:
        raise NotFound(N_("That service does not exist."))
    return service


def list_services(session: Session, *, include_inactive: bool = True) -> Sequence[Service]:
    query = select(Service).order_by(Service.name, Service.id)
    if not include_inactive:
        query = query.where(Service.active.is_(True))
    return session.scalars(query).all()


def agent_choices(session: Session) -> Sequence[User]:
    """The users who may serve a service: active agents and supervisors."""
    return session.scalars(
        select(User)
        .where(User.role.in_(AGENT_ROLES), User.active.is_(True))
        .order_by(User.name, User.id)
    ).all()


def _minutes(errors: Collector, field: str, value: Any) -> int | None:
    _attribute, low, high = DURATIONS[field]
    label = LABELS[field]
    if not isinstance(value, timedelta):
        errors.add(field, N_("%(label)s must be a duration.", label=label))
        return None
    seconds = value.total_seconds()
    if seconds % 60:
        errors.add(field, N_("%(label)s must be a whole number of minutes.", label=label))
        return None
    minutes = int(seconds // 60)
    if minutes < low or minutes > high:
        if low == 1:
            message = N_(
                "%(label)s must be more than zero and at most %(max)s.",
                label=label,
                max=_describe(high),
            )
        else:
            message = N_(
                "%(label)s must be zero or more and at most %(max)s.",
                label=label,
                max=_describe(high),
            )
        errors.add(field, message)
        return None
    return minutes


def _describe(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return N_("1 day") if days == 1 else N_("%(count)s days", count=days)
    return N_("%(count)s minutes", count=minutes)


def _whole(
    errors: Collector, field: str, value: Any, low: int, high: int, message: str
) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.add(field, message)
        return None
    return value


def _validated(session: Session, service: Service | None, fields: dict[str, Any]) -> dict[str, Any]:
    """Check ``fields``; model attribute → clean value, or Invalid / Conflict."""
    unknown = set(fields) - SERVICE_FIELDS
    if unknown:
        raise TypeError(f"unknown service fields: {sorted(unknown)}")
    errors = Collector()
    clean: dict[str, Any] = {}
    if "name" in fields:
        name = check_text(fields["name"], MAX_NAME)
        if name is None:
            errors.add("name", N_("Enter a name of 1 to %(max)s characters.", max=MAX_NAME))
        clean["name"] = name
    if "slug" in fields:
        slug = fields["slug"].strip().lower() if isinstance(fields["slug"], str) else None
        if not slug or len(slug) > MAX_SLUG or not SLUG_PATTERN.fullmatch(slug):
            errors.add(
                "slug",
                N_(
                    "The slug is the address of the booking page: 1 to %(max)s lower-case "
                    "letters, digits and single hyphens, e.g. video-consultation.",
                    max=MAX_SLUG,
                ),
            )
        clean["slug"] = slug
    if "description" in fields:
        description = check_text(fields["description"] or "", MAX_DESCRIPTION, required=False)
        if description is None:
            errors.add(
                "description",
                N_("The description may have at most %(max)s characters.", max=MAX_DESCRIPTION),
            )
        clean["description"] = description
    for field, (attribute, _low, _high) in DURATIONS.items():
        if field not in fields:
            continue
        if field in NULLABLE_DURATIONS and fields[field] is None:
            clean[attribute] = None  # slot interval: step by the duration; cut-offs: none
            continue
        clean[attribute] = _minutes(errors, field, fields[field])
    if "horizon_days" in fields:
        clean["horizon_days"] = _whole(
            errors,
            "horizon_days",
            fields["horizon_days"],
            1,
            MAX_HORIZON_DAYS,
            N_("The booking horizon must be 1 to %(max)s days.", max=MAX_HORIZON_DAYS),
        )
    if "capacity" in fields:
        clean["capacity"] = _whole(
            errors,
            "capacity",
            fields["capacity"],
            1,
            MAX_CAPACITY,
            N_("The capacity must be 1 to %(max)s seats per agent and slot.", max=MAX_CAPACITY),
        )
    for field, label in LIMITS.items():
        if field in fields:
            clean[field] = (
                None
                if fields[field] is None
                else _whole(
                    errors,
                    field,
                    fields[field],
                    1,
                    MAX_LIMIT,
                    N_(
                        "%(label)s must be 1 to %(max)s, or empty for no limit.",
                        label=label,
                        max=MAX_LIMIT,
                    ),
                )
            )
    if "questions" in fields:
        try:
            clean["questions"] = questions.validate_questions(fields["questions"])
        except Invalid as error:
            errors.add("questions", error.message)
    check_zone_and_locale(fields, errors, clean)
    if "color" in fields:
        color = fields["color"]
        if not isinstance(color, str) or not COLOR_PATTERN.fullmatch(color):
            errors.add("color", N_("The colour must be written as #rrggbb."))
        clean["color"] = color.lower() if isinstance(color, str) else None
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            errors.add("active", N_("Active must be true or false."))
        clean["active"] = fields["active"]
    if "sender_email" in fields:
        sender = fields["sender_email"]
        if sender is None or (isinstance(sender, str) and not sender.strip()):
            clean["sender_email"] = None
        else:
            clean["sender_email"] = check_email(
                errors,
                "sender_email",
                sender,
                N_("Enter the sender as an email address like team@example.com."),
            )
    if "agent_ids" in fields:
        clean["agents"] = _agents(session, errors, fields["agent_ids"])
    if "embed_origins" in fields:
        clean["embed_origins"] = _embed_origins(errors, fields["embed_origins"])
    errors.raise_if_any()

    slug = clean.get("slug")
    changed = slug and (service is None or slug != service.slug)
    if changed and session.scalar(select(Service.id).where(Service.slug == slug)) is not None:
        raise Conflict(N_("Another service already uses that slug."), "slug")
    return clean


def _embed_origins(errors: Collector, origins: Any) -> list[str] | None:
    """The sites that may frame the booking page (docs/embeds.md): origins, once each."""
    if origins is None:
        return []
    if isinstance(origins, (str, bytes)) or not isinstance(origins, Iterable):
        errors.add("embed_origins", N_("The embed origins must be a list."))
        return None
    clean: list[str] = []
    for value in origins:
        try:
            origin = values.web_origin(value, "embed_origins")
        except Invalid as error:
            errors.add(
                "embed_origins",
                N_("%(origin)s: %(problem)s", origin=repr(str(value)[:80]), problem=error.message),
            )
            return None
        if origin not in clean:
            clean.append(origin)
    if len(clean) > MAX_EMBED_ORIGINS:
        errors.add(
            "embed_origins", N_("At most %(max)s sites may embed a service.", max=MAX_EMBED_ORIGINS)
        )
        return None
    return clean


def _agents(session: Session, errors: Collector, agent_ids: Any) -> list[User] | None:
    if isinstance(agent_ids, (str, bytes)) or not isinstance(agent_ids, Iterable):
        errors.add("agent_ids", N_("The agents must be a list of user ids."))
        return None
    wanted: list[uuid.UUID] = []
    for value in agent_ids:
        try:
            key = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        except ValueError:
            errors.add("agent_ids", N_("%(value)s is not a user id.", value=repr(value)))
            return None
        if key not in wanted:
            wanted.append(key)
    if not wanted:
        return []
    found = {
        user.id: user
        for user in session.scalars(
            select(User).where(
                User.id.in_(wanted), User.role.in_(AGENT_ROLES), User.active.is_(True)
            )
        )
    }
    missing = [str(key) for key in wanted if key not in found]
    if missing:
        errors.add(
            "agent_ids",
            N_(
                "Only active agents and supervisors can serve a service; not: %(ids)s.",
                ids=", ".join(missing),
            ),
        )
        return None
    return [found[key] for key in wanted]


def _apply(session: Session, service: Service, clean: dict[str, Any]) -> bool:
    """Set the clean values; True when the sender email changed to a new address."""
    sender_changed = False
    if "sender_email" in clean and clean["sender_email"] != service.sender_email:
        service.sender_verified = False
        sender_changed = clean["sender_email"] is not None
    for attribute, value in clean.items():
        setattr(service, attribute, value)
    return sender_changed


def create_service(
    session: Session,
    *,
    name: str,
    duration: timedelta,
    slug: str | None = None,
    code_settings: CodeSettings | None = None,
    **fields: Any,
) -> Service:
    """A new service with default notification templates.

    Optional fields: description, slot_interval (None = the duration), buffer_before,
    buffer_after, minimum_notice, horizon_days, capacity, timezone, locale, color,
    agent_ids, sender_email, active, embed_origins. A sender email needs
    ``code_settings`` (its code).
    """
    values: dict[str, Any] = {"name": name, "duration": duration, **fields}
    if slug is None or (isinstance(slug, str) and not slug.strip()):
        values["slug"] = _free_slug(session, slugify(name) if isinstance(name, str) else "")
    else:
        values["slug"] = slug
    values.setdefault("timezone", "UTC")
    values.setdefault("locale", "en")
    clean = _validated(session, None, values)
    service = Service(
        slug=clean.pop("slug"),
        name=clean.pop("name"),
        duration_minutes=clean.pop("duration_minutes"),
    )
    session.add(service)
    sender_changed = _apply(session, service, clean)
    session.flush()
    _add_default_templates(session, service)
    if sender_changed:
        _start_sender_verification(session, code_settings, service)
    session.flush()
    return service


def update_service(
    session: Session,
    service: Service,
    *,
    code_settings: CodeSettings | None = None,
    **fields: Any,
) -> Service:
    """Change any of the fields ``create_service`` takes (partial update)."""
    clean = _validated(session, service, fields)
    sender_changed = _apply(session, service, clean)
    if sender_changed:
        _start_sender_verification(session, code_settings, service)
    session.flush()
    return service


def has_appointments(session: Session, service: Service) -> bool:
    query = select(Appointment.id).where(Appointment.service_id == service.id).limit(1)
    return session.scalar(query) is not None


def delete_service(session: Session, service: Service) -> Removal:
    """Delete a service never booked; one with appointments is deactivated instead."""
    if has_appointments(session, service):
        service.active = False
        session.flush()
        return Removal.DEACTIVATED
    session.execute(delete(SlotHold).where(SlotHold.service_id == service.id))
    session.delete(service)
    session.flush()
    return Removal.DELETED


def _free_slug(session: Session, base: str) -> str:
    base = base or "service"
    taken = set(
        session.scalars(
            select(Service.slug).where(
                (Service.slug == base) | Service.slug.like(f"{base[: MAX_SLUG - 4]}-%")
            )
        )
    )
    if base not in taken:
        return base
    for number in range(2, 10_000):
        candidate = f"{base[: MAX_SLUG - len(str(number)) - 1]}-{number}"
        if candidate not in taken:
            return candidate
    return f"{base[:40]}-{uuid.uuid4().hex[:8]}"


def count_services(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Service)) or 0


# --- notifications (rules in portal.notifications) ----------------------------------------------


def _add_default_templates(session: Session, service: Service) -> None:
    add_default_templates(service)


def _start_sender_verification(
    session: Session, code_settings: CodeSettings | None, service: Service
) -> None:
    if code_settings is None:
        raise TypeError("a new sender email needs code_settings for its verification code")
    # Queues the code through the outbox, in this transaction.
    start_sender_verification(session, code_settings, service)


def resend_sender_code(session: Session, service: Service, code_settings: CodeSettings) -> None:
    """Send a fresh verification code to the service's unverified sender email."""
    if not service.sender_email:
        raise Conflict(N_("This service has no sender email to verify."), "sender_email")
    if service.sender_verified:
        raise Conflict(N_("This sender email is already verified."), "sender_email")
    _start_sender_verification(session, code_settings, service)
    session.flush()


def confirm_sender(
    session: Session, service: Service, code: str, code_settings: CodeSettings
) -> None:
    """Mark the sender email verified when ``code`` is the one sent to it.

    Call it before the request writes anything: a wrong code counts as a try that
    outlives the request's rollback (``portal.codes``). Refusals are Invalid on ``code``.
    """
    try:
        confirm_code(session, code_settings, service, code)
    except CodeError as error:
        raise Invalid(fields={"code": error.message}) from None
    session.flush()
