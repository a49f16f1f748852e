"""The incident filters, shared by the web list and the REST API.

The FilterSet never decides visibility: it is applied to a queryset that `apps.sharing` has
already narrowed (`visible_to`), and its text filter (``q``) goes through
`apps.incidents.search.incident_search`, which applies visibility again before matching.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from apps.incidents.models import Category, Incident, Intent, Status
from apps.incidents.search import incident_search
from apps.sharing.tlp import TLP


class DateInput(DateRangeWidget):
    """Two native date pickers: ``created_after`` / ``created_before``."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "date", **(attrs or {})})


class IncidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words, indicators…")}),
    )
    tlp = django_filters.MultipleChoiceFilter(
        label=_("TLP label"), choices=TLP.choices, widget=forms.CheckboxSelectMultiple
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    intent = django_filters.ChoiceFilter(label=_("Apparent intent"), choices=Intent.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    created = django_filters.DateFromToRangeFilter(
        label=_("Shared between"), field_name="created_at", widget=DateInput
    )
    detected = django_filters.DateFromToRangeFilter(
        label=_("Detected between"), field_name="detected_at", widget=DateInput
    )

    class Meta:
        model = Incident
        fields = ["q", "tlp", "category", "intent", "status", "created", "detected"]

    def filter_text(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return incident_search(user=user, text=value, queryset=queryset)
