"""Query-string filter pieces every app's FilterSets share."""

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField


class MomentField(IsoDateTimeField):
    """An ISO 8601 moment, turned into UTC: a client may write any offset up to ±23:59,
    and PostgreSQL refuses a timestamp whose offset passes ±15:59 (a server error)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
            moment = moment.astimezone(datetime.UTC)
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


def community_filter(**extra) -> django_filters.CharFilter:
    """``?community=<slug>``: only what that community owns."""
    extra.setdefault("label", _("Slug of the community"))
    return django_filters.CharFilter(field_name="community__slug", **extra)


class CommunityScopedFilterSet(django_filters.FilterSet):
    """The base of every FilterSet over what a community owns (the tenant key of DESIGN.md):
    ``?community=<slug>`` narrows to one community. Like every filter, it only narrows a
    queryset the view has already limited to what the caller may see."""

    community = community_filter()

    def audience_scope(self) -> dict:
        """What the (valid) filter says of the items' communities and labels, for
        `apps.sharing.selectors.Reach.narrowed`: a list then walks only the audiences that
        can hold such items."""
        from apps.communities.models import Community

        data, scope = self.form.cleaned_data, {}
        if slug := data.get("community"):
            scope["communities"] = list(Community.objects.filter(slug=slug)
                                        .values_list("pk", flat=True))
        if labels := data.get("tlp"):
            scope["labels"] = [labels] if isinstance(labels, str) else list(labels)
        return scope
