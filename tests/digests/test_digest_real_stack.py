"""Digests on the real stack: PostgreSQL, Redis, a real `celery worker` process (not a thread)
and a real SMTP server (aiosmtpd) in the test.

- A run delivers exactly the expected e-mails: one per member with something to say, with
  its subject and recipient, none for a member with nothing to say.
- A 500-member run split in parts, its worker killed with SIGKILL half-way and another
  started: the broker hands the killed part to it (a short visibility timeout here), and
  every due member ends with their digest — none lost, none sent twice, except the one
  e-mail the worker may have been handing over at the kill: it is sent again once its claim
  is stale, with the same Message-ID (at least once for that one, exactly once for the rest).

The worker process reads the test database (DATABASE_URL built from the test connection),
the same REDIS_URL, and hands its e-mails to the test's SMTP server (RENKEI_TEST_EMAIL_URL,
honoured by portal.settings.test).
"""

import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import policy
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from apps.communities.models import Membership, MembershipStatus
from apps.digests.models import DeliveryStatus, DigestDelivery
from apps.digests.tasks import send_digests
from apps.incidents.services import incident_create
from apps.sharing.tlp import TLP
from portal.celery import app as celery_app
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = 500
PARTS = 10
VISIBILITY_TIMEOUT = 2


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Inbox:
    """aiosmtpd handler keeping every message it is handed, with its envelope recipients."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[str] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def __len__(self) -> int:
        with self._lock:
            return len(self.messages)


@pytest.fixture
def smtp_inbox():
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def _database_url() -> str:
    """The test database (test_…) as a DATABASE_URL for the worker process."""
    db = connection.settings_dict
    assert connection.vendor == "postgresql", "the real-stack test needs DATABASE_URL=postgres"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return (f"postgres://{credentials}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
            f"/{quote(db['NAME'], safe='')}")


class Workers:
    """Real `celery worker` processes on the test's database, broker and SMTP server."""

    def __init__(self, smtp_port: int):
        self.env = {
            # The killed part is handed to the next worker 2 s after it was delivered
            # (6 h in production), and its claim left unmarked is stale after 12 s (30 min).
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "MAIL_CLAIM_STALE_SECONDS": "12",
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "RENKEI_TEST_EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "SITE_URL": "https://renkei.example",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal.celery:app", "worker",
             "--pool", "solo", "--concurrency", "1", "--loglevel", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"digests-{len(self.processes)}-{os.getpid()}@%h"],
            env=self.env, cwd=ROOT)
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(smtp_inbox):
    assert not celery_app.conf.task_always_eager, "REDIS_URL must make Celery use the broker"
    celery_app.control.purge()
    started = Workers(smtp_inbox[1])
    try:
        yield started
    finally:
        started.stop_all()
        celery_app.control.purge()


def _wait_until(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def _statuses() -> Counter:
    return Counter(DigestDelivery.objects.values_list("status", flat=True))


def test_a_run_through_worker_and_smtp_delivers_exactly_the_expected_digests(
    workers, smtp_inbox, community, alice, bob, carol, outsider, sec
):
    inbox, _port = smtp_inbox
    User = get_user_model()
    daily = [alice, bob, carol, outsider]
    User.objects.filter(pk__in=[person.pk for person in daily]).update(
        digest_frequency="daily", language="en")
    incident_create(author=sec, community=community, title="[green-phishing-wave]",
                    summary="Phishing wave against banks", category="phishing", tlp=TLP.GREEN)
    incident_create(author=sec, community=community, title="[clear-advisory]",
                    summary="A public advisory", category="phishing", tlp=TLP.CLEAR)

    started = time.monotonic()
    workers.start()
    send_digests.delay(frequency="daily")
    # Alice, Bob and Carol are told; the outsider's community has nothing new (empty row).
    assert _wait_until(lambda: _statuses() == Counter(sent=3, empty=1), timeout=45), _statuses()
    assert _wait_until(lambda: len(inbox) >= 3, timeout=10)
    time.sleep(0.5)  # anything more would arrive now
    print(f"\nreal stack, 4 members: {time.monotonic() - started:.1f} s")

    assert sorted(inbox.recipients) == sorted(p.email for p in (alice, bob, carol))
    for message in inbox.messages:
        assert message["Subject"].startswith("Renkei daily digest"), message["Subject"]
        assert message["Subject"].endswith("2 new items"), message["Subject"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        for part in (text, html):
            assert "[green-phishing-wave]" in part and "[clear-advisory]" in part
    assert outsider.email not in inbox.recipients
    assert DigestDelivery.objects.get(user=outsider).status == DeliveryStatus.EMPTY


def _five_hundred_members(community, author):
    """MEMBERS members with a daily digest in one community, one GREEN incident for all."""
    User = get_user_model()
    organizations = [OrganizationFactory() for _ in range(5)]
    users = User.objects.bulk_create([
        User(email=f"member{index:04d}@load.example.jp", display_name=f"Member {index}",
             language="en" if index % 2 else "ja", digest_frequency="daily",
             password="!")
        for index in range(MEMBERS)])
    Membership.objects.bulk_create([
        Membership(community=community, user=user, status=MembershipStatus.ACTIVE,
                   organization=organizations[index % len(organizations)],
                   activated_at=timezone.now())
        for index, user in enumerate(users)])
    incident_create(author=author, community=community, title="[green-for-everyone]",
                    summary="Something everyone may read", category="phishing", tlp=TLP.GREEN)
    return {user.email for user in users}


def test_a_worker_killed_half_way_loses_nothing_and_repeats_at_most_the_email_in_flight(
        workers, smtp_inbox, community, sec):
    inbox, _port = smtp_inbox
    started = time.monotonic()
    expected = _five_hundred_members(community, sec)
    built = time.monotonic()
    print(f"\n{MEMBERS} members built in {built - started:.1f} s")

    first = workers.start()
    send_digests.delay(frequency="daily", parts=PARTS)
    # Half-way, and half-way through a part (50 members each): not between two parts.
    half = MEMBERS // 2 + MEMBERS // PARTS // 2
    assert _wait_until(lambda: len(inbox) >= half, timeout=60, step=0.005), len(inbox)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = len(inbox)
    statuses_at_kill = _statuses()
    killed = time.monotonic()
    print(f"killed after {at_kill} e-mails ({killed - built:.1f} s); rows then: "
          f"{dict(statuses_at_kill)}")

    # Past the visibility timeout, the next worker finds the killed part's message on start.
    time.sleep(VISIBILITY_TIMEOUT + 0.5)
    workers.start()
    # Every due member with a sent row (the interrupted one after its claim is stale and the
    # 30 s back-off of a failed e-mail), or the run settled: the measurement says what is
    # missing.
    def settled():
        if _statuses().get(DeliveryStatus.SENT, 0) >= MEMBERS:
            return True
        before = len(inbox)
        time.sleep(3)
        return len(inbox) == before and not _statuses().keys() & {
            DeliveryStatus.CLAIMED, DeliveryStatus.FAILED}
    _wait_until(settled, timeout=90, step=0.2)
    time.sleep(0.5)
    print(f"second worker done in {time.monotonic() - killed:.1f} s")

    received = Counter(inbox.recipients)
    statuses = _statuses()
    lost = expected - set(received)
    doubled = {address: count for address, count in received.items() if count > 1}
    message_ids = {address: {message["Message-ID"] for message in inbox.messages
                             if message["To"] == address} for address in doubled}
    claimed_and_mailed = DigestDelivery.objects.filter(
        status=DeliveryStatus.CLAIMED, user__email__in=set(received)).count()
    print(f"messages {len(inbox)} to {len(received)} distinct recipients; lost {len(lost)}, "
          f"doubled {len(doubled)}; rows {dict(statuses)}; rows left claimed although "
          f"their e-mail went out: {claimed_and_mailed}")

    assert not lost, f"{len(lost)} members got no digest"
    # At most the one e-mail in flight at the kill went out twice, as the same message.
    assert len(doubled) <= 1 and set(doubled.values()) <= {2}, doubled
    assert all(len(ids) == 1 for ids in message_ids.values()), message_ids
    assert len(inbox) == MEMBERS + len(doubled) and set(received) == expected
    assert statuses == Counter({DeliveryStatus.SENT: MEMBERS})
