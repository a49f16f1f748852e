"""Query-string filters of the discussion API. They only narrow what the caller may already
see (the viewsets start from `apps.sharing`); none can widen it."""

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.discussions.models import Post, Thread
from apps.incidents.models import Incident
from apps.sharing.selectors import visible_to
from apps.sharing.tlp import TLP
from portal.filters import CommunityScopedFilterSet, MomentFilter


class ThreadFilter(CommunityScopedFilterSet):
    tlp = django_filters.ChoiceFilter(choices=TLP.choices, label=_("TLP label"))
    incident = django_filters.UUIDFilter(
        method="filter_incident", label=_("Id of the incident the threads discuss")
    )
    active_since = MomentFilter(
        field_name="last_post_at", lookup_expr="gte", label=_("Last post at or after")
    )

    class Meta:
        model = Thread
        fields = ["community", "tlp", "incident", "active_since"]

    def filter_incident(self, queryset, name, value):
        """Only through an incident the caller may see: a hidden incident's id must answer
        exactly like an id that does not exist (an empty list), or the filter would tell
        which visible threads discuss it."""
        user = getattr(self.request, "user", None)
        visible = visible_to(user, Incident.objects.filter(pk=value), few=True).values("pk")
        return queryset.filter(incident_id__in=visible)


class PostFilter(CommunityScopedFilterSet):
    thread = django_filters.UUIDFilter(field_name="thread_id", label=_("Id of the thread"))
    since = MomentFilter(
        field_name="created_at", lookup_expr="gte", label=_("Posted at or after")
    )

    class Meta:
        model = Post
        fields = ["thread", "community", "since"]
