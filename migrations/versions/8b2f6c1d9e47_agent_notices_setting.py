"""agent notices setting

Revision ID: 8b2f6c1d9e47
Revises: 7e3a9d2c5b14
Create Date: 2026-11-26 01:30:00.000000

``users.agent_notices``: whether a staff user gets e-mails (with the invitation) about
bookings in their calendar. On for everyone, existing users included.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "8b2f6c1d9e47"
down_revision = "7e3a9d2c5b14"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("agent_notices", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("agent_notices")
