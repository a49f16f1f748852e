"""Notices by e-mail: one e-mail for what happened within a few minutes, in the member's
language, under the e-mail column of the TLP table, never naming an anonymous source nor
telling what the member may no longer see; sent once however many workers run, given back
and retried when the mail server fails; nothing for members who chose not to be told by
e-mail (their unread count still shows)."""

import datetime
import re

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.digests.models import Notice
from apps.digests.notices import EMAIL_DELAY, notices_send
from apps.digests.tasks import send_due_notices, send_notices
from apps.discussions.services import post_add, thread_create
from apps.incidents.services import sighting_add
from apps.sharing.services import audience_set
from apps.sharing.tlp import TLP
from tests.digests.test_notices import committed_fixture, share_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast")]


def age(minutes: float) -> None:
    """Make every notice ``minutes`` old."""
    Notice.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))


def run() -> list:
    """The job beat runs every five minutes; the e-mails it sent."""
    mail.outbox.clear()
    send_due_notices.delay()
    return list(mail.outbox)


def html_of(message) -> str:
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def test_three_events_within_the_window_make_one_email(share, committed, alice, bob, carol,
                                                       org_b):
    share(alice, TLP.RED, users=[bob], title="一件目")
    share(alice, TLP.AMBER, organizations=[org_b], title="二件目")
    with committed():
        thread = thread_create(author=bob, community=alice.memberships.get().community,
                               title="三件目", body="b", tlp=TLP.GREEN)
    with committed():
        post_add(author=carol, thread=thread, body="返信の本文")
    assert Notice.objects.filter(user=bob).count() == 3
    assert run() == []  # the first is not a few minutes old yet
    age(EMAIL_DELAY.total_seconds() / 60 + 1)
    sent = run()
    # Beta's observer olive was told of the AMBER item too; alice and carol of nothing.
    assert sorted(m.to[0] for m in sent) == [bob.email, "olive@beta.example.jp"]
    (message,) = [m for m in sent if m.to == [bob.email]]
    assert "3 new notices" in message.subject
    # GREEN: titled, with its text; AMBER (titles not allowed here) and RED: counted only.
    assert "三件目" in message.body and "返信の本文" in message.body
    assert "一件目" not in message.body + html_of(message)
    assert "二件目" not in message.body + html_of(message)
    assert "1 new item addressed to you" in message.body and "TLP:RED" in message.body
    assert "TLP:AMBER · 1 new item in" in message.body
    assert "http://testserver/notices/" in message.body or "/notices/" in message.body
    assert run() == []  # told once
    assert not Notice.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.parametrize(("tlp", "titles_allowed", "title_sent", "text_sent"), [
    (TLP.CLEAR, False, True, True), (TLP.GREEN, False, True, True),
    (TLP.AMBER, False, False, False), (TLP.AMBER, True, True, False),
    (TLP.AMBER_STRICT, True, False, False), (TLP.RED, True, False, False)])
def test_each_label_is_emailed_as_the_tlp_table_says(
        share, committed, community, alice, bob, tlp, titles_allowed, title_sent, text_sent):
    community.amber_titles_in_email = titles_allowed
    community.save()
    incident = share(alice, tlp, title="件名ABC",
                     **({"users": [bob]} if tlp == TLP.RED else {}))
    Notice.objects.all().delete()
    with committed():  # bob sights it? no: alice is told of bob's sighting of her item
        sighting_add(user=bob, incident=incident)
    age(5)
    (message,) = run()
    assert message.to == [alice.email]
    everything = message.subject + message.body + html_of(message)
    assert ("件名ABC" in everything) is title_sent
    assert ("侵入の経緯と指標" in everything) is text_sent
    assert f"TLP:{tlp}" in message.body
    if tlp == TLP.RED:
        assert "addressed to you" in message.body


def test_an_anonymous_source_is_never_named_in_email(share, committed, community, alice, bob,
                                                     org_a, org_b):
    share(alice, TLP.GREEN, anonymous=True, title="匿名のGREEN")
    share(alice, TLP.AMBER, organizations=[org_b], anonymous=True)
    with committed():
        thread = thread_create(author=alice, community=community, title="匿名の議論", body="b",
                               tlp=TLP.GREEN, anonymous=True)
    with committed():
        post_add(author=bob, thread=thread, body="返信")
    age(5)
    sent = run()
    assert sorted(m.to[0] for m in sent) == [alice.email, bob.email, "olive@beta.example.jp"]
    for message in sent:
        everything = message.subject + message.body + html_of(message)
        assert org_a.name not in everything and org_a.name_en not in everything


@pytest.mark.parametrize("how", ["suspended", "outside the audience", "label raised"])
def test_nothing_is_emailed_of_an_item_the_member_can_no_longer_see(
        share, committed, community, alice, bob, carol, org_b, how):
    incident = share(alice, TLP.AMBER, organizations=[org_b])
    if how == "suspended":
        membership = bob.memberships.get(community=community)
        membership.status = "suspended"
        membership.save()
    elif how == "outside the audience":
        with committed():
            audience_set(item=incident, actor=alice, tlp=TLP.AMBER,
                         organizations=[carol.memberships.get().organization])
    else:
        with committed():
            audience_set(item=incident, actor=alice, tlp=TLP.RED, users=[carol])
    age(5)
    assert bob.email not in [m.to[0] for m in run()]
    assert not Notice.objects.filter(user=bob, emailed_at__isnull=True).exists()  # settled


def test_no_email_for_a_member_who_chose_none_but_the_count_shows(share, client_for, alice,
                                                                  bob):
    bob.notices_by_email = False
    bob.save()
    share(alice, TLP.RED, users=[bob])
    age(5)
    assert run() == []
    html = client_for(bob).get(reverse("accounts:profile")).content.decode()
    assert re.search(r'class="unread-count"[^>]*>1</span>', html)


def test_the_member_chooses_on_the_profile_page(client_for, bob):
    assert bob.notices_by_email is True
    data = {"display_name": "Bob", "language": "en", "time_zone": "Asia/Tokyo",
            "digest_frequency": "weekly"}  # the box left unticked
    response = client_for(bob).post(reverse("accounts:profile"), data)
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.notices_by_email is False
    client_for(bob).post(reverse("accounts:profile"), {**data, "notices_by_email": "on"})
    bob.refresh_from_db()
    assert bob.notices_by_email is True


@pytest.mark.parametrize(("language", "zone", "community_name", "time"), [
    ("ja", "Asia/Tokyo", "金融ISAC", "21:00"), ("en", "Europe/London", "Financial ISAC", "noon")])
def test_in_the_members_language_and_time_zone(share, committed, alice, bob, language, zone,
                                               community_name, time):
    alice.language, alice.time_zone = language, zone
    alice.save()
    incident = share(alice, TLP.GREEN)
    with committed():
        sighting_add(user=bob, incident=incident)
    Notice.objects.update(created_at=datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.UTC))
    (message,) = run()
    assert community_name in message.body and time in message.body


def test_a_read_notice_is_not_emailed(share, client_for, alice, bob):
    share(alice, TLP.RED, users=[bob])
    client_for(bob).get(reverse("digests:notices"))
    age(5)
    assert run() == []


class SecondWorkerMeanwhile:
    """A mail server during whose delivery a second worker runs the same member's job."""

    user_id: int | None = None
    second: list[int] = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        SecondWorkerMeanwhile.second.append(notices_send(user_id=self.user_id))
        mail.outbox.extend(messages)
        return len(messages)


def test_two_workers_at_once_send_once(share, alice, bob, settings, monkeypatch):
    """A second worker starting while the first hands the e-mail over finds nothing to
    claim: the claim is the UPDATE that selects the notices."""
    share(alice, TLP.RED, users=[bob])
    age(5)
    monkeypatch.setattr(SecondWorkerMeanwhile, "user_id", bob.pk)
    monkeypatch.setattr(SecondWorkerMeanwhile, "second", [])
    settings.EMAIL_BACKEND = "tests.digests.test_notices_email.SecondWorkerMeanwhile"
    mail.outbox.clear()
    send_due_notices.delay()
    send_due_notices.delay()  # and a rerun afterwards
    assert SecondWorkerMeanwhile.second == [0]
    assert [m.to for m in mail.outbox] == [[bob.email]]


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_refused_email_is_given_back_and_retried(share, alice, bob, settings):
    share(alice, TLP.RED, users=[bob])
    age(5)
    settings.EMAIL_BACKEND = "tests.digests.test_notices_email.RefusingBackend"
    with pytest.raises(Retry):  # eager: raised where a worker would schedule the retry
        send_notices.apply(args=[bob.pk], throw=True)
    assert Notice.objects.get().emailed_at is None  # given back
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    assert send_notices.apply(args=[bob.pk]).get() == 1
    assert [m.to for m in mail.outbox] == [[bob.email]]


def test_an_event_after_the_email_goes_out_in_the_next(share, committed, alice, bob, carol):
    incident = share(alice, TLP.GREEN, title="目撃された件")
    with committed():
        sighting_add(user=bob, incident=incident)
    age(5)
    assert len(run()) == 1
    with committed():
        sighting_add(user=carol, incident=incident)
    notice = Notice.objects.get()
    assert notice.count == 2 and notice.emailed_at is None  # news again
    age(5)
    (message,) = run()
    assert "目撃された件" in message.body and "(2 times)" in message.body
