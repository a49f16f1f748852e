"""The incident form. The audience (label and recipients) is the separate
`apps.sharing.forms.AudienceForm`, rendered inside the same <form>."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.communities.models import Sector
from apps.incidents.actors import Campaign, Confidence, ThreatActor
from apps.incidents.indicators import IndicatorType, indicator_candidates
from apps.incidents.models import Incident, Indicator
from apps.sharing.exposure import defang


class IncidentForm(forms.ModelForm):
    anonymous = forms.BooleanField(
        label=_("Share anonymously, through the secretariat"),
        required=False,
        help_text=_(
            "Other members see “via the secretariat” instead of your organisation; only the "
            "secretariat knows who shared it."
        ),
    )

    class Meta:
        model = Incident
        fields = [
            "title",
            "summary",
            "category",
            "intent",
            "status",
            "confidence",
            "detected_at",
            "occurred_at",
            "attack_stage",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 10}),
            "detected_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
        help_texts = {
            "summary": _(
                "Markdown. Describe the attack, not the victim: leave out names, e-mail "
                "addresses, internal host names and internal IP addresses."
            ),
        }

    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    techniques = forms.CharField(
        label=_("ATT&CK techniques"),
        required=False,
        help_text=_("Technique ids separated by commas or spaces, e.g. T1566.001, T1486."),
        widget=forms.TextInput(attrs={"placeholder": "T1566.001, T1486", "spellcheck": "false"}),
    )
    indicators = forms.CharField(
        label=_("Indicators"),
        required=False,
        help_text=_(
            "One per line: IP address, domain, URL, e-mail address, file name, hash or CVE id. "
            "Defanged values (hxxp://, [.]) are accepted."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )

    actors = forms.ModelMultipleChoiceField(
        label=_("Threat actors"), queryset=ThreatActor.objects.none(), required=False
    )
    campaigns = forms.ModelMultipleChoiceField(
        label=_("Campaigns"), queryset=Campaign.objects.none(), required=False
    )

    def __init__(self, *args, editor=None, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confidence"].required = False
        community_id = getattr(community, "pk", None) or self.instance.community_id
        if community_id is None:
            del self.fields["actors"], self.fields["campaigns"]
        else:
            self.fields["actors"].queryset = ThreatActor.objects.filter(community_id=community_id)
            self.fields["campaigns"].queryset = Campaign.objects.filter(community_id=community_id)
            if not self.instance._state.adding:
                self.fields["actors"].initial = list(self.instance.actors.all())
                self.fields["campaigns"].initial = list(self.instance.campaigns.all())
        for name in ("detected_at", "occurred_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if not self.instance._state.adding:
            self.fields["anonymous"].initial = self.instance.anonymous
            if self.instance.anonymous:
                if editor is not None and editor.pk == self.instance.author_id:
                    self.fields["anonymous"].help_text = _(
                        "Untick to name your organisation as the source to everyone who can "
                        "see this incident. The change is recorded."
                    )
                else:
                    # Naming the source is the author's decision alone: whatever is posted,
                    # a disabled field keeps its initial value.
                    self.fields["anonymous"].disabled = True
                    self.fields["anonymous"].help_text = _(
                        "Only the author can name the organisation that shared it."
                    )
            self.fields["sectors"].initial = self.instance.sectors
            self.fields["techniques"].initial = ", ".join(
                technique.pk for technique in self.instance.techniques.all()
            )
            # Indicators of a saved incident are added one by one on its page.
            del self.fields["indicators"]

    def clean_confidence(self) -> str:
        # Optional: a new report starts unconfirmed; an edit that leaves it out keeps it.
        value = self.cleaned_data.get("confidence")
        if value:
            return value
        return Confidence.UNCONFIRMED if self.instance._state.adding else self.instance.confidence

    def clean_techniques(self) -> list[str]:
        text = self.cleaned_data.get("techniques") or ""
        return [part.strip().upper() for part in text.replace(",", " ").split() if part.strip()]

    def clean_indicators(self) -> list[dict]:
        """Each line read as the first type it can be (a bare word is a file name only when
        it is nothing else); the domain service validates and normalises again."""
        rows, bad = [], []
        for line in (self.cleaned_data.get("indicators") or "").splitlines():
            value = line.strip()
            if not value:
                continue
            candidates = indicator_candidates(value)
            typed = [c for c in candidates if c[0] != IndicatorType.FILE_NAME] or candidates
            if not typed:
                bad.append(value)
                continue
            rows.append({"type": typed[0][0], "value": value})
        if bad:
            raise ValidationError(
                _("Not an indicator we understand: %(values)s") % {"values": ", ".join(bad)}
            )
        return rows


class SightingForm(forms.Form):
    """ "We saw this too", for the viewer's organisation: the incident, or the indicators of
    it that were seen; when, and whether it turned out a false positive."""

    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators seen (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: you saw the incident itself."),
    )
    seen_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Empty: now."),
    )
    false_positive = forms.BooleanField(
        label=_("False positive"),
        required=False,
        help_text=_("It matched here but turned out to be harmless."),
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    show_organization = forms.BooleanField(
        label=_("Show our organisation's name"),
        required=False,
        help_text=_("Otherwise others only see that one more organisation saw it."),
    )


    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The incident's indicators as the page already read them (no query of its own).
        indicators = list(indicators)
        by_pk = {str(indicator.pk): indicator for indicator in indicators}
        field = self.fields["indicators"]
        field.queryset = Indicator.objects.filter(pk__in=list(by_pk))
        field.choices = [(pk, defang(i.value)) for pk, i in by_pk.items()]
        if not indicators:
            del self.fields["indicators"]


class IndicatorPasteForm(forms.Form):
    """Indicators pasted on the incident page, one per line."""

    indicators = forms.CharField(
        label=_("Add indicators"),
        help_text=_(
            "One per line: IP address, domain, URL, e-mail address, file name, hash or CVE id. "
            "Defanged values (hxxp://, [.]) are accepted; the type is detected."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
    )


class IndicatorEditForm(forms.Form):
    """One indicator corrected in place: its value (same type) and note."""

    value = forms.CharField(
        label=_("Value"), max_length=2048, widget=forms.TextInput(attrs={"spellcheck": "false"})
    )
    note = forms.CharField(label=_("Note"), required=False)


class FeedbackForm(forms.Form):
    """What the viewer's organisation did with the item; the choices follow the label
    ("passed to clients" is not offered for TLP:AMBER+STRICT and TLP:RED)."""

    action = forms.ChoiceField(label=_("What we did"))
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, incident, **kwargs):
        from apps.incidents.services import feedback_actions_for

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [
            (action.value, action.label) for action in feedback_actions_for(incident)
        ]
