"""The instant the test suite runs at.

Every test runs with the clock stopped at ``TEST_NOW`` (the ``fixed_clock`` fixture in
``tests/conftest.py``), so a test that builds its data from "now" or "today" sees the same day
whatever the date is. ``PORTAL_TEST_NOW`` (ISO 8601 with a zone, e.g. 2026-11-30T09:00:00Z)
chooses another instant; ``.ci/every-weekday`` uses it to run the date-sensitive tests on seven
consecutive days.

Module-level values take the day from here (``TODAY``), which says what they follow. (Collection
runs at ``TEST_NOW`` as well, but a module first imported elsewhere would see the machine's day.)

Tests marked ``real_clock`` (a live gunicorn server or a browser, which keep the machine's clock)
run without it and must place their data so that any day and hour works.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

ENVIRONMENT_VARIABLE = "PORTAL_TEST_NOW"
# A Wednesday morning, clear of DST changes and month ends, away from slot boundaries.
DEFAULT_NOW = "2026-06-10T09:17:00Z"


def parse_test_now(value: str | None) -> datetime:
    """``value`` as an aware UTC instant; a value without a zone is refused, not guessed."""
    instant = datetime.fromisoformat((value or DEFAULT_NOW).strip().replace("Z", "+00:00"))
    if instant.tzinfo is None:
        example = "2026-11-30T09:00:00Z"
        raise ValueError(f"{ENVIRONMENT_VARIABLE}={value!r} needs a zone, e.g. {example}")
    return instant.astimezone(UTC)


TEST_NOW: datetime = parse_test_now(os.environ.get(ENVIRONMENT_VARIABLE))
TODAY: date = TEST_NOW.date()
