"""Booking: availability queries, holds, book, reschedule, cancel, reassign.

Every operation here is a transaction with one commit; pages and the API call
these functions and never write appointments themselves.
"""
