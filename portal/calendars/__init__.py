"""Calendar export: an appointment's iCalendar, Google Calendar links and agent feeds.

``ics`` and ``google`` are pure (no Flask, no database); ``feed`` reads the
database for an agent's subscribable calendar.
"""
