"""The record a study group or council keeps of its meetings: a fiscal-year series and each
numbered meeting in it (第N回) with its date, place, themes, presenters and summary.

Agenda, attendance, minutes, materials and feedback hang off `Meeting` in later parts."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.communities.models import Community


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
    location = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    presenters = models.TextField(_("presenters"), blank=True,
                                  help_text=_("One presenter per line."))
    summary = models.TextField(_("summary"), blank=True, help_text=_("Markdown"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["community", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"],
                                    condition=Q(series__isnull=False, number__isnull=False),
                                    name="meeting_unique_number"),
            models.CheckConstraint(condition=Q(ends_at__isnull=True)
                                   | Q(ends_at__gte=F("starts_at")),
                                   name="meeting_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["community", "starts_at"], name="meeting_community_starts"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.community.slug, self.pk])

    def clean(self) -> None:
        super().clean()
        if self.series_id and self.community_id and self.series.community_id != self.community_id:
            raise ValidationError({"series": _("The series belongs to another community.")})
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("A meeting cannot end before it starts.")})

    @property
    def presenter_list(self) -> list[str]:
        return [line.strip() for line in self.presenters.splitlines() if line.strip()]
