"""What the TAXII server serves: one API root, one collection per community the caller is an
active member of, and in each the STIX objects of that community's incidents the caller may
see.

Visibility is never decided here: the incidents come from
`apps.incidents.selectors.incidents_visible_to` (the door of `apps.sharing`), and the STIX
objects from `apps.interop.stix`, which writes only what it is given."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime

from apps.communities.models import Community, Membership, MembershipStatus
from apps.incidents.selectors import incidents_visible_to
from apps.interop.markings import TLP2_CREATED, TLP2_IDS, marking_definition
from apps.interop.stix import incident_entries
from apps.interop.taxii.protocol import Item, TaxiiError
from apps.sharing.services import SHARING_ROLES

API_ROOT = "renkei"
# Collection ids are UUIDv5 of the community's primary key in this namespace: they survive
# a change of the community's name or slug, and are the same on every request.
COLLECTION_NAMESPACE = uuid.UUID("0b7d8a52-4f0c-4a8e-9d1e-6f2a3c5b7e19")


def collection_id(community: Community) -> str:
    return str(uuid.uuid5(COLLECTION_NAMESPACE, f"community:{community.pk}"))


@dataclass(frozen=True)
class CommunityCollection:
    community: Community
    membership: Membership

    @property
    def id(self) -> str:
        return collection_id(self.community)

    @property
    def can_read(self) -> bool:
        return True  # only active memberships make a collection

    @property
    def can_write(self) -> bool:
        """Observers and guests see what is shared with them but do not share."""
        return self.membership.role in SHARING_ROLES

    def resource(self) -> dict:
        community = self.community
        description = (f"Incidents of {community.name_en or community.name} that you may "
                       "see under TLP 2.0, as STIX 2.1.")
        return {
            "id": self.id,
            "title": community.name_en or community.name,
            "description": description,
            "alias": community.slug,
            "can_read": self.can_read,
            "can_write": self.can_write,
            "media_types": ["application/stix+json;version=2.1"],
        }


def collections_of(user) -> list[CommunityCollection]:
    """A collection for each community where ``user`` is an active member now — read from
    the memberships at every request, so a suspended member loses them at once."""
    memberships = (
        Membership.objects.filter(user_id=user.pk, status=MembershipStatus.ACTIVE)
        .select_related("community", "organization")
        .order_by("community__slug")
    )
    return [CommunityCollection(community=m.community, membership=m) for m in memberships]


def collection_for(user, collection: str) -> CommunityCollection:
    """The collection ``collection`` of ``user``, or 404: a community they do not belong to
    looks exactly like one that does not exist."""
    for found in collections_of(user):
        if found.id == collection:
            return found
    raise TaxiiError(404, "Not Found", "No such collection.")


# Objects that many incidents refer to, with dates of their own older than any of them.
SHARED_TYPES = frozenset({"identity", "attack-pattern"})


def _refs(obj: dict):
    for name, value in obj.items():
        if name == "object_marking_refs":
            continue
        if name.endswith("_ref") and isinstance(value, str):
            yield value
        elif name.endswith("_refs") and isinstance(value, list):
            yield from (ref for ref in value if isinstance(ref, str))


def _when_first_referred(items: list[Item]) -> list[Item]:
    """An object shared by many incidents (an organisation's identity, an ATT&CK
    attack-pattern) carries an old date of its own, yet enters a reader's collection with
    the first incident that refers to it: its ``date_added`` is lifted to the earliest
    ``date_added`` of the objects that refer to it, so that a client that pulls with
    ``added_after`` receives the identity along with the new incident that names it."""
    first_referred: dict[str, datetime] = {}
    for item in items:
        for ref in _refs(item.object):
            if ref not in first_referred or item.date_added < first_referred[ref]:
                first_referred[ref] = item.date_added
    lifted = []
    for item in items:
        referred = first_referred.get(item.id) if item.id.split("--")[0] in SHARED_TYPES else None
        if referred is not None and referred > item.date_added:
            item = Item(object=item.object, date_added=referred)
        lifted.append(item)
    return lifted


_MARKINGS = [
    Item(object=marking_definition(label), date_added=parse_datetime(TLP2_CREATED))
    for label in TLP2_IDS
]


def collection_items(collection: CommunityCollection, user) -> list[Item]:
    """Every object of the collection that ``user`` may see, once each: the TLP 2.0 marking
    definitions, then the STIX objects of the community's incidents visible to ``user``."""
    incidents = incidents_visible_to(user).filter(community=collection.community)
    items = [Item(object=entry.object, date_added=entry.date_added)
             for entry in incident_entries(incidents, user)]
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in [*_MARKINGS, *_when_first_referred(items)]:
        if (item.id, item.version) not in seen:
            seen.add((item.id, item.version))
            unique.append(item)
    return unique
