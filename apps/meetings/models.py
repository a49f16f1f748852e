"""The record a study group or council keeps of its meetings: a fiscal-year series, each
numbered meeting in it (第N回) with its time, place, links and status, its agenda —
ordered themes, each with its presenter (a member, or a guest who needs no account), the
summary of the talk and the discussion that followed — and who said they would come and
who came; the live notes, the participants' feedback; and the two kinds of shared content a
meeting produces — its minutes and its materials — each under its own TLP label, decided by
`apps.sharing`."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.communities.models import Community, Organization, Role
from apps.meetings.storage import private_storage
from apps.sharing.models import SharedContent

MEETING_TIME_ZONE = "Asia/Tokyo"
FISCAL_YEAR_STARTS = 4  # April: Japanese fiscal years run April to March


def fiscal_year_of(moment: datetime.datetime) -> int:
    """The fiscal year a moment falls in, as the community sees it (in Japan): 31 March
    23:59 JST is still the previous year, 1 April 00:00 JST the new one."""
    local = moment.astimezone(zoneinfo.ZoneInfo(MEETING_TIME_ZONE))
    return local.year if local.month >= FISCAL_YEAR_STARTS else local.year - 1


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(zone)s” is not a time zone."), params={"zone": value},
                              code="time_zone")


# A meeting's links are opened by members: web addresses only, never javascript: or file:.
web_link = URLValidator(schemes=["http", "https"],
                        message=_("Enter a web address starting with http:// or https://."))


class LocalizedTitleMixin(models.Model):
    """A Japanese title and an optional English one, shown by the reader's language."""

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title_en and (get_language() or "ja").startswith("en"):
            return self.title_en
        return self.title


class MeetingSeries(LocalizedTitleMixin):
    """One fiscal year of a community's meetings, with the purpose it set itself.

    Japanese fiscal years run from April to March: ``fiscal_year`` 2025 is April 2025 to
    March 2026, the year the activity report (活動報告) covers."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="meeting_series", verbose_name=_("community"))
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), help_text=_("The year in which the fiscal year starts (April).")
    )
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("Markdown"))
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("chair"),
                              help_text=_("Who leads the year (主査, 部会長)."))
    advisors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                      verbose_name=_("advisors"))
    organizations = models.ManyToManyField(Organization, blank=True, related_name="+",
                                           verbose_name=_("participating organisations"))
    summary = models.TextField(_("summary of the year"), blank=True, help_text=_("Markdown"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        ordering = ["community", "-fiscal_year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["community", "fiscal_year", "title"],
                                    name="meetingseries_unique_title"),
        ]
        indexes = [
            models.Index(fields=["community", "fiscal_year"], name="meetingseries_comm_year"),
        ]

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date(self.fiscal_year, 4, 1)

    @property
    def ends_on(self) -> datetime.date:
        return datetime.date(self.fiscal_year + 1, 3, 31)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(LocalizedTitleMixin):
    """One meeting: its number in the series, when and where it takes place, who presents,
    and a summary of the discussion once it is over. The title is the meeting's theme."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="meetings", verbose_name=_("community"))
    series = models.ForeignKey(MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="meetings", verbose_name=_("series"))
    number = models.PositiveSmallIntegerField(
        _("number"), null=True, blank=True, help_text=_("The meeting's number in its series.")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=MEETING_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Where the meeting's times are set; each reader sees them in their own."),
    )
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    location = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True, validators=[web_link])
    video_url = models.URLField(_("recording"), blank=True, validators=[web_link],
                                help_text=_("A link to the recording, for those who missed it."))
    summary = models.TextField(_("summary"), blank=True, help_text=_("Markdown"))
    note_takers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("note-takers"),
        help_text=_("Members who may take notes, besides the chair and the secretariat."))
    # iCalendar's SEQUENCE: raised whenever what a calendar shows of the meeting changes, so
    # that calendar programs replace their copy instead of keeping the old time.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # What a calendar shows of the meeting: a change to any of them raises `sequence`.
    CALENDAR_FIELDS = ("title", "title_en", "starts_at", "ends_at", "time_zone", "status",
                       "location", "online_url")

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["community", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "number"],
                condition=Q(series__isnull=False, number__isnull=False),
                name="meeting_unique_number",
                violation_error_message=_("Another meeting of the series has this number.")),
            models.CheckConstraint(condition=Q(ends_at__isnull=True)
                                   | Q(ends_at__gte=F("starts_at")),
                                   name="meeting_ends_after_start",
                                   violation_error_message=_(
                                       "A meeting cannot end before it starts.")),
        ]
        indexes = [
            models.Index(fields=["community", "starts_at"], name="meeting_community_starts"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            before = type(self)._base_manager.filter(pk=self.pk).values(
                *self.CALENDAR_FIELDS).first()
            if before and any(before[name] != getattr(self, name)
                              for name in self.CALENDAR_FIELDS):
                self.sequence += 1
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "sequence"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.community.slug, self.pk])

    def clean(self) -> None:
        super().clean()
        if self.series_id and self.community_id and self.series.community_id != self.community_id:
            raise ValidationError({"series": _("The series belongs to another community.")})
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("A meeting cannot end before it starts.")})
        if self.series_id and self.starts_at and (
                fiscal_year_of(self.starts_at) != self.series.fiscal_year):
            raise ValidationError({"starts_at": _(
                "The meeting falls outside its series' fiscal year (1 April %(start)s to 31 "
                "March %(end)s, Japan time)."
            ) % {"start": self.series.fiscal_year, "end": self.series.fiscal_year + 1}})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def get_calendar_url(self) -> str:
        return reverse("meetings:ics", args=[self.community.slug, self.pk])


class AgendaItem(models.Model):
    """One theme of a meeting, in order: who presents it (a member of the community, or a
    guest named with organisation and title, who needs no account), for how long, what was
    said, and the discussion that followed (`AgendaComment`)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda",
                                verbose_name=_("meeting"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    position = models.PositiveSmallIntegerField(_("order"))
    theme = models.CharField(_("theme"), max_length=200)
    presenter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("presenter (member)"))
    guest_name = models.CharField(_("guest presenter"), max_length=100, blank=True,
                                  help_text=_("A presenter who is not a member."))
    guest_organization = models.CharField(_("guest's organisation"), max_length=200,
                                          blank=True)
    guest_title = models.CharField(_("guest's title"), max_length=100, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True,
                                                        blank=True)
    summary = models.TextField(_("summary of the talk"), blank=True, help_text=_("Markdown"))

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agendaitem_position"),
            models.CheckConstraint(condition=Q(presenter__isnull=True) | Q(guest_name=""),
                                   name="agendaitem_one_presenter"),
        ]
        indexes = [models.Index(fields=["community", "meeting"], name="agendaitem_meeting")]

    def __str__(self) -> str:
        return self.theme

    def clean(self) -> None:
        super().clean()
        if self.presenter_id and self.guest_name:
            raise ValidationError({"guest_name": _(
                "Name either a member or a guest as the presenter, not both.")})
        if not self.guest_name and (self.guest_organization or self.guest_title):
            raise ValidationError({"guest_name": _("Give the guest's name.")})
        if self.meeting_id and self.community_id and \
                self.meeting.community_id != self.community_id:
            raise ValidationError({"meeting": _("The meeting belongs to another community.")})

    @property
    def is_guest(self) -> bool:
        return bool(self.guest_name)

    @property
    def presenter_name(self) -> str:
        """The presenter as the agenda names them: a member by their name, a guest by name,
        with organisation and title."""
        if self.guest_name:
            details = "、".join(part for part in (self.guest_organization, self.guest_title)
                               if part)
            return f"{self.guest_name}（{details}）" if details else self.guest_name
        return self.presenter.get_full_name() if self.presenter else ""


class CommentKind(models.TextChoices):
    QUESTION = "question", _("question")
    COMMENT = "comment", _("comment")


class AgendaComment(models.Model):
    """What followed a talk: who asked or commented, and the answer — in council minutes the
    most valuable part. Comments taken from the meeting's chat are marked as such."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="comments",
                             verbose_name=_("agenda item"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    position = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=CommentKind.choices,
                            default=CommentKind.QUESTION)
    speaker = models.CharField(_("asked or commented by"), max_length=200)
    text = models.TextField(_("question or comment"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.CharField(_("answered by"), max_length=200, blank=True)
    from_chat = models.BooleanField(_("from the chat"), default=False)

    class Meta:
        verbose_name = _("question or comment")
        verbose_name_plural = _("questions and comments")
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="agendacomment_position"),
        ]
        indexes = [models.Index(fields=["community", "item"], name="agendacomment_item")]

    def __str__(self) -> str:
        return self.text[:60]



class Answer(models.TextChoices):
    """A member's answer to the invitation."""

    IN_PERSON = "in_person", _("attending in person")
    ONLINE = "online", _("attending online")
    ABSENT = "absent", _("absent")


class AttendanceRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    SECRETARIAT = "secretariat", _("Secretariat")
    MEMBER = "member", _("Member")
    ADVISOR = "advisor", _("Advisor")
    OBSERVER = "observer", _("Observer")
    PRESENTER = "presenter", _("Presenter")
    GUEST = "guest", _("Guest")


# A member attends in the role they hold in the community.
ROLE_OF_MEMBERSHIP = {Role.CHAIR: AttendanceRole.CHAIR,
                      Role.SECRETARIAT: AttendanceRole.SECRETARIAT,
                      Role.MEMBER: AttendanceRole.MEMBER, Role.ADVISOR: AttendanceRole.ADVISOR,
                      Role.OBSERVER: AttendanceRole.OBSERVER, Role.GUEST: AttendanceRole.GUEST}


class Attendance(models.Model):
    """One person and one meeting: their answer before it (in person, online, absent), and
    after it whether they came, with the organisation they represented and their role. A
    guest, who has no account, is named by e-mail address."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances",
                                verbose_name=_("meeting"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="attendances", verbose_name=_("member"))
    guest_name = models.CharField(_("guest's name"), max_length=100, blank=True)
    guest_email = models.EmailField(_("guest's e-mail address"), blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("organisation"))
    guest_organization = models.CharField(_("guest's organisation"), max_length=200,
                                          blank=True)
    role = models.CharField(_("role"), max_length=12, choices=AttendanceRole.choices,
                            default=AttendanceRole.MEMBER)
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True,
                                   help_text=_("Recorded after the meeting."))
    # Claimed before the reminder is handed to the mail server, released if that fails: a
    # rerun or a second worker reminds no one twice.
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], condition=Q(user__isnull=False),
                                    name="attendance_one_per_member"),
            models.UniqueConstraint(fields=["meeting", "guest_email"],
                                    condition=~Q(guest_email=""),
                                    name="attendance_one_per_guest"),
            models.CheckConstraint(condition=Q(user__isnull=False, guest_email="")
                                   | Q(user__isnull=True) & ~Q(guest_email=""),
                                   name="attendance_member_or_guest"),
        ]
        indexes = [models.Index(fields=["community", "meeting"], name="attendance_meeting")]

    def __str__(self) -> str:
        return self.guest_name or self.guest_email or str(self.user)



class Feedback(models.Model):
    """A participant's reflection (参加者の感想) on one meeting or on the whole year. Given
    anonymously, it names nobody to the other members; the chair and the secretariat, who
    run the group, still see who wrote it. An activity report names no one behind
    anonymous feedback."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="feedback", verbose_name=_("meeting"))
    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="feedback", verbose_name=_("series"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+", verbose_name=_("author"))
    text = models.TextField(_("feedback"))
    anonymous = models.BooleanField(
        _("anonymous toward other members"), default=False,
        help_text=_("The chair and the secretariat still see who wrote it."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(meeting__isnull=True, series__isnull=False)
                                   | Q(meeting__isnull=False, series__isnull=True),
                                   name="feedback_meeting_or_year"),
            models.UniqueConstraint(fields=["meeting", "author"],
                                    condition=Q(meeting__isnull=False),
                                    name="feedback_one_per_meeting"),
            models.UniqueConstraint(fields=["series", "author"],
                                    condition=Q(series__isnull=False),
                                    name="feedback_one_per_year"),
        ]
        indexes = [models.Index(fields=["community", "meeting"], name="feedback_meeting"),
                   models.Index(fields=["community", "series"], name="feedback_series")]

    def __str__(self) -> str:
        return self.text[:60]



class MeetingNote(models.Model):
    """Notes taken live during a meeting: one text per agenda item, and one for the meeting
    as a whole (``item`` empty). ``version`` rises with every save; a save based on an older
    version is refused (`services.note_save`), so that two people writing at once never
    overwrite each other without seeing it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes",
                                verbose_name=_("meeting"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="notes", verbose_name=_("agenda item"))
    text = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("last written by"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("meeting notes")
        verbose_name_plural = _("meeting notes")
        ordering = ["meeting", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting"], condition=Q(item__isnull=True),
                                    name="meetingnote_one_general"),
            models.UniqueConstraint(fields=["item"], condition=Q(item__isnull=False),
                                    name="meetingnote_one_per_item"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class Minutes(SharedContent):
    """The minutes of a meeting (議事要旨): Markdown under their own TLP label and audience,
    decided by `apps.sharing` like any shared item. A draft is read only by those who may
    change it (its author, the secretariat) *within* that audience — never wider; publishing
    opens it to the whole audience. A meeting may have several (a RED record for the people
    in the room and a GREEN summary for the community)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes",
                                verbose_name=_("meeting"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown"))
    status = models.CharField(_("status"), max_length=10, choices=MinutesStatus.choices,
                              default=MinutesStatus.DRAFT)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("published by"))

    class Meta(SharedContent.Meta):
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["meeting", "status"], name="minutes_meeting"),
            models.Index(fields=["community", "-created_at"], name="minutes_community_created"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:minutes", args=[self.community.slug, self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == MinutesStatus.PUBLISHED


class MinutesUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct-FK user grants on minutes (TLP:RED recipients and the author)."""

    content_object = models.ForeignKey(Minutes, on_delete=models.CASCADE)


class MinutesGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian's direct-FK group grants on minutes."""

    content_object = models.ForeignKey(Minutes, on_delete=models.CASCADE)


class MinutesRevision(models.Model):
    """A published text as it was before a change: who changed it, when, and what it said,
    so that the history shows what changed (a diff of consecutive texts)."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="revisions",
                                verbose_name=_("minutes"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("minutes revision")
        verbose_name_plural = _("minutes revisions")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.minutes_id} @ {self.changed_at:%Y-%m-%d %H:%M}"


def material_path(material: "Material", filename: str) -> str:
    # The stored name says nothing of the original one: that is kept in `filename`.
    return f"materials/{material.community_id}/{material.pk}"


class Material(SharedContent):
    """A file handed out at a meeting (配付資料) under its own label and audience. Stored
    outside the static and media roots (`settings.PRIVATE_MEDIA_ROOT`) and served only by
    `views.MaterialDownloadView`, which asks `sharing`; non-public materials default to
    TLP:AMBER."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials",
                                verbose_name=_("meeting"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("file"), upload_to=material_path, storage=private_storage,
                            max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta(SharedContent.Meta):
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["meeting", "created_at"], name="material_meeting"),
            models.Index(fields=["community", "-created_at"], name="material_community_created"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_download_url(self) -> str:
        return reverse("meetings:material_download", args=[self.community.slug, self.pk])

    get_absolute_url = get_download_url  # a material's own address is its file


class MaterialUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct-FK user grants on materials."""

    content_object = models.ForeignKey(Material, on_delete=models.CASCADE)


class MaterialGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian's direct-FK group grants on materials."""

    content_object = models.ForeignKey(Material, on_delete=models.CASCADE)


# ---- surveys: the chair asks the group a few questions -------------------------------------

class Survey(models.Model):
    """A few questions the chair or the secretariat asks the group during a year (a series),
    perhaps at one meeting: each active member answers once. Results are counts per answer;
    they name no member, and no member's organisation unless ``names_organizations`` said so
    before anyone answered. Open until ``closes_at`` (none: until an organiser closes it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE,
                               related_name="surveys", verbose_name=_("series"))
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="surveys", verbose_name=_("meeting"),
                                help_text=_("If the questions are asked at one meeting."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    names_organizations = models.BooleanField(
        _("results show each answer's organisation"), default=False,
        help_text=_("Otherwise the results name no organisation. Cannot be turned on once "
                    "members have answered."))
    in_report = models.BooleanField(_("results go into the activity report"), default=False)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True,
                                     help_text=_("Empty: open until closed by hand."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["community", "-created_at"], name="survey_community_created"),
            models.Index(fields=["series", "in_report"], name="survey_series_report"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:survey", args=[self.community.slug, self.pk])

    def clean(self) -> None:
        super().clean()
        if self.series_id and self.community_id and self.series.community_id != self.community_id:
            raise ValidationError({"series": _("The series belongs to another community.")})
        if self.meeting_id and self.series_id and self.meeting.series_id != self.series_id:
            raise ValidationError({"meeting": _("The meeting belongs to another series.")})

    @property
    def is_open(self) -> bool:
        return self.closes_at is None or self.closes_at > timezone.now()


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("one choice")
    MULTIPLE = "multiple", _("several choices")
    TEXT = "text", _("free text")


class Question(models.Model):
    """One question of a survey, in order: one choice, several choices, or free text."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions",
                               verbose_name=_("survey"))
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices,
                            default=QuestionKind.SINGLE)
    required = models.BooleanField(_("an answer is required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "position"], name="question_position",
                violation_error_message=_("Another question of the survey has this place.")),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind != QuestionKind.TEXT


class QuestionChoice(models.Model):
    """One possible answer to a single- or multiple-choice question, in order."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices",
                                 verbose_name=_("question"))
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("choice"), max_length=200)

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "position"], name="questionchoice_position",
                violation_error_message=_("Another choice of the question has this place.")),
        ]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """That a member answered a survey — once — and for which organisation they answered
    (their membership's at that moment). The results show the organisation only when the
    survey says so, and never the member."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses",
                               verbose_name=_("survey"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("member"))
    organization = models.ForeignKey(Organization, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("organisation"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["survey", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"], name="surveyresponse_once",
                violation_error_message=_("You have already answered this survey.")),
        ]
        indexes = [models.Index(fields=["community", "user"], name="surveyresponse_user")]

    def __str__(self) -> str:
        return f"{self.survey_id} / {self.user_id}"


class ResponseAnswer(models.Model):
    """One part of a response: a chosen choice (one row per choice chosen), or a free-text
    answer — so that counting the rows of a choice counts the members who chose it."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE,
                                 related_name="answers", verbose_name=_("response"))
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers",
                                 verbose_name=_("question"))
    choice = models.ForeignKey(QuestionChoice, on_delete=models.CASCADE, null=True,
                               blank=True, related_name="answers", verbose_name=_("choice"))
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "question", "choice"]
        constraints = [
            models.CheckConstraint(
                condition=Q(choice__isnull=False, text="") | Q(choice__isnull=True) & ~Q(text=""),
                name="responseanswer_choice_or_text",
                violation_error_message=_("An answer is either a choice or a text.")),
            models.UniqueConstraint(
                fields=["response", "choice"], condition=Q(choice__isnull=False),
                name="responseanswer_choice_once",
                violation_error_message=_("This choice was already given.")),
        ]
        indexes = [models.Index(fields=["question", "choice"], name="responseanswer_question")]

    def __str__(self) -> str:
        return f"{self.response_id} / {self.question_id}"
