"""TAXII writes (Add Objects): indicators and sightings posted into a community's collection,
shared as the member's organisation through `apps.incidents.services` — the audience rules,
the author's rights and the victim-data check are theirs, not repeated here.

Where a posted indicator goes:
- to an incident the member may edit (its author, or the secretariat), when the envelope
  holds an ``indicates`` relationship from the indicator to that incident (``incident--…``);
- otherwise into one new incident per envelope and label, shared by the member as
  `incident_create` does on the web (TLP:AMBER: every member organisation).

The label is read from each object's TLP marking (TLP 2.0 or 1.0). No marking: refused.
TLP:RED: refused (RED names people, chosen on the web). A label stricter than the incident
it would join: refused (the incident's audience is wider than the sender allowed).

A value the victim-data check flags is not shared: it is held in an `ImportDraft` (source
"taxii") that its author confirms or discards on the web, and the status lists it among the
``pendings``. Each object succeeds or fails on its own; what fails leaves nothing behind."""

import uuid
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.incidents.indicators import indicator_normalize
from apps.incidents.models import Category, Incident, Indicator
from apps.incidents.selectors import incidents_visible_to, indicators_visible_to
from apps.incidents.services import incident_create, indicator_add, sighting_add
from apps.interop.imports import pattern_values
from apps.interop.markings import LABEL_OF_MARKING, label_of_markings
from apps.interop.models import ImportDraft, ImportSource, TaxiiStatus, TaxiiStatusState
from apps.interop.taxii.protocol import timestamp
from apps.sharing.exposure import find_exposures
from apps.sharing.selectors import may_change
from apps.sharing.tlp import TLP


def _uuid_of(stix_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(stix_id.split("--", 1)[1])
    except (IndexError, ValueError):
        return None


def _visible_incident(user, ref: str, community) -> Incident | None:
    """The incident ``ref`` (``incident--<uuid>``, or the STIX id it was imported with) if
    ``user`` may see it in this community."""
    if not isinstance(ref, str) or not ref.startswith("incident--"):
        return None
    found = incidents_visible_to(user).filter(community=community)
    pk = _uuid_of(ref)
    return (found.filter(stix_id=ref).first()
            or (found.filter(pk=pk).first() if pk is not None else None))


def _visible_indicator(user, ref: str, community) -> Indicator | None:
    if not isinstance(ref, str) or not ref.startswith("indicator--"):
        return None
    found = indicators_visible_to(user, Indicator.objects.filter(community=community)
                                  ).select_related("incident")
    pk = _uuid_of(ref)
    return (found.filter(stix_id=ref).first()
            or (found.filter(pk=pk).first() if pk is not None else None))


def _moment(value):
    moment = parse_datetime(value) if isinstance(value, str) else None
    return moment if moment is not None and moment.tzinfo is not None else None


def _refusal(error: Exception) -> str:
    messages = getattr(error, "messages", None) or [str(error)]
    return " ".join(str(message) for message in messages)


class _Write:
    """One envelope being written: each object ends in successes, failures or pendings."""

    def __init__(self, user, collection):
        self.user = user
        self.community = collection.community
        self.successes: list[dict] = []
        self.failures: list[dict] = []
        self.pendings: list[dict] = []
        self.drafts: list[ImportDraft] = []

    @staticmethod
    def _entry(obj, message: str) -> dict:
        entry = {"id": str(obj.get("id") or "") if isinstance(obj, Mapping) else ""}
        version = obj.get("modified") or obj.get("created") if isinstance(obj, Mapping) else None
        if version:
            entry["version"] = str(version)
        entry["message"] = message
        return entry

    def success(self, obj, message):
        self.successes.append(self._entry(obj, message))

    def failure(self, obj, message):
        self.failures.append(self._entry(obj, message))

    def pending(self, obj, message):
        self.pendings.append(self._entry(obj, message))

    # --- labels -------------------------------------------------------------------------

    def label(self, obj) -> TLP | None:
        """The object's label, or None after refusing it."""
        label = label_of_markings(obj.get("object_marking_refs"))
        if label is None:
            self.failure(obj, _("No TLP marking: mark the object with a TLP 2.0 (or 1.0) "
                                "marking definition."))
            return None
        if label == TLP.RED:
            self.failure(obj, _("TLP:RED is shared with named people only: share it on the "
                                "web, where you choose them."))
            return None
        return label

    def fits(self, obj, label: TLP, incident: Incident) -> bool:
        if label.rank > TLP(incident.tlp).rank:
            self.failure(obj, _("Marked %(label)s, stricter than the incident it would join "
                                "(%(incident)s): that incident reaches more people than "
                                "you allowed.")
                         % {"label": label.label, "incident": TLP(incident.tlp).label})
            return False
        return True


def _incident_url(incident: Incident) -> str:
    return reverse("incidents:detail", args=[incident.community.slug, incident.pk])


def _draft_url(draft: ImportDraft) -> str | None:
    """The draft's review page, where its author confirms or redacts what was held."""
    try:
        path = reverse("interop:import_review", args=[draft.community.slug, draft.pk])
    except NoReverseMatch:
        return None
    return settings.SITE_URL.rstrip("/") + path


def _indicator_rows(write: _Write, obj) -> list[dict] | None:
    """The portal indicators an indicator object stands for, or None after refusing it."""
    if obj.get("pattern_type", "stix") != "stix" or not isinstance(obj.get("pattern"), str):
        write.failure(obj, _("Only STIX patterns are read (pattern_type \"stix\")."))
        return None
    pairs = pattern_values(obj["pattern"])  # the import's reading: one rule for both
    if pairs is None:
        write.failure(obj, _("Pattern not understood: only equality on an IP address, domain "
                             "name, URL, e-mail address, file name or file hash is read, "
                             "e.g. [ipv4-addr:value = '203.0.113.5']."))
        return None
    rows, seen = [], set()
    for kind, value in pairs:
        kind = kind.value
        try:
            value = indicator_normalize(kind, value)
        except ValidationError as error:
            write.failure(obj, _refusal(error))
            return None
        if (kind, value) not in seen:
            seen.add((kind, value))
            rows.append({"type": kind, "value": value,
                         "first_seen": _moment(obj.get("valid_from")),
                         "last_seen": _moment(obj.get("valid_until")),
                         "note": str(obj.get("description") or "")[:5000]})
    if len(rows) == 1 and isinstance(obj.get("id"), str):
        rows[0]["stix_id"] = obj["id"]
    return rows


def _flagged(rows: list[dict]) -> list:
    return find_exposures({str(_("indicator note")): " ".join(r["note"] for r in rows)},
                          [row["value"] for row in rows])


def _keep_stix_ids(indicators: list[Indicator], rows: list[dict]) -> None:
    wanted = {(row["type"], row["value"]): row["stix_id"] for row in rows if row.get("stix_id")}
    for indicator in indicators:
        stix_id = wanted.get((indicator.type, indicator.value))
        if stix_id:
            Indicator.objects.filter(pk=indicator.pk).update(stix_id=stix_id)


def _add_to_incident(write: _Write, incident: Incident, obj, rows: list[dict]) -> None:
    try:
        with transaction.atomic():
            added = [indicator_add(incident=incident, actor=write.user, type=row["type"],
                                   value=row["value"], first_seen=row["first_seen"],
                                   last_seen=row["last_seen"], note=row["note"])
                     for row in rows]
            _keep_stix_ids(added, rows)
    except (ValidationError, PermissionDenied) as error:
        write.failure(obj, _refusal(error))
        return
    write.success(obj, _("Added to the incident %(url)s.") % {"url": _incident_url(incident)})


def _new_incident(write: _Write, label: TLP, pending: list[tuple[dict, list[dict]]]) -> None:
    """One new incident for the indicators of this label that go nowhere else."""
    rows, kept = [], []
    seen: set[tuple[str, str]] = set()
    for obj, obj_rows in pending:
        if any((row["type"], row["value"]) in seen for row in obj_rows):
            write.failure(obj, _("The same value is written twice in this envelope."))
            continue
        seen.update((row["type"], row["value"]) for row in obj_rows)
        rows.extend(obj_rows)
        kept.append(obj)
    if not kept:
        return
    title = _("Indicators received over TAXII (%(label)s)") % {"label": label.label}
    summary = _("%(count)d indicator(s) written by a TAXII client on %(date)s.") % {
        "count": len(rows), "date": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    try:
        with transaction.atomic():
            incident = incident_create(
                author=write.user, community=write.community, title=title, summary=summary,
                category=Category.OTHER, tlp=label,
                indicators=[{name: row[name] for name in
                             ("type", "value", "first_seen", "last_seen", "note")}
                            for row in rows])
            _keep_stix_ids(list(incident.indicators.all()), rows)
    except (ValidationError, PermissionDenied) as error:
        for obj in kept:
            write.failure(obj, _refusal(error))
        return
    for obj in kept:
        write.success(obj, _("Shared in the new incident %(url)s.")
                      % {"url": _incident_url(incident)})


def _hold(write: _Write, label: TLP, incident: Incident | None,
          held: list[tuple[dict, list[dict], list]]) -> None:
    """Flagged indicators wait in a draft for their author to confirm or redact them."""
    rows = [row for _obj, obj_rows, _findings in held for row in obj_rows]
    warnings = list(dict.fromkeys(f.describe() for _o, _r, findings in held for f in findings))
    payload = {
        "title": incident.title if incident else
        _("Indicators received over TAXII (%(label)s)") % {"label": label.label},
        "summary": "",
        "category": Category.OTHER.value,
        "tlp": (incident.tlp if incident else label.value),
        "stix_id": None,
        "techniques": [],
        "indicators": [{**row, "first_seen": row["first_seen"] and row["first_seen"].isoformat(),
                        "last_seen": row["last_seen"] and row["last_seen"].isoformat(),
                        "stix_id": row.get("stix_id")} for row in rows],
        "unknown": [],
        "warnings": warnings,
        # The import review reads the incident to add to from here; the foreign key marks the
        # draft done once its author has confirmed it (`imports.import_draft_add_indicators`).
        "incident": str(incident.pk) if incident else None,
    }
    draft = ImportDraft.objects.create(community=write.community, author=write.user,
                                       source=ImportSource.TAXII, payload=payload)
    write.drafts.append(draft)
    url = _draft_url(draft)
    for obj, _obj_rows, findings in held:
        message = _("Held: this may identify the victim (%(findings)s). It waits for you to "
                    "confirm or redact it on the web, in the import draft %(draft)s.") % {
            "findings": "; ".join(f.describe() for f in findings),
            "draft": url or draft.pk}
        write.pending(obj, message)


def _sighting(write: _Write, obj) -> None:
    label = write.label(obj)
    if label is None:
        return
    ref = obj.get("sighting_of_ref")
    indicator = _visible_indicator(write.user, ref, write.community)
    incident = indicator.incident if indicator else _visible_incident(write.user, ref,
                                                                     write.community)
    if incident is None:
        write.failure(obj, _("sighting_of_ref must name an indicator or an incident of this "
                             "collection that you can see."))
        return
    if not write.fits(obj, label, incident):
        return
    note = str(obj.get("description") or "")[:5000]
    findings = find_exposures({str(_("note")): note})
    if findings:
        write.failure(obj, _("Not recorded: the description may identify the victim "
                             "(%(findings)s). Remove it, or report the sighting on the web.")
                      % {"findings": "; ".join(f.describe() for f in findings)})
        return
    try:
        sighting_add(user=write.user, incident=None if indicator else incident,
                     indicator=indicator, note=note,
                     seen_at=_moment(obj.get("first_seen")) or _moment(obj.get("last_seen")))
    except (ValidationError, PermissionDenied) as error:
        write.failure(obj, _refusal(error))
        return
    write.success(obj, _("Sighting recorded for your organisation."))


def envelope_add(*, user, collection, objects: list) -> TaxiiStatus:
    """Write the objects of one envelope into ``collection`` as ``user`` (an active member
    in a sharing role, checked by the caller and again by the services) and keep the
    status resource."""
    write = _Write(user, collection)
    indicates = {}
    for obj in objects:
        if (isinstance(obj, Mapping) and obj.get("type") == "relationship"
                and obj.get("relationship_type") == "indicates"
                and str(obj.get("source_ref", "")).startswith("indicator--")):
            indicates[obj["source_ref"]] = obj
    targets: dict[str, Incident | None] = {}
    to_incident: dict = {}  # incident pk → (incident, [(obj, rows)])
    new: dict[TLP, list] = {}  # label → [(obj, rows)]
    held: dict = {}  # (label, incident pk or None) → (incident, [(obj, rows, findings)])

    for obj in objects:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("type"), str):
            write.failure({}, _("Not a STIX object."))
            continue
        kind = obj["type"]
        if kind == "marking-definition":
            if obj.get("id") in LABEL_OF_MARKING:
                write.success(obj, _("TLP marking definition understood."))
            else:
                write.failure(obj, _("Only the TLP marking definitions are understood."))
        elif kind == "relationship":
            if obj.get("id") in {rel.get("id") for rel in indicates.values()}:
                continue  # answered with its indicator, below
            write.failure(obj, _("Only \"indicates\" relationships from a posted indicator "
                                 "to an incident are read."))
        elif kind == "sighting":
            _sighting(write, obj)
        elif kind == "indicator":
            label = write.label(obj)
            if label is None:
                continue
            rows = _indicator_rows(write, obj)
            if rows is None:
                continue
            relationship = indicates.get(obj.get("id"))
            incident = None
            if relationship is not None:
                target = relationship.get("target_ref")
                if target not in targets:
                    found = _visible_incident(user, target, collection.community)
                    targets[target] = found if found and may_change(user, found) else None
                incident = targets[target]
                if incident is None:
                    write.failure(obj, _("The incident it indicates is not one of this "
                                         "collection that you may edit."))
                    continue
                if not write.fits(obj, label, incident):
                    continue
            findings = _flagged(rows)
            if findings:
                key = (label if incident is None else None, incident.pk if incident else None)
                held.setdefault(key, (incident, []))[1].append((obj, rows, findings))
            elif incident is not None:
                to_incident.setdefault(incident.pk, (incident, []))[1].append((obj, rows))
            else:
                new.setdefault(label, []).append((obj, rows))
        else:
            write.failure(obj, _("%(type)s objects are not accepted here: send indicators "
                                 "and sightings.") % {"type": kind})

    for incident, pending in to_incident.values():
        for obj, rows in pending:
            _add_to_incident(write, incident, obj, rows)
    for label, pending in new.items():
        _new_incident(write, label, pending)
    for (label, _pk), (incident, pending) in held.items():
        _hold(write, label or TLP(incident.tlp), incident, pending)
    # The relationships read with their indicators share their indicator's fate.
    placed = {entry["id"] for entry in write.successes}
    waiting = {entry["id"] for entry in write.pendings}
    for relationship in indicates.values():
        if relationship.get("source_ref") in placed:
            write.success(relationship, _("Read with its indicator."))
        elif relationship.get("source_ref") in waiting:
            write.pending(relationship, _("Waits with its indicator."))
        else:
            write.failure(relationship, _("Its indicator was not added (see that object)."))

    return TaxiiStatus.objects.create(
        user=user, community=collection.community,
        status=TaxiiStatusState.PENDING if write.pendings else TaxiiStatusState.COMPLETE,
        total_count=len(write.successes) + len(write.failures) + len(write.pendings),
        successes=write.successes, failures=write.failures, pendings=write.pendings,
        draft=write.drafts[0] if write.drafts else None,
    )


def status_resource(status: TaxiiStatus) -> dict:
    """The status resource (section 4.3.1). A write whose held values its author has since
    confirmed or discarded on the web (the draft shared, or deleted) is complete."""
    state = status.status
    if state == TaxiiStatusState.PENDING:
        draft = status.draft
        if draft is None or draft.incident_id is not None:
            state = TaxiiStatusState.COMPLETE
    body = {
        "id": str(status.pk),
        "status": state,
        "request_timestamp": timestamp(status.request_timestamp),
        "total_count": status.total_count,
        "success_count": len(status.successes),
        "failure_count": len(status.failures),
        "pending_count": len(status.pendings),
    }
    for name in ("successes", "failures", "pendings"):
        if getattr(status, name):
            body[name] = getattr(status, name)
    return body
