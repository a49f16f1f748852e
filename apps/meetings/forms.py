"""The chair's and the secretariat's forms for a year of meetings and for each meeting."""

import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.communities.models import Membership, MembershipStatus, Organization
from apps.discussions.forms import ExposureConfirmMixin
from apps.meetings.models import AgendaItem, Meeting, MeetingSeries, web_link


def _members(community):
    return get_user_model().objects.filter(
        memberships__community=community, memberships__status=MembershipStatus.ACTIVE
    ).distinct().order_by("display_name", "email")


class SeriesForm(forms.ModelForm):
    class Meta:
        model = MeetingSeries
        fields = ["title", "title_en", "fiscal_year", "purpose", "chair", "advisors",
                  "organizations", "summary"]
        widgets = {"advisors": forms.CheckboxSelectMultiple,
                   "organizations": forms.CheckboxSelectMultiple}

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        # Only the community's own people and organisations can be named.
        self.fields["chair"].queryset = _members(community)
        self.fields["advisors"].queryset = _members(community)
        self.fields["organizations"].queryset = Organization.objects.filter(
            pk__in=Membership.objects.filter(community=community).values("organization_id")
        ).order_by("name")


class MeetingForm(forms.ModelForm):
    """Times are read as wall-clock times in the meeting's own time zone, whatever the zone
    of the person typing them."""

    class Meta:
        model = Meeting
        fields = ["series", "number", "title", "title_en", "starts_at", "ends_at", "time_zone",
                  "status", "location", "online_url", "video_url", "summary"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"},
                                             format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"},
                                           format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        self.fields["series"].queryset = MeetingSeries.objects.filter(community=community)
        for name in ("online_url", "video_url"):  # say why, rather than "not a valid URL"
            self.fields[name].validators = [
                *(v for v in self.fields[name].validators if not isinstance(v, URLValidator)),
                web_link]
            self.fields[name].error_messages["invalid"] = web_link.message
        if self.instance.pk:  # show the times as they were typed, in the meeting's zone
            for name in ("starts_at", "ends_at"):
                value = getattr(self.instance, name)
                if value:
                    self.initial[name] = value.astimezone(self.instance.zone).replace(
                        tzinfo=None)

    def clean(self):
        data = super().clean()
        zone_name = data.get("time_zone")
        if zone_name and zone_name in zoneinfo.available_timezones():
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in ("starts_at", "ends_at"):
                value = data.get(name)
                if value is not None:
                    # Django made the typed time aware in the reader's zone: keep the wall
                    # clock, put it in the meeting's.
                    wall = timezone.localtime(value).replace(tzinfo=None)
                    data[name] = wall.replace(tzinfo=zone)
                    setattr(self.instance, name, data[name])
        return data


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["theme", "presenter", "guest_name", "guest_organization", "guest_title",
                  "duration_minutes", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        self.fields["presenter"].queryset = _members(community)


# The agenda on the meeting's own page: its items in the order given, two empty rows to add.
AgendaFormSet = forms.inlineformset_factory(
    Meeting, AgendaItem, form=AgendaItemForm, extra=2, can_delete=True,
    fields=AgendaItemForm.Meta.fields)


class MinutesForm(ExposureConfirmMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 18}),
                           help_text=_("Markdown. Who said what, and what was answered."))


class PublishForm(ExposureConfirmMixin):
    """Publishing: nothing to fill in but the confirmation of what may identify a victim."""


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=True,
                           help_text=_("PDF, Office or OpenDocument files, images, text or "
                                       "CSV; the content must match the extension."))
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("By default, the file's name."))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
