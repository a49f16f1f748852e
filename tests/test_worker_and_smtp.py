"""A real Celery worker on the Redis broker and a real SMTP server: the invitation e-mail
leaves once, after commit, and a second run of the task sends nothing more."""

import email
import re
import socket
import threading
import time
from email import policy

import pytest
from django.db import transaction

from apps.communities.models import Invitation
from apps.communities.services import invitation_create, invitation_get_by_token
from apps.communities.tasks import send_invitation_email
from tests.workers import WAIT_SECONDS, running_worker

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Inbox:
    """aiosmtpd handler keeping every message it is handed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.SITE_URL = "https://renkei.example"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def celery_worker(smtp_server):
    """A worker thread of the project's own Celery app, consuming from REDIS_URL."""
    with running_worker() as finished:
        yield finished


def _wait_until(condition, timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_invitation_email_goes_through_worker_and_smtp_exactly_once(
    celery_worker, smtp_server, community, org_b, sec, monkeypatch
):
    sent_task_ids: list[str] = []
    original_delay = send_invitation_email.delay

    def recording_delay(*args, **kwargs):
        result = original_delay(*args, **kwargs)
        sent_task_ids.append(result.id)
        return result

    monkeypatch.setattr(send_invitation_email, "delay", recording_delay)
    with transaction.atomic():
        invitation = invitation_create(
            community=community,
            email="newcomer@beta.example.jp",
            name="新井 花子",
            organization=org_b,
            role="member",
            language="ja",
            invited_by=sec,
        )
        # Enqueued on commit only: nothing has left yet.
        assert sent_task_ids == []
    monkeypatch.undo()

    assert len(sent_task_ids) == 1, "the invitation e-mail is enqueued once, on commit"
    assert celery_worker.wait_for(sent_task_ids[0]) is True
    assert _wait_until(lambda: len(smtp_server.messages) >= 1)

    (message,) = smtp_server.messages
    assert smtp_server.recipients == [["newcomer@beta.example.jp"]]
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https://renkei\.example(/invite/([0-9a-f]+)/)", body)
    assert match, body
    assert invitation_get_by_token(match.group(2)).pk == invitation.pk
    invitation.refresh_from_db()
    assert invitation.sent_at is not None

    # A second run (a redelivery, a retry, a second worker) sends nothing more.
    again = send_invitation_email.delay(str(invitation.pk))
    assert celery_worker.wait_for(again.id) is False
    time.sleep(0.5)
    assert len(smtp_server.messages) == 1
    assert Invitation.objects.get(pk=invitation.pk).sent_at == invitation.sent_at
