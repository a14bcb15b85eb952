"""Send me a new link: every manage link of an appointment is revoked and a new one is
mailed to its customers.

The new link goes only to the appointment's own e-mail addresses, so whoever asks
(the customer, or someone who found an old link) gains nothing: the old link stops
working and only the mailbox gets the new one. Mails still waiting in the outbox
for this appointment are given the new link, so a reminder sent later works.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.booking.errors import Conflict
from portal.booking.links import mint_manage_url, revoke_manage_links
from portal.calendars.details import event_title, zone_of
from portal.domain.i18n import N_
from portal.models import Appointment, Channel, OutboxMessage, OutboxStatus
from portal.notifications.outbox import queue_email, recipients
from portal.notifications.rendering import time_values

NEW_LINK_KIND = "MANAGE_LINK"


def send_new_manage_link(session: Session, appointment: Appointment, *, now: datetime) -> int:
    """Revoke the appointment's links, mint one and queue it to each customer address.

    Returns how many addresses it was sent to. An appointment with no customer
    e-mail is refused before anything is revoked (the customer would be locked out).
    """
    addresses = recipients(appointment, Channel.EMAIL)
    if not addresses:
        raise Conflict(N_("This appointment has no e-mail address to send a new link to."))
    revoke_manage_links(session, appointment, now=now)
    url = mint_manage_url(session, appointment, now=now)
    _relink_pending(session, appointment, url)
    values = time_values(appointment.start_at, zone_of(appointment), appointment.locale)
    title = event_title(appointment)
    for participant, address in addresses:
        greeting = f"Hello {participant.first_name}," if participant.first_name else "Hello,"
        text = (
            f"{greeting}\n\n"
            f"Here is your new link to see, reschedule or cancel your appointment "
            f"({title}, {values['dd-MM-yyyy']} {values['time24']} {values['zone']}):\n\n"
            f"{url}\n\n"
            "Earlier links to this appointment no longer work.\n"
        )
        message = queue_email(
            address,
            f"Your new link: {title} on {values['dd-MM-yyyy']}",
            text,
            kind=NEW_LINK_KIND,
            now=now,
            session=session,
        )
        message.appointment_id = appointment.id
        message.manage_link = url
    session.flush()
    return len(addresses)


def _relink_pending(session: Session, appointment: Appointment, url: str) -> None:
    """Put the new link in this appointment's mails that have not gone out yet."""
    pending = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.appointment_id == appointment.id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.manage_link.is_not(None),
        )
    )
    for message in pending:
        old = message.manage_link
        message.text_body = message.text_body.replace(old, url)
        if message.html_body:
            message.html_body = message.html_body.replace(old, url)
        message.manage_link = url
