"""revocable sessions: a session version per user, server-side customer sign-ins

Revision ID: 4d7b2e9c1f58
Revises: 9c4f2a7e1b36
Create Date: 2026-11-26 10:00:00.000000

Staff session cookies now carry ``users.session_version``; raising it ends every
session of that user. Customer sessions at ``/my`` point at a ``customer_sign_ins``
row (a hashed secret) that signing out revokes. Cookies issued before this change
name no version or sign-in: everyone signs in once more.
"""

import sqlalchemy as sa
from alembic import op

import portal.models.base


# revision identifiers, used by Alembic.
revision = "4d7b2e9c1f58"
down_revision = "9c4f2a7e1b36"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )
    op.create_table(
        "customer_sign_ins",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_sign_ins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_customer_sign_ins_token_hash")),
    )
    with op.batch_alter_table("customer_sign_ins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_sign_ins_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customer_sign_ins_email"), ["email"], unique=False)


def downgrade():
    with op.batch_alter_table("customer_sign_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_sign_ins_email"))
        batch_op.drop_index(batch_op.f("ix_customer_sign_ins_created_at"))
    op.drop_table("customer_sign_ins")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
