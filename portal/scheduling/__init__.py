"""Availability: pure interval arithmetic and the rules of DESIGN.md section 4.

No Flask, no database: callers load plain rule objects (``rules``) and ask
``free_slots``; ``assign_agent`` picks the agent for an "any agent" booking.
"""

from portal.scheduling.assignment import assign_agent, iso_week_bounds
from portal.scheduling.intervals import Interval, intersect, subtract, union
from portal.scheduling.localtime import date_range_utc, expand_weekly, to_utc
from portal.scheduling.rules import (
    AgentLoad,
    AgentSchedule,
    Busy,
    OfficeHoursRule,
    ServiceRules,
    ServiceWindow,
    Slot,
    TimeExceptionRule,
    WeeklyWindow,
)
from portal.scheduling.slots import free_slots, on_grid
from portal.scheduling.validation import (
    ValidationError,
    ensure_valid,
    format_hhmm,
    parse_hhmm,
    validate_office_hours,
    validate_service_time_slot,
    validate_time_exception,
)

__all__ = [
    "AgentLoad",
    "AgentSchedule",
    "Busy",
    "Interval",
    "OfficeHoursRule",
    "ServiceRules",
    "ServiceWindow",
    "Slot",
    "on_grid",
    "TimeExceptionRule",
    "ValidationError",
    "WeeklyWindow",
    "assign_agent",
    "date_range_utc",
    "ensure_valid",
    "expand_weekly",
    "format_hhmm",
    "free_slots",
    "intersect",
    "iso_week_bounds",
    "parse_hhmm",
    "subtract",
    "to_utc",
    "union",
    "validate_office_hours",
    "validate_service_time_slot",
    "validate_time_exception",
]
