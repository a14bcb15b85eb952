"""The database's own refusal of overlapping single-seat appointments.

The booking operations already lock the agent's calendar and re-check the
slot before writing. This guard sits below them, so that no code path, present
or future, can store two scheduled single-seat appointments of one organizer
whose times overlap:

- PostgreSQL: an exclusion constraint over ``tstzrange(start_at, end_at)`` per
  organizer (``btree_gist`` lets the uuid take part in the GiST index);
- SQLite: triggers that abort such an insert or update.

Ranges are half-open, so back-to-back appointments do not overlap. Multi-seat
services (``single_seat`` false) are left to the locked re-check, which counts
seats. The same statements are in the migration that introduced them.
"""

from __future__ import annotations

from sqlalchemy import DDL, event
from sqlalchemy.exc import IntegrityError

from portal.models.appointment import Appointment

GUARD_NAME = "ex_appointments_organizer_overlap"
EXCLUSION_VIOLATION = "23P01"

POSTGRESQL_EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist"
POSTGRESQL_CONSTRAINT = f"""
ALTER TABLE appointments ADD CONSTRAINT {GUARD_NAME}
EXCLUDE USING gist (organizer_id WITH =, tstzrange(start_at, end_at) WITH &&)
WHERE (status = 'SCHEDULED' AND single_seat)
"""

_SQLITE_OVERLAP_CHECK = f"""
WHEN NEW.status = 'SCHEDULED' AND NEW.single_seat
BEGIN
    SELECT RAISE(ABORT, '{GUARD_NAME}')
    WHERE EXISTS (
        SELECT 1 FROM appointments AS other
        WHERE other.organizer_id = NEW.organizer_id
          AND other.id != NEW.id
          AND other.status = 'SCHEDULED'
          AND other.single_seat
          AND other.start_at < NEW.end_at
          AND NEW.start_at < other.end_at
    );
END
"""  # nosec B608 # only this module's constants are put into the statement
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER {GUARD_NAME}_insert BEFORE INSERT ON appointments {_SQLITE_OVERLAP_CHECK}",
    f"CREATE TRIGGER {GUARD_NAME}_update "
    "BEFORE UPDATE OF organizer_id, start_at, end_at, status, single_seat ON appointments "
    f"{_SQLITE_OVERLAP_CHECK}",
)


def is_overlap_refusal(error: IntegrityError) -> bool:
    """Whether the database refused a write because of this guard."""
    original = error.orig
    diag = getattr(original, "diag", None)
    if diag is not None:
        return getattr(original, "sqlstate", None) == EXCLUSION_VIOLATION and (
            diag.constraint_name == GUARD_NAME
        )
    return GUARD_NAME in str(original)


# Schemas made from the models (tests, `create_all`) get the guard too.
_table = Appointment.__table__
event.listen(_table, "before_create", DDL(POSTGRESQL_EXTENSION).execute_if(dialect="postgresql"))
event.listen(_table, "after_create", DDL(POSTGRESQL_CONSTRAINT).execute_if(dialect="postgresql"))
for _trigger in SQLITE_TRIGGERS:
    event.listen(_table, "after_create", DDL(_trigger).execute_if(dialect="sqlite"))
