"""Forms of the discussion pages. The audience (label and recipients) is the shared
`apps.sharing.forms.AudienceForm` — the same picker as the incident form — rendered inside
the same <form>; `sharing` decides and refuses."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.communities.models import Community
from apps.incidents.models import Incident
from apps.sharing.selectors import visible_to
from portal.forms import add_refusal

EXPOSURE_FIELD = "confirmed_exposures"


class ExposureConfirmMixin(forms.Form):
    """The author ticks each flagged detail (by its matched text) that may be shared."""

    confirmed_exposures = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        posted = self.data.getlist(EXPOSURE_FIELD) if hasattr(self.data, "getlist") else []
        self.findings = []
        self.fields[EXPOSURE_FIELD].choices = [(value, value) for value in posted]

    def show_findings(self, findings) -> None:
        self.findings = findings

    def add_service_error(self, error: ValidationError, *others: forms.Form) -> None:
        """Put a refusal from a service next to the field it is about, in this form or in
        one of ``others`` (the audience picker)."""
        if getattr(error, "findings", None):
            self.show_findings(error.findings)
        add_refusal(error, self, *others)


class ThreadForm(ExposureConfirmMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("First post"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Markdown. Describe the attack, not the victim: leave out names, e-mail "
            "addresses, internal host names and internal IP addresses."
        ),
    )
    incident = forms.ModelChoiceField(
        label=_("About the incident"),
        queryset=None,
        required=False,
        help_text=_("Optional. Only incidents you can see are offered."),
    )
    anonymous = forms.BooleanField(
        label=_("Share anonymously, through the secretariat"),
        required=False,
        help_text=_(
            "Other members see “via the secretariat” instead of your organisation, on the "
            "thread and on your posts in it; only the secretariat knows who shared it."
        ),
    )

    def __init__(self, *args, community: Community, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = visible_to(
            user, Incident.objects.filter(community=community)
        ).order_by("-created_at")


class PostForm(ExposureConfirmMixin):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), help_text=_("Markdown.")
    )
    parent = forms.UUIDField(required=False, widget=forms.HiddenInput)


class PostEditForm(ExposureConfirmMixin):
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), help_text=_("Markdown.")
    )
