"""Surveys under /c/<slug>/meetings/surveys/, for a community's active members: the list,
the chair's and the secretariat's form (the survey and its questions on one page), the
answer page and the results. The rules are in `apps.meetings.surveys`."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from apps.communities.views import CommunityMixin
from apps.meetings.models import Meeting, MeetingSeries, QuestionKind, Survey
from apps.meetings.selectors import may_organise
from apps.meetings.surveys import (
    answer_field,
    may_see_results,
    response_of,
    survey_answer,
    survey_close,
    survey_create,
    survey_in,
    survey_results,
    survey_update,
    surveys_of,
)
from portal.forms import add_refusal

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SurveyForm(forms.ModelForm):
    """The survey's title and options. Never saved itself: the service writes the survey."""

    class Meta:
        model = Survey
        fields = ["title", "description", "series", "meeting", "names_organizations",
                  "in_report", "closes_at"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "closes_at": _DATETIME}

    def __init__(self, *args, community, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        self.fields["series"].queryset = MeetingSeries.objects.filter(community=community)
        self.fields["meeting"].queryset = (Meeting.objects.filter(community=community)
                                           .select_related("series").order_by("-starts_at"))
        self.fields["closes_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if editing:  # a survey stays in its year
            self.fields["series"].disabled = True


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices,
                             initial=QuestionKind.SINGLE)
    choices = forms.CharField(
        label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One choice per line; none for a free-text question."))
    optional = forms.BooleanField(label=_("Members may leave it unanswered"), required=False)

    def clean(self):
        data = super().clean()
        lines = [line.strip() for line in (data.get("choices") or "").splitlines()
                 if line.strip()]
        data["choice_list"] = lines
        kind = data.get("kind")
        if kind == QuestionKind.TEXT and lines:
            self.add_error("choices", gettext("A free-text question has no choices."))
        elif kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(lines) < 2:
            self.add_error("choices", gettext("Give at least two choices, one per line."))
        return data

    def as_question(self) -> dict:
        data = self.cleaned_data
        return {"text": data["text"], "kind": data["kind"], "required": not data["optional"],
                "choices": data["choice_list"]}


QuestionFormSet = forms.formset_factory(QuestionForm, extra=3, can_delete=True)


def _questions_asked(formset) -> list[dict]:
    """The questions in the order of the page: every question there was unless removed, and
    the empty rows that were filled in."""
    return [form.as_question() for index, form in enumerate(formset.forms)
            if (index < formset.initial_form_count() or form.has_changed())
            and not form.cleaned_data.get("DELETE")]


class AnswerForm(forms.Form):
    """One field per question, named by `answer_field`."""

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        for question in survey.questions.all():
            options = [(choice.pk, choice.text) for choice in question.choices.all()]
            common = {"label": question.text, "required": question.required}
            if question.kind == QuestionKind.SINGLE:
                field = forms.TypedChoiceField(choices=options, coerce=int,
                                               widget=forms.RadioSelect, empty_value=None,
                                               **common)
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.TypedMultipleChoiceField(
                    choices=options, coerce=int, widget=forms.CheckboxSelectMultiple,
                    help_text=_("Choose all that apply."), **common)
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                                        max_length=5000, **common)
            self.fields[answer_field(question)] = field

    def answers(self) -> dict:
        return dict(self.cleaned_data)


class SurveyListView(CommunityMixin, View):
    def get(self, request, slug):
        return render(request, "meetings/survey_list.html", {
            "community": self.community, "membership": self.membership,
            "surveys": surveys_of(self.community, request.user),
            "may_organise": may_organise(self.membership)})


class SurveyFormView(CommunityMixin, View):
    """Create (no pk) or edit (pk) a survey and its questions: the chair and the
    secretariat. Once members have answered, only the title and the options change."""

    def setup_survey(self):
        if not may_organise(self.membership):
            raise PermissionDenied(gettext("Only the chair or the secretariat prepares "
                                           "surveys."))
        if "pk" not in self.kwargs:
            return None
        return survey_in(self.community, self.kwargs["pk"])

    def initial(self, survey):
        if survey is None:
            latest = MeetingSeries.objects.filter(community=self.community).order_by(
                "-fiscal_year", "title").first()
            return {"series": latest}, []
        options = {"title": survey.title, "description": survey.description,
                   "series": survey.series, "meeting": survey.meeting,
                   "names_organizations": survey.names_organizations,
                   "in_report": survey.in_report, "closes_at": survey.closes_at}
        questions = [{"text": q.text, "kind": q.kind, "optional": not q.required,
                      "choices": "\n".join(c.text for c in q.choices.all())}
                     for q in survey.questions.all()]
        return options, questions

    def get(self, request, slug, pk=None):
        survey = self.setup_survey()
        options, questions = self.initial(survey)
        form = SurveyForm(initial=options, community=self.community, editing=bool(survey))
        formset = QuestionFormSet(initial=questions, prefix="questions")
        return self.render(survey, form, formset)

    def post(self, request, slug, pk=None):
        survey = self.setup_survey()
        options, questions = self.initial(survey)
        form = SurveyForm(request.POST, initial=options, community=self.community,
                          editing=bool(survey))
        locked = survey is not None and survey.responses.exists()
        formset = None if locked else QuestionFormSet(request.POST, initial=questions,
                                                      prefix="questions")
        if form.is_valid() and (formset is None or formset.is_valid()):
            data = form.cleaned_data
            asked = None if formset is None else _questions_asked(formset)
            options = {"title": data["title"], "description": data["description"],
                       "meeting": data["meeting"],
                       "names_organizations": data["names_organizations"],
                       "in_report": data["in_report"], "closes_at": data["closes_at"]}
            try:
                if survey is None:
                    saved = survey_create(actor=request.user, series=data["series"],
                                          questions=asked, **options)
                else:
                    saved = survey_update(actor=request.user, survey=survey,
                                          questions=asked, **options)
            except ValidationError as error:
                add_refusal(error, form)
            else:
                messages.success(request, gettext("The survey is saved."))
                return redirect(saved.get_absolute_url())
        return self.render(survey, form, formset or QuestionFormSet(prefix="questions"),
                           status=400)

    def render(self, survey, form, formset, status=200):
        return render(self.request, "meetings/survey_form.html", {
            "community": self.community, "membership": self.membership, "survey": survey,
            "form": form, "questions": formset,
            "locked": survey is not None and survey.responses.exists()}, status=status)


class SurveyDetailView(CommunityMixin, View):
    """The questions and the member's answers; once answered, that they did (and the
    results, when they may read them)."""

    def get(self, request, slug, pk, form=None, status=200):
        survey = survey_in(self.community, pk)
        response = response_of(survey, request.user)
        answering = response is None and survey.is_open
        if answering and form is None:
            form = AnswerForm(survey=survey)
        shows_results = (response is not None or not survey.is_open) and \
            may_see_results(survey, self.membership)
        return render(request, "meetings/survey_detail.html", {
            "community": self.community, "membership": self.membership, "survey": survey,
            "response": response, "form": form if answering else None,
            "may_organise": may_organise(self.membership),
            "may_see_results": may_see_results(survey, self.membership),
            "results": survey_results(survey) if shows_results else None}, status=status)

    def post(self, request, slug, pk):
        survey = survey_in(self.community, pk)
        form = AnswerForm(request.POST, survey=survey)
        if form.is_valid():
            try:
                survey_answer(survey=survey, user=request.user, answers=form.answers())
            except ValidationError as error:
                if not hasattr(error, "error_dict"):  # closed, answered already: not the form
                    for message in error.messages:
                        messages.error(request, message)
                    return redirect(survey.get_absolute_url())
                add_refusal(error, form)
            else:
                messages.success(request, gettext("Thank you: your answers are recorded."))
                return redirect(survey.get_absolute_url())
        return self.get(request, slug, pk, form=form, status=400)


class SurveyResultsView(CommunityMixin, View):
    def get(self, request, slug, pk):
        survey = survey_in(self.community, pk)
        if not may_see_results(survey, self.membership):
            raise PermissionDenied(gettext("The results are shown once the survey has "
                                           "closed."))
        return render(request, "meetings/survey_results.html", {
            "community": self.community, "membership": self.membership, "survey": survey,
            "may_organise": may_organise(self.membership),
            "results": survey_results(survey)})


class SurveyCloseView(CommunityMixin, View):
    def post(self, request, slug, pk):
        survey = survey_in(self.community, pk)
        survey_close(actor=request.user, survey=survey)
        messages.success(request, gettext("The survey is closed; every member may now read "
                                          "the results."))
        return redirect(reverse("meetings:survey_results", args=[slug, survey.pk]))
