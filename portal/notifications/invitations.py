"""The invitation (.ics) a mail carries, rendered from the same state as its text.

An outbox row stores its invitation and SEQUENCE when it is queued, in the same
moment its text is rendered, so a message sent late still describes one state:
"Booked ... 11:00" goes with the 11:00 REQUEST it was written with, never with a
later time or a cancelled status (docs/decisions.md, "Invitation e-mails (issue 14)").
"""

from __future__ import annotations

from datetime import datetime

from portal.calendars.details import Person
from portal.calendars.ics import IcsMethod, appointment_ics
from portal.models import Appointment
from portal.notifications.outgoing import address_of, sender_address


def render_invitation(
    appointment: Appointment,
    method: IcsMethod,
    *,
    attendee: Person,
    default_sender: str,
    manage_link: str | None,
    stamp: datetime,
) -> str:
    """The METHOD:REQUEST / CANCEL calendar for one recipient, as it stands now.

    ORGANIZER is the agent's name with the portal's sender address (the service's once
    verified); ``manage_link`` goes in a REQUEST's description only.
    """
    from_email = sender_address(appointment.service, default_sender)
    return appointment_ics(
        appointment,
        method=method,
        organizer=Person(
            appointment.organizer.name if appointment.organizer else "", address_of(from_email)
        ),
        attendees=[attendee],
        manage_link=manage_link if method == IcsMethod.REQUEST else None,
        stamp=stamp,
    ).decode("utf-8")
