"""A community's meetings under /c/<slug>/meetings/, for its active members: the list and
each meeting (answer, feedback), the chair's and the secretariat's forms, live notes, the
year's activity report, and the calendars (.ics) for them and their scripts. The rules are in
`services` and `selectors`; a view reads the request and answers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.views import View
from django.views.generic import DetailView, ListView

from apps.accounts.authentication import TokenOrSessionMixin
from apps.communities.views import CommunityMixin
from apps.meetings.calendar import calendar_of
from apps.meetings.forms import AgendaFormSet, MeetingForm, SeriesForm
from apps.meetings.models import AgendaItem, Answer, MeetingSeries, MeetingStatus
from apps.meetings.report import report_markdown
from apps.meetings.selectors import (
    answers_to,
    attendance_sheet,
    feed_owner,
    feedback_shown,
    may_organise,
    may_take_notes,
    meeting_in,
    meetings_for_feed,
    meetings_of,
    notes_of,
    series_report_of,
)
from apps.meetings.services import (
    NoteConflict,
    attendance_record,
    feedback_give,
    invitation_answer,
    note_save,
    record_save,
)


def _refused(request, error: ValidationError) -> None:
    """A service's refusal, shown on the page the member is sent back to."""
    for message in error.messages:
        messages.error(request, message)


class MeetingContextMixin(CommunityMixin):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["now"] = timezone.now()  # tells upcoming meetings from held ones
        context["may_organise"] = may_organise(self.membership)
        return context


class MeetingListView(MeetingContextMixin, ListView):
    template_name = "meetings/meeting_list.html"
    context_object_name = "meetings"

    def get_queryset(self):
        return meetings_of(self.community)


class MeetingDetailView(MeetingContextMixin, DetailView):
    template_name = "meetings/meeting_detail.html"
    context_object_name = "meeting"

    def get_object(self, queryset=None):
        return meeting_in(self.community, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["answers"] = answers_to(self.object, self.request.user)
        context["answer_choices"] = Answer.choices
        feedback = self.object.feedback.select_related("author")
        context["feedback"] = feedback_shown(feedback, self.request.user, self.membership)
        context["feedback_open"] = (self.object.starts_at <= context["now"]
                                    and self.object.status != MeetingStatus.CANCELLED)
        context["may_take_notes"] = may_take_notes(self.membership, self.object)
        return context


class MeetingFeedbackView(CommunityMixin, View):
    """A participant's feedback on a meeting (again: replaced)."""

    def post(self, request, slug, pk):
        meeting = meeting_in(self.community, pk)
        try:
            feedback_give(meeting=meeting, user=request.user, text=request.POST.get("text", ""),
                          anonymous=request.POST.get("anonymous") == "on")
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, gettext("Thank you for your feedback."))
        return redirect(meeting.get_absolute_url() + "#feedback")


class SeriesReportView(TokenOrSessionMixin, CommunityMixin, View):
    """The activity report of a year: a page, or ``?format=md`` for the Markdown itself."""

    def get(self, request, slug, pk):
        series = series_report_of(self.community, pk)
        text = report_markdown(series)
        if request.GET.get("format") == "md":
            response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="report.md"'
            return response
        return render(request, "meetings/series_report.html",
                      {"community": self.community, "membership": self.membership,
                       "series": series, "report": text})


class MeetingAnswerView(CommunityMixin, View):
    """A member's answer to the meeting (in person, online, absent)."""

    def post(self, request, slug, pk):
        meeting = meeting_in(self.community, pk)
        try:
            invitation_answer(meeting=meeting, user=request.user,
                              answer=request.POST.get("answer", ""))
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, gettext("Your answer was recorded."))
        return redirect(meeting.get_absolute_url() + "#answer")


class MeetingCalendarView(TokenOrSessionMixin, CommunityMixin, View):
    """One meeting as an .ics file, for a signed-in member or `Authorization: Token`."""

    def get(self, request, slug, pk):
        meeting = meeting_in(self.community, pk)
        body = calendar_of([meeting], base_url=request.build_absolute_uri("/").rstrip("/"))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
        return response


class PersonalFeedView(View):
    """A person's meetings in every community where they are active, as one calendar that
    calendar programs fetch without signing in: the secret in the address is the
    credential (`User.calendar_secret`, replaced from the profile page). In the person's
    language; nothing but what their memberships show them on the site."""

    def get(self, request, secret):
        user = feed_owner(secret)
        with translation.override(user.language):
            body = calendar_of(meetings_for_feed(user),
                               base_url=request.build_absolute_uri("/").rstrip("/"),
                               name=gettext("Renkei meetings"))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response


class OrganiserFormView(CommunityMixin, View):
    """Create (no pk) or edit (pk) a series or a meeting: the chair and the secretariat."""

    form_class = None
    template_name = ""

    def instance(self):
        raise NotImplementedError

    def form(self, data=None):
        instance = self.instance() if "pk" in self.kwargs else None
        return self.form_class(data, instance=instance, community=self.community)

    def check(self):
        if not may_organise(self.membership):
            raise PermissionDenied(gettext("Only the chair or the secretariat keeps the "
                                           "record of meetings."))

    def get(self, request, *args, **kwargs):
        self.check()
        return self.render(self.form())

    def post(self, request, *args, **kwargs):
        self.check()
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        saved = record_save(form=form, membership=self.membership)
        messages.success(request, gettext("Saved."))
        return redirect(self.success_url(saved))

    def render(self, form, status=200, **extra):
        return render(self.request, self.template_name,
                      {"form": form, "community": self.community,
                       "membership": self.membership, "editing": "pk" in self.kwargs,
                       **extra},
                      status=status)


class MeetingFormView(OrganiserFormView):
    """A meeting and its agenda, on one page, saved together or not at all."""

    form_class = MeetingForm
    template_name = "meetings/meeting_form.html"

    def instance(self):
        return meeting_in(self.community, self.kwargs["pk"])

    def success_url(self, meeting):
        return meeting.get_absolute_url()

    def agenda(self, form, data=None):
        return AgendaFormSet(data, instance=form.instance, prefix="agenda",
                             form_kwargs={"community": self.community},
                             queryset=AgendaItem.objects.filter(meeting=form.instance.pk)
                             .order_by("position") if form.instance.pk
                             else AgendaItem.objects.none())

    def get(self, request, *args, **kwargs):
        self.check()
        form = self.form()
        return self.render(form, agenda=self.agenda(form))

    def post(self, request, *args, **kwargs):
        self.check()
        form = self.form(request.POST)
        # A post without the agenda's rows (a script) changes the meeting, not its agenda.
        agenda = self.agenda(form, request.POST) if "agenda-TOTAL_FORMS" in request.POST \
            else None
        if not (form.is_valid() and (agenda is None or agenda.is_valid())):
            return self.render(form, agenda=agenda or self.agenda(form), status=400)
        saved = record_save(form=form, membership=self.membership, agenda=agenda)
        messages.success(request, gettext("Saved."))
        return redirect(self.success_url(saved))


class SeriesFormView(OrganiserFormView):
    form_class = SeriesForm
    template_name = "meetings/series_form.html"

    def instance(self):
        return get_object_or_404(MeetingSeries, community=self.community, pk=self.kwargs["pk"])

    def success_url(self, series):
        return reverse("meetings:list", args=[self.community.slug])


class MeetingNotesView(CommunityMixin, View):
    """The notes page: one text per agenda item and one for the meeting, saved as they are
    typed (htmx), each save based on the version it started from."""

    def get(self, request, slug, pk):
        meeting = meeting_in(self.community, pk)
        if not may_take_notes(self.membership, meeting):
            raise PermissionDenied(gettext("Only the chair, the secretariat or a note-taker "
                                           "they named writes the notes."))
        return render(request, "meetings/notes.html",
                      {"community": self.community, "membership": self.membership,
                       "meeting": meeting, "sections": notes_of(meeting)})


class NoteSaveView(CommunityMixin, View):
    """One save of one section's notes. Answers the section's status (and its new version);
    409 with the text saved meanwhile when the save was based on an older version."""

    def post(self, request, slug, pk, key):
        meeting = meeting_in(self.community, pk)
        if key != "general" and not key.isdigit():
            raise Http404
        item = None if key == "general" else get_object_or_404(meeting.agenda, pk=key)
        try:
            base = int(request.POST.get("base_version", ""))
        except ValueError:
            return HttpResponseBadRequest(gettext("The version of the notes is missing."))
        context = {"meeting": meeting, "key": key}
        try:
            context["note"] = note_save(meeting=meeting, item=item, user=request.user,
                                        text=request.POST.get("text", ""), base_version=base)
        except NoteConflict as conflict:
            context.update(note=conflict.current, conflict=True)
            return render(request, "meetings/_note_status.html", context, status=409)
        return render(request, "meetings/_note_status.html", context)


class AttendanceRecordView(CommunityMixin, View):
    """After the meeting, the chair or the secretariat ticks who came."""

    def check(self, meeting):
        if not may_organise(self.membership):
            raise PermissionDenied(gettext("Only the chair or the secretariat keeps the "
                                           "record of meetings."))

    def get(self, request, slug, pk):
        meeting = meeting_in(self.community, pk)
        self.check(meeting)
        return render(request, "meetings/attendance.html",
                      {"community": self.community, "membership": self.membership,
                       "meeting": meeting, "sheet": attendance_sheet(meeting)})

    def post(self, request, slug, pk):
        meeting = meeting_in(self.community, pk)
        self.check(meeting)
        came = {int(value) for value in request.POST.getlist("attended") if value.isdigit()}
        try:
            count = attendance_record(meeting=meeting, actor=request.user, attended=came)
        except ValidationError as error:
            _refused(request, error)
            return redirect(reverse("meetings:attendance", args=[slug, pk]))
        messages.success(request, ngettext("%(count)d person came.", "%(count)d people came.",
                                           count) % {"count": count})
        return redirect(meeting.get_absolute_url() + "#answer")
