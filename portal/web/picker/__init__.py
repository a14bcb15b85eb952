"""The slot picker shared by booking and rescheduling: month, day, zone, agent.

- ``params``: the month, day, zone and slot start as the request gives them;
- ``view``: the view model for ``booking/_picker.html``, ``_calendar.html`` and ``_slots.html``;
- ``cache``: rendered pickers in the shared availability cache, keyed by versions.

Dates and times are formatted by ``portal.web.formatting``.
"""

from portal.web.picker.cache import CSRF_PLACEHOLDER, cached_render
from portal.web.picker.params import (
    parse_day,
    parse_month,
    parse_start,
    parse_zone,
    timezone_names,
    timezone_options,
)
from portal.web.picker.view import (
    DayLinks,
    MonthDay,
    Picker,
    PickerLinks,
    SlotChoice,
    build_picker,
)

__all__ = [
    "CSRF_PLACEHOLDER",
    "DayLinks",
    "MonthDay",
    "Picker",
    "PickerLinks",
    "SlotChoice",
    "build_picker",
    "cached_render",
    "parse_day",
    "parse_month",
    "parse_start",
    "parse_zone",
    "timezone_names",
    "timezone_options",
]
