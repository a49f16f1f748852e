"""The recipient picker: a label and, depending on it, organisations, people or the federation.

One form serves the save (incident, thread, … forms embed it) and the live count
(`apps.sharing.views.AudienceCountView`), so the number shown before saving is computed from
exactly the choice that the save will make. Recipients that do not belong to the chosen label
(organisations ticked in the hidden AMBER panel while RED is selected, …) are dropped here:
the browser hides those panels, it does not remove them.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.communities.models import Community, Membership, MembershipStatus, Organization
from apps.sharing.audience import AMBERS, COMMUNITY_WIDE, member_organizations
from apps.sharing.recipients import recipients_read
from apps.sharing.selectors import audience_count, recipients_of
from apps.sharing.tlp import TLP
from portal.forms import add_refusal


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class AudienceForm(forms.Form):
    tlp = forms.ChoiceField(
        label=_("TLP label"), choices=TLP.choices, widget=forms.RadioSelect, initial=TLP.AMBER
    )
    # The fields take any organisation, and anyone with a membership here, so that a choice
    # the picker does not offer is refused by `recipients_read` in the words the API and
    # load_demo use; the picker offers ``organization_choices`` and ``people``.
    organizations = forms.ModelMultipleChoiceField(
        label=_("Organisations that receive it"),
        queryset=Organization.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    users = PersonChoiceField(
        label=_("People who receive it"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    federated = forms.BooleanField(label=_("Also share with the federation"), required=False)

    def __init__(self, *args, community: Community, author, author_organization=None, **kw):
        super().__init__(*args, **kw)
        self.community, self.author = community, author
        if author_organization is None:
            membership = Membership.objects.filter(user=author, community=community).first()
            author_organization = membership and membership.organization
        self.author_organization = author_organization
        self.organization_choices = member_organizations(community).order_by("name")
        members = Membership.objects.filter(community=community)
        self.fields["users"].queryset = get_user_model().objects.filter(
            pk__in=members.values("user_id")
        )
        self.people = (
            get_user_model()
            .objects.filter(
                pk__in=members.filter(status=MembershipStatus.ACTIVE).values("user_id")
            )
            .order_by("display_name", "email")
        )
        self.can_federate = community.federations.exists()
        if not self.can_federate:
            del self.fields["federated"]

    def clean(self):
        data = super().clean()
        tlp = data.get("tlp")
        if not tlp:
            return data
        if tlp not in AMBERS:
            data["organizations"] = None
        if tlp != TLP.RED:
            data["users"] = []
        if tlp not in COMMUNITY_WIDE:
            data["federated"] = False
        data.setdefault("federated", False)
        if tlp in AMBERS and data.get("organizations") is None:
            data["organizations"] = []
        try:
            recipients_read(community=self.community, **self.choice(data))
        except ValidationError as error:
            add_refusal(error, self)
        return data

    @classmethod
    def for_item(cls, data=None, *, item) -> "AudienceForm":
        """The picker for changing a saved item's audience: what its author chose, counted
        for its author (also when the secretariat edits it)."""
        audience = recipients_of(item)
        return cls(
            data,
            initial={
                "tlp": audience.tlp,
                "organizations": audience.organizations,
                "users": audience.users,
                "federated": audience.federated,
            },
            community=item.community,
            author=item.author,
            author_organization=item.author_organization,
        )

    @staticmethod
    def choice(data) -> dict:
        """The keyword arguments for `audience_set` / `audience_count`."""
        tlp = data["tlp"]
        return {
            "tlp": tlp,
            "organizations": (
                None
                if tlp not in AMBERS or data.get("organizations") is None
                # None on AMBER: every member organisation (the form as first shown)
                else list(data["organizations"])
            ),
            "users": list(data.get("users") or []) if tlp == TLP.RED else None,
            "federated": bool(data.get("federated")),
        }

    def count(self, data: dict | None = None) -> int | None:
        """People who would see the item (None: public), for ``data`` or, by default, the
        cleaned data (call `is_valid()` first)."""
        data = self.cleaned_data if data is None else data
        return audience_count(community=self.community, author=self.author, **self.choice(data))

    def shown_count(self) -> int | None:
        """The count the picker shows: for the posted choice when it is valid, else for the
        choice as first shown; None when it is public or cannot be counted (a recipient
        chosen then has left the community since)."""
        if self.is_bound:
            if not self.is_valid():
                return None
            data = self.cleaned_data
        else:
            data = {
                "tlp": self.initial.get("tlp") or self.fields["tlp"].initial,
                "organizations": self.initial.get("organizations"),
                "users": self.initial.get("users") or [],
                "federated": self.initial.get("federated", False),
            }
        try:
            return self.count(data)
        except ValidationError:
            return None

    # Helpers for the template: which boxes are ticked, which are fixed.
    def ticked_organizations(self) -> set[int]:
        if self.is_bound:
            if self.data.get("tlp") in AMBERS:
                return self._posted("organizations")
            return {org.pk for org in self.organization_choices}
        initial = self.initial.get("organizations")
        if initial is None:
            return {org.pk for org in self.organization_choices}
        return {getattr(org, "pk", org) for org in initial}

    def ticked_users(self) -> set[int]:
        if self.is_bound:
            return self._posted("users")
        return {getattr(user, "pk", user) for user in self.initial.get("users") or ()}

    def _posted(self, name: str) -> set[int]:
        values = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name)
        if values is None or isinstance(values, str | int):
            values = [] if values is None else [values]
        return {int(value) for value in values if str(value).isdigit()}
