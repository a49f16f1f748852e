"""Renkei's shared content as STIX 2.1 objects (built with the `stix2` library).

The interface the exports and the TAXII server read (`apps.interop.taxii`). The caller has
already narrowed the items to what ``viewer`` may see through `apps.sharing`; these functions
decide only *how* an item is written — never *whether* it is shown — and never name the
source of an anonymous item (the community's secretariat identity instead).

Ids are deterministic: a Renkei object whose UUID is ``u`` is ``<stix-type>--u``; objects
derived from it (its identity, relationships, indicators without their own UUID) get UUIDv5
ids from it. ``modified`` moves when the item changes."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class StixEntry:
    """One STIX object (as a JSON-ready dict) and when this version of it was added to the
    portal — TAXII's ``date_added`` (the incident's ``updated_at`` for the incident, an
    indicator's or a sighting's ``created_at`` for those)."""

    object: dict
    date_added: datetime


def incident_entries(incidents, viewer) -> list[StixEntry]:
    """The STIX objects of ``incidents`` (already visible to ``viewer``), each with its TLP
    2.0 marking: identities, incident, indicators, attack-patterns, sightings, notes,
    relationships — without duplicates across incidents. Marking-definition objects are not
    entries: `bundle` adds the ones used."""
    raise NotImplementedError


def bundle(entries) -> dict:
    """A STIX 2.1 bundle of ``entries`` (StixEntry or plain dicts), with the TLP 2.0
    marking-definition objects they reference."""
    raise NotImplementedError
