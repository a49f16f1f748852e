"""Minutes (議事要旨): written by the chair or the secretariat, in one step from the live notes
or from scratch, under a TLP label through `sharing`; a draft is read by the organisers only;
publishing opens it to its audience and tells the people who came — a notice (apps.digests),
e-mailed under the TLP table's e-mail column to those who take notices by e-mail; each change
of a published text is kept."""

import datetime

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.digests.models import Notice, NoticeKind
from apps.digests.notices import tell_minutes
from apps.digests.tasks import send_due_notices, send_notices
from apps.meetings.minutes import (
    minutes_create,
    minutes_publish,
    minutes_update,
    notes_markdown,
)
from apps.meetings.models import (
    AgendaComment,
    Attendance,
    MeetingNote,
    Minutes,
    MinutesRevision,
)
from tests.conftest import _member
from tests.meetings.test_meetings import make_meetings, make_series


@pytest.fixture
def chair(community, org_b):
    return _member(community, "chair@beta.example.jp", org_b, role="chair")


@pytest.fixture
def meeting(community):
    return make_meetings(make_series(community), 1)[0]


def came(meeting, *people):
    for person in people:
        membership = person.memberships.get(community=meeting.community)
        Attendance.objects.create(meeting=meeting, community=meeting.community, user=person,
                                  organization=membership.organization, attended=True)


def amber(meeting, author, *organizations, **kwargs):
    return minutes_create(meeting=meeting, author=author, title="第1回 議事要旨",
                          body="## 議論\n\n質疑応答の記録", tlp="AMBER",
                          organizations=list(organizations), **kwargs)


def url(minutes, action=""):
    name = {"": "minutes", "edit": "minutes_edit", "publish": "minutes_publish",
            "history": "minutes_history"}[action]
    return reverse(f"meetings:{name}", args=[minutes.community.slug, minutes.pk])


def test_only_the_chair_or_the_secretariat_writes_minutes(client_for, alice, chair, sec,
                                                         meeting):
    new = reverse("meetings:minutes_create", args=[meeting.community.slug, meeting.pk])
    assert client_for(alice).get(new).status_code == 403
    for organiser in (chair, sec):
        assert client_for(organiser).get(new).status_code == 200
    response = client_for(chair).post(new, {"title": "議事要旨", "body": "本文", "tlp": "AMBER",
                                            "organizations": []})
    minutes = Minutes.objects.get()
    assert response.status_code == 302 and response["Location"] == minutes.get_absolute_url()
    assert (minutes.author, minutes.status, minutes.tlp) == (chair, "draft", "AMBER")


def test_a_draft_is_read_by_the_organisers_only_until_published(
        client_for, alice, bob, carol, chair, sec, outsider, meeting, org_a, org_b):
    minutes = amber(meeting, chair, org_a)  # AMBER: Alpha (alice, sec) and Beta (chair's)
    statuses = {name: client_for(person).get(url(minutes)).status_code
                for name, person in [("alice", alice), ("bob", bob), ("carol", carol),
                                     ("chair", chair), ("sec", sec), ("outsider", outsider)]}
    assert statuses == {"alice": 404, "bob": 404, "carol": 404, "chair": 200, "sec": 200,
                        "outsider": 404}
    page = client_for(alice).get(meeting.get_absolute_url()).content.decode()
    assert str(minutes.pk) not in page and "第1回 議事要旨" not in page
    assert client_for(alice).get(f"/api/v1/minutes/{minutes.pk}/").status_code == 404

    client_for(chair).post(url(minutes, "publish"))
    statuses = {name: client_for(person).get(url(minutes)).status_code
                for name, person in [("alice", alice), ("bob", bob), ("carol", carol),
                                     ("outsider", outsider)]}
    # Published: its audience — Alpha and the author's Beta — not Gamma, not outsiders.
    assert statuses == {"alice": 200, "bob": 200, "carol": 404, "outsider": 404}
    assert str(minutes.pk) in client_for(alice).get(meeting.get_absolute_url()).content.decode()
    assert str(minutes.pk) not in client_for(carol).get(
        meeting.get_absolute_url()).content.decode()
    api = client_for(alice).get("/api/v1/minutes/?community=fin-isac").json()
    assert [row["id"] for row in api["results"]] == [str(minutes.pk)]
    assert client_for(carol).get("/api/v1/minutes/").json()["results"] == []


def minutes_notices():
    return sorted(Notice.objects.filter(kind=NoticeKind.MINUTES)
                  .values_list("user__email", flat=True))


def e_mail_due_notices():
    """The notices' e-mail job as beat runs it, once their first is a few minutes old."""
    Notice.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=4))
    send_due_notices.delay()


def test_publishing_tells_the_people_who_came_under_the_email_column(
        client_for, alice, bob, carol, chair, meeting, org_a, django_capture_on_commit_callbacks):
    came(meeting, alice, bob, carol, chair)
    minutes = amber(meeting, chair, org_a)
    assert not Notice.objects.exists()  # a draft tells nobody
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # told on commit
        client_for(chair).post(url(minutes, "publish"))
    # carol (Gamma) came but is outside the audience; the chair published it.
    assert minutes_notices() == ["alice@alpha.example.jp", "bob@beta.example.jp"]
    e_mail_due_notices()
    told = sorted(message.to[0] for message in mail.outbox)
    assert told == ["alice@alpha.example.jp", "bob@beta.example.jp"]
    message = mail.outbox[0]
    assert "TLP:AMBER" in message.body and "/notices/" in message.body
    # AMBER: a count — neither the text nor (the community does not allow it) the title.
    assert "第1回 議事要旨" not in message.subject + message.body
    assert "質疑応答の記録" not in message.body
    # Told again (a doubled signal), e-mailed again (a second run): nobody hears twice.
    tell_minutes(minutes=Minutes.objects.get(pk=minutes.pk))
    e_mail_due_notices()
    assert len(mail.outbox) == 2
    assert minutes_notices() == ["alice@alpha.example.jp", "bob@beta.example.jp"]


@pytest.mark.parametrize(("tlp", "titles_allowed", "text_sent", "title_sent"), [
    ("GREEN", False, True, True), ("AMBER", False, False, False),
    ("AMBER", True, False, True), ("AMBER+STRICT", True, False, False),
    ("RED", True, False, False)])
def test_each_label_says_in_email_only_what_the_table_allows(
        alice, chair, meeting, tlp, titles_allowed, text_sent, title_sent,
        django_capture_on_commit_callbacks):
    meeting.community.amber_titles_in_email = titles_allowed
    meeting.community.save()
    came(meeting, alice)
    minutes = minutes_create(meeting=meeting, author=chair, title="秘密の件名",
                             body="秘密の本文", tlp=tlp,
                             users=[alice] if tlp == "RED" else None)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        minutes_publish(minutes=minutes, actor=chair)
    e_mail_due_notices()
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert ("秘密の本文" in message.body) is text_sent
    assert ("秘密の本文" in html) is text_sent
    assert ("秘密の件名" in message.subject + message.body + html) is title_sent
    assert f"TLP:{tlp}" in message.body


def test_a_notice_refused_by_the_mail_server_is_retried_not_lost(
        alice, chair, meeting, settings, django_capture_on_commit_callbacks):
    came(meeting, alice)
    minutes = amber(meeting, chair, alice.memberships.get().organization)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_publish(minutes=minutes, actor=chair)
    Notice.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=4))
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "tests.meetings.test_minutes.RefusingBackend"
    with pytest.raises(Retry):  # eager: the retry is raised where a worker would requeue
        send_notices.apply(args=[alice.pk], throw=True)
    assert not Notice.objects.filter(emailed_at__isnull=False).exists()  # released
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_notices.apply(args=[alice.pk]).get() == 1
    assert len(mail.outbox) == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_changes_of_a_published_text_are_kept_with_who_and_what(client_for, chair, sec,
                                                                alice, meeting, org_a):
    minutes = amber(meeting, chair, org_a)
    minutes_update(minutes=minutes, actor=chair, title=minutes.title, body="下書きの修正")
    assert not MinutesRevision.objects.exists()  # a draft changes freely
    minutes_publish(minutes=minutes, actor=chair)
    response = client_for(sec).post(url(minutes, "edit"), {
        "title": minutes.title, "body": "下書きの修正\n\n追記: 回答を訂正", "tlp": "AMBER",
        "organizations": [org_a.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    (revision,) = MinutesRevision.objects.all()
    assert (revision.body, revision.changed_by) == ("下書きの修正", sec)
    history = client_for(alice).get(url(minutes, "history")).content.decode()
    assert "+追記: 回答を訂正" in history and sec.get_full_name() in history


def test_an_unchanged_picker_needs_no_right_to_change_the_audience(client_for, chair, sec,
                                                                  meeting, org_a, org_b):
    """The secretariat wrote it; the chair (not its author, not the secretariat) corrects
    the text: the audience is left as it was, not re-set by someone who may not."""
    minutes = amber(meeting, sec, org_b)  # Alpha (the author's) and the chair's Beta
    response = client_for(chair).post(url(minutes, "edit"), {
        "title": "訂正後", "body": "本文", "tlp": "AMBER", "organizations": [org_b.pk]})
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.title == "訂正後"
    response = client_for(chair).post(url(minutes, "edit"), {
        "title": "訂正後", "body": "本文", "tlp": "GREEN"})
    assert response.status_code == 400
    minutes.refresh_from_db()
    assert minutes.tlp == "AMBER"


def test_the_notes_become_the_draft_minutes_in_one_step(client_for, chair, meeting):
    first = meeting.agenda.order_by("position").first()
    MeetingNote.objects.create(meeting=meeting, community=meeting.community, item=first,
                               text="クラウド利用の実態について報告", version=1)
    MeetingNote.objects.create(meeting=meeting, community=meeting.community,
                               text="出席者12名", version=1)
    AgendaComment.objects.create(item=first, community=meeting.community, position=1,
                                 kind="question", speaker="A社", text="シャドーITの把握方法は？",
                                 answer="プロキシログで確認", answered_by="山田", from_chat=True)
    response = client_for(chair).post(
        reverse("meetings:minutes_from_notes", args=[meeting.community.slug, meeting.pk]))
    minutes = Minutes.objects.get()
    assert response["Location"] == url(minutes, "edit")
    assert (minutes.status, minutes.tlp) == ("draft", "AMBER")
    assert minutes.body == notes_markdown(meeting)
    for text in ("出席者12名", first.theme, "クラウド利用の実態について報告",
                 "シャドーITの把握方法は？", "プロキシログで確認", "from the chat"):
        assert text in minutes.body


def test_no_notes_no_draft(client_for, chair, meeting):
    response = client_for(chair).post(
        reverse("meetings:minutes_from_notes", args=[meeting.community.slug, meeting.pk]),
        follow=True)
    assert "No notes were taken" in response.content.decode()
    assert not Minutes.objects.exists()


def test_publishing_asks_to_confirm_what_may_identify_a_victim(client_for, chair, meeting):
    minutes = minutes_create(meeting=meeting, author=chair, title="要旨",
                             body="被害端末 10.1.2.3 から通信", tlp="GREEN")
    response = client_for(chair).post(url(minutes, "publish"))
    assert response.status_code == 400 and "10.1.2.3" in response.content.decode()
    minutes.refresh_from_db()
    assert minutes.status == "draft"
    client_for(chair).post(url(minutes, "publish"), {"confirmed_exposures": ["10.1.2.3"]})
    minutes.refresh_from_db()
    assert minutes.status == "published"


def test_scripts_in_the_minutes_are_inert(client_for, chair, meeting):
    minutes = minutes_create(meeting=meeting, author=chair, title="要旨",
                             body='<script>alert(1)</script><img src=x onerror="alert(2)">'
                                  "[x](javascript:alert(3))", tlp="GREEN")
    page = client_for(chair).get(url(minutes)).content.decode()
    assert "<script>alert(1)" not in page and "onerror" not in page
    assert "javascript:alert" not in page


def test_red_to_the_people_in_the_room(client_for, alice, bob, carol, chair, meeting):
    """The picker's shortcut names everyone who came as the RED recipients, with the count;
    the saved minutes reach exactly them (and the author)."""
    came(meeting, alice, bob)
    new = reverse("meetings:minutes_create", args=[meeting.community.slug, meeting.pk])
    form = client_for(chair).get(new).content.decode()
    assert "Everyone who came to No. 1" in form and "(2 people)" in form
    picked = client_for(chair).get(new + "?people=came").content.decode()
    assert 'name="tlp" value="RED" checked' in picked
    for person in (alice, bob):
        assert f'name="users" value="{person.pk}" checked' in picked
    assert f'name="users" value="{carol.pk}" checked' not in picked
    assert "3 people</strong> will be able to see this" in picked  # two + the author
    client_for(chair).post(new, {"title": "RED", "body": "本文", "tlp": "RED",
                                 "users": [alice.pk, bob.pk]})
    minutes = Minutes.objects.get()
    minutes_publish(minutes=minutes, actor=chair)
    assert client_for(alice).get(url(minutes)).status_code == 200
    assert client_for(carol).get(url(minutes)).status_code == 404


def test_the_api_reads_one_minutes(client_for, alice, chair, meeting):
    minutes = minutes_create(meeting=meeting, author=chair, title="公開要旨",
                             body="**要点**", tlp="GREEN")
    minutes_publish(minutes=minutes, actor=chair)
    data = client_for(alice).get(f"/api/v1/minutes/{minutes.pk}/").json()
    assert data["meeting"] == str(meeting.pk) and data["tlp_label"] == "TLP:GREEN"
    assert "<strong>要点</strong>" in data["body_html"] and data["status"] == "published"
    assert data["url"].endswith(minutes.get_absolute_url())


def test_search_finds_only_what_the_reader_may_read(client_for, alice, carol, chair, meeting,
                                                    org_a):
    minutes = amber(meeting, chair, org_a)  # the body says 質疑応答の記録
    search = reverse("meetings:list", args=[meeting.community.slug]) + "?q=質疑応答"
    assert str(minutes.pk) in client_for(chair).get(search).content.decode()  # draft: theirs
    assert str(minutes.pk) not in client_for(alice).get(search).content.decode()
    minutes_publish(minutes=minutes, actor=chair)
    assert str(minutes.pk) in client_for(alice).get(search).content.decode()
    page = client_for(carol).get(search).content.decode()  # Gamma: outside the audience
    assert str(minutes.pk) not in page and "Nothing found." in page


@pytest.mark.parametrize("typed", ["ｼﾂｷﾞｵｳﾄｳ", "しつぎおうとう", "\uff33\uff21\uff21\uff33", "saas"])
def test_search_folds_width_kana_and_case_as_every_search_does(client_for, alice, chair,
                                                               meeting, org_a, typed):
    """The record is searched as incidents and threads are (portal.search_text)."""
    minutes = amber(meeting, chair, org_a)
    minutes.body += "\n\nシツギオウトウ と SaaS の棚卸し"
    minutes.save()
    search = reverse("meetings:list", args=[meeting.community.slug]) + f"?q={typed}"
    assert str(minutes.pk) in client_for(chair).get(search).content.decode()
    other = reverse("meetings:list", args=[meeting.community.slug]) + "?q=ぜんぜんちがう"
    assert str(minutes.pk) not in client_for(chair).get(other).content.decode()
