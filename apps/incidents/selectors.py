"""Reads on incidents and what hangs off them. Everything starts from
`apps.sharing.selectors.visible_to`: an indicator, sighting or piece of feedback is visible
exactly when its incident is.

Each selector returns a queryset (or a page's data) in a fixed number of queries, whatever
the number of rows.
"""

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.incidents.indicators import IndicatorType, indicator_candidates, indicator_normalize
from apps.incidents.models import (
    AttackTechnique,
    FeedbackAction,
    Incident,
    IncidentView,
    Indicator,
    Sighting,
    UsageFeedback,
)
from apps.sharing.exposure import refang
from apps.sharing.selectors import visible_to


def incidents_visible_to(user) -> QuerySet[Incident]:
    """The incidents ``user`` may see, with what a list shows (community, source, techniques,
    recipients) fetched in a fixed number of queries."""
    return (
        visible_to(user, Incident.objects.all())
        .select_related("community", "author_organization")
        .prefetch_related("techniques", "recipient_organizations", "recipient_users")
    )


def _visible_incident_ids(user, incidents: QuerySet | None = None) -> QuerySet:
    return visible_to(user, incidents if incidents is not None else Incident.objects.all()).values(
        "pk"
    )


def indicators_visible_to(user, queryset: QuerySet | None = None) -> QuerySet[Indicator]:
    """Indicators of the incidents ``user`` may see."""
    queryset = queryset if queryset is not None else Indicator.objects.all()
    return queryset.filter(incident_id__in=_visible_incident_ids(user))


def sightings_visible_to(user, queryset: QuerySet | None = None) -> QuerySet[Sighting]:
    """Sightings of the incidents (and their indicators) ``user`` may see."""
    queryset = queryset if queryset is not None else Sighting.objects.all()
    return queryset.filter(incident_id__in=_visible_incident_ids(user))


def feedback_visible_to(user, queryset: QuerySet | None = None) -> QuerySet[UsageFeedback]:
    """Usage feedback on the incidents ``user`` may see."""
    queryset = queryset if queryset is not None else UsageFeedback.objects.all()
    return queryset.filter(incident_id__in=_visible_incident_ids(user))


def indicator_lookup(*, user, value: str, type: str | None = None) -> QuerySet[Indicator]:
    """ "Has anyone in my communities reported this value?" — the matching indicators among
    those ``user`` may see, newest first. The query is refanged and normalised first (with
    ``type``, as that type only; without, as every type it can be read as). A value that is
    nothing at all matches nothing."""
    text = refang(str(value)).strip()
    if type:
        try:
            pairs = [(type, indicator_normalize(type, text))]
        except (ValueError, ValidationError):  # an unknown type, or not such a value
            pairs = []
    else:
        pairs = indicator_candidates(text)
        # A bare word is only ever a file name: look it up as one, as written.
        pairs = [pair for pair in pairs if pair[0] != IndicatorType.FILE_NAME] or pairs
    if not pairs:
        return Indicator.objects.none()
    match = Q()
    for kind, normal in pairs:
        match |= Q(type=kind, value=normal)
    return (
        indicators_visible_to(user, Indicator.objects.filter(match))
        .select_related("incident", "incident__community", "incident__author_organization")
        .order_by("-created_at", "pk")
    )


def sighting_counts(incident_ids, *, false_positive: bool = False) -> dict:
    """{incident pk: number of distinct organisations that sighted it or one of its
    indicators} in one query; false positives are counted apart (``false_positive=True``
    counts only those)."""
    rows = (
        Sighting.objects.filter(incident_id__in=incident_ids, false_positive=false_positive)
        .values("incident_id")
        .annotate(n=Count("organization_id", distinct=True))
    )
    return {row["incident_id"]: row["n"] for row in rows}


def indicator_sighting_counts(indicator_ids) -> dict:
    """{indicator pk: (organisations that saw it, organisations that found it a false
    positive)} in one query — "seen by N organisations" per indicator."""
    rows = (
        Sighting.objects.filter(indicator_id__in=indicator_ids)
        .values("indicator_id")
        .annotate(
            seen=Count("organization_id", distinct=True, filter=Q(false_positive=False)),
            false=Count("organization_id", distinct=True, filter=Q(false_positive=True)),
        )
    )
    return {row["indicator_id"]: (row["seen"], row["false"]) for row in rows}


def _count(queryset: QuerySet, field: str = "pk", distinct: bool = False):
    """A correlated COUNT subquery (no GROUP BY on the outer query, so no duplicates)."""
    counted = (
        queryset.order_by()
        .values("incident_id")
        .annotate(n=Count(field, distinct=distinct))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """Annotate each incident with ``indicator_count``, ``sighting_count`` (organisations)
    and ``feedback_count`` — subqueries, so a page still costs one query."""
    here = OuterRef("pk")
    return queryset.annotate(
        indicator_count=_count(Indicator.objects.filter(incident_id=here)),
        sighting_count=_count(
            Sighting.objects.filter(incident_id=here, false_positive=False),
            "organization_id",
            distinct=True,
        ),
        feedback_count=_count(UsageFeedback.objects.filter(incident_id=here)),
    )


def sharing_achievements(author) -> QuerySet[Incident]:
    """ "What my sharing achieved": every incident ``author`` shared (and still sees), newest
    first, annotated with ``viewed_by_count`` (organisations other than the author's that
    opened it), ``sighting_count`` (organisations that saw it too, on the incident or its
    indicators), ``sighting_total`` (sightings), and ``feedback_<action>`` for each
    FeedbackAction plus ``feedback_count``. Two queries for any page of it (the author's
    audiences, then the items); read the feedback as a dict with
    `achievement_feedback(incident)`."""
    here = OuterRef("pk")
    feedback = {
        f"feedback_{action.value}": _count(
            UsageFeedback.objects.filter(incident_id=here, action=action)
        )
        for action in FeedbackAction
    }
    return (
        visible_to(author, Incident.objects.filter(author_id=author.pk))
        .select_related("community")
        .annotate(
            viewed_by_count=_count(
                IncidentView.objects.filter(incident_id=here).exclude(
                    organization_id=OuterRef("author_organization_id")
                ),
                "organization_id",
                distinct=True,
            ),
            sighting_count=_count(
                Sighting.objects.filter(incident_id=here), "organization_id", distinct=True
            ),
            sighting_total=_count(Sighting.objects.filter(incident_id=here)),
            feedback_count=_count(UsageFeedback.objects.filter(incident_id=here)),
            **feedback,
        )
        .order_by("-created_at", "pk")
    )


def viewed_by_count(incident: Incident) -> int:
    """Organisations other than the author's that opened the incident: the author's view of
    one item, the same count as `sharing_achievements` gives for all of them."""
    return (
        IncidentView.objects.filter(incident=incident)
        .exclude(organization_id=incident.author_organization_id)
        .values("organization_id")
        .distinct()
        .count()
    )


def achievement_feedback(incident: Incident) -> dict[str, int]:
    """{action: count} from an incident of `sharing_achievements` (no query)."""
    return {
        action.value: getattr(incident, f"feedback_{action.value}", 0) for action in FeedbackAction
    }


def techniques_for_picker(*, include_deprecated: bool = False) -> QuerySet[AttackTechnique]:
    """The ATT&CK techniques a picker offers (id and name). The catalogue is loaded by
    migrate (`apps.incidents.attack.catalogue_after_migrate`), never here: a read only reads."""
    queryset = AttackTechnique.objects.all()
    return queryset if include_deprecated else queryset.filter(deprecated=False)
