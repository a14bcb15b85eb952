"""All models, imported here so metadata is complete for Alembic and the app."""

from portal.models.appointment import (
    Appointment,
    AppointmentStatus,
    InteractionState,
    Participant,
    ParticipantType,
    RoomTicket,
    SlotHold,
)
from portal.models.availability import ACCOUNT_SCOPE, AvailabilityVersion
from portal.models.auth import ApiToken, CodePurpose, OneTimeCode
from portal.models.manage_link import ManageLink
from portal.models.base import Base, utcnow
from portal.models.overlap_guard import is_overlap_refusal
from portal.models.notification import (
    Channel,
    NotificationTemplate,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    TemplateType,
)
from portal.models.schedule import (
    DayOfWeek,
    OfficeHours,
    OfficeHoursType,
    TimeException,
    WorkingHours,
)
from portal.models.service import Service, ServiceTimeSlot, service_agents
from portal.models.sign_in import CustomerSignOut
from portal.models.user import STAFF_ROLES, Role, User, normalize_email
from portal.models.waitlist import WaitlistEntry, WaitlistOffer, WaitlistStatus
from portal.models.webhook import WebhookSubscription

__all__ = [
    "ACCOUNT_SCOPE",
    "AvailabilityVersion",
    "ApiToken",
    "Appointment",
    "AppointmentStatus",
    "Base",
    "Channel",
    "CodePurpose",
    "CustomerSignOut",
    "DayOfWeek",
    "InteractionState",
    "ManageLink",
    "NotificationTemplate",
    "OfficeHours",
    "OfficeHoursType",
    "OneTimeCode",
    "OutboxChannel",
    "OutboxMessage",
    "OutboxStatus",
    "Participant",
    "ParticipantType",
    "Role",
    "RoomTicket",
    "STAFF_ROLES",
    "Service",
    "ServiceTimeSlot",
    "SlotHold",
    "TemplateType",
    "TimeException",
    "User",
    "WaitlistEntry",
    "WaitlistOffer",
    "WaitlistStatus",
    "WebhookSubscription",
    "WorkingHours",
    "is_overlap_refusal",
    "normalize_email",
    "service_agents",
    "utcnow",
]
