"""refuse overlapping single-seat appointments in the database

Revision ID: 5b1e0c7d2a94
Revises: ccf6918f0913
Create Date: 2026-11-21 08:10:00.000000

Adds appointments.single_seat (filled from each service's capacity) and the
guard of portal.models.overlap_guard: an exclusion constraint on PostgreSQL,
triggers on SQLite. The statements are copied here on purpose, so this
revision keeps meaning what it meant when it was written. On PostgreSQL the
upgrade fails if two scheduled single-seat appointments of one agent already
overlap; cancel or move one of them first.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5b1e0c7d2a94"
down_revision = "ccf6918f0913"
branch_labels = None
depends_on = None

GUARD = "ex_appointments_organizer_overlap"

SQLITE_CHECK = f"""
WHEN NEW.status = 'SCHEDULED' AND NEW.single_seat
BEGIN
    SELECT RAISE(ABORT, '{GUARD}')
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
"""


def upgrade():
    op.add_column(
        "appointments",
        sa.Column("single_seat", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.execute(
        "UPDATE appointments SET single_seat = "
        "(SELECT services.capacity = 1 FROM services WHERE services.id = appointments.service_id)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE appointments ADD CONSTRAINT {GUARD} "
            "EXCLUDE USING gist (organizer_id WITH =, tstzrange(start_at, end_at) WITH &&) "
            "WHERE (status = 'SCHEDULED' AND single_seat)"
        )
    elif op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE TRIGGER {GUARD}_insert BEFORE INSERT ON appointments {SQLITE_CHECK}")
        op.execute(
            f"CREATE TRIGGER {GUARD}_update BEFORE UPDATE OF "
            f"organizer_id, start_at, end_at, status, single_seat ON appointments {SQLITE_CHECK}"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE appointments DROP CONSTRAINT {GUARD}")
    elif op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {GUARD}_insert")
        op.execute(f"DROP TRIGGER {GUARD}_update")
    with op.batch_alter_table("appointments") as batch_op:
        batch_op.drop_column("single_seat")
