"""E-mail backend for machines without a mail server: one readable .eml file per message."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, file_path=None, **kwargs):
        super().__init__(**kwargs)
        self.file_path = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages):
        self.file_path.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            name = f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            (self.file_path / name).write_bytes(message.message().as_bytes())
        return len(email_messages)
