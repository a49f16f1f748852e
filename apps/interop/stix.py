"""Renkei's shared content as STIX 2.1 objects (built with the `stix2` library).

The interface the exports and the TAXII server read (`apps.interop.taxii`). The caller has
already narrowed the items to what ``viewer`` may see through `apps.sharing`; these functions
decide only *how* an item is written — never *whether* it is shown — and never name the
source of an anonymous item (the community's secretariat identity instead).

Ids are deterministic: a Renkei object whose UUID is ``u`` is ``<stix-type>--u``; objects
derived from it (its identity, relationships, indicators without their own UUID) get UUIDv5
ids from it. ``modified`` moves when the item changes."""

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import stix2.v21 as stix
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, prefetch_related_objects
from django.urls import reverse
from stix2patterns.validator import validate as pattern_validate

from apps.communities.models import Community, Organization, Sector
from apps.discussions.models import Post, Thread
from apps.incidents.indicators import IndicatorType
from apps.incidents.models import AttackTechnique, Incident, Indicator, Sighting
from apps.incidents.selectors import indicators_visible_to, sightings_visible_to
from apps.interop.markings import TLP2_IDS, marking_definition, marking_ref
from apps.sharing.models import AudienceChange
from apps.sharing.selectors import visible_to
from apps.sharing.tlp import TLP

logger = logging.getLogger(__name__)

_LABEL_OF_TLP2 = {ref: label for label, ref in TLP2_IDS.items()}

# The namespace of every derived id (identities, relationships, attack-patterns without a
# MITRE id): fixed forever, or a re-export would duplicate instead of update.
NAMESPACE = uuid.UUID("5d6c1b2e-7a43-4f0e-9b55-3c1d2f7e8a90")
# ATT&CK reference data has no timestamps of its own here: one fixed version, older than
# MITRE's, so that a consumer holding MITRE's object keeps it.
ATTACK_CREATED = datetime(2017, 5, 31, 21, 30, tzinfo=UTC)
# How much of a discussion a note carries: the first posts, each cut short.
NOTE_POSTS = 5
NOTE_POST_CHARS = 500

_STIX_ID = re.compile(
    r"^([a-z0-9][a-z0-9-]*[a-z0-9])--([0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-"
    r"[0-9a-f]{12})$"
)

# STIX 2.1 industry-sector-ov for the portal's sectors (OTHER has none).
_SECTORS = {
    Sector.FINANCE: "financial-services",
    Sector.ICT: "telecommunications",
    Sector.ENERGY: "energy",
    Sector.GOVERNMENT: "government",
    Sector.MANUFACTURING: "manufacturing",
    Sector.HEALTHCARE: "healthcare",
    Sector.TRANSPORT: "transportation",
    Sector.EDUCATION: "education",
    Sector.SECURITY_VENDOR: "technology",
}

# A pattern per indicator type: (object path, STIX hash name). CVE ids are no observable:
# they become `vulnerability` objects instead.
_PATTERN_PATHS = {
    IndicatorType.IPV4: "ipv4-addr:value",
    IndicatorType.IPV6: "ipv6-addr:value",
    IndicatorType.DOMAIN: "domain-name:value",
    IndicatorType.URL: "url:value",
    IndicatorType.EMAIL: "email-addr:value",
    IndicatorType.FILE_NAME: "file:name",
    IndicatorType.MD5: "file:hashes.MD5",
    IndicatorType.SHA1: "file:hashes.'SHA-1'",
    IndicatorType.SHA256: "file:hashes.'SHA-256'",
}


@dataclass(frozen=True)
class StixEntry:
    """One STIX object (as a JSON-ready dict) and when this version of it was added to the
    portal — TAXII's ``date_added`` (the incident's ``updated_at`` for the incident, an
    indicator's or a sighting's ``created_at`` for those)."""

    object: dict
    date_added: datetime


@dataclass
class StixExport:
    """What `incident_export` wrote, and what it could not express (never an invalid
    object): ``skipped`` lists ``(indicator pk, type, reason)``."""

    entries: list[StixEntry] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)


def derived_id(stix_type: str, *sources) -> str:
    """A UUIDv5 id of ``stix_type`` from the ids it is derived from: the same every export."""
    name = "|".join([stix_type, *(str(source) for source in sources)])
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, name)}"


def _own_id(stix_type: str, stored: str, pk) -> str:
    """An item's id: the STIX id it was imported with when it is one of this type, else
    ``<type>--<pk>`` (a stored id of another type is kept as the seed of a derived one)."""
    match = _STIX_ID.match(stored or "")
    if match and match.group(1) == stix_type:
        return stored
    if stored:
        return derived_id(stix_type, stored)
    return f"{stix_type}--{pk}"


def incident_stix_id(incident: Incident) -> str:
    return _own_id("incident", incident.stix_id, incident.pk)


def organization_identity_id(organization: Organization) -> str:
    return derived_id("identity", "organization", organization.slug)


def secretariat_identity_id(community: Community) -> str:
    return derived_id("identity", "secretariat", community.slug)


def technique_stix_id(technique: AttackTechnique) -> str:
    return _own_id("attack-pattern", technique.stix_id, technique.id)


def escape_pattern_value(value: str) -> str:
    """A string literal of a STIX pattern: backslashes and single quotes escaped."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def indicator_pattern(kind: str, value: str) -> str | None:
    """The STIX pattern of an indicator, or None when its type has no observable or the
    pattern does not validate (`stix2patterns`)."""
    path = _PATTERN_PATHS.get(kind)
    if path is None:
        return None
    pattern = f"[{path} = '{escape_pattern_value(value)}']"
    valid, _errors = pattern_validate(pattern, ret_errs=True, print_errs=False)
    return pattern if valid else None


def _plain(obj) -> dict:
    return json.loads(obj.serialize())


def _later(*moments) -> datetime:
    return max(moment for moment in moments if moment is not None)


class _Builder:
    """Collects the objects of many incidents once each. A shared object (an identity, an
    attack-pattern) is marked with the least restrictive label among the exported incidents
    that refer to it: that label already discloses it."""

    def __init__(self):
        self.objects: dict[str, tuple[dict, datetime, TLP]] = {}
        self.order: list[str] = []

    def add(self, kwargs: dict, cls, label: TLP, date_added: datetime) -> str:
        stix_id = kwargs["id"]
        present = self.objects.get(stix_id)
        if present is not None:
            if label.rank >= present[2].rank:
                return stix_id
        else:
            self.order.append(stix_id)
        obj = _plain(cls(object_marking_refs=[marking_ref(label)], **kwargs))
        self.objects[stix_id] = (obj, date_added, label)
        return stix_id

    def entries(self) -> list[StixEntry]:
        return [StixEntry(object=self.objects[i][0], date_added=self.objects[i][1])
                for i in self.order]


def _last_audience_changes(incidents: list[Incident]) -> dict:
    """{incident pk: when its audience (label, recipients, anonymity) last changed} in one
    query: a label change saves only the label, not ``updated_at``, yet changes the object."""
    if not incidents:
        return {}
    rows = (
        AudienceChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Incident),
            object_id__in=[incident.pk for incident in incidents],
        )
        .values("object_id")
        .annotate(last=Max("changed_at"))
        .values_list("object_id", "last")
    )
    return dict(rows)


def _identity(builder: _Builder, incident: Incident, label: TLP) -> str:
    """The identity an incident is credited to: its source organisation, or the
    community's secretariat for an anonymous one — never the author's organisation, not
    even for the author or the secretariat (a bundle travels on)."""
    community = incident.community
    if incident.anonymous:
        kwargs = {
            "id": secretariat_identity_id(community),
            "created": community.created_at,
            "modified": community.created_at,
            "name": f"{community.name} secretariat",
            "identity_class": "organization",
            "description": "Relays items shared anonymously in this community.",
        }
    else:
        kwargs = _organization_identity(incident.author_organization)
    return builder.add(kwargs, stix.Identity, label, kwargs["created"])


def _organization_identity(organization: Organization) -> dict:
    kwargs = {
        "id": organization_identity_id(organization),
        "created": organization.created_at,
        "modified": organization.created_at,
        "name": organization.name,
        "identity_class": "organization",
    }
    if organization.name_en and organization.name_en != organization.name:
        kwargs["description"] = organization.name_en
    if organization.sector in _SECTORS:
        kwargs["sectors"] = [_SECTORS[organization.sector]]
    if organization.website:
        kwargs["contact_information"] = organization.website
    return kwargs


def _relationship(builder, kind: str, source: str, target: str, label: TLP, created, modified):
    kwargs = {
        "id": derived_id("relationship", source, kind, target),
        "created": created,
        "modified": modified,
        "relationship_type": kind,
        "source_ref": source,
        "target_ref": target,
    }
    return builder.add(kwargs, stix.Relationship, label, modified)


def _portal_url(incident: Incident) -> str:
    path = reverse("incidents:detail", args=[incident.community.slug, incident.pk])
    return settings.SITE_URL.rstrip("/") + path


def _indicator_objects(builder, result, incident, indicator, label, creator, version, ref):
    """An indicator (or, for a CVE id, a vulnerability) and its relationship to the
    incident."""
    modified = _later(indicator.created_at, version)
    if indicator.type == IndicatorType.CVE:
        kwargs = {
            "id": _own_id("vulnerability", indicator.stix_id, indicator.pk),
            "created": indicator.created_at,
            "modified": modified,
            "created_by_ref": creator,
            "name": indicator.value,
            "external_references": [{"source_name": "cve", "external_id": indicator.value}],
        }
        if indicator.note:
            kwargs["description"] = indicator.note
        target = builder.add(kwargs, stix.Vulnerability, label, modified)
        _relationship(builder, "related-to", ref, target, label, indicator.created_at, modified)
        return {}
    pattern = indicator_pattern(indicator.type, indicator.value)
    if pattern is None:
        result.skipped.append((str(indicator.pk), indicator.type, "no valid STIX pattern"))
        return {}
    valid_from = indicator.first_seen or indicator.created_at
    kwargs = {
        "id": _own_id("indicator", indicator.stix_id, indicator.pk),
        "created": indicator.created_at,
        "modified": modified,
        "created_by_ref": creator,
        "name": indicator.value,
        "indicator_types": ["malicious-activity"],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": valid_from,
    }
    if indicator.last_seen and indicator.last_seen > valid_from:
        kwargs["valid_until"] = indicator.last_seen
    if indicator.note:
        kwargs["description"] = indicator.note
    stix_id = builder.add(kwargs, stix.Indicator, label, modified)
    _relationship(builder, "indicates", stix_id, ref, label, indicator.created_at, modified)
    return {indicator.pk: stix_id}


def _sighting_object(builder, sighting, label, version, ref, indicator_ids):
    """A sighting of the incident (or of one of its indicators). The organisation is named
    only when it chose to show it; otherwise the sighting says only that someone saw it."""
    modified = _later(sighting.created_at, version)
    kwargs = {
        "id": f"sighting--{sighting.pk}",
        "created": sighting.created_at,
        "modified": modified,
        "sighting_of_ref": indicator_ids.get(sighting.indicator_id, ref),
        "first_seen": sighting.seen_at,
        "last_seen": sighting.seen_at,
        "count": 1,
    }
    if sighting.show_organization:
        organization = sighting.organization
        kwargs_who = _organization_identity(organization)
        who = builder.add(kwargs_who, stix.Identity, label, organization.created_at)
        kwargs["created_by_ref"] = who
        kwargs["where_sighted_refs"] = [who]
        if sighting.note:
            # Free text may name the organisation: only where it chose to be named.
            kwargs["description"] = sighting.note
    builder.add(kwargs, stix.Sighting, label, modified)


def _technique_object(builder, technique, label, ref, created, modified):
    kwargs = {
        "id": technique_stix_id(technique),
        "created": ATTACK_CREATED,
        "modified": ATTACK_CREATED,
        "name": technique.name,
        "external_references": [{
            "source_name": "mitre-attack",
            "external_id": technique.id,
            "url": "https://attack.mitre.org/techniques/" + technique.id.replace(".", "/") + "/",
        }],
    }
    phases = [{"kill_chain_name": "mitre-attack", "phase_name": tactic}
              for tactic in technique.tactic_list]
    if phases:
        kwargs["kill_chain_phases"] = phases
    target = builder.add(kwargs, stix.AttackPattern, label, ATTACK_CREATED)
    _relationship(builder, "uses", ref, target, label, created, modified)


def _named_object(builder, cls, stix_type: str, record, label, created, modified) -> str:
    """A threat actor or campaign named by an incident: its names only. The record's
    description is written for the community's members, while the incident's label may be
    wider (CLEAR), so it stays in the portal."""
    kwargs = {
        "id": f"{stix_type}--{record.pk}",
        "created": record.created_at,
        "modified": record.updated_at,
        "name": record.name,
    }
    aliases = [name for name in [record.name_en, *record.alias_list] if name]
    if aliases:
        kwargs["aliases"] = aliases
    return builder.add(kwargs, cls, label, record.updated_at)


def _attribution_objects(builder, incident, label, ref, version) -> None:
    """The threat actors and campaigns the incident names ("related-to" from the incident),
    and each campaign's actor ("attributed-to")."""
    for actor in incident.actors.all():
        target = _named_object(builder, stix.ThreatActor, "threat-actor", actor, label,
                               incident.created_at, version)
        _relationship(builder, "related-to", ref, target, label, incident.created_at, version)
    for campaign in incident.campaigns.all():
        target = _named_object(builder, stix.Campaign, "campaign", campaign, label,
                               incident.created_at, version)
        _relationship(builder, "related-to", ref, target, label, incident.created_at, version)
        if campaign.actor is not None:
            actor = _named_object(builder, stix.ThreatActor, "threat-actor", campaign.actor,
                                  label, incident.created_at, version)
            _relationship(builder, "attributed-to", target, actor, label,
                          campaign.created_at, campaign.updated_at)


def _discussions(incidents: list[Incident], viewer) -> dict:
    """{incident pk: [(thread, [posts])]} for the threads about these incidents that
    ``viewer`` may read (the thread's own audience decides), in two queries."""
    if not incidents:
        return {}
    threads = list(
        visible_to(viewer, Thread.objects.filter(incident__in=[i.pk for i in incidents]))
        .order_by("created_at", "pk")
    )
    if not threads:
        return {}
    posts: dict = {thread.pk: [] for thread in threads}
    for post in (
        Post.objects.filter(thread__in=[t.pk for t in threads], deleted=False,
                            redacted_at__isnull=True)
        .only("pk", "thread_id", "body", "created_at")
        .order_by("created_at", "pk")
    ):
        if len(posts[post.thread_id]) < NOTE_POSTS:
            posts[post.thread_id].append(post)
    found: dict = {}
    for thread in threads:
        found.setdefault(thread.incident_id, []).append((thread, posts[thread.pk]))
    return found


def _note_object(builder, thread, posts, incident_label, ref, version):
    """A note of a discussion's first posts, naming nobody (an anonymous thread's author
    must stay hidden). Marked with the stricter of the thread's and the incident's label:
    a note must never travel further than its thread."""
    if not posts:
        return
    label = max(TLP(thread.tlp), incident_label, key=lambda item: item.rank)
    excerpts = []
    for post in posts:
        text = post.body.strip()
        if len(text) > NOTE_POST_CHARS:
            text = text[:NOTE_POST_CHARS].rstrip() + "…"
        excerpts.append(f"[{post.created_at:%Y-%m-%d %H:%M} UTC]\n{text}")
    last = max(post.created_at for post in posts)
    modified = _later(thread.created_at, last, version)
    kwargs = {
        "id": f"note--{thread.pk}",
        "created": thread.created_at,
        "modified": modified,
        "abstract": thread.title,
        "content": "\n\n".join(excerpts),
        "object_refs": [ref],
    }
    builder.add(kwargs, stix.Note, label, modified)


def incident_export(incidents, viewer) -> StixExport:
    """`incident_entries`, with what could not be expressed. A fixed number of queries
    whatever the number of incidents."""
    incidents = list(incidents)
    result = StixExport()
    if not incidents:
        return result
    # Reads through the domain selectors, which start from `sharing.visible_to`.
    prefetch_related_objects(incidents, "community", "author_organization", "techniques",
                             "actors", "campaigns__actor")
    pks = [incident.pk for incident in incidents]
    indicators: dict = {pk: [] for pk in pks}
    for indicator in indicators_visible_to(viewer, Indicator.objects.filter(incident_id__in=pks)
                                           ).order_by("incident_id", "type", "value"):
        indicators[indicator.incident_id].append(indicator)
    sightings: dict = {pk: [] for pk in pks}
    for sighting in (
        sightings_visible_to(viewer, Sighting.objects.filter(incident_id__in=pks))
        .select_related("organization").order_by("seen_at", "pk")
    ):
        sightings[sighting.incident_id].append(sighting)
    discussions = _discussions(incidents, viewer)
    changes = _last_audience_changes(incidents)

    builder = _Builder()
    for incident in incidents:
        label = TLP(incident.tlp)
        # What the object says changes with the text (updated_at) and with the audience
        # (label, anonymity), which is saved without touching updated_at.
        version = _later(incident.created_at, incident.updated_at, changes.get(incident.pk))
        creator = _identity(builder, incident, label)
        ref = incident_stix_id(incident)
        kwargs = {
            "id": ref,
            "created": incident.created_at,
            "modified": version,
            "created_by_ref": creator,
            "name": incident.title,
            "external_references": [{
                "source_name": "renkei",
                "url": _portal_url(incident),
                "external_id": str(incident.pk),
            }],
        }
        if incident.summary:
            kwargs["description"] = incident.summary
        builder.add(kwargs, stix.Incident, label, version)
        indicator_ids: dict = {}
        for indicator in indicators[incident.pk]:
            indicator_ids.update(_indicator_objects(
                builder, result, incident, indicator, label, creator, version, ref))
        for technique in incident.techniques.all():
            _technique_object(builder, technique, label, ref, incident.created_at, version)
        _attribution_objects(builder, incident, label, ref, version)
        for sighting in sightings[incident.pk]:
            _sighting_object(builder, sighting, label, version, ref, indicator_ids)
        for thread, posts in discussions.get(incident.pk, ()):
            _note_object(builder, thread, posts, label, ref, version)
    result.entries = builder.entries()
    if result.skipped:
        logger.info("STIX export skipped %d indicator(s) without a valid pattern",
                    len(result.skipped))
    return result


def incident_entries(incidents, viewer) -> list[StixEntry]:
    """The STIX objects of ``incidents`` (already visible to ``viewer``), each with its TLP
    2.0 marking: identities, incident, indicators, attack-patterns, threat actors and
    campaigns (names only), sightings, notes,
    relationships — without duplicates across incidents. Marking-definition objects are not
    entries: `bundle` adds the ones used."""
    return incident_export(incidents, viewer).entries


def bundle(entries: Iterable) -> dict:
    """A STIX 2.1 bundle of ``entries`` (StixEntry or plain dicts), with the TLP 2.0
    marking-definition objects they reference."""
    objects = [entry.object if isinstance(entry, StixEntry) else entry for entry in entries]
    used = []
    for obj in objects:
        for ref in obj.get("object_marking_refs", ()):
            if ref not in used:
                used.append(ref)
    markings = [marking_definition(_LABEL_OF_TLP2[ref]) for ref in used if ref in _LABEL_OF_TLP2]
    present = {obj["id"] for obj in objects}
    everything = [m for m in markings if m["id"] not in present] + objects
    # The same objects in the same versions give the same bundle id.
    digest = hashlib.sha256(
        "\n".join(f"{obj['id']}|{obj.get('modified', '')}" for obj in everything).encode()
    ).hexdigest()
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid5(NAMESPACE, digest)}",
        "objects": everything,
    }
