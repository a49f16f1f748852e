"""Query-string filters of the incidents API. They only ever narrow a queryset that the
viewset has already limited to what the caller may see."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.communities.models import Sector
from apps.incidents.attack import Tactic
from apps.incidents.indicators import IndicatorType, indicator_candidates, indicator_normalize
from apps.incidents.models import (
    Category,
    FeedbackAction,
    Incident,
    Indicator,
    Intent,
    Sighting,
    Status,
    UsageFeedback,
)
from apps.sharing.tlp import TLP


class IncidentFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(
        field_name="community__slug", label=_("Slug of the community")
    )
    tlp = django_filters.MultipleChoiceFilter(
        choices=TLP.choices, label=_("TLP label (repeat for several)")
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    intent = django_filters.ChoiceFilter(choices=Intent.choices, label=_("Apparent intent"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    attack_stage = django_filters.ChoiceFilter(
        choices=Tactic.choices, label=_("Attack stage (ATT&CK tactic)")
    )
    sector = django_filters.ChoiceFilter(
        choices=Sector.choices, method="filter_sector", label=_("Sector")
    )
    technique = django_filters.CharFilter(
        method="filter_technique",
        label=_("ATT&CK technique id; T1566 also finds its sub-techniques (T1566.001…)"),
    )
    anonymous = django_filters.BooleanFilter(label=_("Shared through the secretariat"))
    created = django_filters.IsoDateTimeFromToRangeFilter(
        field_name="created_at", label=_("Shared between (created_after, created_before)")
    )
    occurred = django_filters.IsoDateTimeFromToRangeFilter(
        field_name="occurred_at", label=_("Occurred between (occurred_after, occurred_before)")
    )
    detected = django_filters.IsoDateTimeFromToRangeFilter(
        field_name="detected_at", label=_("Detected between (detected_after, detected_before)")
    )

    class Meta:
        model = Incident
        fields = [
            "community",
            "tlp",
            "category",
            "intent",
            "status",
            "attack_stage",
            "sector",
            "technique",
            "anonymous",
            "created",
            "occurred",
            "detected",
        ]

    def filter_sector(self, queryset, name, value):
        # Sectors are a JSON list; a quoted code cannot match inside another code.
        return queryset.filter(sectors__icontains=f'"{value}"')

    def filter_technique(self, queryset, name, value):
        code = value.strip().upper()
        tagged = Incident.techniques.through.objects.filter(
            Q(attacktechnique_id=code) | Q(attacktechnique__id__startswith=f"{code}.")
        ).values("incident_id")
        return queryset.filter(pk__in=tagged)


class IndicatorFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(
        field_name="community__slug", label=_("Slug of the community")
    )
    incident = django_filters.UUIDFilter(field_name="incident_id", label=_("Incident id"))
    type = django_filters.ChoiceFilter(choices=IndicatorType.choices, label=_("Type"))
    value = django_filters.CharFilter(
        method="filter_value", label=_("Value (refanged and normalised before matching)")
    )

    class Meta:
        model = Indicator
        fields = ["community", "incident", "type", "value"]

    def filter_value(self, queryset, name, value):
        kind = self.data.get("type")
        try:
            pairs = [(kind, indicator_normalize(kind, value))] if kind else None
        except Exception:  # not a value of that type: nothing matches
            return queryset.none()
        pairs = pairs or indicator_candidates(value)
        match = Q(pk__in=[])
        for pair_type, normal in pairs:
            match |= Q(type=pair_type, value=normal)
        return queryset.filter(match)


class SightingFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(
        field_name="community__slug", label=_("Slug of the community")
    )
    incident = django_filters.UUIDFilter(field_name="incident_id", label=_("Incident id"))
    indicator = django_filters.UUIDFilter(field_name="indicator_id", label=_("Indicator id"))

    class Meta:
        model = Sighting
        fields = ["community", "incident", "indicator"]


class FeedbackFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(
        field_name="community__slug", label=_("Slug of the community")
    )
    incident = django_filters.UUIDFilter(field_name="incident_id", label=_("Incident id"))
    action = django_filters.ChoiceFilter(choices=FeedbackAction.choices, label=_("Action"))

    class Meta:
        model = UsageFeedback
        fields = ["community", "incident", "action"]
