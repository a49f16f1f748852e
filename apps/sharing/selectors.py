"""The one door for reading shared content: every list, detail, search, export, digest and
feed asks here who may see what.

Visibility is read from guardian's direct-FK grant tables with small subqueries (the idea of
paperless-ngx `_permitted_document_ids`), never with `get_objects_for_user`: no casts of
`object_pk`, no `IN` lists built in Python, one SQL statement whatever the page size.
Superusers get nothing extra — there is no back door.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import (
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.sql import Query
from django.utils.translation import gettext as _

from apps.communities.models import (
    Community,
    CommunityGroup,
    Federation,
    GroupKind,
    Membership,
    MembershipStatus,
    Organization,
    Role,
)
from apps.sharing.audience import (
    AMBERS,
    FEDERATION,
    GROUP_LABELS,
    Audience,
    audience_resolve,
)
from apps.sharing.auditing import sources_revealed
from apps.sharing.models import AudienceRow
from apps.sharing.tlp import TLP
from portal.prepared import Prepared


def _principal_group_ids(user_id: int) -> tuple[QuerySet, QuerySet]:
    """Two querysets of the ids of the grant groups ``user_id`` belongs to right now (community
    groups, federation groups), derived from their active memberships: the members group of
    each community they are active in, their organisation's group there, every interned set of
    organisations there that includes theirs, and the group of every federation one of those
    communities is part of.

    `auth_user_groups` is never read: a group edited by hand, or left behind by a membership
    deleted in bulk or changed with ``QuerySet.update()``, grants nothing.
    """
    active = Membership.objects.filter(user_id=user_id, status=MembershipStatus.ACTIVE)
    communities = active.values("community_id")
    in_organization = active.filter(
        community_id=OuterRef("community_id"), organization_id=OuterRef("organization_id")
    )
    in_set = active.filter(
        community_id=OuterRef("community_id"), organization__organization_sets=OuterRef("pk")
    )
    community_groups = CommunityGroup.objects.filter(
        Q(kind=GroupKind.MEMBERS, community_id__in=communities)
        | Q(kind=GroupKind.ORGANIZATION, community_id__in=communities) & Exists(in_organization)
        | Q(kind=GroupKind.ORGANIZATIONS, community_id__in=communities) & Exists(in_set)
    ).values("group_id")
    federation_groups = Federation.objects.filter(
        communities__in=communities, group__isnull=False
    ).values("group_id")
    return community_groups, federation_groups


def _rows(model) -> QuerySet[AudienceRow]:
    return AudienceRow.objects.filter(content_type=ContentType.objects.get_for_model(model))


PUBLIC = Q(group__isnull=True, user__isnull=True)


def visible_to(user, queryset: QuerySet, *, few: bool = False, reach=None) -> QuerySet:
    """The part of ``queryset`` that ``user`` may see, read from the materialised audience.

    TLP:CLEAR is public (signed-out visitors see nothing else); otherwise the item needs an
    audience row for a group the user belongs to by an active membership now
    (`reach_of`), or a user row that counts only while the user is an active member of
    the item's community — a suspended TLP:RED recipient loses it on the next request. Both
    are read first as ids (`reach_of`, or ``reach`` when the caller has it): one small query,
    and then a condition Django builds in microseconds rather than nested subqueries.
    For a page of a list, prefer `visible_page`: it walks the same rows in list order.

    ``few=True`` is for a queryset that holds few rows whatever the reader's reach (threads
    matching a searched word): the reader's audiences are read first (one query) and each
    row is checked by an index probe of its own audience rows, instead of collecting
    everything the reader may see.
    """
    reach = reach or reach_of(user)
    if few:
        # One EXISTS, probed per item through its own rows (index audience_item): an OR of
        # several would let PostgreSQL hash every row the reader may see instead.
        return queryset.filter(Exists(item_rows_seen(
            queryset.model, reach, item=OuterRef("pk"), item_tlp=OuterRef("tlp"))))
    rows = _rows(queryset.model)
    # A public row counts only while the item is still TLP:CLEAR: a label raised by
    # ``QuerySet.update()`` (a migration, a bulk action) must not leave the item public.
    seen = Q(tlp=TLP.CLEAR, pk__in=rows.filter(PUBLIC).values("object_id"))
    if reach.user_id is not None:
        seen |= Q(pk__in=rows.filter(_audiences(reach)).values("object_id"))
    return queryset.filter(seen)


def _audiences(reach: "Reach") -> Q:
    """The audience rows of a signed-in reader's own: their groups', and their own grants in
    the communities where they are active."""
    return Q(group_id__in=reach.group_ids) | Q(
        user_id=reach.user_id, community_id__in=reach.community_ids)


def visible_one(user, queryset: QuerySet, pk) -> QuerySet:
    """The item ``pk`` of ``queryset`` if ``user`` may see it, else nothing (also when ``pk``
    is no key at all): for a detail page, probed through that item's own audience rows
    rather than collecting everything the reader may see (`visible_to` with ``few``)."""
    try:
        one = queryset.filter(pk=pk)
    except (ValidationError, ValueError, TypeError):
        return queryset.none()
    return visible_to(user, one, few=True)


def item_rows_seen(model, reach: "Reach", *, item, item_tlp) -> QuerySet[AudienceRow]:
    """The audience rows of one item (``item``, its label ``item_tlp``: expressions such as
    ``OuterRef``) through which a reader of ``reach`` sees it: its public row while it is
    TLP:CLEAR, a row of one of the reader's groups, or their own grant in a community where
    they are active. An item is visible when there is one."""
    audiences = Q(PUBLIC, item_tlp=TLP.CLEAR)
    if reach.user_id is not None:
        audiences |= _audiences(reach)
    return _rows(model).filter(object_id=item).annotate(
        item_tlp=ExpressionWrapper(item_tlp, output_field=CharField())).filter(audiences)


@dataclass(frozen=True)
class Reach:
    """The audiences a reader is in right now: their grant groups, and the communities where
    they are active (their own user grants count only there)."""

    user_id: int | None
    group_ids: tuple[int, ...] = ()
    community_ids: tuple[int, ...] = ()
    federations: int = 0  # how many of the groups are federations'
    # (group id, kind, community id or None for a federation's) of each group.
    groups: tuple[tuple[int, str, int | None], ...] = ()
    public: bool = True  # whether public rows (TLP:CLEAR) count
    public_communities: tuple[int, ...] | None = None  # of which communities; None: all

    def narrowed(self, *, communities: Iterable[int] | None = None,
                 labels: Iterable[str] | None = None) -> "Reach":
        """The audiences that can hold an item of one of ``communities`` labelled one of
        ``labels`` (None: any): a list filtered so walks only those, instead of walking every
        other audience in vain for what it never holds. Which groups hold which labels is
        `audience.GROUP_LABELS`, the rule the grants are written by."""
        communities = None if communities is None else frozenset(communities)
        labels = None if labels is None else frozenset(labels)
        groups = tuple(
            (pk, kind, community) for pk, kind, community in self.groups
            if (communities is None or community is None or community in communities)
            and (labels is None or labels & GROUP_LABELS[kind])
        )
        return replace(
            self,
            groups=groups,
            group_ids=tuple(sorted({pk for pk, _kind, _community in groups})),
            community_ids=tuple(pk for pk in self.community_ids
                                if communities is None or pk in communities),
            public=self.public and (labels is None or TLP.CLEAR in labels),
            public_communities=(self.public_communities if communities is None
                                else tuple(sorted(communities))),
        )


def _reach_rows(user_id: int) -> QuerySet:
    """(source, id, kind, community) of each audience of ``user_id``: "g" a community's group,
    "f" a federation's, "c" a community where they are active."""
    community_groups, federation_groups = _principal_group_ids(user_id)
    communities = Membership.objects.filter(user_id=user_id, status=MembershipStatus.ACTIVE)
    nothing = Value(None, output_field=IntegerField())
    return community_groups.order_by().values_list(
        Value("g"), "group_id", "kind", "community_id"
    ).union(
        federation_groups.order_by().values_list(Value("f"), "group_id", Value(FEDERATION),
                                                 nothing),
        communities.order_by().values_list(Value("c"), "community_id", Value(""), nothing),
        all=True,
    )


# Every request of a member reads it: compiled once (portal.prepared).
_REACH_ROWS = Prepared(_reach_rows, "user_id")

# The reaches read during one request that changes nothing (`reaches_remembered`).
_remembered: ContextVar[dict | None] = ContextVar("sharing_reaches", default=None)


@contextmanager
def reaches_remembered():
    """Within it, each reader's reach is read from the memberships once, not once per
    question: for a request that changes nothing (`middleware.ReachPerRequestMiddleware`).
    Outside it — a request that writes, a job, a command — every question reads them anew."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def reach_of(user) -> Reach:
    """The grant groups of ``user`` (`_principal_group_ids`) and the communities where they
    are active, as ids, in one query."""
    if user is None or not user.is_authenticated:
        return Reach(user_id=None)
    remembered = _remembered.get()
    if remembered is not None and user.pk in remembered:
        return remembered[user.pk]
    reach = _reach_from(user.pk, _REACH_ROWS.rows(user_id=user.pk))
    if remembered is not None:
        remembered[user.pk] = reach
    return reach


def reaches_of(user_ids: Iterable[int]) -> dict[int, Reach]:
    """`reach_of` for many people at once, in one query whatever their number: {user id:
    their Reach}, equal to what `reach_of` gives each of them (a test compares them) — for a
    job that asks for thousands of readers (the digests), instead of a query per reader.
    Read from active memberships, like `reach_of`; a user with none gets an empty reach."""
    ids = sorted({int(pk) for pk in user_ids})
    if not ids:
        return {}
    active = Membership.objects.filter(user_id__in=ids, status=MembershipStatus.ACTIVE).order_by()
    nothing = Value(None, output_field=IntegerField())
    # The joins of `_principal_group_ids`, one row per (person, group): the members group and
    # their organisation's group of each community they are active in (each by its own
    # index), every interned set holding their organisation there, and the group of each
    # federation of those communities.
    members_groups = active.filter(community__auth_groups__kind=GroupKind.MEMBERS).values_list(
        "user_id", Value("g"), "community__auth_groups__group_id",
        "community__auth_groups__kind", "community_id")
    organization_groups = active.filter(
        community__auth_groups__kind=GroupKind.ORGANIZATION,
        community__auth_groups__organization_id=F("organization_id"),
    ).values_list("user_id", Value("g"), "community__auth_groups__group_id",
                  "community__auth_groups__kind", "community_id")
    organization_sets = active.filter(
        organization__organization_sets__kind=GroupKind.ORGANIZATIONS,
        organization__organization_sets__community_id=F("community_id"),
    ).values_list("user_id", Value("g"), "organization__organization_sets__group_id",
                  "organization__organization_sets__kind", "community_id")
    federation_groups = active.filter(community__federations__group__isnull=False).values_list(
        "user_id", Value("f"), "community__federations__group_id", Value(FEDERATION), nothing)
    communities = active.values_list("user_id", Value("c"), "community_id", Value(""), nothing)
    found: dict[int, list] = {pk: [] for pk in ids}
    for user_id, *row in members_groups.union(organization_groups, organization_sets,
                                              federation_groups, communities, all=True):
        found[user_id].append(row)
    return {user_id: _reach_from(user_id, rows) for user_id, rows in found.items()}


def _reach_from(user_id: int, found) -> Reach:
    """A Reach from its rows: (source, id, kind, community) as `_reach_rows` gives them."""
    groups = {(pk, kind, community) for source, pk, kind, community in found if source != "c"}
    return Reach(
        user_id=user_id,
        group_ids=tuple(sorted({pk for pk, _kind, _community in groups})),
        community_ids=tuple(sorted({pk for source, pk, *_ in found if source == "c"})),
        federations=len({pk for source, pk, *_ in found if source == "f"}),
        groups=tuple(sorted(groups)),
    )


class BatchAudiences:
    """The audience rows of a batch of items (one model), read once, so that which of them
    each of many readers sees is answered in memory — `visible_to`'s rule, for a job that
    asks it for thousands of readers with their `reaches_of` (the digests) instead of a
    query per reader. A test checks that both agree for every person and item."""

    def __init__(self, queryset: QuerySet):
        rows = _rows(queryset.model).filter(
            Q(object_id__in=queryset.values("pk"), group__isnull=False)
            | Q(object_id__in=queryset.values("pk"), user__isnull=False)
            # A public row counts only while the item is still TLP:CLEAR (`visible_to`).
            | Q(PUBLIC, object_id__in=queryset.filter(tlp=TLP.CLEAR).values("pk"))
        ).values_list("object_id", "group_id", "user_id", "community_id")
        self.by_group: dict[int, list] = {}
        self.by_user: dict[int, list[tuple]] = {}
        self.public: dict[int, list] = {}  # by community
        for pk, group_id, user_id, community_id in rows:
            if group_id is not None:
                self.by_group.setdefault(group_id, []).append(pk)
            elif user_id is not None:
                self.by_user.setdefault(user_id, []).append((pk, community_id))
            else:
                self.public.setdefault(community_id, []).append(pk)
        # What the public rows and the groups give, by (groups, public communities): readers
        # with the same audiences get the very same set.
        self._shared: dict[tuple, frozenset] = {}

    def visible(self, reach: Reach) -> frozenset:
        """The pks of the batch that a reader of ``reach`` sees: the public ones, those
        granted to one of their groups, and their own grants in communities where they are
        active. A narrowed reach (`Reach.narrowed`) asks only about its communities and
        labels, as a list page does. Readers whose audiences are the same and who have no
        grant of their own in the batch get the same (identical) frozenset."""
        key = (reach.group_ids if reach.user_id is not None else (), reach.public,
               reach.public_communities)
        shared = self._shared.get(key)
        if shared is None:
            seen: set = set()
            if reach.public:
                for community_id in (self.public if reach.public_communities is None
                                     else reach.public_communities):
                    seen.update(self.public.get(community_id, ()))
            for group_id in key[0]:
                seen.update(self.by_group.get(group_id, ()))
            shared = self._shared[key] = frozenset(seen)
        own = self.by_user.get(reach.user_id) if reach.user_id is not None else None
        if not own:
            return shared
        active = set(reach.community_ids)
        mine = {pk for pk, community_id in own if community_id in active}
        return shared | mine if mine - shared else shared


def can_view(user, obj: Model) -> bool:
    """Whether ``user`` may see ``obj``: `visible_to` probing that one item's audience rows
    (the visibility property checks that both ways agree)."""
    return visible_to(user, type(obj)._default_manager.filter(pk=obj.pk), few=True).exists()


def audience_count(
    *,
    community: Community,
    author,
    tlp: str,
    organizations: Iterable | None = None,
    users: Iterable | None = None,
    federated: bool = False,
) -> int | None:
    """How many distinct people (active memberships) would see an item with this choice —
    what the recipient picker shows before saving. ``None`` for TLP:CLEAR: it is public.

    Counts from memberships, as `visible_to` reads them, so it works before any grant
    exists. Refuses the same choices as `audience_set`.
    """
    author_membership = Membership.objects.filter(user=author, community=community).first()
    audience = audience_resolve(
        community=community,
        author_organization_id=author_membership and author_membership.organization_id,
        tlp=tlp,
        organizations=organizations,
        users=users,
        federated=federated,
    )
    if audience.tlp == TLP.CLEAR:
        return None
    here = Q(community=community)
    if audience.tlp == TLP.GREEN:
        reach = here
        if audience.federated:
            reach |= Q(community__federations__communities=community)
    elif audience.tlp in AMBERS:
        reach = here & Q(organization_id__in=audience.organizations)
    else:
        reach = here & Q(user_id__in=audience.users)
    reach |= here & Q(user=author)
    return (
        Membership.objects.filter(reach, status=MembershipStatus.ACTIVE)
        .values("user_id")
        .distinct()
        .count()
    )


# What lists show of the chosen recipients: slugs and names, people's names and addresses.
RECIPIENT_FIELDS = {
    "recipient_organizations": ("slug", "name", "name_en"),
    "recipient_users": ("email", "display_name"),
}


class _Attached(QuerySet):
    """Recipients filled by `recipients_attach`: read from memory, and anything chained on
    them (``.filter()``, ``.order_by()``) asks the database about exactly these rows."""

    def __init__(self, model, rows: list, query):
        # One query object for all the recipients of a page: building one per item and
        # relation cost more than the rest of the attaching, and none is ever run or
        # changed (anything chained starts from `_chain`).
        super().__init__(model=model, query=query)
        self._result_cache, self._prefetch_done = rows, True

    def _chain(self):
        return self.model._base_manager.filter(pk__in=[row.pk for row in self._result_cache])


def recipients_attach(items: list) -> list:
    """Fill the recipients of a page of items (what ``item.recipient_organizations.all()``
    and ``item.recipient_users.all()`` then read) in two queries each, with one instance per
    organisation or person however many items name them: AMBER to every member organisation
    is dozens of rows per item, and an instance per row cost a list more than its visibility.
    """
    if not items:
        return items
    model = type(items[0])
    ids = [item.pk for item in items]
    for name, fields in RECIPIENT_FIELDS.items():
        field = model._meta.get_field(name)
        item_fk, target_fk = field.m2m_field_name(), field.m2m_reverse_field_name()
        # The pairs alone (two keys a row), then each recipient once, found through the
        # page's items (not by hundreds of keys): AMBER to every member organisation names
        # the same few hundred on every item of the page.
        pairs = list(field.remote_field.through.objects.filter(
            **{f"{item_fk}__in": ids}).values_list(f"{item_fk}_id", f"{target_fk}_id"))
        targets = field.related_model._base_manager.filter(
            **{f"{field.related_query_name()}__in": ids}).distinct().order_by()
        shared = {row[0]: field.related_model.from_db(targets.db, ["id", *fields], row)
                  for row in (targets.values_list("pk", *fields) if pairs else ())}
        chosen = {pk: [] for pk in ids}
        for item_id, pk in pairs:
            if pk in shared:  # else removed between the two queries
                chosen[item_id].append(shared[pk])
        query = Query(field.related_model)
        for item in items:
            # Where Django's own prefetch leaves it (QuerySet.prefetch_related_objects).
            item.__dict__.setdefault("_prefetched_objects_cache", {})[name] = _Attached(
                field.related_model, chosen[item.pk], query)
    return items


def recipients_prefetch() -> list[Prefetch]:
    """The chosen recipients of a single item, as `recipients_attach` gives a page's."""
    return [
        Prefetch(name, queryset=model.objects.only("pk", *RECIPIENT_FIELDS[name]).order_by())
        for name, model in (("recipient_organizations", Organization),
                            ("recipient_users", get_user_model()))
    ]


def recipients_of(item) -> Audience:
    """What the author chose (label, organisations, people, federation), for the edit form
    and "addressed to me". Uses prefetched recipients when the caller prefetched them.

    On an anonymous item the organisations include the author's own: show them only to
    those `source_organization` would tell.
    """
    return Audience(
        tlp=TLP(item.tlp),
        organizations=frozenset(org.pk for org in item.recipient_organizations.all()),
        users=frozenset(user.pk for user in item.recipient_users.all()),
        federated=item.federated,
    )


def _secretariat_of(viewer, community_ids: set[int]) -> set[int]:
    if not viewer.is_authenticated or not community_ids:
        return set()
    return set(
        Membership.objects.filter(
            user=viewer,
            community_id__in=community_ids,
            status=MembershipStatus.ACTIVE,
            role=Role.SECRETARIAT,
        ).values_list("community_id", flat=True)
    )


def source_organizations(items: Iterable, viewer) -> dict:
    """{item pk: the organisation that shared it, or None when hidden from ``viewer``} in at
    most two queries: anonymous items name their source only to the author and the
    community's secretariat (the hub that relays them). Every time the secretariat is told
    the source of someone else's anonymous item, an audit record says so (one INSERT)."""
    items = list(items)
    hidden = [
        item
        for item in items
        if item.anonymous and not (viewer.is_authenticated and viewer.pk == item.author_id)
    ]
    told = _secretariat_of(viewer, {item.community_id for item in hidden})
    hidden_pks = {item.pk for item in hidden if item.community_id not in told}
    # The secretariat is told because it is the hub; each time it is, the trail says so.
    revealed = [item for item in hidden if item.community_id in told]
    if revealed:
        sources_revealed(items=revealed, viewer=viewer)
    return {item.pk: None if item.pk in hidden_pks else item.author_organization for item in items}


def source_organization(item, viewer) -> Organization | None:
    return source_organizations([item], viewer)[item.pk]


def source_label(item, viewer) -> str:
    """The source as ``viewer`` may read it: the organisation's name, or "via the
    secretariat" for an anonymous item."""
    organization = source_organization(item, viewer)
    return organization.display_name if organization else _("via the secretariat")


def addressed_to(user, queryset: QuerySet) -> QuerySet:
    """ "Addressed to me", for any kind of shared content: among ``queryset``, the TLP:RED
    items naming ``user`` and the TLP:AMBER / AMBER+STRICT items naming the organisation
    ``user`` represents in the item's community (an active membership) — among those they
    may see, not their own. Two queries (the reader's audiences, then the items); ordering
    and related rows are the caller's.

    AMBER goes to the organisation the user acts for *there*, not to their name: a colleague
    named on a RED item is not "my organisation"."""
    return visible_to(user, naming(user, queryset))


def naming(user, queryset: QuerySet) -> QuerySet:
    """The condition of `addressed_to` alone, NOT narrowed by visibility: for a list whose
    page `sharing.pages` picks (it applies visibility once)."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    model = queryset.model
    by_org = model._meta.get_field("recipient_organizations")
    by_user = model._meta.get_field("recipient_users")
    my_organization = Membership.objects.filter(
        user_id=user.pk,
        status=MembershipStatus.ACTIVE,
        community_id=OuterRef(OuterRef("community_id")),
    ).values("organization_id")
    names_my_organization = Exists(
        by_org.remote_field.through.objects.filter(
            **{
                f"{by_org.m2m_field_name()}_id": OuterRef("pk"),
                f"{by_org.m2m_reverse_field_name()}_id__in": my_organization,
            }
        )
    )
    names_me = Exists(
        by_user.remote_field.through.objects.filter(
            **{
                f"{by_user.m2m_field_name()}_id": OuterRef("pk"),
                f"{by_user.m2m_reverse_field_name()}_id": user.pk,
            }
        )
    )
    return queryset.filter(
        Q(names_me, tlp=TLP.RED) | Q(names_my_organization, tlp__in=list(AMBERS))
    ).exclude(author_id=user.pk)


def may_change(user, item, *, seen_through: Model | None = None) -> bool:
    """The one rule for changing shared content (its text, audience, source, posts):
    the author, or the secretariat of the item's community who can see it — both only while
    they are active members of that community. Views ask it to show buttons, services to
    refuse.

    ``seen_through`` is the shared item whose audience decides who sees ``item``, when
    ``item`` has none of its own (a post: its thread)."""
    return item.pk in changeable(user, [item], seen_through=seen_through)


def changeable(user, items: Iterable, *, seen_through: Model | None = None) -> set:
    """The pks of ``items`` (one model) that ``user`` may change by `may_change`'s rule, in at
    most three queries whatever their number (their roles, and for the secretariat its
    audiences and what it sees): for a page of posts, or a list of items."""
    items = list(items)
    if not items or user is None or not user.is_authenticated:
        return set()
    roles = dict(
        Membership.objects.filter(
            user_id=user.pk,
            status=MembershipStatus.ACTIVE,
            community_id__in={item.community_id for item in items},
        ).values_list("community_id", "role")
    )
    allowed, asks_sight = set(), []
    for item in items:
        role = roles.get(item.community_id)
        if role is None:
            continue  # suspended, left, or never a member here: not even the author
        if item.author_id == user.pk:
            allowed.add(item.pk)
        elif role == Role.SECRETARIAT:
            asks_sight.append(item)  # may not change what it was never shown
    if asks_sight and seen_through is not None:
        if can_view(user, seen_through):
            allowed.update(item.pk for item in asks_sight)
    elif asks_sight:
        model = type(asks_sight[0])
        seen = visible_to(user, model._default_manager.filter(pk__in=[i.pk for i in asks_sight]))
        allowed.update(seen.values_list("pk", flat=True))
    return allowed
