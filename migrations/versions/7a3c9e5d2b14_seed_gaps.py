"""seed gaps: references, routing, time slot timestamps

Revision ID: 7a3c9e5d2b14
Revises: 7e3c9a1d5b20
Create Date: 2026-11-26 12:00:00.000000

Seed 003's ``customerReference`` (``participants.reference``) and ``employeeReference``
(``users.reference``), seed 001's ``interaction.routing`` (``appointments.routing``), and
seed 004's created / updated times of service time slots. Existing time slots get the
upgrade's time as both.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import portal.models.base


# revision identifiers, used by Alembic.
revision = "7a3c9e5d2b14"
down_revision = "7e3c9a1d5b20"
branch_labels = None
depends_on = None


def upgrade():
    # Not in batch mode: recreating the table on SQLite would drop its overlap triggers.
    op.add_column("appointments", sa.Column("routing", sa.JSON(), nullable=True))
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=128), nullable=True))
        batch_op.create_index(batch_op.f("ix_participants_reference"), ["reference"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=128), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_reference"), ["reference"], unique=False)

    stamp = portal.models.base.UTCDateTime(timezone=True)
    with op.batch_alter_table("service_time_slots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", stamp, nullable=True))
        batch_op.add_column(sa.Column("updated_at", stamp, nullable=True))
    slots = sa.table(
        "service_time_slots", sa.column("created_at", stamp), sa.column("updated_at", stamp)
    )
    now = datetime.now(UTC)
    op.execute(slots.update().values(created_at=now, updated_at=now))
    with op.batch_alter_table("service_time_slots", schema=None) as batch_op:
        batch_op.alter_column("created_at", existing_type=stamp, nullable=False)
        batch_op.alter_column("updated_at", existing_type=stamp, nullable=False)


def downgrade():
    with op.batch_alter_table("service_time_slots", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("created_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_reference"))
        batch_op.drop_column("reference")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_reference"))
        batch_op.drop_column("reference")
    op.drop_column("appointments", "routing")
