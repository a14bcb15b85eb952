"""revocable sessions: a session version per user, ended customer sign-ins

Revision ID: 4d7b2e9c1f58
Revises: 00910b21e44d
Create Date: 2026-11-26 10:00:00.000000

Staff session cookies now carry ``users.session_version``; raising it ends every
session of that user. Customer sessions at ``/my`` name their sign-in by a secret;
signing out stores its hash in ``customer_sign_outs``, which every request checks.
Cookies issued before this change name no version or sign-in: everyone signs in once more.
"""

import sqlalchemy as sa
from alembic import op

import portal.models.base


# revision identifiers, used by Alembic.
revision = "4d7b2e9c1f58"
down_revision = "00910b21e44d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )
    op.create_table(
        "customer_sign_outs",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_in_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signed_out_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_sign_outs")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_customer_sign_outs_token_hash")),
    )
    with op.batch_alter_table("customer_sign_outs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_sign_outs_signed_in_at"), ["signed_in_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("customer_sign_outs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_sign_outs_signed_in_at"))
    op.drop_table("customer_sign_outs")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
