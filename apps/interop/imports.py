"""STIX 2.1 bundles and MISP event exports read into import drafts, and drafts made into
incidents once their author has reviewed them.

Plain service functions, no HTTP: the web pages (`import_views`) and the API
(`import_api`) call them. Reading never shares anything: it fills an `ImportDraft`'s
``payload`` (its format is written down on the model) that only its author sees. What a
file holds that the portal does not keep is listed (``unknown``, ``warnings``), never
silently dropped. The label is read from the TLP markings or MISP ``tlp:`` tags — the
strictest of all the objects read, so that an indicator marked RED never lands in a GREEN
incident; no marking at all leaves it null and the author must choose.

Sharing goes through `apps.incidents.services` (`incident_create`, `indicator_add`): the
victim-data check, the audience rules and the author's rights are theirs, not repeated here.
"""

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from stix2patterns.pattern import Pattern

from apps.communities.models import Community
from apps.incidents import services as incident_services
from apps.incidents.attack import TECHNIQUE_ID
from apps.incidents.indicators import IndicatorType, indicator_normalize
from apps.incidents.models import AttackTechnique, Incident, Indicator
from apps.interop.markings import LABEL_OF_MARKING, label_of_markings, label_of_misp_tags
from apps.interop.models import ImportDraft, ImportSource
from apps.sharing.exposure import exposure_check
from apps.sharing.services import author_membership
from apps.sharing.tlp import TLP, parse_tlp

# A file larger than this is refused before it is parsed (a bundle of a few thousand
# indicators is well under 1 MB).
MAX_BYTES = 10 * 1024 * 1024
# More than this is not an incident to review by hand: the author is asked to split it.
MAX_INDICATORS = 1000
# Open drafts an author may keep in one community, so that an API loop cannot fill the table.
MAX_OPEN_DRAFTS = 100

STIX_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TECHNIQUE_IN_TEXT = re.compile(r"\b(T\d{4}(?:\.\d{3})?)\b")


# --- reading the file -----------------------------------------------------------------------


def _too_large() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(size)d MB: split it, or import the indicators by CSV.")
        % {"size": MAX_BYTES // (1024 * 1024)},
        code="too_large",
    )


def read_limited(data) -> bytes:
    """The bytes of ``data`` (bytes, text, or a file such as an upload), refused once they
    pass MAX_BYTES — a file is read in chunks and never past the limit."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if len(raw) > MAX_BYTES:
            raise _too_large()
        return raw
    size = getattr(data, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _too_large()
    if hasattr(data, "seek"):
        data.seek(0)
    chunks, total = [], 0
    while True:
        chunk = data.read(min(1024 * 1024, MAX_BYTES + 1 - total))
        if not chunk:
            break
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_BYTES:
            raise _too_large()
    return b"".join(chunks)


def json_load(data) -> dict:
    """The JSON object in ``data``: UTF-8 text (a byte-order mark is allowed), at most
    MAX_BYTES. Anything else — Shift_JIS, binary, not JSON, a list — is refused with a
    message that says what to send instead."""
    if isinstance(data, Mapping):
        return dict(data)
    raw = read_limited(data)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file is not UTF-8 text. Save the STIX bundle or MISP event as JSON in UTF-8 "
              "and try again."),
            code="not_utf8",
        ) from None
    if "\x00" in text:
        raise ValidationError(
            _("The file is not UTF-8 text. Save the STIX bundle or MISP event as JSON in UTF-8 "
              "and try again."),
            code="not_utf8",
        )
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise ValidationError(
            _("The file is not valid JSON: send a STIX 2.1 bundle or a MISP event exported as "
              "JSON."),
            code="not_json",
        ) from None
    if not isinstance(document, dict):
        raise _wrong_shape()
    return document


def _wrong_shape() -> ValidationError:
    return ValidationError(
        _("The file is neither a STIX 2.1 bundle (\"type\": \"bundle\") nor a MISP event "
          "(\"Event\")."),
        code="wrong_shape",
    )


def _misp_event(document: dict) -> dict | None:
    """The event of a MISP export: {"Event": {…}}, a bare event, or a REST search answer
    holding exactly one event."""
    if isinstance(document.get("Event"), dict):
        return document["Event"]
    response = document.get("response")
    if isinstance(response, list) and response:
        events = [item.get("Event") for item in response if isinstance(item, dict)]
        events = [event for event in events if isinstance(event, dict)]
        if len(events) > 1:
            raise ValidationError(
                _("The file holds %(count)d MISP events: import them one at a time.")
                % {"count": len(events)},
                code="many_events",
            )
        return events[0] if events else None
    if isinstance(document.get("info"), str) and (
        "Attribute" in document or "Object" in document
    ):
        return document
    return None


def import_detect(document: dict) -> str:
    """``"stix"`` or ``"misp"``: what the JSON object is, or a refusal."""
    if document.get("type") == "bundle":
        return ImportSource.STIX
    if _misp_event(document) is not None:
        return ImportSource.MISP
    raise _wrong_shape()


# --- what a read collects -------------------------------------------------------------------


class _Reading:
    """The payload being filled, with the bookkeeping that keeps it honest: indicators once
    per (type, value), unknown types counted, each problem written down."""

    def __init__(self):
        self.title = ""
        self.summary = ""
        self.stix_id = None
        self.labels: list[TLP] = []
        self.technique_ids: list[str] = []
        self.indicators: list[dict] = []
        self.seen: dict[tuple[str, str], dict] = {}
        self.unknown: Counter = Counter()
        self.warnings: list[str] = []

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def label(self, label: TLP | None) -> None:
        if label is not None:
            self.labels.append(label)

    def indicator(self, kind: str, value, *, note: str = "", stix_id: str | None = None,
                  first_seen=None, last_seen=None) -> bool:
        """Add one indicator, normalised (defanged values accepted); an invalid value is a
        warning, a repeated one is merged. True when it was read."""
        if not isinstance(value, str) or not value.strip():
            return False
        try:
            normal = indicator_normalize(kind, value)
        except ValidationError as error:
            self.warn(_("Not imported: %(reason)s") % {"reason": " ".join(error.messages)})
            return False
        key = (str(kind), normal)
        if key in self.seen:
            row = self.seen[key]
            row["stix_id"] = row["stix_id"] or stix_id
            row["note"] = row["note"] or note
            return True
        row = {
            "type": str(kind),
            "value": normal,
            "first_seen": _moment(first_seen),
            "last_seen": _moment(last_seen),
            "note": str(note or "")[:2000],
            "stix_id": stix_id if isinstance(stix_id, str) and STIX_ID.match(stix_id) else None,
        }
        self.seen[key] = row
        self.indicators.append(row)
        return True

    def payload(self) -> dict:
        if len(self.indicators) > MAX_INDICATORS:
            raise ValidationError(
                _("The file holds %(count)d indicators; at most %(max)d can be reviewed at "
                  "once. Split it, or import the indicators by CSV.")
                % {"count": len(self.indicators), "max": MAX_INDICATORS},
                code="too_many_indicators",
            )
        title = " ".join(self.title.split())
        if len(title) > 200:
            self.warn(_("The title was shortened to 200 characters."))
            title = title[:199] + "…"
        label = max(self.labels, key=lambda item: item.rank) if self.labels else None
        return {
            "title": title,
            "summary": self.summary.strip(),
            "category": None,
            "tlp": label.value if label else None,
            "stix_id": self.stix_id,
            "techniques": _known_techniques(self.technique_ids, self),
            "indicators": self.indicators,
            "unknown": [{"type": kind, "count": count}
                        for kind, count in sorted(self.unknown.items())],
            "warnings": self.warnings,
            "incident": None,
        }


def _moment(value) -> str | None:
    if not value or not isinstance(value, str):
        return None
    moment = parse_datetime(value.strip().replace("Z", "+00:00"))
    return moment.isoformat() if moment else None


def _known_techniques(ids: Iterable[str], reading: _Reading) -> list[str]:
    """The ATT&CK ids that the catalogue knows and still offers; the others are warned
    about, not kept (an incident takes only known, current techniques)."""
    wanted = list(dict.fromkeys(ids))
    found = AttackTechnique.objects.in_bulk(wanted)
    kept = []
    for technique_id in wanted:
        technique = found.get(technique_id)
        if technique is None:
            reading.warn(_("ATT&CK technique %(id)s is not in the catalogue: not kept.")
                         % {"id": technique_id})
        elif technique.deprecated:
            reading.warn(_("ATT&CK technique %(id)s is deprecated by MITRE: not kept; choose "
                           "its replacement.") % {"id": technique_id})
        else:
            kept.append(technique_id)
    return kept


# --- STIX 2.1 -------------------------------------------------------------------------------

MAIN_TYPES = ("incident", "report", "grouping")
# Read for their structure, not kept as such: the source is the importing member's
# organisation, relationships are implied by the draft itself.
STRUCTURE_TYPES = {"marking-definition", "extension-definition", "language-content",
                   "identity", "relationship"}
# SCO type and property → indicator type.
SCO_VALUES = {
    "ipv4-addr": IndicatorType.IPV4,
    "ipv6-addr": IndicatorType.IPV6,
    "domain-name": IndicatorType.DOMAIN,
    "url": IndicatorType.URL,
    "email-addr": IndicatorType.EMAIL,
}
HASHES = {"md5": IndicatorType.MD5, "sha1": IndicatorType.SHA1, "sha256": IndicatorType.SHA256}


def _hash_type(name) -> IndicatorType | None:
    return HASHES.get(str(name).replace("-", "").replace("_", "").lower())


def _pattern_path_type(object_type: str, path: list) -> IndicatorType | None:
    """The indicator type of one comparison's left side, or None when not understood."""
    if object_type in SCO_VALUES and path == ["value"]:
        return SCO_VALUES[object_type]
    if object_type == "email-message" and path in (["from_ref", "value"],
                                                   ["sender_ref", "value"]):
        return IndicatorType.EMAIL
    if object_type == "file":
        if path == ["name"]:
            return IndicatorType.FILE_NAME
        if len(path) == 2 and path[0] == "hashes":
            return _hash_type(path[1])
    return None


def _pattern_string(literal: str) -> str | None:
    """A STIX pattern string literal ('…', with \\' and \\\\ escapes) as text."""
    if len(literal) < 2 or literal[0] != "'" or literal[-1] != "'":
        return None
    return re.sub(r"\\(['\\])", r"\1", literal[1:-1])


def pattern_values(pattern: str) -> list[tuple[IndicatorType, str]] | None:
    """The (type, value) pairs of a simple comparison pattern — equality on the value of an
    IP address, domain, URL, e-mail address, file name or hash, joined by AND / OR — or None
    when the pattern is anything else (other operators, qualifiers, FOLLOWEDBY, other
    objects): such a pattern means more than a list of values."""
    try:
        inspected = Pattern(pattern).inspect()
    except Exception:  # stix2patterns raises ParseException and, on odd input, others
        return None
    if inspected.qualifiers or not set(inspected.observation_ops) <= {"AND", "OR"}:
        return None
    values = []
    for object_type, comparisons in inspected.comparisons.items():
        for path, operator, literal in comparisons:
            kind = _pattern_path_type(object_type, list(path))
            text = _pattern_string(literal)
            if kind is None or operator != "=" or text is None:
                return None
            values.append((kind, text))
    return values or None


def _marking_labels(objects: list[dict]) -> dict[str, TLP]:
    """TLP marking definitions the bundle defines under its own ids (TLP 1.0 objects written
    by tools, or the TLP 2.0 extension), beside the ids OASIS publishes — which always win."""
    found = {}
    for obj in objects:
        if obj.get("type") != "marking-definition" or obj.get("id") in LABEL_OF_MARKING:
            continue
        candidates = []
        definition = obj.get("definition")
        if obj.get("definition_type") == "tlp" and isinstance(definition, dict):
            candidates.append(definition.get("tlp"))
        for extension in (obj.get("extensions") or {}).values():
            if isinstance(extension, dict) and "tlp_2_0" in extension:
                candidates.append(extension["tlp_2_0"])
        name = obj.get("name")
        if isinstance(name, str) and name.strip().upper().startswith("TLP:"):
            candidates.append(name)
        for candidate in candidates:
            try:
                found[obj["id"]] = parse_tlp(str(candidate))
                break
            except ValidationError:
                continue
    return found


def _refs_label(obj: dict, local: dict[str, TLP]) -> TLP | None:
    refs = [ref for ref in obj.get("object_marking_refs") or () if isinstance(ref, str)]
    refs += [marking["marking_ref"] for marking in obj.get("granular_markings") or ()
             if isinstance(marking, dict) and isinstance(marking.get("marking_ref"), str)]
    labels = [label for label in [label_of_markings(refs), *(local.get(ref) for ref in refs)]
              if label is not None]
    return max(labels, key=lambda label: label.rank) if labels else None


def _read_sco(reading: _Reading, obj: dict, *, first_seen=None, last_seen=None) -> bool:
    """An SCO's value(s) as indicators; False when its type is not one the portal keeps."""
    kind = obj.get("type")
    if kind in SCO_VALUES:
        reading.indicator(SCO_VALUES[kind], obj.get("value"), first_seen=first_seen,
                          last_seen=last_seen)
        return True
    if kind == "file":
        for name, value in (obj.get("hashes") or {}).items():
            hash_type = _hash_type(name)
            if hash_type is not None:
                reading.indicator(hash_type, value, first_seen=first_seen, last_seen=last_seen)
            else:
                reading.warn(_("File hash %(name)s is not kept.") % {"name": name})
        if obj.get("name"):
            reading.indicator(IndicatorType.FILE_NAME, obj["name"], first_seen=first_seen,
                              last_seen=last_seen)
        return True
    return False


def _attack_ids(obj: dict) -> list[str]:
    return [ref["external_id"].strip().upper() for ref in obj.get("external_references") or ()
            if isinstance(ref, dict) and ref.get("source_name") == "mitre-attack"
            and isinstance(ref.get("external_id"), str)
            and TECHNIQUE_ID.match(ref["external_id"].strip().upper())]


def _cve_ids(obj: dict) -> list[str]:
    ids = [ref.get("external_id") for ref in obj.get("external_references") or ()
           if isinstance(ref, dict) and str(ref.get("source_name", "")).lower() == "cve"]
    if not ids and isinstance(obj.get("name"), str):
        ids = [obj["name"]]
    return [cve for cve in ids if isinstance(cve, str)]


def stix_read(data) -> dict:
    """A STIX 2.1 bundle (bytes, text, a file or the parsed object) read as an import
    draft's payload. The incident (else the report, else the grouping) gives the title and
    summary; indicators with simple comparison patterns, SCOs and observed data give the
    indicators; attack patterns with an ATT&CK id the techniques; TLP markings the label."""
    document = json_load(data)
    objects = document.get("objects", [])
    if document.get("type") != "bundle" or not isinstance(objects, list):
        raise ValidationError(
            _("The file is not a STIX 2.1 bundle: it needs \"type\": \"bundle\" and a list "
              "of \"objects\"."),
            code="not_a_bundle",
        )
    reading = _Reading()
    objects_ok = []
    for obj in objects:
        if isinstance(obj, dict) and isinstance(obj.get("type"), str):
            objects_ok.append(obj)
        else:
            reading.unknown[_("(not a STIX object)")] += 1
    local = _marking_labels(objects_ok)
    by_id = {obj["id"]: obj for obj in objects_ok if isinstance(obj.get("id"), str)}

    main = next((obj for kind in MAIN_TYPES for obj in objects_ok if obj["type"] == kind), None)
    if main is not None:
        reading.title = str(main.get("name") or "")
        reading.summary = str(main.get("description") or "")
        if main["type"] == "incident" and STIX_ID.match(str(main.get("id", ""))):
            reading.stix_id = main["id"]
    others = [obj for obj in objects_ok if obj["type"] in MAIN_TYPES and obj is not main]
    for other in others:
        reading.warn(_("Only one incident is made per file: %(type)s “%(name)s” was not "
                       "read.") % {"type": other["type"], "name": other.get("name") or "?"})

    observed_times = {}
    for obj in objects_ok:
        if obj["type"] == "observed-data":
            for ref in obj.get("object_refs") or ():
                observed_times.setdefault(ref, (obj.get("first_observed"),
                                                obj.get("last_observed")))

    for obj in objects_ok:
        kind = obj["type"]
        if kind == "marking-definition":
            if obj.get("id") not in LABEL_OF_MARKING and obj.get("id") not in local:
                reading.warn(_("A marking other than TLP is not kept: %(name)s.")
                             % {"name": obj.get("name") or obj.get("id")})
            continue
        reading.label(_refs_label(obj, local))
        if kind in MAIN_TYPES or kind in STRUCTURE_TYPES:
            continue
        if kind == "indicator":
            _read_indicator(reading, obj)
        elif kind == "observed-data":
            embedded = obj.get("objects")
            for sco in (embedded.values() if isinstance(embedded, dict) else ()):
                if isinstance(sco, dict) and not _read_sco(
                        reading, sco, first_seen=obj.get("first_observed"),
                        last_seen=obj.get("last_observed")):
                    reading.unknown[str(sco.get("type"))] += 1
            for ref in obj.get("object_refs") or ():
                if ref not in by_id:
                    reading.warn(_("Observed data names %(ref)s, which the file does not "
                                   "hold.") % {"ref": ref})
        elif kind == "attack-pattern":
            ids = _attack_ids(obj)
            if not ids:
                reading.warn(_("Attack pattern “%(name)s” has no ATT&CK id: not kept.")
                             % {"name": obj.get("name") or obj.get("id")})
            reading.technique_ids += ids
        elif kind == "vulnerability":
            cves = _cve_ids(obj)
            stix_id = obj.get("id") if len(cves) == 1 else None
            read = [reading.indicator(IndicatorType.CVE, cve, stix_id=stix_id,
                                      note=str(obj.get("description") or "")) for cve in cves]
            if not any(read):
                reading.unknown[kind] += 1
        else:
            first, last = observed_times.get(obj.get("id"), (None, None))
            if not _read_sco(reading, obj, first_seen=first, last_seen=last):
                reading.unknown[kind] += 1
    return reading.payload()


def _read_indicator(reading: _Reading, obj: dict) -> None:
    pattern = obj.get("pattern")
    pattern_type = obj.get("pattern_type", "stix")
    values = pattern_values(pattern) if pattern_type == "stix" and isinstance(pattern, str) \
        else None
    if values is None:
        shown = str(pattern)[:200] if pattern is not None else "—"
        reading.warn(_("Indicator pattern not understood, not imported (%(type)s): %(pattern)s")
                     % {"type": pattern_type, "pattern": shown})
        return
    # The description is the note; the name is often the value itself (Renkei's own export).
    note = str(obj.get("description") or "")
    # The indicator's STIX id goes with the value only when the pattern is one value:
    # a re-export must not write two objects under one id.
    stix_id = obj.get("id") if len(values) == 1 else None
    for kind, value in values:
        reading.indicator(kind, value, note=note, stix_id=stix_id)


# --- MISP -----------------------------------------------------------------------------------

# MISP attribute type → the indicator types of its parts ("filename|md5" → two).
MISP_TYPES: dict[str, tuple] = {
    "ip-src": ("ip",), "ip-dst": ("ip",), "ip-src|port": ("ip", None),
    "ip-dst|port": ("ip", None), "domain": (IndicatorType.DOMAIN,),
    "hostname": (IndicatorType.DOMAIN,), "domain|ip": (IndicatorType.DOMAIN, "ip"),
    "hostname|port": (IndicatorType.DOMAIN, None), "url": (IndicatorType.URL,),
    "email": (IndicatorType.EMAIL,), "email-src": (IndicatorType.EMAIL,),
    "email-dst": (IndicatorType.EMAIL,), "email-reply-to": (IndicatorType.EMAIL,),
    "md5": (IndicatorType.MD5,), "sha1": (IndicatorType.SHA1,),
    "sha256": (IndicatorType.SHA256,), "filename": (IndicatorType.FILE_NAME,),
    "filename|md5": (IndicatorType.FILE_NAME, IndicatorType.MD5),
    "filename|sha1": (IndicatorType.FILE_NAME, IndicatorType.SHA1),
    "filename|sha256": (IndicatorType.FILE_NAME, IndicatorType.SHA256),
    "vulnerability": (IndicatorType.CVE,),
}
GALAXY_TAG = re.compile(r'^misp-galaxy:[a-z0-9-]*attack-pattern\s*=\s*"(.*)"\s*$', re.I)


def _tag_names(tags) -> list[str]:
    return [tag["name"] for tag in tags or () if isinstance(tag, dict)
            and isinstance(tag.get("name"), str)]


def _galaxy_techniques(tag_names: Iterable[str]) -> list[str]:
    found = []
    for name in tag_names:
        match = GALAXY_TAG.match(name.strip())
        if match:
            found += TECHNIQUE_IN_TEXT.findall(match.group(1).upper())
    return found


def _misp_attribute(reading: _Reading, attribute: dict) -> None:
    if attribute.get("deleted") in (True, "1", 1):
        return
    reading.label(label_of_misp_tags(_tag_names(attribute.get("Tag"))))
    reading.technique_ids += _galaxy_techniques(_tag_names(attribute.get("Tag")))
    kind = str(attribute.get("type") or "")
    parts_types = MISP_TYPES.get(kind)
    value = attribute.get("value")
    if parts_types is None or not isinstance(value, str):
        reading.unknown[_("MISP attribute %(type)s") % {"type": kind or "?"}] += 1
        return
    parts = value.split("|") if len(parts_types) > 1 else [value]
    if len(parts) != len(parts_types):
        reading.warn(_("MISP attribute %(type)s “%(value)s” is not in its type's form: not "
                       "imported.") % {"type": kind, "value": value[:200]})
        return
    for part_type, part in zip(parts_types, parts, strict=True):
        if part_type is None:  # a port: not an indicator of its own
            continue
        if part_type == "ip":
            part_type = IndicatorType.IPV6 if ":" in part.replace("[:]", ":") \
                else IndicatorType.IPV4
        reading.indicator(part_type, part, note=str(attribute.get("comment") or ""),
                          first_seen=attribute.get("first_seen"),
                          last_seen=attribute.get("last_seen"))


def misp_read(data) -> dict:
    """A MISP event JSON export ({"Event": {…}}) read as an import draft's payload: ``info``
    is the title, attributes (also inside objects) of the types MISP_TYPES names give the
    indicators, ``tlp:`` tags the label, ATT&CK galaxy clusters the techniques."""
    document = json_load(data)
    event = _misp_event(document)
    if event is None:
        raise ValidationError(
            _("The file is not a MISP event: it needs an \"Event\" with \"info\" and "
              "\"Attribute\"."),
            code="not_an_event",
        )
    reading = _Reading()
    reading.title = str(event.get("info") or "")
    event_tags = _tag_names(event.get("Tag"))
    reading.label(label_of_misp_tags(event_tags))
    reading.technique_ids += _galaxy_techniques(event_tags)
    for galaxy in event.get("Galaxy") or ():
        if not isinstance(galaxy, dict) or "attack-pattern" not in str(galaxy.get("type", "")):
            continue
        for cluster in galaxy.get("GalaxyCluster") or ():
            if not isinstance(cluster, dict):
                continue
            meta = cluster.get("meta") if isinstance(cluster.get("meta"), dict) else {}
            ids = [str(i).upper() for i in meta.get("external_id") or ()
                   if TECHNIQUE_ID.match(str(i).upper())]
            ids = ids or TECHNIQUE_IN_TEXT.findall(str(cluster.get("value", "")).upper())
            reading.technique_ids += ids
    attributes = [a for a in event.get("Attribute") or () if isinstance(a, dict)]
    for misp_object in event.get("Object") or ():
        if isinstance(misp_object, dict) and misp_object.get("deleted") not in (True, "1", 1):
            attributes += [a for a in misp_object.get("Attribute") or () if isinstance(a, dict)]
    for attribute in attributes:
        _misp_attribute(reading, attribute)
    reports = [r for r in event.get("EventReport") or () if isinstance(r, dict)]
    if reports:
        reading.unknown[_("MISP event report")] += len(reports)
    return reading.payload()


# --- drafts ---------------------------------------------------------------------------------


@transaction.atomic
def import_draft_create(*, author, community: Community, source: str | None, filename: str,
                        data) -> ImportDraft:
    """Read a STIX bundle or MISP event (``source`` "stix" / "misp", or None to tell from
    the file) into a draft that only ``author`` sees. The author must be an active member
    who shares in ``community``; that is checked before the file is read."""
    author_membership(author=author, community=community)
    open_drafts = ImportDraft.objects.filter(author=author, community=community,
                                             incident__isnull=True)
    if open_drafts.count() >= MAX_OPEN_DRAFTS:
        raise ValidationError(
            _("You have %(count)d imports waiting for review here: share or discard some "
              "first.") % {"count": open_drafts.count()},
            code="too_many_drafts",
        )
    document = json_load(data)
    detected = import_detect(document)
    if source and source != detected:
        raise ValidationError(
            _("The file is a %(found)s, not a %(expected)s.")
            % {"found": ImportSource(detected).label, "expected": ImportSource(source).label},
            code="wrong_format",
        )
    payload = stix_read(document) if detected == ImportSource.STIX else misp_read(document)
    draft = ImportDraft(community=community, author=author, source=detected,
                        filename=str(filename or "")[:255], payload=payload)
    draft.full_clean()
    draft.save()
    return draft


def import_drafts_open(*, author, community: Community):
    """The author's drafts in ``community`` not made into an incident yet, newest first."""
    return ImportDraft.objects.filter(author=author, community=community,
                                      incident__isnull=True).order_by("-created_at")


def import_draft_get(*, user, community: Community, pk) -> ImportDraft:
    """The draft ``pk`` of ``user`` in ``community``; Http404 for anyone else's — a draft
    is its author's alone, and others are not told it exists."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    draft = ImportDraft.objects.filter(pk=pk, author=user, community=community).first()
    if draft is None:
        raise Http404
    return draft


def import_draft_discard(*, draft: ImportDraft, actor) -> None:
    """Delete a draft (its author only): nothing of it was shared."""
    if draft.author_id != getattr(actor, "pk", None):
        raise Http404
    draft.delete()


def _lock_open(draft: ImportDraft, actor) -> ImportDraft:
    locked = ImportDraft.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is None or locked.author_id != actor.pk:
        raise Http404
    if locked.incident_id is not None:
        raise ValidationError(_("This import was already shared."), code="already_shared")
    return locked


def _stix_ids_keep(incident: Incident, rows: Iterable[Mapping]) -> None:
    """Give the indicators just saved the STIX ids they came with (normalised value and
    type identify each), so that a re-export keeps them."""
    wanted = {}
    for row in rows:
        stix_id = row.get("stix_id")
        if stix_id and STIX_ID.match(stix_id):
            try:
                wanted[(row["type"], indicator_normalize(row["type"], row["value"]))] = stix_id
            except ValidationError:
                continue
    if not wanted:
        return
    changed = []
    for indicator in Indicator.objects.filter(incident=incident, stix_id=""):
        stix_id = wanted.get((indicator.type, indicator.value))
        if stix_id:
            indicator.stix_id = stix_id
            changed.append(indicator)
    Indicator.objects.bulk_update(changed, ["stix_id"])


@transaction.atomic
def import_draft_confirm(*, draft: ImportDraft, actor, fields: Mapping, techniques: Iterable[str],
                         indicators: Iterable[Mapping], audience: Mapping,
                         confirmed_exposures: Iterable[str] = ()) -> Incident:
    """Make a reviewed draft an incident, through `incident_create` (the victim-data check,
    the audience and the author's rights are its own), keeping the STIX ids it came with.
    ``fields`` are `incident_services.EDITABLE_FIELDS`, ``audience`` the picker's choice,
    ``indicators`` the reviewed rows (type, value, note, first_seen, last_seen, stix_id)."""
    draft = _lock_open(draft, actor)
    if draft.payload.get("incident"):
        raise ValidationError(_("This import adds indicators to an incident: confirm them "
                                "instead."), code="adds_indicators")
    rows = [dict(row) for row in indicators]
    incident = incident_services.incident_create(
        author=actor,
        community=draft.community,
        techniques=list(techniques),
        indicators=[{name: row.get(name) for name in ("type", "value", "first_seen",
                                                       "last_seen")}
                    | {"note": row.get("note") or ""} for row in rows],
        confirmed_exposures=list(confirmed_exposures),
        **{name: fields[name] for name in incident_services.EDITABLE_FIELDS if name in fields},
        **audience,
    )
    stix_id = draft.payload.get("stix_id")
    if stix_id and STIX_ID.match(stix_id):
        incident.stix_id = stix_id
        Incident.objects.filter(pk=incident.pk).update(stix_id=stix_id)
    _stix_ids_keep(incident, rows)
    draft.incident = incident
    draft.save(update_fields=["incident"])
    return incident


@transaction.atomic
def import_draft_add_indicators(*, draft: ImportDraft, actor, indicators: Iterable[Mapping],
                                confirmed_exposures: Iterable[str] = ()) -> tuple[Incident, int]:
    """Add a draft's reviewed indicators to the existing incident it names (a TAXII write
    held for review), each through `indicator_add`; values already on the incident are
    skipped. All or nothing. Returns the incident and how many were added."""
    draft = _lock_open(draft, actor)
    incident = Incident.objects.filter(pk=draft.payload.get("incident"),
                                       community=draft.community).first()
    if incident is None:
        raise ValidationError(_("The incident these indicators were sent for no longer "
                                "exists."), code="incident_gone")
    incident_services.incident_editor_check(incident=incident, actor=actor)
    rows = []
    for row in indicators:
        try:
            rows.append({**row, "value": indicator_normalize(row["type"], row["value"])})
        except ValidationError as error:
            raise ValidationError({"indicators": error.messages}) from error
    present = set(incident.indicators.values_list("type", "value"))
    rows = [row for row in rows if (row["type"], row["value"]) not in present]
    # Every finding at once, as `incident_create` lists them, rather than one per indicator.
    confirmed = exposure_check(
        texts={f"{_('indicator note')} {n}": row.get("note") or "" for n, row in
               enumerate(rows, 1)},
        indicators=[row["value"] for row in rows],
        confirmed=[*incident.confirmed_exposures, *confirmed_exposures],
    )
    for row in rows:
        indicator = incident_services.indicator_add(
            incident=incident, actor=actor, type=row["type"], value=row["value"],
            first_seen=row.get("first_seen"), last_seen=row.get("last_seen"),
            note=row.get("note") or "", confirmed_exposures=confirmed,
        )
        stix_id = row.get("stix_id")
        if stix_id and STIX_ID.match(stix_id):
            Indicator.objects.filter(pk=indicator.pk).update(stix_id=stix_id)
    draft.incident = incident
    draft.save(update_fields=["incident"])
    return incident, len(rows)

