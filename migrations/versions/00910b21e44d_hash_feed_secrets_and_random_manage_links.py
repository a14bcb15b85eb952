"""store feed secrets hashed; manage links as random tokens stored hashed

Revision ID: 00910b21e44d
Revises: 4d7a1c9e2b58
Create Date: 2026-11-25 20:30:00.000000

- ``users.calendar_secret`` becomes ``calendar_secret_hash``: each clear secret is
  replaced by its SHA-256, so existing subscriptions keep working until renewed.
- ``manage_links``: one row per live (or revoked) manage link, by token hash.
  Existing appointments get none: their old links, derived from the id with the
  secret key, stop working; customers reach them again from ``/my`` or a new mail.
- ``outbox_messages.manage_link``: the link minted for a queued message.

A downgrade cannot recover the feed secrets: every user gets a fresh one (calendar
apps must subscribe again), and the manage links are dropped.
"""

import hashlib
import secrets

import sqlalchemy as sa
from alembic import op

import portal.models.base


# revision identifiers, used by Alembic.
revision = "00910b21e44d"
down_revision = "4d7a1c9e2b58"
branch_labels = None
depends_on = None

users = sa.table(
    "users",
    sa.column("id", sa.Uuid()),
    sa.column("calendar_secret", sa.String(64)),
    sa.column("calendar_secret_hash", sa.String(64)),
)


def upgrade():
    op.create_table(
        "manage_links",
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_manage_links_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manage_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_manage_links_token_hash")),
    )
    with op.batch_alter_table("manage_links") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_manage_links_appointment_id"), ["appointment_id"], unique=False
        )
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.add_column(sa.Column("manage_link", sa.String(length=500), nullable=True))

    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("calendar_secret_hash", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    for user_id, secret in bind.execute(sa.select(users.c.id, users.c.calendar_secret)).all():
        digest = hashlib.sha256(secret.encode()).hexdigest() if secret else None
        bind.execute(
            users.update().where(users.c.id == user_id).values(calendar_secret_hash=digest)
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("uq_users_calendar_secret", type_="unique")
        batch_op.drop_column("calendar_secret")
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_calendar_secret_hash"), ["calendar_secret_hash"]
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("calendar_secret", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(calendar_secret=secrets.token_urlsafe(24))
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("uq_users_calendar_secret_hash", type_="unique")
        batch_op.drop_column("calendar_secret_hash")
        batch_op.alter_column("calendar_secret", existing_type=sa.String(64), nullable=False)
        batch_op.create_unique_constraint("uq_users_calendar_secret", ["calendar_secret"])
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_column("manage_link")
    op.drop_index(op.f("ix_manage_links_appointment_id"), table_name="manage_links")
    op.drop_table("manage_links")
