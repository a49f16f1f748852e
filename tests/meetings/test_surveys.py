"""Surveys of a series: the chair or the secretariat asks, every active member answers once,
the results count the answers — every choice, zeros included — name no member, and name an
organisation only when the survey says so; members read them once the survey has closed;
closed surveys marked for it go into the activity report."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.meetings import surveys
from apps.meetings.models import (
    QuestionKind,
    ResponseAnswer,
    Survey,
    SurveyResponse,
)
from apps.meetings.surveys import (
    answer_field,
    report_lines,
    survey_answer,
    survey_close,
    survey_create,
    survey_results,
    survey_update,
)
from tests.conftest import _member
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.meetings.test_meetings import make_meetings, make_series

QUESTIONS = [
    {"text": "クラウドを業務で使っていますか", "kind": QuestionKind.SINGLE, "required": True,
     "choices": ["はい", "いいえ", "検討中"]},
    {"text": "使っているサービス", "kind": QuestionKind.MULTIPLE, "required": True,
     "choices": ["Microsoft 365", "Google Workspace", "Box", "Slack"]},
    {"text": "シャドーITへの対策", "kind": QuestionKind.TEXT, "required": False,
     "choices": []},
]


@pytest.fixture
def chair(community, org_b):
    return _member(community, "chair@beta.example.jp", org_b, role="chair")


@pytest.fixture
def series(community):
    return make_series(community, fiscal_year=2025)


def make_survey(series, chair, questions=QUESTIONS, **options) -> Survey:
    return survey_create(actor=chair, series=series, title="クラウド利用状況調査",
                         description="シャドーITの実態", questions=questions, **options)


@pytest.fixture
def survey(series, chair):
    return make_survey(series, chair)


def q(survey, position):
    return survey.questions.get(position=position)


def choice(survey, position, text):
    return q(survey, position).choices.get(text=text)


def answers(survey, single="はい", multiple=("Box",), text=""):
    """An answer as the service takes it: question id -> choice ids or text."""
    return {
        q(survey, 1).pk: [choice(survey, 1, single).pk] if single else [],
        q(survey, 2).pk: [choice(survey, 2, name).pk for name in multiple],
        q(survey, 3).pk: text,
    }


def close(survey):
    Survey.objects.filter(pk=survey.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1))
    survey.refresh_from_db()


def survey_url(survey, name="meetings:survey"):
    return reverse(name, args=[survey.community.slug, survey.pk])


# ---- who prepares surveys ------------------------------------------------------------------

def test_only_the_chair_or_the_secretariat_create_surveys(series, chair, sec, alice, olive):
    assert make_survey(series, chair).questions.count() == 3
    assert make_survey(series, sec).questions.count() == 3
    for user in (alice, olive):
        with pytest.raises(PermissionDenied):
            make_survey(series, user)
    assert Survey.objects.count() == 2


def test_an_organiser_of_another_community_creates_no_survey_here(series, other_community,
                                                                  org_c):
    foreign_chair = _member(other_community, "chair@gamma.example.jp", org_c, role="chair")
    with pytest.raises(PermissionDenied):
        make_survey(series, foreign_chair)


@pytest.mark.parametrize(("questions", "message"), [
    ([], "Ask at least one question."),
    ([{"text": "どれ?", "kind": "single", "required": True, "choices": ["一つだけ"]}],
     "needs at least two choices"),
    ([{"text": "自由記述", "kind": "text", "required": True, "choices": ["a", "b"]}],
     "asks for free text"),
    ([{"text": "  ", "kind": "text", "required": True, "choices": []}], "has no text"),
    ([{"text": "重複", "kind": "multiple", "required": True, "choices": ["a", "a"]}],
     "same choice twice"),
])
def test_malformed_questions_are_refused(series, chair, questions, message):
    with pytest.raises(ValidationError) as refused:
        make_survey(series, chair, questions=questions)
    assert message in " ".join(refused.value.messages)
    assert not Survey.objects.exists()


def test_the_chair_creates_a_survey_on_the_web(client_for, chair, series, community):
    response = client_for(chair).post(reverse("meetings:survey_create", args=[community.slug]), {
        "title": "クラウド利用状況調査", "description": "", "series": series.pk, "meeting": "",
        "closes_at": "", "in_report": "on",
        "questions-TOTAL_FORMS": "3", "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "1000",
        "questions-0-text": "利用していますか", "questions-0-kind": "single",
        "questions-0-choices": "はい\nいいえ\n\n",
        "questions-1-text": "ご意見", "questions-1-kind": "text", "questions-1-optional": "on",
        "questions-2-text": "", "questions-2-kind": "single", "questions-2-choices": "",
    })
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert response["Location"] == survey.get_absolute_url()
    assert survey.in_report and not survey.names_organizations and survey.created_by == chair
    assert [(x.position, x.text, x.kind, x.required) for x in survey.questions.all()] == [
        (1, "利用していますか", "single", True), (2, "ご意見", "text", False)]
    assert list(q(survey, 1).choices.values_list("text", flat=True)) == ["はい", "いいえ"]


def test_a_choice_question_without_choices_is_shown_back_with_the_reason(
        client_for, chair, series, community):
    response = client_for(chair).post(reverse("meetings:survey_create", args=[community.slug]), {
        "title": "調査", "series": series.pk,
        "questions-TOTAL_FORMS": "1", "questions-INITIAL_FORMS": "0",
        "questions-0-text": "利用していますか", "questions-0-kind": "single",
        "questions-0-choices": "はい",
    })
    assert response.status_code == 400
    assert "Give at least two choices, one per line." in response.content.decode()
    assert not Survey.objects.exists()


def test_members_may_not_open_the_survey_form(client_for, alice, olive, community, survey):
    for user in (alice, olive):
        client = client_for(user)
        assert client.get(reverse("meetings:survey_create",
                                  args=[community.slug])).status_code == 403
        assert client.get(survey_url(survey, "meetings:survey_edit")).status_code == 403
        assert client.post(survey_url(survey, "meetings:survey_close")).status_code == 403
    survey.refresh_from_db()
    assert survey.is_open


def test_editing_keeps_the_questions_left_as_they_were(client_for, chair, survey):
    client = client_for(chair)
    page = client.get(survey_url(survey, "meetings:survey_edit"))
    assert page.status_code == 200
    form = page.context["questions"]
    data = {"title": "新しい題", "description": "", "meeting": "", "closes_at": "",
            "questions-TOTAL_FORMS": str(form.total_form_count()),
            "questions-INITIAL_FORMS": str(form.initial_form_count())}
    for index, question_form in enumerate(form.forms):  # what a browser sends back
        data[f"questions-{index}-kind"] = "single"
        for name, value in question_form.initial.items():
            if value is not False:
                data[f"questions-{index}-{name}"] = "on" if value is True else value
    data["questions-0-DELETE"] = "on"
    response = client.post(survey_url(survey, "meetings:survey_edit"), data)
    assert response.status_code == 302, response.content.decode()
    survey.refresh_from_db()
    assert survey.title == "新しい題"
    assert list(survey.questions.values_list("text", "required")) == [
        ("使っているサービス", True), ("シャドーITへの対策", False)]


def test_questions_are_fixed_once_a_member_answered(survey, chair, alice):
    survey_answer(survey=survey, user=alice, answers=answers(survey))
    with pytest.raises(ValidationError, match="can no longer be changed"):
        survey_update(actor=chair, survey=survey, title="x", questions=QUESTIONS[:1])
    # The same questions again (the form sends them back) are fine, and so is a new title.
    survey_update(actor=chair, survey=survey, title="新しい題", questions=QUESTIONS)
    assert survey.questions.count() == 3 and SurveyResponse.objects.count() == 1


def test_naming_organisations_cannot_be_turned_on_after_answers(survey, chair, alice):
    survey_answer(survey=survey, user=alice, answers=answers(survey))
    with pytest.raises(ValidationError, match="understanding that their organisation"):
        survey_update(actor=chair, survey=survey, title=survey.title,
                      names_organizations=True)
    survey.refresh_from_db()
    assert not survey.names_organizations


# ---- answering -----------------------------------------------------------------------------

def test_every_active_member_answers_once(survey, alice, olive, chair):
    for user in (alice, olive, chair):  # a member, an observer, the chair herself
        survey_answer(survey=survey, user=user, answers=answers(survey))
    with pytest.raises(ValidationError, match="You have already answered this survey"):
        survey_answer(survey=survey, user=alice, answers=answers(survey, single="いいえ"))
    assert SurveyResponse.objects.count() == 3
    assert ResponseAnswer.objects.filter(choice__text="いいえ").count() == 0


def test_the_response_records_the_members_organisation(survey, alice, org_a):
    response = survey_answer(survey=survey, user=alice, answers=answers(survey))
    assert response.organization == org_a and response.community_id == survey.community_id


def test_a_second_answer_on_the_web_is_refused_with_a_message(client_for, alice, survey):
    client = client_for(alice)
    post = {answer_field(q(survey, 1)): choice(survey, 1, "はい").pk,
            answer_field(q(survey, 2)): [choice(survey, 2, "Box").pk]}
    assert client.post(survey_url(survey), post).status_code == 302
    page = client.post(survey_url(survey), post, follow=True).content.decode()
    assert "You have already answered this survey." in page or "You answered on" in page
    assert SurveyResponse.objects.count() == 1
    # The page now says so, and shows no form.
    page = client.get(survey_url(survey)).content.decode()
    assert "You answered on" in page and "Send my answers" not in page


def test_a_simultaneous_second_answer_is_stopped_by_the_constraint(survey, alice, monkeypatch):
    survey_answer(survey=survey, user=alice, answers=answers(survey))
    # As if the second request had checked before the first was saved.
    monkeypatch.setattr(surveys, "_has_answered", lambda survey, user: False)
    with pytest.raises(ValidationError, match="You have already answered this survey"):
        survey_answer(survey=survey, user=alice,
                      answers=answers(survey, single="いいえ", multiple=("Slack", "Box")))
    assert SurveyResponse.objects.count() == 1
    assert ResponseAnswer.objects.count() == 2  # the first answer's, nothing of the second


def test_the_database_refuses_two_responses_of_one_member(survey, alice):
    SurveyResponse.objects.create(survey=survey, community=survey.community, user=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(survey=survey, community=survey.community, user=alice)


@pytest.mark.parametrize(("given", "question", "message"), [
    ({"single": None}, 1, "Choose one answer."),
    ({"multiple": ()}, 2, "Choose at least one answer."),
])
def test_required_questions_need_an_answer(survey, alice, given, question, message):
    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, user=alice, answers=answers(survey, **given))
    assert refused.value.message_dict == {answer_field(q(survey, question)): [message]}
    assert not SurveyResponse.objects.exists() and not ResponseAnswer.objects.exists()


def test_a_single_choice_question_takes_one_choice_only(survey, alice):
    two = answers(survey)
    two[q(survey, 1).pk] = [choice(survey, 1, "はい").pk, choice(survey, 1, "いいえ").pk]
    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, user=alice, answers=two)
    assert refused.value.message_dict == {answer_field(q(survey, 1)): ["Choose one answer only."]}
    assert not SurveyResponse.objects.exists()


def test_a_multiple_choice_question_keeps_every_choice(survey, alice):
    survey_answer(survey=survey, user=alice,
                  answers=answers(survey, multiple=("Box", "Slack", "Box")))
    assert sorted(ResponseAnswer.objects.filter(question=q(survey, 2))
                  .values_list("choice__text", flat=True)) == ["Box", "Slack"]


def test_a_required_text_needs_words(series, chair, alice):
    survey = make_survey(series, chair, questions=[
        {"text": "ご意見", "kind": "text", "required": True, "choices": []}])
    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, user=alice, answers={q(survey, 1).pk: "  \n "})
    assert refused.value.message_dict == {answer_field(q(survey, 1)): ["Write an answer."]}
    survey_answer(survey=survey, user=alice, answers={q(survey, 1).pk: " 特になし "})
    assert ResponseAnswer.objects.get().text == "特になし"


def test_optional_questions_may_be_skipped(series, chair, alice):
    survey = make_survey(series, chair, questions=[
        {"text": "任意", "kind": "single", "required": False, "choices": ["a", "b"]},
        {"text": "任意の記述", "kind": "text", "required": False, "choices": []}])
    survey_answer(survey=survey, user=alice, answers={})
    assert SurveyResponse.objects.count() == 1 and not ResponseAnswer.objects.exists()


def test_a_choice_of_another_question_is_refused(survey, alice):
    wrong = answers(survey)
    wrong[q(survey, 1).pk] = [choice(survey, 2, "Slack").pk]
    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, user=alice, answers=wrong)
    assert refused.value.message_dict == {
        answer_field(q(survey, 1)): ["Choose among the answers offered."]}
    assert not SurveyResponse.objects.exists() and not ResponseAnswer.objects.exists()


def test_an_answer_to_a_question_of_another_survey_is_refused(survey, series, chair, alice):
    other = make_survey(series, chair)
    wrong = answers(survey)
    wrong[q(other, 3).pk] = "別の調査への回答"
    with pytest.raises(ValidationError, match="question of another survey"):
        survey_answer(survey=survey, user=alice, answers=wrong)
    assert not SurveyResponse.objects.exists()


def test_a_closed_survey_takes_no_answer(survey, alice, client_for):
    close(survey)
    with pytest.raises(ValidationError, match="This survey is closed"):
        survey_answer(survey=survey, user=alice, answers=answers(survey))
    page = client_for(alice).get(survey_url(survey)).content.decode()
    assert "This survey is closed." in page and "Send my answers" not in page
    assert not SurveyResponse.objects.exists()


def test_closing_now_stops_answers(survey, chair, alice, client_for):
    response = client_for(chair).post(survey_url(survey, "meetings:survey_close"))
    assert response.status_code == 302
    survey.refresh_from_db()
    assert not survey.is_open
    with pytest.raises(ValidationError, match="This survey is closed"):
        survey_answer(survey=survey, user=alice, answers=answers(survey))


def test_a_closing_time_in_the_past_is_refused(series, chair):
    with pytest.raises(ValidationError, match="in the future"):
        make_survey(series, chair, closes_at=timezone.now() - datetime.timedelta(hours=1))


def test_suspended_members_and_outsiders_do_not_answer(survey, sam, outsider, client_for):
    for user in (sam, outsider):
        with pytest.raises(ValidationError, match="Only active members"):
            survey_answer(survey=survey, user=user, answers=answers(survey))
    assert not SurveyResponse.objects.exists()


def test_a_non_member_finds_no_survey(survey, outsider, client_for):
    client = client_for(outsider)
    for name in ("meetings:survey", "meetings:survey_results", "meetings:survey_edit"):
        assert client.get(survey_url(survey, name)).status_code == 404
    assert client.post(survey_url(survey), {}).status_code == 404
    assert client.get(reverse("meetings:surveys",
                              args=[survey.community.slug])).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_a_survey_of_another_community_looks_missing(survey, other_community, org_c,
                                                     client_for):
    foreign_chair = _member(other_community, "chair@gamma.example.jp", org_c, role="chair")
    url = reverse("meetings:survey", args=[other_community.slug, survey.pk])
    assert client_for(foreign_chair).get(url).status_code == 404


def test_the_answer_page_records_an_answer(client_for, alice, survey):
    client = client_for(alice)
    page = client.get(survey_url(survey)).content.decode()
    assert "クラウドを業務で使っていますか" in page and "Microsoft 365" in page
    response = client.post(survey_url(survey), {
        answer_field(q(survey, 1)): choice(survey, 1, "検討中").pk,
        answer_field(q(survey, 2)): [choice(survey, 2, "Slack").pk,
                                     choice(survey, 2, "Box").pk],
        answer_field(q(survey, 3)): "私物端末の利用を禁止",
    })
    assert response.status_code == 302
    assert sorted(ResponseAnswer.objects.values_list("choice__text", "text"),
                  key=lambda row: (row[0] or "", row[1])) == [
        (None, "私物端末の利用を禁止"), ("Box", ""), ("Slack", ""), ("検討中", "")]


def test_a_missing_required_answer_is_shown_back_on_the_page(client_for, alice, survey):
    response = client_for(alice).post(survey_url(survey), {
        answer_field(q(survey, 1)): choice(survey, 1, "はい").pk})
    assert response.status_code == 400
    assert "Send my answers" in response.content.decode()
    assert not SurveyResponse.objects.exists()


# ---- results -------------------------------------------------------------------------------

@pytest.fixture
def answered(survey, alice, bob, carol, olive):
    survey_answer(survey=survey, user=alice,
                  answers=answers(survey, "はい", ("Box", "Slack"), "端末管理を強化"))
    survey_answer(survey=survey, user=bob, answers=answers(survey, "はい", ("Box",)))
    survey_answer(survey=survey, user=carol,
                  answers=answers(survey, "いいえ", ("Microsoft 365",), "申請制にした"))
    survey_answer(survey=survey, user=olive, answers=answers(survey, "はい", ("Slack",)))
    return survey


def test_results_count_every_choice_zeros_included(answered):
    results = survey_results(answered)
    assert results.respondents == 4
    counts = [[(c.text, c.count) for c in r.choices] for r in results.questions]
    assert counts == [
        [("はい", 3), ("いいえ", 1), ("検討中", 0)],
        [("Microsoft 365", 1), ("Google Workspace", 0), ("Box", 2), ("Slack", 2)],
        [],
    ]
    assert [r.answered for r in results.questions] == [4, 4, 2]
    assert [(t.text, t.organization) for t in results.questions[2].texts] == [
        ("申請制にした", None), ("端末管理を強化", None)]


def test_results_of_a_survey_nobody_answered(survey):
    results = survey_results(survey)
    assert results.respondents == 0
    assert [c.count for c in results.questions[0].choices] == [0, 0, 0]


def test_results_name_no_organisation_unless_the_survey_says_so(
        answered, chair, client_for, alice, bob, carol, org_a, org_c):
    page = client_for(chair).get(survey_url(answered, "meetings:survey_results"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "端末管理を強化" in html and "申請制にした" in html
    for hidden in ("Alpha Bank", "アルファ銀行", "Gamma Telecom", "ガンマ通信",
                   alice.get_full_name(), carol.get_full_name(), alice.email, carol.email):
        assert hidden not in html, hidden


def test_results_name_organisations_when_the_survey_says_so(
        series, chair, alice, carol, client_for):
    survey = make_survey(series, chair, names_organizations=True)
    survey_answer(survey=survey, user=alice,
                  answers=answers(survey, "はい", ("Box",), "端末管理を強化"))
    survey_answer(survey=survey, user=carol, answers=answers(survey, "いいえ", ("Box",)))
    results = survey_results(survey)
    assert results.questions[0].choices[0].organizations == [("Alpha Bank", 1)]
    assert results.questions[1].choices[2].organizations == [("Alpha Bank", 1),
                                                             ("Gamma Telecom", 1)]
    assert [(t.text, t.organization) for t in results.questions[2].texts] == [
        ("端末管理を強化", "Alpha Bank")]
    html = client_for(chair).get(survey_url(survey, "meetings:survey_results")).content.decode()
    assert "Alpha Bank" in html and "Gamma Telecom" in html
    assert alice.get_full_name() not in html and carol.get_full_name() not in html


def test_members_read_the_results_once_the_survey_closed(answered, alice, chair, client_for):
    member, organiser = client_for(alice), client_for(chair)
    results_url = survey_url(answered, "meetings:survey_results")
    assert member.get(results_url).status_code == 403
    assert organiser.get(results_url).status_code == 200
    page = member.get(survey_url(answered)).content.decode()
    assert "You answered on" in page and "端末管理を強化" not in page
    assert "The results are shown once the survey has closed." in page
    # The chair, who has not answered, sees the form and a link to the results.
    page = organiser.get(survey_url(answered)).content.decode()
    assert "Send my answers" in page and results_url in page
    close(answered)
    assert member.get(results_url).status_code == 200
    page = member.get(survey_url(answered)).content.decode()
    assert "You answered on" in page and "端末管理を強化" in page


def _respond(survey, count, start=0):
    for n in range(start, start + count):
        organization = OrganizationFactory(slug=f"org-s{n}", name_en=f"Respondent Org {n}")
        user = UserFactory(email=f"respondent{n}@example.jp")
        MembershipFactory(community=survey.community, user=user, organization=organization)
        survey_answer(survey=survey, user=user,
                      answers=answers(survey, ("はい", "いいえ")[n % 2],
                                      ("Box", "Slack")[: 1 + n % 2], f"回答{n}"))


@pytest.mark.parametrize("names_organizations", [False, True])
def test_the_results_page_runs_a_fixed_number_of_queries(
        series, chair, client_for, django_assert_max_num_queries, names_organizations):
    survey = make_survey(series, chair, names_organizations=names_organizations)
    client = client_for(chair)
    url = survey_url(survey, "meetings:survey_results")
    _respond(survey, 5)
    client.get(url)  # the session and the like, read once
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    assert len(few) <= 14  # 13 today, with the navigation's unread notices
    _respond(survey, 25, start=5)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    assert "回答29" in response.content.decode()
    assert survey_results(survey).respondents == 30


def test_survey_results_take_the_same_queries_for_5_and_30_responses(
        series, chair, django_assert_max_num_queries):
    survey = make_survey(series, chair, names_organizations=True)
    _respond(survey, 5)
    with django_assert_max_num_queries(5):
        survey_results(survey)
    _respond(survey, 25, start=5)
    with django_assert_max_num_queries(5):
        results = survey_results(survey)
    assert results.questions[0].choices[0].count == 15


def test_the_list_shows_surveys_and_whether_i_answered(client_for, alice, answered, community):
    page = client_for(alice).get(reverse("meetings:surveys", args=[community.slug]))
    html = page.content.decode()
    assert page.status_code == 200 and "クラウド利用状況調査" in html and "Answered" in html
    meetings_page = client_for(alice).get(reverse("meetings:list", args=[community.slug]))
    assert reverse("meetings:surveys", args=[community.slug]) in meetings_page.content.decode()


# ---- the activity report -------------------------------------------------------------------

def test_report_lines_show_closed_surveys_marked_for_the_report(series, chair, alice, carol):
    meeting = make_meetings(series, 1)[0]
    survey = make_survey(series, chair, in_report=True, meeting=meeting)
    survey_answer(survey=survey, user=alice,
                  answers=answers(survey, "はい", ("Box",), "端末管理を\n強化"))
    survey_answer(survey=survey, user=carol, answers=answers(survey, "はい", ("Box", "Slack")))
    make_survey(series, chair, in_report=False)  # not for the report
    assert report_lines(series) == []  # still open: its results are not yet for everyone
    close(survey)
    lines = report_lines(series)
    assert lines[:4] == ["## Surveys", "", "### クラウド利用状況調査", ""]
    text = "\n".join(lines)
    assert "Respondents: 2" in text
    assert "**クラウドを業務で使っていますか**\n\n- はい: 2\n- いいえ: 0\n- 検討中: 0" in text
    assert "- Microsoft 365: 0\n- Google Workspace: 0\n- Box: 2\n- Slack: 1" in text
    assert "**シャドーITへの対策**\n\n- 端末管理を 強化\n" in text
    assert "Alpha Bank" not in text and alice.get_full_name() not in text
    assert text.count("### ") == 1


def test_report_lines_name_organisations_only_when_the_survey_does(series, chair, alice):
    survey = make_survey(series, chair, in_report=True, names_organizations=True)
    survey_answer(survey=survey, user=alice,
                  answers=answers(survey, "はい", ("Box",), "端末管理を強化"))
    survey_close(actor=chair, survey=survey)
    text = "\n".join(report_lines(series))
    assert "- はい: 1 (Alpha Bank: 1)" in text
    assert "- 端末管理を強化 (Alpha Bank)" in text


def test_report_lines_of_another_series_are_empty(series, chair, community):
    survey = make_survey(series, chair, in_report=True)
    close(survey)
    assert report_lines(make_series(community, fiscal_year=2024)) == []
