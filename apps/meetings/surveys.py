"""Surveys of a series (アンケート): the chair or the secretariat asks the group a few
questions — one choice, several choices, free text — and each active member answers once.
Results are counts per answer, in a fixed number of queries whatever the number of answers;
they never name a member, and name a member's organisation only when the survey said so
before anyone answered. Members read the results once the survey has closed; the chair and
the secretariat at any time. Services refuse with a ValidationError the user reads."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.communities.models import Community, Membership, MembershipStatus
from apps.meetings.models import (
    Meeting,
    MeetingSeries,
    Question,
    QuestionChoice,
    QuestionKind,
    ResponseAnswer,
    Survey,
    SurveyResponse,
)
from apps.meetings.selectors import may_organise

MAX_QUESTIONS = 30
MAX_CHOICES = 30


def answer_field(question: Question) -> str:
    """The name under which a question's answer is given (the answer form's field, and the
    key of a refusal about it)."""
    return f"question_{question.pk}"


# ---- reads ----------------------------------------------------------------------------------

def surveys_of(community: Community, viewer) -> QuerySet[Survey]:
    """The community's surveys, newest first, each with ``answered`` (whether ``viewer``
    has answered) and ``respondents``."""
    mine = SurveyResponse.objects.filter(survey=OuterRef("pk"), user_id=viewer.pk)
    return (Survey.objects.filter(community=community)
            .select_related("series", "meeting")
            .annotate(answered=Exists(mine), respondents=Count("responses"))
            .order_by("-created_at"))


def survey_in(community: Community, pk) -> Survey:
    """One survey of the community with its questions and choices, or 404 — another
    community's survey looks missing."""
    return get_object_or_404(
        Survey.objects.filter(community=community)
        .select_related("community", "series", "meeting")
        .prefetch_related(Prefetch("questions", Question.objects.order_by("position")),
                          Prefetch("questions__choices",
                                   QuestionChoice.objects.order_by("position"))),
        pk=pk)


def response_of(survey: Survey, user) -> SurveyResponse | None:
    """``user``'s response to ``survey``, if they answered."""
    return SurveyResponse.objects.filter(survey=survey, user_id=user.pk).first()


def may_see_results(survey: Survey, membership: Membership | None) -> bool:
    """The chair and the secretariat at any time; the other active members once the survey
    has closed (before, the counts would sway those still to answer)."""
    if membership is None or membership.status != MembershipStatus.ACTIVE \
            or membership.community_id != survey.community_id:
        return False
    return may_organise(membership) or not survey.is_open


@dataclass
class ChoiceResult:
    choice: QuestionChoice
    count: int
    # (organisation name, how many of its members chose this): only when the survey names
    # organisations.
    organizations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.choice.text


@dataclass
class TextAnswer:
    text: str
    organization: str | None = None  # only when the survey names organisations


@dataclass
class QuestionResult:
    question: Question
    answered: int  # how many respondents answered this question
    choices: list[ChoiceResult] = field(default_factory=list)
    texts: list[TextAnswer] = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: Survey
    respondents: int
    questions: list[QuestionResult]


def _organization_name(organization) -> str:
    return organization.display_name if organization is not None else _("no organisation")


def survey_results(survey: Survey) -> SurveyResults:
    """Per question: every choice with how many chose it (zeros included), how many answered
    it, and the free-text answers — never who gave them; with each answer's organisation only
    when ``survey.names_organizations``. Free texts are in the order of their text, not of
    their submission, so that answers to two questions cannot be paired up by position.
    Four queries (five when organisations are named), whatever the number of responses."""
    respondents = SurveyResponse.objects.filter(survey=survey).count()
    questions = list(
        Question.objects.filter(survey=survey)
        .annotate(answered=Count("answers__response", distinct=True))
        .order_by("position"))
    choices = list(
        QuestionChoice.objects.filter(question__survey=survey)
        .annotate(count=Count("answers"))
        .order_by("question_id", "position"))
    named = survey.names_organizations
    texts = (ResponseAnswer.objects.filter(question__survey=survey, choice__isnull=True)
             .order_by("question_id", "text"))
    if named:
        texts = texts.select_related("response__organization")
    texts = list(texts)
    chosen_by: dict[int, Counter] = {}
    if named:
        for choice_id, organization in _choice_organizations(survey):
            chosen_by.setdefault(choice_id, Counter())[organization] += 1

    by_question = {q.pk: QuestionResult(question=q, answered=q.answered) for q in questions}
    for choice in choices:
        organizations = sorted(chosen_by.get(choice.pk, Counter()).items())
        by_question[choice.question_id].choices.append(
            ChoiceResult(choice=choice, count=choice.count, organizations=organizations))
    for answer in texts:
        organization = _organization_name(answer.response.organization) if named else None
        by_question[answer.question_id].texts.append(
            TextAnswer(text=answer.text, organization=organization))
    return SurveyResults(survey=survey, respondents=respondents,
                         questions=[by_question[q.pk] for q in questions])


def _choice_organizations(survey: Survey) -> list[tuple[int, str]]:
    rows = (ResponseAnswer.objects.filter(question__survey=survey, choice__isnull=False)
            .select_related("response__organization").only(
                "choice_id", "response__organization__name",
                "response__organization__name_en"))
    return [(row.choice_id, _organization_name(row.response.organization)) for row in rows]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _organizations_note(organizations: list[tuple[str, int]]) -> str:
    parts = [f"{name}: {count}" for name, count in organizations]
    return f" ({', '.join(parts)})" if parts else ""


def report_lines(series: MeetingSeries) -> list[str]:
    """The "Surveys" section of the series' activity report, in Markdown: each closed survey
    marked for the report, its questions with one "choice: N" line per choice and the
    free-text answers as a list — named by organisation only when the survey says so. An
    open survey stays out: its results are not yet for every member. [] when there is none."""
    now = timezone.now()
    surveys = [survey for survey in
               Survey.objects.filter(series=series, in_report=True).order_by("created_at", "pk")
               if survey.closes_at is not None and survey.closes_at <= now]
    if not surveys:
        return []
    out = ["## " + _("Surveys"), ""]
    for survey in surveys:
        results = survey_results(survey)
        out += ["### " + _one_line(survey.title), ""]
        if survey.description:
            out += [survey.description.strip(), ""]
        out += [_("Respondents: %(count)d") % {"count": results.respondents}, ""]
        for result in results.questions:
            out += ["**" + _one_line(result.question.text) + "**", ""]
            for choice in result.choices:
                out.append(f"- {_one_line(choice.text)}: {choice.count}"
                           f"{_organizations_note(choice.organizations)}")
            for answer in result.texts:
                who = f" ({answer.organization})" if answer.organization else ""
                out.append(f"- {_one_line(answer.text)}{who}")
            if not result.choices and not result.texts:
                out.append(_("(no answers)"))
            out.append("")
    return out


# ---- writes ---------------------------------------------------------------------------------

def _check_organiser(actor, community_id) -> None:
    membership = Membership.objects.filter(community_id=community_id, user_id=actor.pk).first()
    if not may_organise(membership):
        raise PermissionDenied(_("Only the chair or the secretariat prepares surveys."))


def _clean_questions(questions: list[dict]) -> list[dict]:
    """Each question as ``{"text", "kind", "required", "choices": [str]}``, checked."""
    cleaned = []
    for number, question in enumerate(questions, start=1):
        text = (question.get("text") or "").strip()
        kind = question.get("kind") or QuestionKind.SINGLE
        choices = [c.strip() for c in question.get("choices") or [] if c and c.strip()]
        where = {"number": number}
        if not text:
            raise ValidationError(_("Question %(number)s has no text.") % where, code="question")
        if kind not in QuestionKind.values:
            raise ValidationError(_("Question %(number)s is of an unknown kind.") % where,
                                  code="kind")
        if kind == QuestionKind.TEXT and choices:
            raise ValidationError(_("Question %(number)s asks for free text: it has no "
                                    "choices.") % where, code="choices")
        if kind != QuestionKind.TEXT and len(choices) < 2:
            raise ValidationError(_("Question %(number)s needs at least two choices.") % where,
                                  code="choices")
        if len(choices) > MAX_CHOICES:
            raise ValidationError(_("Question %(number)s has more than %(max)s choices.")
                                  % {"number": number, "max": MAX_CHOICES}, code="choices")
        if len(set(choices)) != len(choices):
            raise ValidationError(_("Question %(number)s offers the same choice twice.") % where,
                                  code="choices")
        cleaned.append({"text": text, "kind": kind, "required": bool(question.get("required")),
                        "choices": choices})
    if not cleaned:
        raise ValidationError(_("Ask at least one question."), code="no_questions")
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError(_("A survey asks at most %(max)s questions.")
                              % {"max": MAX_QUESTIONS}, code="too_many")
    return cleaned


def _write_questions(survey: Survey, questions: list[dict]) -> None:
    created = Question.objects.bulk_create([
        Question(survey=survey, position=position, text=q["text"], kind=q["kind"],
                 required=q["required"])
        for position, q in enumerate(questions, start=1)])
    QuestionChoice.objects.bulk_create([
        QuestionChoice(question=question, position=position, text=text)
        for question, q in zip(created, questions, strict=True)
        for position, text in enumerate(q["choices"], start=1)])


def _check_options(survey: Survey) -> None:
    if survey.meeting_id and survey.meeting.series_id != survey.series_id:
        raise ValidationError({"meeting": _("The meeting belongs to another series.")},
                              code="meeting")
    survey.full_clean(exclude=["created_by"])


@transaction.atomic
def survey_create(*, actor, series: MeetingSeries, title: str, questions: list[dict],
                  description: str = "", meeting: Meeting | None = None,
                  names_organizations: bool = False, in_report: bool = False,
                  closes_at: datetime.datetime | None = None) -> Survey:
    """A new survey of ``series`` with its questions (``{"text", "kind", "required",
    "choices": [str]}`` in order), by the chair or the secretariat of its community."""
    _check_organiser(actor, series.community_id)
    if closes_at is not None and closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("Choose a closing time in the future.")},
                              code="closes_at")
    survey = Survey(community_id=series.community_id, series=series, meeting=meeting,
                    title=(title or "").strip(), description=(description or "").strip(),
                    names_organizations=names_organizations, in_report=in_report,
                    closes_at=closes_at, created_by=actor)
    _check_options(survey)
    cleaned = _clean_questions(questions)
    survey.save()
    _write_questions(survey, cleaned)
    return survey


@transaction.atomic
def survey_update(*, actor, survey: Survey, title: str, description: str = "",
                  meeting: Meeting | None = None, names_organizations: bool = False,
                  in_report: bool = False, closes_at: datetime.datetime | None = None,
                  questions: list[dict] | None = None) -> Survey:
    """Change a survey's title and options, and (``questions`` given) replace its questions
    — only while nobody has answered: an answer was given to the questions as they were.
    Naming organisations cannot be turned on once someone answered without it."""
    _check_organiser(actor, survey.community_id)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    answered = SurveyResponse.objects.filter(survey=survey).exists()
    if answered and names_organizations and not survey.names_organizations:
        raise ValidationError({"names_organizations": _(
            "Members answered on the understanding that their organisation would not be "
            "named: this cannot be turned on now.")}, code="names_organizations")
    survey.title, survey.description = (title or "").strip(), (description or "").strip()
    survey.meeting, survey.names_organizations = meeting, names_organizations
    survey.in_report, survey.closes_at = in_report, closes_at
    _check_options(survey)
    if questions is not None:
        cleaned = _clean_questions(questions)
        if answered:
            if cleaned != _current_questions(survey):
                raise ValidationError(_("Members have answered: the questions can no longer "
                                        "be changed."), code="answered")
        else:
            Question.objects.filter(survey=survey).delete()
            _write_questions(survey, cleaned)
    survey.save()
    return survey


def _current_questions(survey: Survey) -> list[dict]:
    return [{"text": q.text, "kind": q.kind, "required": q.required,
             "choices": [c.text for c in q.choices.order_by("position")]}
            for q in survey.questions.order_by("position")]


@transaction.atomic
def survey_close(*, actor, survey: Survey) -> Survey:
    """Close the survey now: no more answers, and every member may read the results."""
    _check_organiser(actor, survey.community_id)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    now = timezone.now()
    if survey.closes_at is None or survey.closes_at > now:
        survey.closes_at = now
        survey.save(update_fields=["closes_at"])
    return survey


def _already_answered() -> ValidationError:
    return ValidationError(_("You have already answered this survey."), code="answered")


def _has_answered(survey: Survey, user) -> bool:
    return SurveyResponse.objects.filter(survey=survey, user_id=user.pk).exists()


def _as_ids(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [v for v in value if v not in (None, "")]
    return [value]


def _answer_rows(survey: Survey, answers: dict) -> list[ResponseAnswer]:
    """The rows of a response, checked question by question; every refusal is collected and
    raised at once, keyed by `answer_field`."""
    questions = list(survey.questions.prefetch_related("choices").order_by("position"))
    known = {q.pk for q in questions}
    given = {}
    for key, value in (answers or {}).items():
        try:
            question_id = int(str(key).removeprefix("question_"))
        except ValueError:
            raise ValidationError(_("An answer was given to a question of another survey."),
                                  code="question") from None
        if question_id not in known:
            raise ValidationError(_("An answer was given to a question of another survey."),
                                  code="question")
        given[question_id] = value
    rows, errors = [], {}
    for question in questions:
        value = given.get(question.pk)
        key = answer_field(question)
        if question.kind == QuestionKind.TEXT:
            text = (value if isinstance(value, str) else "").strip()
            if text:
                rows.append(ResponseAnswer(question=question, text=text))
            elif question.required:
                errors[key] = _("Write an answer.")
            continue
        choices = {choice.pk: choice for choice in question.choices.all()}
        try:
            chosen = [int(v) for v in _as_ids(value)]
        except (TypeError, ValueError):
            errors[key] = _("Choose among the answers offered.")
            continue
        if any(pk not in choices for pk in chosen):
            errors[key] = _("Choose among the answers offered.")
            continue
        chosen = list(dict.fromkeys(chosen))
        if question.kind == QuestionKind.SINGLE and len(chosen) > 1:
            errors[key] = _("Choose one answer only.")
        elif not chosen and question.required:
            errors[key] = (_("Choose one answer.") if question.kind == QuestionKind.SINGLE
                           else _("Choose at least one answer."))
        else:
            rows += [ResponseAnswer(question=question, choice=choices[pk]) for pk in chosen]
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def survey_answer(*, survey: Survey, user, answers: dict) -> SurveyResponse:
    """``user``'s answers, once: ``answers`` maps each question (its id, or its
    `answer_field`) to the chosen choice ids — one for a single-choice question — or to a
    text. Only an active member of the survey's community answers, and only while it is
    open. All of it is saved, or nothing."""
    membership = (Membership.objects.select_for_update()
                  .filter(community_id=survey.community_id, user_id=user.pk,
                          status=MembershipStatus.ACTIVE).first())
    if membership is None:
        raise ValidationError(_("Only active members of the community answer surveys."),
                              code="not_member")
    survey = Survey.objects.get(pk=survey.pk)
    if not survey.is_open:
        raise ValidationError(_("This survey is closed."), code="closed")
    if _has_answered(survey, user):
        raise _already_answered()
    rows = _answer_rows(survey, answers)
    try:
        # A second answer sent at the same moment passes the check above; the unique
        # constraint stops it here, and the savepoint keeps the transaction usable.
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, community_id=survey.community_id, user=user,
                organization_id=membership.organization_id)
    except IntegrityError:
        raise _already_answered() from None
    for row in rows:
        row.response = response
    ResponseAnswer.objects.bulk_create(rows)
    return response
