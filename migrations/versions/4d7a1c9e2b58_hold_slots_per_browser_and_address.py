"""holds know their browser session and client address

Revision ID: 4d7a1c9e2b58
Revises: 3e8d5b71c0a2
Create Date: 2026-11-25 20:30:00.000000

A slot is held only once the customer gave an e-mail and a code went to it; one
live hold per e-mail and per browser session, and a limited number per client
address an hour (docs/decisions.md, "Holds"). Holds made before this have no
browser key or address: they count for neither and expire as before.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "4d7a1c9e2b58"
down_revision = "3e8d5b71c0a2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("slot_holds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("client_address", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_slot_holds_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_slot_holds_browser_key"), ["browser_key"], unique=False
        )
        batch_op.create_index(
            "ix_slot_holds_client_address_created", ["client_address", "created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("slot_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_slot_holds_client_address_created")
        batch_op.drop_index(batch_op.f("ix_slot_holds_browser_key"))
        batch_op.drop_index(batch_op.f("ix_slot_holds_email"))
        batch_op.drop_column("client_address")
        batch_op.drop_column("browser_key")
