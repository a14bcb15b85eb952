"""webhooks and embeds: subscriptions, webhook deliveries in the outbox, embed origins

Revision ID: 7e3c9a1d5b20
Revises: 7a3c5e1d9b24
Create Date: 2026-11-26 12:00:00.000000

``webhook_subscriptions`` holds each endpoint, its events and its encrypted signing
secret. Deliveries are outbox rows of the new channel ``WEBHOOK`` pointing at their
subscription, so the same senders claim, retry and record them. Services gain
``embed_origins``, the sites that may frame their booking page.
"""

import sqlalchemy as sa
from alembic import op

import portal.models.base


# revision identifiers, used by Alembic.
revision = "7e3c9a1d5b20"
down_revision = "7a3c5e1d9b24"
branch_labels = None
depends_on = None


def _channel(*names: str) -> sa.Enum:
    return sa.Enum(
        *names, name="outbox_channel", native_enum=False, create_constraint=True, length=16
    )


def upgrade():
    op.create_table(
        "webhook_subscriptions",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_subscription_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_webhook_subscription_id"),
            ["webhook_subscription_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_messages_webhook_subscription_id_webhook_subscriptions"),
            "webhook_subscriptions",
            ["webhook_subscription_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.alter_column(
            "channel",
            existing_type=_channel("EMAIL", "SMS"),
            type_=_channel("EMAIL", "SMS", "WEBHOOK"),
            existing_nullable=False,
        )
    # Existing services get an empty list; new rows get theirs from the model.
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("embed_origins", sa.JSON(), server_default="[]", nullable=False)
        )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.alter_column("embed_origins", existing_type=sa.JSON(), server_default=None)


def downgrade():
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("embed_origins")
    op.execute("DELETE FROM outbox_messages WHERE channel = 'WEBHOOK'")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column(
            "channel",
            existing_type=_channel("EMAIL", "SMS", "WEBHOOK"),
            type_=_channel("EMAIL", "SMS"),
            existing_nullable=False,
        )
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_messages_webhook_subscription_id_webhook_subscriptions"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_outbox_messages_webhook_subscription_id"))
        batch_op.drop_column("webhook_subscription_id")
    op.drop_table("webhook_subscriptions")
