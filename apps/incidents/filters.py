"""The incident filters: one FilterSet for the web list and the REST API.

The FilterSet never decides visibility: it only narrows, and `apps.sharing` decides what the
reader may see of the result (the lists' pages, `sharing.pages`). Its text filter (``q``)
matches words through `apps.incidents.search.text_match`, whose sources read only text the
reader may see.

Each filter has a short ``label`` (the web form) and, where the API needs more words, a
``help_text`` (the OpenAPI description). Date ranges take ``<name>_after`` /
``<name>_before`` as a day (the web's date pickers; ``_before`` includes that whole day) or
an ISO 8601 moment (API clients).
"""

import datetime
import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import RangeField
from django_filters.widgets import DateRangeWidget

from apps.communities.models import Sector
from apps.incidents.actors import Confidence
from apps.incidents.attack import Tactic
from apps.incidents.models import Category, Incident, Intent, Status
from apps.incidents.search import text_match
from apps.sharing.tlp import TLP
from portal.filters import CommunityScopedFilterSet, MomentField, community_filter

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class DateInput(DateRangeWidget):
    """Two native date pickers: ``<name>_after`` / ``<name>_before``."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "date", **(attrs or {})})


class DayOrMomentField(MomentField):
    """An ISO 8601 date-time, or a plain day: its first moment, or with ``end_of_day`` its
    last (in the current time zone), so that "before 2025-05-01" includes 1 May."""

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and _DAY.fullmatch(value.strip()):
            try:
                day = datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid"
                ) from None
            moment = datetime.datetime.combine(
                day, datetime.time.max if self.end_of_day else datetime.time.min
            )
            return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
        return super().to_python(value)


class DayOrMomentRangeField(RangeField):
    widget = DateInput

    def __init__(self, *args, **kwargs):
        fields = (DayOrMomentField(), DayOrMomentField(end_of_day=True))
        super().__init__(fields, *args, **kwargs)


class DayOrMomentRangeFilter(django_filters.RangeFilter):
    field_class = DayOrMomentRangeField


class IncidentFilter(CommunityScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        help_text=_(
            "Words found in the title, summary, indicator values or discussions you may "
            "see; Japanese words are found inside sentences. Separate terms by spaces "
            "(all must match); quote a phrase."
        ),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words, indicators…")}),
    )
    community = community_filter(
        label=_("Community"),
        help_text=_("Slug of the community"),
        # The web list is already scoped to one community: nothing to show there.
        widget=forms.HiddenInput,
    )
    tlp = django_filters.MultipleChoiceFilter(
        label=_("TLP label"),
        help_text=_("TLP label (repeat for several)"),
        choices=TLP.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # a column of the incident: no join, so no duplicate to remove
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    intent = django_filters.ChoiceFilter(label=_("Apparent intent"), choices=Intent.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    attack_stage = django_filters.ChoiceFilter(
        label=_("Attack stage"),
        help_text=_("Attack stage (ATT&CK tactic)"),
        choices=Tactic.choices,
    )
    technique = django_filters.CharFilter(
        label=_("ATT&CK technique"),
        help_text=_("ATT&CK technique id; T1566 also finds its sub-techniques (T1566.001…)"),
        method="filter_technique",
        widget=forms.TextInput(attrs={"placeholder": "T1566", "spellcheck": "false"}),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), choices=Sector.choices, method="filter_sector"
    )
    anonymous = django_filters.BooleanFilter(label=_("Shared through the secretariat"))
    confidence = django_filters.ChoiceFilter(label=_("Confidence"), choices=Confidence.choices)
    actor = django_filters.UUIDFilter(
        label=_("Threat actor"),
        help_text=_("Id of a threat actor named by the incident"),
        method="filter_actor",
        widget=forms.HiddenInput,
    )
    campaign = django_filters.UUIDFilter(
        label=_("Campaign"),
        help_text=_("Id of a campaign named by the incident"),
        method="filter_campaign",
        widget=forms.HiddenInput,
    )
    created = DayOrMomentRangeFilter(
        label=_("Shared between"),
        help_text=_("Shared between (created_after, created_before)"),
        field_name="created_at",
    )
    occurred = DayOrMomentRangeFilter(
        label=_("Occurred between"),
        help_text=_("Occurred between (occurred_after, occurred_before)"),
        field_name="occurred_at",
    )
    detected = DayOrMomentRangeFilter(
        label=_("Detected between"),
        help_text=_("Detected between (detected_after, detected_before)"),
        field_name="detected_at",
    )

    class Meta:
        model = Incident
        fields = [
            "q",
            "community",
            "tlp",
            "category",
            "intent",
            "status",
            "attack_stage",
            "technique",
            "sector",
            "anonymous",
            "confidence",
            "actor",
            "campaign",
            "created",
            "occurred",
            "detected",
        ]

    def filter_text(self, queryset, name, value):
        """The words only: the lists narrow by visibility once, in `sharing.pages` (each
        text source still reads only what the reader may see)."""
        return text_match(queryset, value, reader=getattr(self.request, "user", None))

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

    def filter_actor(self, queryset, name, value):
        # A subquery on the link table: no join, so no duplicate rows.
        links = Incident.actors.through.objects.filter(threatactor_id=value)
        return queryset.filter(pk__in=links.values("incident_id"))

    def filter_campaign(self, queryset, name, value):
        links = Incident.campaigns.through.objects.filter(campaign_id=value)
        return queryset.filter(pk__in=links.values("incident_id"))

    def filter_sector(self, queryset, name, value):
        # ``sectors`` is a JSON list of choice values; the quoted value cannot match a part
        # of another one, and this reads the same on SQLite and PostgreSQL.
        return queryset.filter(sectors__icontains=f'"{value}"')
