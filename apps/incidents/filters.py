"""The incident filters, shared by the web list and the REST API.

The FilterSet never decides visibility: it is applied to a queryset that `apps.sharing` has
already narrowed (`visible_to`), and its text filter (``q``) goes through
`apps.incidents.search.incident_search`, which applies visibility again before matching.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from apps.communities.models import Sector
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
    technique = django_filters.CharFilter(
        label=_("ATT&CK technique"),
        method="filter_technique",
        widget=forms.TextInput(attrs={"placeholder": "T1566", "spellcheck": "false"}),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), choices=Sector.choices, method="filter_sector"
    )
    created = django_filters.DateFromToRangeFilter(
        label=_("Shared between"), field_name="created_at", widget=DateInput
    )
    detected = django_filters.DateFromToRangeFilter(
        label=_("Detected between"), field_name="detected_at", widget=DateInput
    )

    class Meta:
        model = Incident
        fields = [
            "q",
            "tlp",
            "category",
            "intent",
            "status",
            "technique",
            "sector",
            "created",
            "detected",
        ]

    def filter_text(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return incident_search(user=user, text=value, queryset=queryset)

    def filter_technique(self, queryset, name, value):
        """A technique and its sub-techniques: T1566 also finds T1566.001. A subquery on the
        link table, so no DISTINCT and no duplicate rows."""
        value = value.strip().upper()
        if not value:
            return queryset
        links = Incident.techniques.through.objects.filter(
            Q(attacktechnique_id=value) | Q(attacktechnique__id__startswith=value + ".")
        )
        return queryset.filter(pk__in=links.values("incident_id"))

    def filter_sector(self, queryset, name, value):
        # ``sectors`` is a JSON list of choice values; the quoted value cannot match a part
        # of another one, and this reads the same on SQLite and PostgreSQL.
        return queryset.filter(sectors__icontains=f'"{value}"')
