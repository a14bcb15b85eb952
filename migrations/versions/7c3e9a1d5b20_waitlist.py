"""waitlist: entries waiting for a full day, and the offers of freed times

Revision ID: 7c3e9a1d5b20
Revises: 4d7b2e9c1f58
Create Date: 2026-11-26 01:10:00.000000

A customer joins a full day's waitlist (``waitlist_entries``); the sender offers a
freed time to the first one waiting and holds it for them (``waitlist_offers``,
each bound to its ``slot_holds`` row). docs/waitlist.md.
"""

import sqlalchemy as sa
from alembic import op

import portal.models.base


# revision identifiers, used by Alembic.
revision = "7c3e9a1d5b20"
down_revision = "4d7b2e9c1f58"
branch_labels = None
depends_on = None

UTC = portal.models.base.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        "waitlist_entries",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "WAITING",
                "BOOKED",
                "LEFT",
                "EXPIRED",
                name="waitlist_status",
                native_enum=False,
                length=16,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("leave_token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["users.id"],
            name=op.f("fk_waitlist_entries_agent_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_waitlist_entries_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
        sa.UniqueConstraint("leave_token_hash", name=op.f("uq_waitlist_entries_leave_token_hash")),
    )
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_waitlist_entries_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_waitlist_entries_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index("ix_waitlist_entries_status_day", ["status", "day"], unique=False)

    op.create_table(
        "waitlist_offers",
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("hold_id", sa.Uuid(), nullable=True),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", UTC, nullable=False),
        sa.Column("end_at", UTC, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("start_at < end_at", name=op.f("ck_waitlist_offers_start_before_end")),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["users.id"],
            name=op.f("fk_waitlist_offers_agent_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["waitlist_entries.id"],
            name=op.f("fk_waitlist_offers_entry_id_waitlist_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hold_id"],
            ["slot_holds.id"],
            name=op.f("fk_waitlist_offers_hold_id_slot_holds"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_offers")),
        sa.UniqueConstraint(
            "entry_id", "start_at", name=op.f("uq_waitlist_offers_entry_id_start_at")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_waitlist_offers_token_hash")),
    )
    with op.batch_alter_table("waitlist_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_waitlist_offers_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_waitlist_offers_expires_at"), ["expires_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("waitlist_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waitlist_offers_expires_at"))
        batch_op.drop_index(batch_op.f("ix_waitlist_offers_entry_id"))
    op.drop_table("waitlist_offers")
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_waitlist_entries_status_day")
        batch_op.drop_index(batch_op.f("ix_waitlist_entries_service_id"))
        batch_op.drop_index(batch_op.f("ix_waitlist_entries_email"))
    op.drop_table("waitlist_entries")
