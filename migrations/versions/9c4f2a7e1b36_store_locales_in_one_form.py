"""store every locale in one form, en_GB (not en-GB)

Revision ID: 9c4f2a7e1b36
Revises: 5b1e0c7d2a94
Create Date: 2026-11-25 17:00:00.000000

The API used to store an appointment's locale as sent (``en-GB``) while users,
services and templates were stored as Babel writes them (``en_GB``). Every writer
now stores Babel's form (``portal.domain.values.locale``); this rewrites older rows.
A downgrade leaves them as they are: both forms were always read alike.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "9c4f2a7e1b36"
down_revision = "5b1e0c7d2a94"
branch_labels = None
depends_on = None

TABLES = ("appointments", "users", "services", "notification_templates")


def upgrade():
    for table in TABLES:
        op.execute(f"UPDATE {table} SET locale = REPLACE(locale, '-', '_') WHERE locale LIKE '%-%'")


def downgrade():
    pass
