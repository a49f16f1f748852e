"""Forms of threat actors and campaigns, and the "post an update" note of an incident."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.incidents.actors import Campaign, ThreatActor

_HELP_RECORD = _(
    "Every member of this community reads this record: write nothing here that is not for "
    "all of them. Which incidents mention it follows each incident's TLP."
)


class ThreatActorForm(forms.ModelForm):
    class Meta:
        model = ThreatActor
        fields = ["name", "name_en", "aliases", "description"]
        widgets = {
            "aliases": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {"description": _HELP_RECORD}


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "name_en", "aliases", "actor", "first_seen", "last_seen", "description"]
        widgets = {
            "aliases": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "first_seen": forms.DateInput(attrs={"type": "date"}),
            "last_seen": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"description": _HELP_RECORD}

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = ThreatActor.objects.filter(community=community)


class IncidentNoteForm(forms.Form):
    """An explicit update on an incident's timeline."""

    note = forms.CharField(
        label=_("What changed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Everyone who can see this incident sees the update."),
    )
