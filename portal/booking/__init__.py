"""Booking: availability queries, holds, book, reschedule, cancel, reassign.

Every operation here is a transaction with one commit; pages and the API call
these functions and never write appointments themselves.
"""

# Availability versions follow every flush from here on, whichever module writes.
from portal.booking import versions as versions  # noqa: E402
