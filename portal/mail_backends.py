"""Mail backends of our own: ``file`` writes one ``.eml`` per message.

Flask-Mailman's file backend appends every message of a connection to one
``.log`` file; an ``.eml`` per message opens in any mail client and is what the
demo promises (``instance/mail/``).
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, UTC

from flask_mailman.backends.file import EmailBackend as MailmanFileBackend


class EmlFileBackend(MailmanFileBackend):
    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages or ():
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
            path = os.path.join(self.file_path, f"{stamp}-{uuid.uuid4().hex[:8]}.eml")
            with open(path, "wb") as handle:
                handle.write(message.message().as_bytes())
            sent += 1
        return sent
