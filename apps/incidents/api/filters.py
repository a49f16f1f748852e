"""Query-string filters of the incidents API. They only ever narrow a queryset that the
viewset has already limited to what the caller may see.

Incidents are filtered by the one FilterSet the web list uses too
(`apps.incidents.filters.IncidentFilter`), re-exported here for the viewsets."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.incidents.filters import IncidentFilter
from apps.incidents.indicators import IndicatorType, indicator_candidates, indicator_normalize
from apps.incidents.models import FeedbackAction, Indicator, Sighting, UsageFeedback
from portal.filters import CommunityScopedFilterSet

__all__ = ["FeedbackFilter", "IncidentFilter", "IndicatorFilter", "SightingFilter"]


class IndicatorFilter(CommunityScopedFilterSet):
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


class SightingFilter(CommunityScopedFilterSet):
    incident = django_filters.UUIDFilter(field_name="incident_id", label=_("Incident id"))
    indicator = django_filters.UUIDFilter(field_name="indicator_id", label=_("Indicator id"))

    class Meta:
        model = Sighting
        fields = ["community", "incident", "indicator"]


class FeedbackFilter(CommunityScopedFilterSet):
    incident = django_filters.UUIDFilter(field_name="incident_id", label=_("Incident id"))
    action = django_filters.ChoiceFilter(choices=FeedbackAction.choices, label=_("Action"))

    class Meta:
        model = UsageFeedback
        fields = ["community", "incident", "action"]
