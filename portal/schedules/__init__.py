"""Schedules: working hours, time off, office hours and service time slots.

The domain behind the staff pages (``portal/web/agent``, ``portal/web/admin``)
and the API (``portal/api/schedules.py``): both call these functions, which
validate, check permissions' data and commit (one commit per operation).
"""
