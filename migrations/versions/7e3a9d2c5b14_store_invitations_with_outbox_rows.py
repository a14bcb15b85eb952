"""store invitations with outbox rows

Revision ID: 7e3a9d2c5b14
Revises: 7a3c9e5d2b14
Create Date: 2026-11-26 01:00:00.000000

A mail's invitation (.ics) is rendered when the row is queued, from the same snapshot
as its text, and stored with its SEQUENCE; the sender no longer rebuilds it. Rows
queued before this change have no stored invitation and are sent with their text only.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "7e3a9d2c5b14"
down_revision = "7a3c9e5d2b14"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ics", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("sequence")
        batch_op.drop_column("ics")
