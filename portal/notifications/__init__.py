"""Notifications: templates, rendering, the outbox, and the sender that empties it.

- ``placeholders``: the ``{{name}}`` language of templates, validation and substitution.
- ``rendering``: placeholder values for an appointment and a recipient (Babel, zoneinfo).
- ``defaults``: the templates a new service starts with.
- ``outbox``: booking operations call ``queue_*`` inside their transaction.
- ``sender``: ``send_due`` claims due messages and delivers them (CLI: ``notifications send``).
- ``email`` / ``sms``: the two channels; ``verification``: sender address codes and test mails.
"""
