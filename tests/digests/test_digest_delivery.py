"""How digests are delivered: a row per (member, frequency, period) claimed before the
e-mail is handed over and marked after, so a rerun or a second worker sends nothing twice;
nothing to say is an empty row and no e-mail; a refused e-mail (a recipient the server
refuses, a malformed address) fails alone, is recorded and retried with back-off; a run's
queries do not grow with its members or items; the Celery task and its schedule name."""

import datetime
import email
import io
import smtplib
import socket
from email import policy
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.communities.models import Membership
from apps.digests import digests as service
from apps.digests.digests import (
    MAX_ATTEMPTS,
    digest_period,
    digests_retry,
    digests_send,
    next_retry_at,
    retry_delay,
)
from apps.digests.models import DigestDelivery
from apps.digests.tasks import send_digests
from apps.discussions.models import Thread
from apps.discussions.services import post_add
from apps.incidents.models import Incident
from apps.incidents.services import sighting_add
from apps.meetings.models import Material, Minutes
from apps.sharing.tlp import TLP
from tests.conftest import _member
from tests.digests.test_digest_content import daily, make_meeting, share
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

# An e-mail's own statements: its claim (an INSERT) and its mark (an UPDATE).
PER_EMAIL = 2
REFUSED: set[str] = set()


class RefusingBackend(LocmemBackend):
    """The test outbox, with a mail server that refuses the addresses in REFUSED as an SMTP
    server does (`smtplib.SMTPRecipientsRefused`)."""

    def send_messages(self, messages):
        for message in messages:
            refused = [to for to in message.to if to in REFUSED]
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    {to: (550, b"5.1.1 mailbox unavailable") for to in refused})
        return super().send_messages(messages)


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = "tests.digests.test_digest_delivery.RefusingBackend"
    REFUSED.clear()
    yield REFUSED
    REFUSED.clear()


@pytest.fixture
def green(community, alice, bob, carol, sec, org_a):
    """Something GREEN for everyone in the ISAC (shared by the secretariat)."""
    daily(alice, bob, carol)
    meeting = make_meeting(community, days_ahead=-1)
    return share("incident", TLP.GREEN, author=sec, organiser=sec, meeting=meeting,
                 to_org=org_a, to_user=alice)


def to(person):
    return [message for message in mail.outbox if message.to == [person.email]]


def test_periods_are_days_and_iso_weeks_in_japan():
    late_sunday_utc = datetime.datetime(2026, 12, 6, 16, 0, tzinfo=datetime.UTC)  # Mon 01:00 JST
    assert digest_period("daily", late_sunday_utc) == "2026-12-07"
    assert digest_period("weekly", late_sunday_utc) == "2026-W50"
    assert digest_period("weekly", datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)) == "2026-W53"


def test_nothing_to_say_means_no_email_and_an_empty_row(community, alice, bob):
    daily(alice, bob)
    result = digests_send(frequency="daily")
    assert mail.outbox == []
    assert (result.sent, result.empty, result.failed) == (0, 2, 0)
    rows = DigestDelivery.objects.filter(user__in=[alice, bob])
    assert {(row.status, row.item_count, row.sent_at) for row in rows} == {("empty", 0, None)}


def test_a_rerun_sends_nothing_twice(green, alice, bob, carol):
    now = timezone.now()
    first = digests_send(frequency="daily", now=now)
    assert first.sent == 3 and len(mail.outbox) == 3
    again = digests_send(frequency="daily", now=now + datetime.timedelta(hours=2))
    assert (again.sent, again.empty, again.taken) == (0, 0, 0)
    assert len(mail.outbox) == 3
    assert DigestDelivery.objects.filter(status="sent").count() == 3
    row = DigestDelivery.objects.get(user=alice)
    assert row.sent_at is not None and row.attempts == 1 and row.error == ""


def test_a_second_worker_sends_nothing_the_first_claimed(green, alice, bob, carol, monkeypatch):
    """Another worker claims Bob's digest while this one is rendering it: the claim is lost
    quietly, and only the digests this run claimed are sent."""
    real = service.Renderer.message
    now = timezone.now()

    def racing(self, target, sections, connection=None):
        if target.user == bob:
            DigestDelivery.objects.create(user=bob, frequency="daily", since=now, until=now,
                                          period=digest_period("daily", now))
        return real(self, target, sections, connection)

    monkeypatch.setattr(service.Renderer, "message", racing)
    result = digests_send(frequency="daily", now=now)
    assert (result.sent, result.taken) == (2, 1)
    assert to(bob) == [] and len(to(alice)) == len(to(carol)) == 1
    assert DigestDelivery.objects.get(user=bob).status == "claimed"  # the other worker's


def test_a_refused_recipient_fails_alone_and_is_retried_with_back_off(green, refusing, alice,
                                                                      bob, carol):
    refusing.add(bob.email)
    now = timezone.now()
    result = digests_send(frequency="daily", now=now)
    assert (result.sent, result.failed) == (2, 1)
    assert len(to(alice)) == len(to(carol)) == 1 and to(bob) == []
    row = DigestDelivery.objects.get(user=bob)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "SMTPRecipientsRefused" in row.error and "mailbox unavailable" in row.error
    assert row.item_count == 1
    assert result.retry_at == row.claimed_at + retry_delay(1)

    # Not before its back-off is over; nor by a rerun of the day's job.
    assert digests_retry(now=timezone.now()).sent == 0
    assert digests_send(frequency="daily", now=now).sent == 0
    # Still refused after the back-off: a second attempt, recorded.
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert digests_retry(now=later).failed == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 2)
    # The server accepts it again: sent once, with the period it was due for.
    refusing.clear()
    mail.outbox.clear()
    retried = digests_retry(now=timezone.now() + datetime.timedelta(hours=2))
    assert (retried.sent, retried.failed) == (1, 0)
    assert len(to(bob)) == 1 and len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == ("sent", 3, "")
    assert digests_retry(now=timezone.now() + datetime.timedelta(days=1)).sent == 0
    assert next_retry_at() is None


def test_the_days_run_retries_its_failed_digests_too(green, refusing, alice, bob):
    refusing.add(bob.email)
    now = timezone.now()
    digests_send(frequency="daily", now=now)
    refusing.clear()
    mail.outbox.clear()
    # A later run of the same day: the back-off is over, Bob's digest goes out.
    result = digests_send(frequency="daily", now=now + datetime.timedelta(hours=1))
    assert result.sent == 1 and len(to(bob)) == 1


def test_back_off_grows_and_attempts_end(green, refusing, bob):
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 8, 12)] == [30, 60, 120, 3600,
                                                                         3600]
    refusing.add(bob.email)
    digests_send(frequency="daily")
    DigestDelivery.objects.filter(user=bob).update(attempts=MAX_ATTEMPTS)
    assert digests_retry(now=timezone.now() + datetime.timedelta(days=1)).failed == 0
    assert next_retry_at() is None  # given up: left failed, with its error, in the admin
    assert DigestDelivery.objects.get(user=bob).status == "failed"


def test_a_member_who_turned_the_digest_off_is_not_retried(green, refusing, bob):
    refusing.add(bob.email)
    digests_send(frequency="daily")
    type(bob).objects.filter(pk=bob.pk).update(digest_frequency="off")
    refusing.clear()
    result = digests_retry(now=timezone.now() + datetime.timedelta(hours=1))
    assert (result.sent, result.empty) == (0, 1)
    assert to(bob) == []


def test_a_malformed_address_and_a_missing_language_do_not_stop_the_others(green, alice, bob,
                                                                           carol):
    type(bob).objects.filter(pk=bob.pk).update(email="bob at beta\n.example.jp")
    type(carol).objects.filter(pk=carol.pk).update(language="", time_zone="Nowhere/City")
    result = digests_send(frequency="daily")
    assert (result.sent, result.failed) == (2, 1)
    row = DigestDelivery.objects.get(user=bob)
    assert row.status == "failed" and row.error
    assert len(to(alice)) == len(to(carol)) == 1
    assert "金融ISAC" in to(carol)[0].body  # the site's language, Japan's time


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Server:
    """aiosmtpd handler: refuses one mailbox at RCPT, keeps the rest."""

    def __init__(self, refused: str):
        self.refused, self.messages = refused, []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(
            envelope.original_content, policy=policy.default)))
        return "250 Message accepted for delivery"


def test_through_a_real_smtp_server_one_refused_recipient(green, settings, alice, bob, carol):
    from aiosmtpd.controller import Controller

    handler = _Server(refused=bob.email)
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://renkei.example"
    try:
        result = digests_send(frequency="daily")
    finally:
        controller.stop()
    assert (result.sent, result.failed) == (2, 1)
    assert sorted(rcpt for rcpt, _message in handler.messages) == sorted(
        [[alice.email], [carol.email]])
    row = DigestDelivery.objects.get(user=bob)
    assert row.status == "failed" and "no such mailbox" in row.error
    _rcpt, message = handler.messages[0]
    assert message["List-Unsubscribe"].strip().startswith(
        "<https://renkei.example/digests/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(preferencelist=("html",)) is not None


def test_an_unreachable_mail_server_raises_for_a_retry_and_loses_nothing(green, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    with pytest.raises(OSError):
        digests_send(frequency="daily")
    # Nothing was claimed: every digest is still due, for the job's retry.
    assert not DigestDelivery.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digests_send(frequency="daily").sent == 3


def test_a_worker_killed_half_way_leaves_the_rest_due(green, alice, bob, carol, monkeypatch,
                                                     settings):
    """The worker dies while handing over the second e-mail: the first is marked sent, the
    second stays claimed, the third has no row — the restarted job sends it, and nothing
    twice. Once the claim left unmarked is stale it is recorded as an interrupted failure and
    sent again, with the Message-ID of the copy that may have gone out."""
    real = LocmemBackend.send_messages
    handed: list = []

    def dies_on_the_second(self, messages):
        handed.append(messages[0])
        if len(handed) > 1:
            raise KeyboardInterrupt  # as abrupt as a SIGKILL for this process
        return real(self, messages)

    monkeypatch.setattr(LocmemBackend, "send_messages", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        digests_send(frequency="daily")
    statuses = dict(DigestDelivery.objects.values_list("user__email", "status"))
    assert sorted(statuses.values()) == ["claimed", "sent"]
    monkeypatch.undo()
    mail.outbox.clear()
    again = digests_send(frequency="daily")
    assert again.sent == 1
    (missing,) = {alice.email, bob.email, carol.email} - set(statuses)
    assert [m.to for m in mail.outbox] == [[missing]]

    # The claim is not stale yet: another worker may still be handing it over.
    (interrupted,) = DigestDelivery.objects.filter(status="claimed")
    stale_at = interrupted.claimed_at + datetime.timedelta(
        seconds=settings.MAIL_CLAIM_STALE_SECONDS)
    assert next_retry_at() == stale_at
    mail.outbox.clear()
    assert digests_retry().sent == 0 and mail.outbox == []

    DigestDelivery.objects.filter(pk=interrupted.pk).update(
        claimed_at=interrupted.claimed_at - datetime.timedelta(
            seconds=settings.MAIL_CLAIM_STALE_SECONDS + 1))
    assert digests_retry().sent == 1
    interrupted.refresh_from_db()
    assert (interrupted.status, interrupted.attempts, interrupted.error) == ("sent", 2, "")
    (resent,) = mail.outbox
    assert resent.to == [interrupted.user.email]
    in_flight = handed[1]
    assert in_flight.to == resent.to
    assert in_flight.extra_headers["Message-ID"] == resent.extra_headers["Message-ID"] == (
        f"<digest.daily.{interrupted.period}.{interrupted.user_id}"
        f"@{urlsplit(settings.SITE_URL).hostname}>")
    assert handed[0].extra_headers["Message-ID"] != resent.extra_headers["Message-ID"]


def test_an_interrupted_claim_is_shown_as_failed_with_its_reason(green, alice, settings):
    """Between the reaping and the retry (a back-off longer than the staleness) the admin
    shows the row failed, with why."""
    settings.MAIL_CLAIM_STALE_SECONDS = 1
    now = timezone.now()
    row = DigestDelivery.objects.create(user=alice, frequency="daily", since=now, until=now,
                                        period=digest_period("daily", now),
                                        claimed_at=now - datetime.timedelta(seconds=5))
    assert digests_retry(now=now).sent == 0  # interrupted 5 s ago: the back-off is 30 s
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.error.startswith("interrupted")
    assert next_retry_at() == row.claimed_at + retry_delay(1)


def test_the_task_has_the_scheduled_name_and_runs_the_service(green, alice):
    assert send_digests.name == "apps.digests.tasks.send_digests"
    result = send_digests.delay(frequency="daily").get()
    assert result["sent"] == 3 and result["period"] == digest_period("daily", timezone.now())
    assert send_digests.delay(frequency="daily").get()["sent"] == 0


def _world(community, members: int, items: int, offset: int = 0):
    """``members`` more daily members (each of a new organisation; the first one ever is the
    secretariat, who shares) and ``items`` of each kind, GREEN and AMBER by turns —
    incidents, threads with a reply, minutes, materials — with a meeting announced, and
    sightings on one of the secretariat's incidents."""
    people = []
    for n in range(offset, offset + members):
        organization = OrganizationFactory(slug=f"scale-{n}")
        people.append(_member(community, f"member{n}@scale.example.jp", organization,
                              role="secretariat" if n == 0 else "member"))
    daily(*people)
    author = Membership.objects.get(community=community, role="secretariat").user
    organization = author.memberships.get().organization
    meeting = make_meeting(community, days_ahead=-1, number=100 + offset)
    make_meeting(community, days_ahead=30, number=200 + offset)
    for n in range(items):
        for kind in ("incident", "thread", "minutes", "material"):
            share(kind, TLP.GREEN if n % 2 else TLP.AMBER, author=author, organiser=author,
                  meeting=meeting, to_org=organization, to_user=author,
                  label_text=(f"{kind} {offset}-{n}", "text"))
    sighted = Incident.objects.filter(author=author, tlp=TLP.GREEN).first()
    for person in people[1:3]:
        sighting_add(user=person, incident=sighted)
    for thread in Thread.objects.filter(tlp=TLP.GREEN)[:3] if people else ():
        post_add(author=people[-1], thread=thread, body="a reply")
    return people


def test_a_runs_queries_do_not_grow_with_items_and_only_by_two_an_email(community):
    """The new items, their audiences, the members and their reaches are read in a fixed
    number of queries; each e-mail adds its claim and its mark (two statements), however
    much each member sees."""
    for model in (Incident, Thread, Minutes, Material):
        ContentType.objects.get_for_model(model)

    def measured(expected: int) -> int:
        DigestDelivery.objects.all().delete()  # everything of the day is new again
        with CaptureQueriesContext(connection) as queries:
            result = digests_send(frequency="daily")
        assert result.sent == expected
        return len(queries.captured_queries)

    _world(community, members=3, items=5)
    few_items = measured(3)
    _world(community, members=0, items=20, offset=3)
    many_items = measured(3)
    assert many_items == few_items  # 5 or 25 new items of each kind: the same queries
    _world(community, members=9, items=5, offset=3)
    more_members = measured(12)
    per_email = (more_members - few_items) / 9
    assert per_email == PER_EMAIL, per_email
    assert few_items - 3 * PER_EMAIL <= 19, few_items  # the fixed part



def test_shards_share_the_members_without_meeting(green, alice, bob, carol):
    now = timezone.now()
    first = digests_send(frequency="daily", now=now, shard=(0, 2))
    second = digests_send(frequency="daily", now=now, shard=(1, 2))
    assert first.sent + second.sent == 3 and first.sent and second.sent
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email, carol.email])
    with pytest.raises(ValueError):
        digests_send(frequency="daily", now=now, shard=(2, 2))


def test_a_scheduled_run_in_parts_sends_each_digest_once(green, alice,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = send_digests.delay(frequency="daily", parts=3).get()
    assert result == {"frequency": "daily", "parts": 3}
    assert len(mail.outbox) == 3
    assert DigestDelivery.objects.filter(status="sent").count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_command_runs_in_worker_processes(community, alice, bob, carol, sec, org_a,
                                              settings, tmp_path):
    """`send_digests --workers 2`: two processes, each its share, every digest once (the
    e-mail goes to files: the processes do not share the test's outbox)."""
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "portal.mail.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    daily(alice, bob, carol)
    meeting = make_meeting(community, days_ahead=-1)
    share("incident", TLP.GREEN, author=sec, organiser=sec, meeting=meeting, to_org=org_a,
          to_user=alice)
    out = io.StringIO()
    call_command("send_digests", "--frequency", "daily", "--workers", "2", stdout=out)
    assert "3 sent" in out.getvalue()
    recipients = sorted(email.message_from_bytes(path.read_bytes())["To"]
                        for path in tmp_path.glob("*.eml"))
    assert recipients == sorted([alice.email, bob.email, carol.email])
    assert DigestDelivery.objects.filter(status="sent").count() == 3


def test_each_email_is_text_and_html_with_a_random_boundary(green, alice, bob):
    digests_send(frequency="daily")
    first, second = (to(alice)[0].message(), to(bob)[0].message())
    assert first.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in first.get_payload()] == ["text/plain",
                                                                          "text/html"]
    assert first.get_boundary() != second.get_boundary()
    parsed = email.message_from_bytes(first.as_bytes(), policy=policy.default)
    assert parsed.get_body(preferencelist=("plain",)).get_content() == to(alice)[0].body
