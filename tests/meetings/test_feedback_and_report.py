"""Participants' feedback — anonymous toward other members if they wish, never toward the
chair and the secretariat — and the year's activity report, as a page and as Markdown."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.accounts.services import token_issue
from apps.meetings.materials import material_upload
from apps.meetings.minutes import minutes_create, minutes_publish
from apps.meetings.models import Feedback, MeetingStatus
from apps.meetings.services import feedback_give
from tests.conftest import _member
from tests.meetings.test_meetings import make_meetings, make_series


@pytest.fixture
def chair(community, org_b):
    return _member(community, "chair@beta.example.jp", org_b, role="chair")


@pytest.fixture
def held(community):
    series = make_series(community, fiscal_year=2025)
    meetings = make_meetings(series, 2)
    return series, meetings


def feedback_url(meeting):
    return reverse("meetings:feedback", args=[meeting.community.slug, meeting.pk])


def report_url(series, fmt=""):
    url = reverse("meetings:report", args=[series.community.slug, series.pk])
    return f"{url}?format={fmt}" if fmt else url


def test_anonymous_feedback_hides_its_author_from_other_members_only(
        client_for, alice, bob, chair, sec, held):
    _series, (meeting, _other) = held
    response = client_for(alice).post(feedback_url(meeting),
                                      {"text": "資料が具体的で役に立った", "anonymous": "on"})
    assert response.status_code == 302
    name = alice.get_full_name()
    bob_sees = client_for(bob).get(meeting.get_absolute_url()).content.decode()
    assert "資料が具体的で役に立った" in bob_sees and name not in bob_sees
    # Once, in the page's body; the title stays plain text.
    assert bob_sees.count('id="feedback"') == 1
    title = bob_sees.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "資料が具体的" not in title
    for user in (chair, sec, alice):  # the group's organisers, and the author herself
        assert name in client_for(user).get(meeting.get_absolute_url()).content.decode()


def test_giving_feedback_again_replaces_it(alice, held):
    _series, (meeting, _other) = held
    feedback_give(meeting=meeting, user=alice, text="一度目", anonymous=False)
    feedback_give(meeting=meeting, user=alice, text="二度目", anonymous=True)
    assert list(Feedback.objects.values_list("text", "anonymous")) == [("二度目", True)]


@pytest.mark.parametrize(("change", "text", "message"), [
    ({}, "   ", "Write something first."),
    ({"starts_at": timezone.now() + datetime.timedelta(days=2),
      "ends_at": timezone.now() + datetime.timedelta(days=2, hours=1)}, "x",
     "Feedback opens when the meeting starts."),
    ({"status": MeetingStatus.CANCELLED}, "x", "The meeting was cancelled."),
])
def test_feedback_refused_with_a_message(client_for, alice, held, change, text, message):
    _series, (meeting, _other) = held
    for name, value in change.items():
        setattr(meeting, name, value)
    meeting.save()
    response = client_for(alice).post(feedback_url(meeting), {"text": text}, follow=True)
    assert message in response.content.decode()
    assert not Feedback.objects.exists()


def test_outsiders_give_no_feedback(client_for, outsider, held):
    _series, (meeting, _other) = held
    assert client_for(outsider).post(feedback_url(meeting), {"text": "x"}).status_code == 404
    assert not Feedback.objects.exists()


def test_the_report_holds_the_year_and_names_no_anonymous_author(client_for, alice, bob,
                                                                 chair, held, org_a):
    series, (first, second) = held
    series.chair = chair
    series.summary = "来年度は演習を増やす"
    series.save()
    series.advisors.add(bob)
    series.organizations.add(org_a)
    second.status = MeetingStatus.CANCELLED
    second.save()
    feedback_give(meeting=first, user=alice, text="匿名の感想", anonymous=True)
    feedback_give(series=series, user=bob, text="一年を通して有意義", anonymous=False)
    alice.language = "ja"
    alice.save()
    markdown = client_for(alice).get(report_url(series, "md"))
    assert markdown["Content-Type"].startswith("text/markdown")
    text = markdown.content.decode()
    assert text.startswith(f"# {series.title}")
    assert first.title in text and "山田 太郎" in text and "要旨" in text
    assert second.title not in text  # a cancelled meeting is no activity
    assert "匿名の感想" in text and alice.get_full_name() not in text
    assert "一年を通して有意義" in text and bob.get_full_name() in text
    assert chair.get_full_name() in text and org_a.name in text
    assert "来年度は演習を増やす" in text
    # The chair reads the report too: still no name behind anonymous feedback.
    chairs = client_for(chair).get(report_url(series, "md")).content.decode()
    assert alice.get_full_name() not in chairs
    page = client_for(alice).get(report_url(series)).content.decode()
    assert "<h1>" in page and first.title in page and "<script" not in page.split("<main")[1]


def test_a_script_fetches_the_report_with_a_token_and_outsiders_get_nothing(
        client, client_for, alice, outsider, held):
    series, _meetings = held
    alice.language = "ja"  # a script reads it in its owner's language
    alice.save()
    _token, key = token_issue(user=alice, name="report")
    response = client.get(report_url(series, "md"), headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    assert response.content.decode().startswith(f"# {series.title}\n\n2025年度")
    assert client_for(outsider).get(report_url(series)).status_code == 404
    api = client.get(f"/api/v1/meeting-series/{series.pk}/",
                     headers={"Authorization": f"Token {key}"}).json()
    assert api["report_url"] == f"http://testserver{report_url(series)}"


def test_the_report_costs_the_same_queries_for_a_short_or_long_year(
        client_for, alice, community, django_assert_max_num_queries):
    counts = []
    for count in (1, 6):
        series = make_series(community, fiscal_year=2010 + count)
        for meeting in make_meetings(series, count):
            feedback_give(meeting=meeting, user=alice, text="x", anonymous=False)
        client = client_for(alice)
        client.get(report_url(series, "md"))
        with django_assert_max_num_queries(20) as captured:
            client.get(report_url(series, "md"))
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_report_lists_what_each_reader_may_read_and_the_outsiders_variant_only_clear(
        client_for, alice, carol, community, org_a):
    chair = _member(community, "chair2@alpha.example.jp", org_a, role="chair")
    series = make_series(community)
    meeting = make_meetings(series, 1)[0]
    amber = minutes_create(meeting=meeting, author=chair, title="要旨AMBER", body="本文",
                           tlp="AMBER", organizations=[])
    minutes_publish(minutes=amber, actor=chair)
    draft = minutes_create(meeting=meeting, author=chair, title="下書き", body="本文",
                           tlp="GREEN")
    public = material_upload(meeting=meeting, author=chair, title="公開資料", tlp="CLEAR",
                             upload=SimpleUploadedFile("a.txt", "公開".encode()))
    Feedback.objects.create(community=community, meeting=meeting, author=alice,
                            text="内輪の感想")
    url = reverse("meetings:report", args=[community.slug, series.pk])
    mine = client_for(alice).get(url + "?format=md").content.decode()  # Alpha: in AMBER
    theirs = client_for(carol).get(url + "?format=md").content.decode()  # Gamma: not
    outsiders = client_for(alice).get(url + "?format=md&variant=outsiders").content.decode()
    assert str(amber.pk) in mine and "TLP:AMBER" in mine
    assert str(amber.pk) not in theirs and str(amber.pk) not in outsiders
    assert str(draft.pk) not in mine  # drafts are no part of a report
    for text in (mine, theirs, outsiders):
        assert str(public.pk) in text
    assert "内輪の感想" in mine and "内輪の感想" not in outsiders


def test_closed_surveys_go_into_the_members_report_not_the_outsiders(client_for, alice,
                                                                     community, org_a):
    from apps.meetings.surveys import survey_answer, survey_close, survey_create

    chair = _member(community, "chair3@alpha.example.jp", org_a, role="chair")
    series = make_series(community)
    survey = survey_create(actor=chair, series=series, title="クラウド利用調査", in_report=True,
                           questions=[{"text": "業務でクラウドを使うか", "kind": "single",
                                       "required": True, "choices": ["使う", "使わない"]}])
    question = survey.questions.get()
    survey_answer(survey=survey, user=alice, answers={question.pk: [
        question.choices.get(text="使う").pk]})
    url = reverse("meetings:report", args=[community.slug, series.pk]) + "?format=md"
    assert "クラウド利用調査" not in client_for(alice).get(url).content.decode()  # still open
    survey_close(actor=chair, survey=survey)
    members = client_for(alice).get(url).content.decode()
    assert "クラウド利用調査" in members and "使う: 1" in members
    outsiders = client_for(alice).get(url + "&variant=outsiders").content.decode()
    assert "クラウド利用調査" not in outsiders
