"""availability versions: a token per service, agent and the account for the shared cache

Revision ID: 8a1f3c6d2e47
Revises: 7c3e9a1d5b20
Create Date: 2026-11-26 01:00:00.000000

Every change that can alter availability replaces its scopes' tokens in the same
transaction (``portal.booking.versions``); cached answers are keyed by them.
No rows are needed up front: a missing row reads as "never changed".
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "8a1f3c6d2e47"
down_revision = "7c3e9a1d5b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "availability_versions",
        sa.Column("scope_id", sa.Uuid(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope_id", name=op.f("pk_availability_versions")),
    )


def downgrade():
    op.drop_table("availability_versions")
