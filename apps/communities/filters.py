"""The secretariat's filters on its community's register of agreement acceptances."""

import django_filters
from django import forms
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from apps.communities.models import (
    Agreement,
    AgreementAcceptance,
    Community,
    Membership,
    Organization,
)


def acceptances_of(community: Community):
    """Every acceptance of the community's agreements, with the organisation the person
    represents in the community (one query, whatever the number of rows)."""
    membership = Membership.objects.filter(community=community, user=OuterRef("user_id"))
    return (
        AgreementAcceptance.objects.filter(agreement__community=community)
        .select_related("agreement", "user")
        .annotate(organization_name=Subquery(membership.values("organization__name")[:1]),
                  organization_name_en=Subquery(membership.values("organization__name_en")[:1]),
                  organization_slug=Subquery(membership.values("organization__slug")[:1]))
        .order_by("-accepted_at", "-pk")
    )


class AcceptanceFilter(django_filters.FilterSet):
    """Filters one community's acceptances; the querysets of the choices are scoped to it."""

    agreement = django_filters.ModelChoiceFilter(
        label=_("Agreement version"), queryset=Agreement.objects.none(),
        empty_label=_("Any version"))
    organization = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organization.objects.none(), method="filter_org",
        empty_label=_("Any organisation"))
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="accepted_at", lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="accepted_at", lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AgreementAcceptance
        fields = ["agreement", "organization", "date_from", "date_to"]

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.filters["agreement"].queryset = Agreement.objects.filter(community=community)
        self.filters["organization"].queryset = Organization.objects.filter(
            memberships__community=community).distinct()

    def filter_org(self, queryset, name, value):
        return queryset.filter(organization_slug=value.slug)

    def applied(self) -> dict:
        """The filters in force, for the record of an export."""
        if not self.is_bound or not self.form.is_valid():
            return {}
        return {key: str(getattr(value, "pk", value))
                for key, value in self.form.cleaned_data.items() if value not in (None, "")}
