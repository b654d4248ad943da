"""Outgoing email: branded rendering, sending through a task, and the development backend."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import get_random_string

from coachhub.tenancy.context import current_practice

logger = logging.getLogger(__name__)


def from_address() -> str:
    """`"Acme Coaching via CoachHub" <no-reply@...>` inside a practice, the platform's outside."""
    practice = current_practice()
    address = re.sub(r"^.*<|>$", "", settings.DEFAULT_FROM_EMAIL)
    return f'"{practice.name} via CoachHub" <{address}>' if practice else settings.DEFAULT_FROM_EMAIL


def render_email(template_prefix: str, context: dict) -> dict[str, str]:
    """Render `<prefix>_subject.txt`, `_message.txt` and `_message.html` with the branding."""
    context = {"practice": current_practice(), **context}
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    return {
        "subject": subject,
        "text": render_to_string(f"{template_prefix}_message.txt", context).strip(),
        "html": render_to_string(f"{template_prefix}_message.html", context),
    }


def send_email(
    *, to: str, template_prefix: str, context: dict, attachments: list[tuple[str, str, str]] | None = None
) -> None:
    """Render now, deliver from a worker once the current transaction commits."""
    from coachhub.tenancy.tasks import deliver_email

    deliver_email.delay_on_commit(
        to=[to], from_email=from_address(), attachments=attachments, **render_email(template_prefix, context)
    )


class EmlFileBackend(BaseEmailBackend):
    """Development backend: each message becomes one readable .eml file in EMAIL_FILE_PATH."""

    _lock = threading.Lock()

    def __init__(self, file_path: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            recipient = re.sub(r"[^a-zA-Z0-9@._-]", "_", (message.to or ["unknown"])[0])
            message_id = next((v for k, v in message.extra_headers.items() if k.lower() == "message-id"), None)
            if message_id:
                # A message that names its own Message-ID (a reminder) has one file, whatever the
                # number of attempts: the name derives from the ID and is created exclusively.
                digest = hashlib.sha256(message_id.encode()).hexdigest()[:24]
                if not self._write_once(self.directory / f"{recipient}-{digest}.eml", message):
                    logger.warning("duplicate of %s to %s refused: already written", message_id, recipient)
                sent += 1
                continue
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            path = self.directory / f"{stamp}-{recipient}-{get_random_string(6)}.eml"
            with self._lock:
                path.write_bytes(message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent

    def _write_once(self, path: Path, message) -> bool:
        """Write to a temporary file, then link it to its name: atomic, and refused if the name exists."""
        temporary = path.with_name(f".{path.name}.{get_random_string(8)}.tmp")
        temporary.write_bytes(message.message().as_bytes(linesep="\n"))
        try:
            os.link(temporary, path)
            return True
        except FileExistsError:
            return False
        finally:
            temporary.unlink()
