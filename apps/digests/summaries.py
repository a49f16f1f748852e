"""The inter-ISAC summary: every two months, per federation, what each of its ISACs saw.

Periods are two calendar months in Japan's time, starting in February, April, June, August,
October and December ("2026-04" is April–May 2026); each is summarised the day after it ends.
A summary (`Summary`, unique per federation and period) holds a versioned JSON document:

- per community, how many incidents were shared, by category, intent, sector and ATT&CK
  technique, for this period and the one before (the trend) — counts of *every* label, since
  a count tells no content, unless the community's secretariat switched counting off
  (`Community.counts_in_federation_summary`);
- the TLP:GREEN and TLP:CLEAR items their authors shared with the federation, as the
  federation itself may read them (`apps.sharing.selectors.visible_to` with the federation's
  audience), their source never named when they were shared anonymously;
- corroboration (裏取り): indicator values reported in more than one community during the
  period, with how many communities and organisations saw them — the value itself only when
  every item that reported it is one the federation may read, otherwise the counts alone.

What is stored is a snapshot; what is *served* (page, JSON, e-mail) is that snapshot narrowed
again by `sharing` at the moment it is read (`summary_document`): an item whose label was
raised or whose federation was withdrawn since drops out, a corroborated value it supported
falls back to its counts, and a source made anonymous since is no longer named.
"""

from __future__ import annotations

import copy
import datetime
import html
import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, UUIDField, Value
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from apps.communities.groups import federation_group
from apps.communities.models import Community, Federation, Sector
from apps.digests.models import DeliveryStatus, Summary, SummaryDelivery, interrupted_claims
from apps.incidents.models import AttackTechnique, Incident, Indicator, Sighting
from apps.sharing.audience import FEDERATION
from apps.sharing.selectors import Reach, reach_of, source_organizations, visible_to
from apps.sharing.tlp import TLP
from portal.markdown import render_markdown

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
FIRST_MONTHS = (2, 4, 6, 8, 10, 12)  # periods: Feb–Mar, Apr–May, …, Dec–Jan
DOCUMENT_VERSION = 1
EXCERPT_CHARS = 160
FEDERATED_LABELS = (TLP.CLEAR, TLP.GREEN)
DIMENSIONS = ("category", "intent", "sector", "technique")

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    """Two calendar months in Japan's time, named by the first: ``Period(2026, 4)`` is
    April–May 2026, "2026-04"."""

    year: int
    month: int

    def __post_init__(self):
        if self.month not in FIRST_MONTHS:
            raise ValueError(f"{self.month} does not start a period")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def starts_at(self) -> datetime.datetime:
        return datetime.datetime(self.year, self.month, 1, tzinfo=TOKYO)

    @property
    def ends_at(self) -> datetime.datetime:
        """The first moment after it (the start of the next period)."""
        return self.next.starts_at

    @property
    def next(self) -> Period:
        return Period(self.year + 1, 2) if self.month == 12 else Period(self.year, self.month + 2)

    @property
    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 2 else Period(self.year, self.month - 2)

    def label(self) -> str:
        """"April 2026 – May 2026" / "2026年4月 – 2026年5月", in the active language."""
        last = self.ends_at - datetime.timedelta(days=1)
        return f"{date_format(self.starts_at, 'YEAR_MONTH_FORMAT')} – " \
               f"{date_format(last, 'YEAR_MONTH_FORMAT')}"


def period_of(moment: datetime.datetime) -> Period:
    """The period containing ``moment`` (read in Japan's time)."""
    local = moment.astimezone(TOKYO)
    if local.month == 1:
        return Period(local.year - 1, 12)
    return Period(local.year, local.month - local.month % 2)


def period_last_finished(now: datetime.datetime | None = None) -> Period:
    """The latest period that has ended: the one a summary is built for."""
    return period_of(now or timezone.now()).previous


def period_parse(text: str) -> Period:
    """"2026-04" → Period(2026, 4). A malformed value, or a month that does not start a
    period, is refused with a message saying which months do."""
    match = _PERIOD.match(str(text).strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValidationError(
            _("%(period)s is not a period: give its first month as YYYY-MM, e.g. 2026-04."),
            code="period", params={"period": text})
    year, month = int(match[1]), int(match[2])
    if month not in FIRST_MONTHS:
        suggestion = period_of(datetime.datetime(year, month, 15, tzinfo=TOKYO))
        raise ValidationError(
            _("%(period)s does not start a period: periods are two months long and start in "
              "February, April, June, August, October and December (try %(suggestion)s)."),
            code="period", params={"period": text, "suggestion": str(suggestion)})
    return Period(year, month)


# --- who reads it -------------------------------------------------------------------------------


def _federation_reach(federation: Federation) -> Reach:
    """The federation as a reader, for `sharing`: the audience rows of its group (TLP:GREEN
    shared with it) and the public ones (TLP:CLEAR). It is nobody: user id 0 names no one and
    no community makes a user grant count."""
    group_id = federation.group_id or federation_group(federation).pk
    return Reach(user_id=0, group_ids=(group_id,), groups=((group_id, FEDERATION, None),),
                 federations=1)


def _federation_items(federation: Federation, incidents: QuerySet) -> QuerySet[Incident]:
    """Among ``incidents``, those the federation may read and that their authors shared with
    it: `sharing` decides who may read; the flag and the label say the author opted in
    (TLP:CLEAR is public whether federated or not, and only what was opted in is summarised)."""
    return visible_to(None, incidents.filter(federated=True, tlp__in=FEDERATED_LABELS),
                      reach=_federation_reach(federation))


def summary_readable_by(user, federation: Federation) -> bool:
    """Whether ``user`` may read the federation's summaries: an active member of one of its
    communities now — the very audience of TLP:GREEN shared with the federation, as `sharing`
    reads it (`reach_of`). A liaison reads them as such a member; a liaison who is no longer
    one reads nothing, and is no longer e-mailed."""
    if user is None or not user.is_authenticated or federation.group_id is None:
        return False
    return federation.group_id in reach_of(user).group_ids


def federations_readable_by(user) -> QuerySet[Federation]:
    """The federations whose summaries ``user`` may read (`summary_readable_by`)."""
    if user is None or not user.is_authenticated:
        return Federation.objects.none()
    return Federation.objects.filter(group_id__in=reach_of(user).group_ids)


# --- building -------------------------------------------------------------------------------


def _names(obj) -> dict[str, str]:
    return {"slug": obj.slug, "name": obj.name, "name_en": obj.name_en}


def _excerpt(markdown_text: str) -> str:
    """The first words of a Markdown text, as plain text."""
    text = html.unescape(strip_tags(render_markdown(markdown_text)))
    return Truncator(" ".join(text.split())).chars(EXCERPT_CHARS)


def _empty_counts() -> dict[str, Any]:
    return {"total": 0, **{dimension: {} for dimension in DIMENSIONS}}


def _counts(community_ids: list[int], period: Period) -> tuple[dict, dict]:
    """({community id: counts this period}, {community id: counts the period before}) in four
    grouped queries, whatever the number of communities and incidents."""
    previous = period.previous
    scope = Incident.objects.filter(community_id__in=community_ids,
                                    created_at__gte=previous.starts_at,
                                    created_at__lt=period.ends_at).order_by()
    now_ = Q(created_at__gte=period.starts_at)
    then = Q(created_at__lt=period.starts_at)
    current = {pk: _empty_counts() for pk in community_ids}
    before = {pk: _empty_counts() for pk in community_ids}

    def add(community_id, dimension, key, n_now, n_then):
        for counts, n in ((current, n_now), (before, n_then)):
            if n:
                counts[community_id][dimension][key] = n
                if dimension == "category":  # every incident has exactly one category
                    counts[community_id]["total"] += n

    for dimension in ("category", "intent"):
        rows = scope.values("community_id", dimension).annotate(
            n_now=Count("pk", filter=now_), n_then=Count("pk", filter=then))
        for row in rows:
            add(row["community_id"], dimension, row[dimension], row["n_now"], row["n_then"])
    # Sectors are a JSON list: one conditional count per sector and period, in one query.
    # The quoted value is matched in the list's text, which every database can do.
    sector_counts = {}
    for sector in Sector.values:
        has = Q(sectors__icontains=f'"{sector}"')
        sector_counts[f"now_{sector}"] = Count("pk", filter=has & now_)
        sector_counts[f"then_{sector}"] = Count("pk", filter=has & then)
    for row in scope.values("community_id").annotate(**sector_counts):
        for sector in Sector.values:
            add(row["community_id"], "sector", sector, row[f"now_{sector}"],
                row[f"then_{sector}"])
    through = Incident.techniques.through.objects.filter(
        incident__in=scope.values("pk")).order_by()
    rows = through.values(community_id=F("incident__community_id"),
                          technique=F("attacktechnique_id")).annotate(
        n_now=Count("pk", filter=Q(incident__created_at__gte=period.starts_at)),
        n_then=Count("pk", filter=Q(incident__created_at__lt=period.starts_at)))
    for row in rows:
        add(row["community_id"], "technique", row["technique"], row["n_now"], row["n_then"])
    return current, before


def _items(federation: Federation, community_ids: list[int], period: Period) -> list[dict]:
    """The items shared with the federation during the period, oldest first. An anonymous
    item's source is read as a signed-out visitor would: never named."""
    incidents = list(
        _federation_items(federation, Incident.objects.filter(
            community_id__in=community_ids, created_at__gte=period.starts_at,
            created_at__lt=period.ends_at))
        .select_related("community", "author_organization").order_by("created_at", "pk"))
    sources = source_organizations(incidents, AnonymousUser())
    return [{
        "id": str(incident.pk),
        "community": incident.community.slug,
        "title": incident.title,
        "tlp": incident.tlp,
        "category": incident.category,
        "excerpt": _excerpt(incident.summary),
        "created_at": incident.created_at.isoformat(),
        "source": _names(sources[incident.pk]) if sources[incident.pk] else None,
        "url": reverse("incidents:detail", args=[incident.community.slug, incident.pk]),
    } for incident in incidents]


def _corroboration(federation: Federation, community_ids: list[int], counted_ids: list[int],
                   period: Period) -> dict:
    """Indicator values reported in more than one community during the period, in two
    queries. A community that switched counting off adds only what its members shared with
    the federation. A value is named only when every item that reported it is one the
    federation may read; otherwise only its counts are kept — and listed apart, ordered by
    the counts alone, so that not even its place among the named values tells anything."""
    shared = _federation_items(federation, Incident.objects.filter(
        community_id__in=community_ids)).values("pk")
    scope = Indicator.objects.filter(
        Q(community_id__in=counted_ids) | Q(incident_id__in=shared),
        community_id__in=community_ids,
        created_at__gte=period.starts_at, created_at__lt=period.ends_at,
    ).order_by()
    elsewhere = scope.filter(type=OuterRef("type"), value=OuterRef("value")).exclude(
        community_id=OuterRef("community_id"))
    corroborated = scope.filter(Exists(elsewhere))
    groups = corroborated.values("type", "value").annotate(
        communities=Count("community_id", distinct=True),
        withheld=Count("pk", filter=~Q(incident_id__in=shared)),
    )
    # Who saw each value: the organisations that reported it and those that sighted it then.
    reported = corroborated.values_list("type", "value", "incident__author_organization_id",
                                        "incident_id")
    sighted = Sighting.objects.filter(
        indicator__in=corroborated, created_at__gte=period.starts_at,
        created_at__lt=period.ends_at,
    ).order_by().values_list("indicator__type", "indicator__value", "organization_id",
                             Value(None, output_field=UUIDField()))
    organizations, incidents = defaultdict(set), defaultdict(set)
    for kind, value, organization_id, incident_id in reported.union(sighted):
        organizations[kind, value].add(organization_id)
        if incident_id is not None:
            incidents[kind, value].add(str(incident_id))
    named, counted = [], []
    for row in groups:
        key = (row["type"], row["value"])
        entry = {"communities": row["communities"], "organizations": len(organizations[key])}
        if row["withheld"]:
            counted.append(entry)
        else:
            named.append({"type": key[0], "value": key[1], **entry,
                          "incidents": sorted(incidents[key])})
    return {"values": _named_order(named), "others": _counted_order(counted)}


def _named_order(values: list[dict]) -> list[dict]:
    return sorted(values, key=lambda v: (-v["communities"], -v["organizations"], v["type"],
                                         v["value"]))


def _counted_order(values: list[dict]) -> list[dict]:
    return sorted(values, key=lambda v: (-v["communities"], -v["organizations"]))


def summary_data(federation: Federation, period: Period) -> dict:
    """The document of one federation and period (see the module's docstring), built in a
    fixed number of queries whatever the number of communities, incidents and indicators."""
    communities = list(Community.objects.filter(federations=federation).order_by("slug"))
    all_ids = [c.pk for c in communities]
    counted_ids = [c.pk for c in communities if c.counts_in_federation_summary]
    current, before = _counts(counted_ids, period) if counted_ids else ({}, {})
    technique_ids = {technique for counts in (*current.values(), *before.values())
                     for technique in counts["technique"]}
    techniques = dict(AttackTechnique.objects.filter(pk__in=technique_ids)
                      .values_list("pk", "name")) if technique_ids else {}
    return {
        "version": DOCUMENT_VERSION,
        "federation": _names(federation),
        "period": {"id": str(period), "starts_at": period.starts_at.isoformat(),
                   "ends_at": period.ends_at.isoformat(), "previous": str(period.previous)},
        "communities": [{
            **_names(community),
            "counted": community.counts_in_federation_summary,
            "counts": current.get(community.pk),
            "previous": before.get(community.pk),
        } for community in communities],
        "techniques": techniques,
        "items": _items(federation, all_ids, period),
        "corroboration": _corroboration(federation, all_ids, counted_ids, period),
    }


@transaction.atomic
def summary_build(federation: Federation, period: Period | str) -> Summary:
    """Build (or rebuild in place) the federation's summary of ``period``: one row per
    federation and period whatever the number of runs, and the same document for the same
    data."""
    if not isinstance(period, Period):
        period = period_parse(period)
    summary, _created = Summary.objects.update_or_create(
        federation=federation, period=str(period),
        defaults={"starts_at": period.starts_at, "ends_at": period.ends_at,
                  "data": summary_data(federation, period), "built_at": timezone.now()},
    )
    return summary


# --- reading --------------------------------------------------------------------------------


def summary_document(summary: Summary) -> dict:
    """The stored document narrowed by `sharing` now, in one query: the items the federation
    may still read, with their current label, title, excerpt and source (an anonymous one
    never named); a named value whose items are no longer all readable keeps its counts
    only."""
    data = copy.deepcopy(summary.data)
    corroboration = data.setdefault("corroboration", {"values": [], "others": []})
    wanted = {item["id"] for item in data.get("items", ())}
    wanted |= {pk for value in corroboration["values"] for pk in value["incidents"]}
    live = {}
    if wanted:
        incidents = _federation_items(summary.federation, Incident.objects.filter(
            pk__in=wanted)).select_related("author_organization")
        live = {str(incident.pk): incident for incident in incidents}
    sources = source_organizations(live.values(), AnonymousUser())
    items = []
    for item in data.get("items", ()):
        incident = live.get(item["id"])
        if incident is None:
            continue
        source = sources[incident.pk]
        items.append({**item, "title": incident.title, "tlp": incident.tlp,
                      "excerpt": _excerpt(incident.summary),
                      "source": _names(source) if source else None})
    data["items"] = items
    named, counted = [], list(corroboration["others"])
    for value in corroboration["values"]:
        if all(pk in live for pk in value["incidents"]):
            named.append(value)
        else:
            counted.append({"communities": value["communities"],
                            "organizations": value["organizations"]})
    data["corroboration"] = {"values": named, "others": _counted_order(counted)}
    return data


def summary_for(federation: Federation, period: str) -> Summary | None:
    return Summary.objects.select_related("federation").filter(
        federation=federation, period=period).first()


# --- e-mail ---------------------------------------------------------------------------------


def summary_recipients(summary: Summary) -> list[int]:
    """The liaisons of the summary's federation who may read it now."""
    federation = summary.federation
    return [user.pk for user in federation.liaisons.filter(is_active=True).order_by("pk")
            if summary_readable_by(user, federation)]


def summary_send_all(summary: Summary) -> int:
    """One e-mail job per liaison, enqueued once the build is committed (each sends at most
    once: `summary_send`)."""
    from apps.digests.tasks.summaries import send_federation_summary

    recipients = summary_recipients(summary)
    for user_id in recipients:
        transaction.on_commit(
            lambda user_id=user_id: send_federation_summary.delay(summary.pk, user_id),
            robust=True)
    return len(recipients)


def summary_claim(summary_id: int, user_id: int) -> SummaryDelivery | None:
    """Claim the e-mail of one summary to one liaison, or None when it was sent already or
    another worker holds it: a new row, a failed one (retried), or one claimed so long ago
    that its worker must have died."""
    now = timezone.now()
    delivery, created = SummaryDelivery.objects.get_or_create(
        summary_id=summary_id, user_id=user_id,
        defaults={"status": DeliveryStatus.CLAIMED, "claimed_at": now, "attempts": 1})
    if created:
        return delivery
    takeable = Q(status=DeliveryStatus.FAILED) | interrupted_claims(now)
    taken = SummaryDelivery.objects.filter(takeable, pk=delivery.pk).update(
        status=DeliveryStatus.CLAIMED, claimed_at=now, attempts=F("attempts") + 1)
    if not taken:
        return None
    delivery.refresh_from_db()
    return delivery


def summary_email(summary: Summary, user) -> EmailMultiAlternatives:
    """The summary for one liaison, in their language and time zone: text and HTML, with the
    same content as the page (no chart: mail readers do not show SVG reliably)."""
    from apps.digests.summary_views import summary_context

    base = settings.SITE_URL.rstrip("/")
    with translation.override(user.language), timezone.override(user.time_zone):
        context = {**summary_context(summary, summary_document(summary), charts=False),
                   "user": user, "base_url": base,
                   "page_url": base + reverse("digests:summary_detail",
                                              args=[summary.federation.slug, summary.period])}
        subject = " ".join(render_to_string("digests/summaries/email_subject.txt",
                                            context).split())
        body = render_to_string("digests/summaries/email.txt", context)
        html_body = render_to_string("digests/summaries/email.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[user.email])
    message.attach_alternative(html_body, "text/html")
    return message


def summary_send(summary_id: int, user_id: int) -> str:
    """E-mail one summary to one liaison, once: claimed before it is handed to the mail
    server, marked sent after. A failure is recorded on the row (status failed, the error)
    and raised, so that the job is retried with back-off (`portal.jobs.MAIL_RETRY`) and the
    retry claims the row again."""
    summary = Summary.objects.select_related("federation").filter(pk=summary_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if summary is None or user is None or not summary_readable_by(user, summary.federation):
        return "skipped"
    delivery = summary_claim(summary_id, user_id)
    if delivery is None:
        return "already"
    try:
        summary_email(summary, user).send()
    except Exception as error:
        SummaryDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        raise
    SummaryDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), error="")
    return "sent"


def summaries_build_due(now: datetime.datetime | None = None) -> list[Summary]:
    """Every federation's summary of the period that has just ended (the scheduled job)."""
    period = period_last_finished(now)
    return [summary_build(federation, period) for federation in Federation.objects.order_by("pk")]
