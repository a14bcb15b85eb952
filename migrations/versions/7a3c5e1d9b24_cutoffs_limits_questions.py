"""cut-offs, limits and booking questions on services; answers on appointments

Revision ID: 7a3c5e1d9b24
Revises: 8a1f3c6d2e47
Create Date: 2026-11-26 12:00:00.000000

Services get ``cancel_cutoff_minutes``, ``reschedule_cutoff_minutes``,
``max_bookings_per_customer`` and ``max_per_agent_per_day`` (NULL: none) and their
booking ``questions`` (a JSON list; NULL on older rows means none); appointments keep
the customer's ``answers`` (a JSON list, each answer with the label it was asked under;
NULL on older rows). No server default: PostgreSQL's json type has no equality, so
a default could not be compared by autogenerate.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "7a3c5e1d9b24"
down_revision = "8a1f3c6d2e47"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancel_cutoff_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reschedule_cutoff_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_bookings_per_customer", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_per_agent_per_day", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("questions", sa.JSON(), nullable=True))
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answers", sa.JSON(), nullable=True))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of "appointments" would drop the
    # overlap guard's triggers on SQLite.
    op.drop_column("appointments", "answers")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("questions")
        batch_op.drop_column("max_per_agent_per_day")
        batch_op.drop_column("max_bookings_per_customer")
        batch_op.drop_column("reschedule_cutoff_minutes")
        batch_op.drop_column("cancel_cutoff_minutes")
