"""Forms of the discussion pages.

`AudienceFieldsMixin` is the recipient picker (label, organisations in / out for AMBER,
people for RED, federation, anonymity). It only offers choices; `apps.sharing` decides and
refuses, and its errors land on the field they concern. Written here because
`apps/incidents/forms.py` had no picker yet; it is small enough to move to `sharing` later.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.communities.models import Community, Membership, MembershipStatus
from apps.incidents.models import Incident
from apps.sharing.audience import member_organizations
from apps.sharing.selectors import visible_to
from apps.sharing.tlp import TLP


class AudienceFieldsMixin(forms.Form):
    """Call ``setup_audience(community, user)`` from ``__init__``."""

    tlp = forms.ChoiceField(
        label=_("Label"),
        choices=TLP.choices,
        initial=TLP.AMBER,
        help_text=_("Who may read it, by the Traffic Light Protocol."),
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("Organisations (TLP:AMBER, TLP:AMBER+STRICT)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Untick an organisation to leave it out. Your own organisation always sees it."
        ),
    )
    users = forms.ModelMultipleChoiceField(
        label=_("People (TLP:RED)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only these people and you will see it."),
    )
    federated = forms.BooleanField(
        label=_("Share with the federation (TLP:GREEN and TLP:CLEAR only)"), required=False
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous: shown as “via the secretariat”"),
        required=False,
        help_text=_("Only the secretariat will see which organisation shared it."),
    )

    def setup_audience(self, community: Community, user) -> None:
        self.community = community
        organizations = member_organizations(community).order_by("name")
        self.fields["organizations"].queryset = organizations
        self.fields["organizations"].initial = list(organizations)
        people = Membership.objects.filter(
            community=community, status=MembershipStatus.ACTIVE
        ).exclude(user=user)
        self.fields["users"].queryset = (
            get_user_model()
            .objects.filter(pk__in=people.values("user_id"))
            .order_by("display_name", "email")
        )
        self.fields["users"].label_from_instance = lambda u: u.get_full_name()
        if not community.federations.exists():
            del self.fields["federated"]

    def audience(self) -> dict:
        """The choice as `audience_set` takes it: recipients only where the label uses them,
        so that a ticked box left over from another label is not refused."""
        data = self.cleaned_data
        tlp = TLP(data["tlp"])
        amber = tlp in (TLP.AMBER, TLP.AMBER_STRICT)
        return {
            "tlp": tlp,
            "organizations": list(data.get("organizations") or []) if amber else None,
            "users": list(data.get("users") or []) if tlp == TLP.RED else None,
            "federated": bool(data.get("federated")) if tlp in (TLP.GREEN, TLP.CLEAR) else False,
        }

    def clean(self):
        data = super().clean()
        tlp = data.get("tlp")
        if tlp == TLP.RED and not data.get("users"):
            self.add_error("users", _("Name at least one person for TLP:RED."))
        if tlp in (TLP.AMBER, TLP.AMBER_STRICT) and not data.get("organizations"):
            self.add_error(
                "organizations",
                _("Choose at least one organisation for %(label)s.") % {"label": TLP(tlp).label},
            )
        return data

    def add_service_error(self, error: ValidationError) -> None:
        """Put a refusal from a service next to the field it is about."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class ThreadForm(AudienceFieldsMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("First post"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown."),
    )
    incident = forms.ModelChoiceField(label=_("About the incident"), queryset=None, required=False)
    confirm_exposure = forms.BooleanField(
        label=_("I have checked the flagged details and they may be shared"), required=False
    )

    field_order = [
        "title",
        "body",
        "incident",
        "tlp",
        "organizations",
        "users",
        "federated",
        "anonymous",
        "confirm_exposure",
    ]

    def __init__(self, *args, community: Community, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_audience(community, user)
        self.fields["incident"].queryset = visible_to(
            user, Incident.objects.filter(community=community)
        ).order_by("-created_at")


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), help_text=_("Markdown.")
    )
    parent = forms.UUIDField(required=False, widget=forms.HiddenInput)
    confirm_exposure = forms.BooleanField(
        label=_("I have checked the flagged details and they may be shared"), required=False
    )

    def add_service_error(self, error: ValidationError) -> None:
        AudienceFieldsMixin.add_service_error(self, error)


class PostEditForm(PostForm):
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), help_text=_("Markdown.")
    )
