"""Names of stored codes as staff read them on their pages, in the viewer's language.

The enums and the outbox's ``type`` column keep their English codes (the API and the
database speak them); only the pages translate, here, at display time.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.models import Role

MESSAGE_TYPES = {
    "CREATE": _l("Booking confirmation"),
    "RESCHEDULE": _l("New time"),
    "CANCEL": _l("Cancellation"),
    "REMINDER": _l("Reminder"),
    "ROOM": _l("Video call link"),
    # Issue 18: the notices to the staff themselves.
    "AGENT_CREATE": _l("Staff notice: new appointment"),
    "AGENT_RESCHEDULE": _l("Staff notice: new time"),
    "AGENT_CANCEL": _l("Staff notice: cancelled"),
    "AGENT_ASSIGNED": _l("Staff notice: handed to you"),
    "AGENT_UNASSIGNED": _l("Staff notice: handed over"),
}

MESSAGE_STATUSES = {
    "PENDING": _l("Pending"),
    "SENT": _l("Sent"),
    "FAILED": _l("Failed"),
}

# One whole phrase per channel: "Email to cora@example.org".
MESSAGE_RECIPIENTS = {
    "EMAIL": _l("Email to %(recipient)s"),
    "SMS": _l("SMS to %(recipient)s"),
    "WEBHOOK": _l("Webhook to %(recipient)s"),
}

ROLES = {
    Role.CUSTOMER: _l("customer"),
    Role.AGENT: _l("agent"),
    Role.SUPERVISOR: _l("supervisor"),
    Role.ADMIN: _l("admin"),
    Role.CLIENT_SERVICE: _l("client service"),
}


def message_type(code: str) -> str:
    """A code no one named yet (a new notice type) reads as words rather than in capitals."""
    label = MESSAGE_TYPES.get(code)
    return str(label) if label is not None else code.replace("_", " ").capitalize()


def message_status(code: str) -> str:
    label = MESSAGE_STATUSES.get(code)
    return str(label) if label is not None else code.capitalize()


def message_recipient(channel: str, recipient: str) -> str:
    phrase = MESSAGE_RECIPIENTS.get(channel)
    if phrase is None:
        return f"{channel.lower()}: {recipient}"
    return str(phrase) % {"recipient": recipient}


def role(value: Role) -> str:
    label = ROLES.get(value)
    return str(label) if label is not None else value.value.lower()


# The names the staff templates call.
TEMPLATE_LABELS = {
    "message_type_label": message_type,
    "message_status_label": message_status,
    "message_recipient_label": message_recipient,
    "role_label": role,
}
