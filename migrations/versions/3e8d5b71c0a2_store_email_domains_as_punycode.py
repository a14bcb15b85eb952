"""store e-mail domains in punycode (jorg@xn--bcher-kva.example)

Revision ID: 3e8d5b71c0a2
Revises: 9c4f2a7e1b36
Create Date: 2026-11-30 10:00:00.000000

Every writer now stores an address with its domain in punycode, the form a mail
header and an SMTP envelope carry (``portal.domain.values.normalize_email``), and
looks addresses up in that form. This rewrites older rows whose domain was stored
in Unicode, so they are still found and still match their queued messages. A user
whose punycode form another user already has is left as it is (and logged). Codes and
holds live minutes and are left to expire.
A downgrade leaves the rows as they are: the punycode form is the same mailbox.
"""

import logging

import idna
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3e8d5b71c0a2"
down_revision = "9c4f2a7e1b36"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

COLUMNS = (
    ("users", "email"),
    ("participants", "email"),
    ("services", "sender_email"),
    ("outbox_messages", "recipient"),
)


def _punycode(address: str) -> str | None:
    local, at, domain = address.strip().lower().rpartition("@")
    if not at or domain.isascii():
        return None
    try:
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except idna.IDNAError:
        return None


def upgrade():
    connection = op.get_bind()
    for table_name, column_name in COLUMNS:
        table = sa.table(table_name, sa.column("id"), sa.column(column_name))
        column = table.c[column_name]
        rows = connection.execute(sa.select(table.c.id, column).where(column.like("%@%")))
        changes = [(row[0], _punycode(row[1])) for row in rows if not row[1].isascii()]
        for row_id, address in changes:
            if address is None:
                continue
            if table_name == "users" and connection.scalar(
                sa.select(sa.func.count()).select_from(table).where(column == address)
            ):
                log.warning("User %s keeps a Unicode e-mail domain: %s is taken.", row_id, address)
                continue
            connection.execute(
                table.update().where(table.c.id == row_id).values({column_name: address})
            )


def downgrade():
    pass
