"""Notifications: templates, rendering, the outbox, and the sender that empties it.

- ``placeholders``: the ``{{name}}`` language of templates, validation and substitution.
- ``rendering``: placeholder values for an appointment and a recipient (Babel, zoneinfo).
- ``defaults``: the templates a new service starts with, and their built-in German and French
  wording (``wording_for``: the texts for an appointment's language).
- ``language``: gettext for a given locale outside any request (the recipient's, not the
  request's).
- ``outbox``: booking operations call ``queue_*`` inside their transaction.
- ``sender``: ``send_due`` claims due messages and hands them to a transport, which the edge
  (``portal.delivery``, CLI ``notifications send``) supplies.
- ``outgoing``: a message ready to leave, the ``Transport`` protocol, From: addresses.
- ``sms``: the SMS gateways; ``verification``: sender address codes and test mails
  (``email``: the old mail helpers it still uses).
"""
