"""A community's meetings under /c/<slug>/meetings/, for its active members: the list and
each meeting (answer, feedback), the chair's and the secretariat's forms, live notes, the
year's activity report, and the calendars (.ics) for them and their scripts. The rules are in
`services` and `selectors`; a view reads the request and answers."""

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from apps.accounts.authentication import TokenOrSessionMixin
from apps.communities.views import CommunityMixin, CommunityReadMixin
from apps.discussions.forms import EXPOSURE_FIELD
from apps.meetings.calendar import calendar_of
from apps.meetings.forms import (
    AgendaFormSet,
    MaterialForm,
    MeetingForm,
    MinutesForm,
    PublishForm,
    SeriesForm,
)
from apps.meetings.guests import guest_answer, guest_attendance, guest_invite
from apps.meetings.materials import material_delete, material_upload
from apps.meetings.minutes import (
    minutes_create,
    minutes_from_notes,
    minutes_publish,
    minutes_update,
    revisions_with_changes,
)
from apps.meetings.models import (
    AgendaItem,
    Answer,
    Attendance,
    Material,
    MeetingSeries,
    MeetingStatus,
    Minutes,
)
from apps.meetings.report import report_markdown
from apps.meetings.selectors import (
    answers_to,
    attendance_sheet,
    feed_owner,
    feedback_shown,
    may_organise,
    may_take_notes,
    meeting_in,
    meeting_shared,
    meetings_for_feed,
    meetings_of,
    meetings_search,
    minutes_readable,
    notes_of,
    people_of_meeting,
    series_report_of,
    shared_decorate,
)
from apps.meetings.services import (
    NoteConflict,
    attendance_record,
    feedback_give,
    invitation_answer,
    note_save,
    record_save,
)
from apps.sharing.auditing import item_viewed
from apps.sharing.forms import AudienceForm
from apps.sharing.selectors import recipients_of, visible_to
from apps.sharing.services import SHARING_ROLES
from portal.forms import add_refusal


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["q"] = self.request.GET.get("q", "").strip()
        context["found"] = meetings_search(self.community, self.request.user, context["q"])
        return context


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
        context.update(meeting_shared(self.object, self.request.user))
        context["may_share"] = self.membership.role in SHARING_ROLES
        if context["may_organise"]:
            context["guests"] = self.object.attendances.filter(user__isnull=True)
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
    """The activity report of a year as its reader may read it: a page, ``?format=md`` for
    the Markdown itself, ``?format=pdf``; ``?variant=outsiders`` for the version that may
    leave the group."""

    def get(self, request, slug, pk):
        series = series_report_of(self.community, pk)
        # ?variant=outsiders: what may leave the group — TLP:CLEAR content, no feedback.
        outsiders = request.GET.get("variant") == "outsiders"
        text = report_markdown(series, reader=request.user, outsiders=outsiders,
                               base_url=request.build_absolute_uri("/").rstrip("/"))
        if request.GET.get("format") == "md":
            response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="report.md"'
            return response
        if request.GET.get("format") == "pdf":
            from apps.meetings.pdf import report_pdf  # fpdf2 and the font: loaded when asked

            title = gettext("Activity report") + " · " + series.display_title
            response = HttpResponse(report_pdf(text, title=title),
                                    content_type="application/pdf")
            response["Content-Disposition"] = 'attachment; filename="report.pdf"'
            return response
        return render(request, "meetings/series_report.html",
                      {"community": self.community, "membership": self.membership,
                       "series": series, "report": text, "outsiders": outsiders})


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
        body = calendar_of([meeting], base_url=request.build_absolute_uri("/").rstrip("/"),
                           reader=request.user)
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
                               base_url=request.build_absolute_uri("/").rstrip("/"), reader=user,
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


# ---- minutes and materials: shared content, read through `sharing` --------------------------

def _people_presets(meeting) -> list[dict]:
    """The recipient picker's shortcuts for TLP:RED: the people in the room, or everyone
    invited, as named recipients (the live count then says how many)."""
    number = (gettext("No. %(number)s") % {"number": meeting.number} + " "
              if meeting.number else "")
    name = f"{number}{meeting.display_title}"
    came, invited = (people_of_meeting(meeting, came=True),
                     people_of_meeting(meeting, came=False))
    presets = []
    if came:
        presets.append({"key": "came", "users": came, "label": ngettext(
            "Everyone who came to %(meeting)s (%(count)s person)",
            "Everyone who came to %(meeting)s (%(count)s people)", len(came))
            % {"meeting": name, "count": len(came)}})
    if invited:
        presets.append({"key": "invited", "users": invited, "label": ngettext(
            "Everyone invited to %(meeting)s who answered (%(count)s person)",
            "Everyone invited to %(meeting)s who answered (%(count)s people)", len(invited))
            % {"meeting": name, "count": len(invited)}})
    return presets


def _preset_initial(request, presets, default_tlp) -> dict:
    """``?people=came`` (the picker's shortcut without JavaScript): RED to those people."""
    chosen = next((p for p in presets if p["key"] == request.GET.get("people")), None)
    if chosen is None:
        return {"tlp": default_tlp}
    return {"tlp": "RED", "users": chosen["users"]}


def _minutes_writer_check(membership) -> None:
    """The forms' early answer; `apps.meetings.minutes` checks again when saving."""
    if not may_organise(membership):
        raise PermissionDenied(gettext("Only the chair or the secretariat writes and "
                                       "publishes the minutes."))


class SharedFormMixin(CommunityMixin):
    """A form for a meeting's minutes or material with the one recipient picker."""

    def render_form(self, template, *, meeting, form, audience_form, status=200, **extra):
        return render(self.request, template, {
            "community": self.community, "membership": self.membership, "meeting": meeting,
            "form": form, "audience_form": audience_form,
            "audience_count": audience_form.shown_count(),
            "fixed_organization": audience_form.author_organization,
            "fixed_user": audience_form.author, "people_presets": _people_presets(meeting),
            **extra}, status=status)


class MinutesCreateView(SharedFormMixin, View):
    """The chair or the secretariat writes minutes for a meeting."""

    template = "meetings/minutes_form.html"

    def setup_meeting(self, pk):
        meeting = meeting_in(self.community, pk)
        _minutes_writer_check(self.membership)
        return meeting

    def get(self, request, slug, pk):
        meeting = self.setup_meeting(pk)
        audience = AudienceForm(initial=_preset_initial(request, _people_presets(meeting),
                                                        "AMBER"),
                                community=self.community, author=request.user)
        return self.render_form(self.template, meeting=meeting, form=MinutesForm(),
                                audience_form=audience)

    def post(self, request, slug, pk):
        meeting = self.setup_meeting(pk)
        form = MinutesForm(request.POST)
        audience = AudienceForm(request.POST, community=self.community, author=request.user)
        if form.is_valid() and audience.is_valid():
            try:
                minutes = minutes_create(meeting=meeting, author=request.user,
                                         title=form.cleaned_data["title"],
                                         body=form.cleaned_data["body"],
                                         **audience.choice(audience.cleaned_data))
            except ValidationError as error:
                form.add_service_error(error, audience)
            else:
                messages.success(request, gettext("The draft minutes are saved. Only the chair "
                                                  "and the secretariat read them until they "
                                                  "are published."))
                return redirect(minutes.get_absolute_url())
        return self.render_form(self.template, meeting=meeting, form=form,
                                audience_form=audience, status=400)


class MinutesFromNotesView(CommunityMixin, View):
    """The live notes become the draft minutes in one step."""

    def post(self, request, slug, pk):
        meeting = meeting_in(self.community, pk)
        try:
            minutes = minutes_from_notes(meeting=meeting, author=request.user)
        except ValidationError as error:
            _refused(request, error)
            return redirect(meeting.get_absolute_url() + "#minutes")
        messages.success(request, gettext("The notes are now the draft minutes: read them, "
                                          "choose who receives them, then publish."))
        return redirect("meetings:minutes_edit", self.community.slug, minutes.pk)


class MinutesMixin(CommunityReadMixin):
    """Finds minutes through `sharing` (and the draft rule): anything else is 404."""

    def get_minutes(self):
        found = (minutes_readable(self.request.user,
                                  Minutes.objects.filter(community=self.community,
                                                         pk=self.kwargs["pk"]))
                 .select_related("meeting__series", "community", "author_organization",
                                 "published_by").first())
        if found is None:
            raise Http404
        return shared_decorate([found], self.request.user)[0]


class MinutesDetailView(MinutesMixin, TemplateView):
    template_name = "meetings/minutes_detail.html"

    def get_context_data(self, publish_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        minutes = self.get_minutes()
        item_viewed(item=minutes, viewer=self.request.user)
        organiser = may_organise(self.membership)
        audience = recipients_of(minutes) if minutes.shows_recipients else None
        context.update(
            minutes=minutes, meeting=minutes.meeting, audience=audience,
            audience_organizations=(minutes.recipient_organizations.order_by("name")
                                    if audience else []),
            audience_users=minutes.recipient_users.all() if audience else [],
            may_handle=organiser, publish_form=publish_form or PublishForm(),
            revision_count=minutes.revisions.count(),
        )
        return context


class MinutesPublishView(MinutesDetailView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        minutes = self.get_minutes()
        form = PublishForm(request.POST)
        form.is_valid()
        try:
            minutes_publish(minutes=minutes, actor=request.user,
                            confirmed_exposures=form.cleaned_data.get(EXPOSURE_FIELD, []))
        except ValidationError as error:
            form.add_service_error(error)
            return self.render_to_response(self.get_context_data(publish_form=form),
                                           status=400)
        messages.success(request, gettext("The minutes are published; the people who came are "
                                          "told by e-mail."))
        return redirect(minutes.get_absolute_url())


class MinutesEditView(SharedFormMixin, View):
    template = "meetings/minutes_form.html"

    def load(self, pk):
        found = (minutes_readable(self.request.user,
                                  Minutes.objects.filter(community=self.community, pk=pk))
                 .select_related("meeting", "community", "author", "author_organization")
                 .first())
        if found is None:
            raise Http404
        _minutes_writer_check(self.membership)
        return found

    def get(self, request, slug, pk):
        minutes = self.load(pk)
        audience = AudienceForm.for_item(item=minutes)
        preset = _preset_initial(request, _people_presets(minutes.meeting), None)
        if preset["tlp"]:
            audience = AudienceForm(initial=preset, community=self.community,
                                    author=minutes.author,
                                    author_organization=minutes.author_organization)
        form = MinutesForm(initial={"title": minutes.title, "body": minutes.body})
        return self.render_form(self.template, meeting=minutes.meeting, form=form,
                                audience_form=audience, minutes=minutes)

    def post(self, request, slug, pk):
        minutes = self.load(pk)
        form = MinutesForm(request.POST)
        audience = AudienceForm.for_item(request.POST, item=minutes)
        if form.is_valid() and audience.is_valid():
            try:
                minutes_update(minutes=minutes, actor=request.user,
                               title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                               audience=audience.choice(audience.cleaned_data),
                               confirmed_exposures=form.cleaned_data[EXPOSURE_FIELD])
            except ValidationError as error:
                form.add_service_error(error, audience)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext("The minutes are saved."))
                return redirect(minutes.get_absolute_url())
        return self.render_form(self.template, meeting=minutes.meeting, form=form,
                                audience_form=audience, minutes=minutes, status=400)


class MinutesHistoryView(MinutesMixin, TemplateView):
    """Each change of a published text: who, when, what changed."""

    template_name = "meetings/minutes_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        minutes = self.get_minutes()
        context.update(minutes=minutes, history=revisions_with_changes(minutes))
        return context


class MaterialUploadView(SharedFormMixin, View):
    """A member who shares adds a file to a meeting, under its own label (TLP:AMBER by
    default: a non-public material)."""

    template = "meetings/material_form.html"

    def get(self, request, slug, pk):
        meeting = meeting_in(self.community, pk)
        audience = AudienceForm(initial=_preset_initial(request, _people_presets(meeting),
                                                        "AMBER"),
                                community=self.community, author=request.user)
        return self.render_form(self.template, meeting=meeting, form=MaterialForm(),
                                audience_form=audience)

    def post(self, request, slug, pk):
        meeting = meeting_in(self.community, pk)
        form = MaterialForm(request.POST, request.FILES)
        audience = AudienceForm(request.POST, community=self.community, author=request.user)
        if form.is_valid() and audience.is_valid():
            try:
                material_upload(meeting=meeting, author=request.user,
                                upload=form.cleaned_data["file"],
                                title=form.cleaned_data["title"],
                                description=form.cleaned_data["description"],
                                **audience.choice(audience.cleaned_data))
            except ValidationError as error:
                add_refusal(error, form, audience)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext("The material is shared."))
                return redirect(meeting.get_absolute_url() + "#materials")
        return self.render_form(self.template, meeting=meeting, form=form,
                                audience_form=audience, status=400)


class MaterialDownloadView(TokenOrSessionMixin, CommunityReadMixin, View):
    """The only way to a material's file: `sharing` first, 404 to everyone outside its
    audience (the sign-in page to a signed-out visitor), whatever they guess."""

    def get(self, request, slug, pk):
        material = (visible_to(request.user, Material.objects.filter(community=self.community,
                                                                     pk=pk), few=True)
                    .select_related("community").first())
        if material is None:
            raise Http404
        item_viewed(item=material, viewer=request.user)
        response = FileResponse(material.file.open("rb"), as_attachment=True,
                                filename=material.filename, content_type=material.content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        return response


class MaterialDeleteView(CommunityMixin, View):
    def post(self, request, slug, pk):
        material = (visible_to(request.user, Material.objects.filter(community=self.community,
                                                                     pk=pk), few=True)
                    .select_related("community", "meeting").first())
        if material is None:
            raise Http404
        meeting = material.meeting
        material_delete(material=material, actor=request.user)
        messages.success(request, gettext("The material is removed."))
        return redirect(meeting.get_absolute_url() + "#materials")


# ---- guests: one meeting, by a signed link ---------------------------------------------------

class GuestInviteView(CommunityMixin, View):
    def post(self, request, slug, pk):
        meeting = meeting_in(self.community, pk)
        try:
            attendance = guest_invite(meeting=meeting, membership=self.membership,
                                      name=request.POST.get("name", ""),
                                      email=request.POST.get("email", ""),
                                      organization=request.POST.get("organization", ""))
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, gettext("%(email)s is invited; the invitation is on its "
                                              "way.") % {"email": attendance.guest_email})
        return redirect(meeting.get_absolute_url() + "#guests")


class GuestMixin:
    """The guest's signed link is the credential: a bad or revoked one is 404."""

    def attendance(self):
        try:
            return guest_attendance(self.kwargs["token"], self.kwargs["slug"])
        except Attendance.DoesNotExist:
            raise Http404 from None


class GuestMeetingView(GuestMixin, View):
    """What a guest sees: that meeting alone, its TLP:CLEAR minutes and materials, and the
    answer to give. In the language of their browser; times in the meeting's zone."""

    def get(self, request, slug, token, status=200):
        attendance = self.attendance()
        meeting = meeting_in(attendance.meeting.community, attendance.meeting_id)
        with timezone.override(meeting.zone):
            response = render(request, "meetings/guest.html", {
                "attendance": attendance, "meeting": meeting, "token": token,
                "community": meeting.community, "answer_choices": Answer.choices,
                "open": meeting.status != MeetingStatus.CANCELLED
                and meeting.starts_at > timezone.now(),
                **meeting_shared(meeting, AnonymousUser())}, status=status)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def post(self, request, slug, token):
        attendance = self.attendance()
        try:
            guest_answer(attendance=attendance, answer=request.POST.get("answer", ""))
        except ValidationError as error:
            _refused(request, error)
            return self.get(request, slug, token, status=400)
        messages.success(request, gettext("Your answer was recorded."))
        return redirect(request.path)


class GuestCalendarView(GuestMixin, View):
    def get(self, request, slug, token):
        attendance = self.attendance()
        meeting = meeting_in(attendance.meeting.community, attendance.meeting_id)
        body = calendar_of([meeting], base_url=request.build_absolute_uri("/").rstrip("/"),
                           reader=AnonymousUser())
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
        return response
