"""The secretariat's filters on its community's audit trail (django-filter)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.audit.models import Action, AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    """Filters one community's events; the caller scopes the queryset to the community."""

    action = django_filters.ChoiceFilter(label=_("Activity"), choices=Action.choices,
                                         empty_label=_("Any activity"))
    actor = django_filters.CharFilter(label=_("Actor's e-mail address"),
                                      field_name="actor_email", lookup_expr="icontains")
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="at", lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    target = django_filters.CharFilter(label=_("Target id"), method="filter_target")

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "date_from", "date_to", "target"]

    def filter_target(self, queryset, name, value):
        return queryset.filter(target_id=value.strip().lower()) if value.strip() else queryset

    def applied(self) -> dict:
        """The filters in force, for the record of an export."""
        if not self.is_bound or not self.form.is_valid():
            return {}
        return {key: str(value) for key, value in self.form.cleaned_data.items()
                if value not in (None, "")}
