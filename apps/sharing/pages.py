"""Pages of a list, in list order (newest first), holding only what the reader may see —
without reading what they may not.

A page is a merge of index range scans over the materialised audience (`AudienceRow`): one
per audience the reader is in (`reach_of`: their groups, their own user grants, the public
rows), each stopping after one page. Nothing scans every item, nothing hashes everything a
reader may see, and a page costs the same at a thousand items or a million. Then the rows of
that page alone are fetched with their relations and counts (ids first).

Keyset cursors (position, id) make later pages as cheap as the first, and stay right while
items are added. Counts are exact up to a cap, and "more than the cap" beyond.
"""

import base64
import binascii
import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL

from apps.sharing.models import AudienceRow
from apps.sharing.selectors import PUBLIC, Reach, item_rows_seen, reach_of
from apps.sharing.tlp import TLP

COUNT_CAP = 1000


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the list position and id of its last item."""

    position: datetime.datetime
    pk: uuid.UUID

    def encode(self) -> str:
        raw = f"{self.position.isoformat()}|{self.pk.hex}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        """Raises ValueError for anything that is not a cursor this module wrote."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            position, pk = raw.split("|")
            moment = datetime.datetime.fromisoformat(position)
            if moment.tzinfo is None:
                raise ValueError("naive")
            return cls(position=moment, pk=uuid.UUID(hex=pk))
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
            raise ValueError("not a cursor") from error


@dataclass
class Page:
    items: list
    next: Cursor | None  # None on the last page


@dataclass(frozen=True)
class Count:
    value: int
    exact: bool  # False: "more than `value`"


@dataclass(frozen=True)
class _Branch:
    """One range scan: a condition on the audience rows, and one on the item they belong to
    (None: any item of the queryset)."""

    rows: Q
    item: Q | None = None


def _branches(reach: Reach, *, lateral: bool) -> list[_Branch]:
    """One range scan per audience the reader is in. With ``lateral``, all the group scans
    are one: a LATERAL subquery run once per group id (PostgreSQL)."""
    branches = []
    if lateral and reach.group_ids:
        branches.append(_Branch(Q(group_id=RawSQL("reach.group_id", []))))
    else:
        branches += [_Branch(Q(group_id=pk)) for pk in reach.group_ids]
    if reach.user_id is not None and reach.community_ids:
        branches.append(_Branch(Q(user_id=reach.user_id, community_id__in=reach.community_ids)))
    # A public row counts only while its item is TLP:CLEAR (a label raised by ``update()``
    # leaves the row behind); saying so also lets the planner drop the public scan at once
    # under a filter on another label (?tlp=AMBER). Last: a count stops once it has enough
    # rows, and the reader's own audiences give them without probing each item's label.
    if reach.public:
        rows = PUBLIC if reach.public_communities is None else (
            PUBLIC & Q(community_id__in=reach.public_communities))
        branches.append(_Branch(rows, item=Q(tlp=TLP.CLEAR)))
    return branches


def _branch_sql(queryset: QuerySet, branch: _Branch, *, after: Cursor | None):
    """SQL of one range scan: the filtered items reached through ``branch``, in list order
    (its LIMIT is the caller's).

    When neither the list nor the branch says anything of the items, the scan reads the
    audience rows alone (an index-only scan): a row exists only while its item does, since
    deleting an item deletes its rows."""
    content_type = ContentType.objects.get_for_model(queryset.model)
    alone = branch.item is None and not queryset.query.where
    prefix = "" if alone else "audience_rows__"
    condition = Q(**{f"{prefix}content_type": content_type}) & (
        branch.rows if alone else _prefixed(branch.rows) & (branch.item or Q()))
    if after is not None:
        condition &= _before(after, f"{prefix}position", f"{prefix}object_id")
    # One filter() call: a second one on the item's rows would join them a second time.
    rows = (AudienceRow.objects if alone else queryset).filter(condition)
    rows = rows.annotate(page_pos=F(f"{prefix}position"), page_id=F(f"{prefix}object_id"))
    rows = rows.order_by("-page_pos", "-page_id").values_list("page_id", "page_pos")
    return rows.query.get_compiler(using=queryset.db).as_sql()


def _before(cursor: Cursor, position: str, pk: str) -> Q:
    """What comes after ``cursor`` in list order (newest first). ``position <= …`` on its own
    is an index bound: the walk starts at the cursor instead of filtering its way down."""
    return Q(**{f"{position}__lte": cursor.position}) & (
        Q(**{f"{position}__lt": cursor.position}) | Q(**{f"{pk}__lt": cursor.pk}))


def _prefixed(condition: Q) -> Q:
    """``condition`` on AudienceRow fields, as a condition on the item's audience rows."""
    children = [
        _prefixed(child) if isinstance(child, Q) else (f"audience_rows__{child[0]}", child[1])
        for child in condition.children
    ]
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def _scans(queryset: QuerySet, reach: Reach, *, after: Cursor | None) -> list[tuple]:
    """Every range scan of ``reach`` as (SQL of (page_id, page_pos) ending in ``LIMIT %s``,
    its parameters before the limit's); none when no audience of the reader can hold what
    ``queryset`` asks for. Compiled once for a page and its count."""
    lateral = connections[queryset.db].vendor == "postgresql"
    scans = []
    for index, branch in enumerate(_branches(reach, lateral=lateral)):
        try:
            sql, params = _branch_sql(queryset, branch, after=after)
        except EmptyResultSet:  # it can match nothing (an empty list of communities)
            continue
        sql = f"{sql} LIMIT %s"
        if "reach.group_id" in sql:
            scans.append((
                "SELECT b.page_id, b.page_pos FROM unnest(%s::integer[]) AS reach(group_id) "
                f"CROSS JOIN LATERAL ({sql}) b", [list(reach.group_ids), *params]))
        else:
            scans.append((f"SELECT * FROM ({sql}) b{index}", list(params)))
    return scans


def _union(scans: list[tuple], *, limit: int, keep_duplicates: bool = False):
    """The scans as one compound statement, each stopping after ``limit`` rows; None when
    there is none."""
    if not scans:
        return None, []
    sql = (" UNION ALL " if keep_duplicates else " UNION ").join(sql for sql, _ in scans)
    return sql, [param for _, params in scans for param in (*params, limit)]


# A bound no list reaches: a LIMIT keeps the matches a subquery of their own (PostgreSQL
# moves no condition into a subquery that has one), on SQLite as on PostgreSQL.
_FENCE = 10**9

def _narrowed_sql(queryset: QuerySet, reach: Reach, *, after: Cursor | None, limit: int,
                  position: str | None = None):
    """SQL of the first ``limit`` visible ids, in list order, among the few items
    ``queryset`` matches (None when nothing can match): the matches are found first (with
    their label and position), each is checked against the reader's audiences, and the
    visible ones are put in list order.

    The matches are not put in order before they are checked: ordered, the planner would
    walk the list's index and test the words on every item it meets until it had enough —
    the whole table for a word found only in old items. Unordered, it reads them through
    the trigram indexes (and a window's range, `_narrowed_ids`): the cost of a search is
    that of its matches, never of the items it does not match. ``position``: the column of
    the list's order, when not the model's ``list_position`` (a list sorted otherwise)."""
    model = queryset.model
    position = position or model.list_position
    matches = queryset
    if after is not None:
        matches = matches.filter(_before(after, position, "pk"))
    if reach.user_id is None:
        # Only public rows count, and only while the item is TLP:CLEAR: saying so lets an
        # index on the label find the matches without reading the others from the table.
        matches = matches.filter(tlp=TLP.CLEAR)
    try:
        matches_sql, params = matches.order_by() \
            .values_list(model._meta.pk.attname, "tlp", position) \
            .query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # nothing can match
        return None, []
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    pk, tlp = f"m.{quote(model._meta.pk.column)}", f"m.{quote(model._meta.get_field('tlp').column)}"
    seen = item_rows_seen(model, reach, item=RawSQL(pk, []), item_tlp=RawSQL(tlp, []))
    seen_sql, seen_params = seen.values("pk")[:1].query.get_compiler(using=queryset.db).as_sql()
    if connection.vendor == "postgresql":
        # A LATERAL subquery with a LIMIT is run per match, a probe of that item's own
        # audience rows: the planner cannot turn it into a hash of every row the reader may
        # see.
        seen_sql = f"CROSS JOIN LATERAL ({seen_sql}) seen"
    else:
        seen_sql = f"WHERE EXISTS ({seen_sql})"
    column = f"m.{quote(model._meta.get_field(position).column)}"
    sql = (f"SELECT {pk} FROM ({matches_sql} LIMIT {_FENCE}) m {seen_sql} "
           f"ORDER BY {column} DESC, {pk} DESC LIMIT %s")
    return sql, [*params, *seen_params, limit]


# A search (a page, or the first cap + 1 for its count) looks first among the newest items,
# 200 times as many as it wants, then 2,000 times, and only then among all of them. Putting
# every match of a common word in list order reads each from the table (30,000 for
# ランサムウェア at a million items); a window is a range of the list's index that the
# planner intersects with the trigram indexes, and for such a word it holds what is wanted.
# A rare word leaves the windows short: then all its matches, few, are read. Finding where
# a window starts walks that many entries of the index, hence a largest window.
SEARCH_WINDOWS = (200, 2000)
LARGEST_WINDOW = 250_000


def _window_start(queryset: QuerySet, *, after: Cursor | None, size: int,
                  position: str | None = None):
    """The list position of the ``size``-th item after ``after`` (of every item, whoever
    may see it: an index walk); None when fewer remain."""
    model = queryset.model
    position = position or model.list_position
    items = model._default_manager.using(queryset.db)
    if after is not None:
        items = items.filter(_before(after, position, "pk"))
    found = items.order_by(f"-{position}", "-pk").values_list(position, flat=True)
    return next(iter(found[size - 1:size]), None)


def _narrowed_ids(queryset: QuerySet, reach: Reach, *, after: Cursor | None, limit: int,
                  windows: tuple[int, ...] = SEARCH_WINDOWS,
                  position: str | None = None) -> list:
    """The first ``limit`` visible ids of a narrow filter in list order, found in the
    smallest window of the newest items that holds them (``windows``: sizes, in multiples
    of ``limit``). Everything newer than a window's start is in it, so ``limit`` ids found
    there are the first ``limit`` of the whole list."""
    position = position or queryset.model.list_position
    for times in windows:
        if times * limit > LARGEST_WINDOW:
            break
        start = _window_start(queryset, after=after, size=times * limit, position=position)
        if start is None:  # the window holds the whole list: search it all
            break
        window = queryset.filter(**{f"{position}__gte": start})
        ids = _ids(queryset, *_narrowed_sql(window, reach, after=after, limit=limit,
                                            position=position))
        if len(ids) >= limit:
            return ids
    return _ids(queryset, *_narrowed_sql(queryset, reach, after=after, limit=limit,
                                         position=position))


def visible_page(
    user,
    queryset: QuerySet,
    *,
    size: int,
    after: Cursor | None = None,
    decorate: Callable[[QuerySet], QuerySet] = lambda rows: rows,
    reach: Reach | None = None,
    narrow: bool = False,
    scans: list | None = None,
    windows: tuple[int, ...] = SEARCH_WINDOWS,
    position: str | None = None,
) -> Page:
    """The page of ``queryset`` (filtered, NOT yet narrowed by visibility, nor decorated)
    that ``user`` may see, after ``after``. Its rows are then fetched by id through
    ``decorate`` (select_related, prefetch_related, annotations), so the sort never carries
    wide rows. Two queries plus ``decorate``'s, whatever the number of items.

    ``narrow``: the filter matches few items whatever the reader's reach (a text search,
    served by trigram indexes): they are found first and each is checked against the
    reader's audiences, rather than walking every audience for the rare match, looking first
    among the newest items (``windows``, `SEARCH_WINDOWS`). ``scans``: `_scans` of this list
    after ``after``, when the caller has them already.

    ``position``: a list sorted by another date column than the model's ``list_position``
    (threads by when they were started). The audience rows are in list order only, so such
    a list is read as a narrow one: its newest items first, each checked (`_narrowed_ids`);
    its cursors carry that column."""
    reach = reach or reach_of(user)
    if position == queryset.model.list_position:
        position = None
    if narrow or position:
        ids = _narrowed_ids(queryset, reach, after=after, limit=size + 1, windows=windows,
                            position=position)
        return _page_of(queryset, ids, size=size, decorate=decorate, position=position)
    if scans is None:
        scans = _scans(queryset, reach, after=after)
    sql, params = _union(scans, limit=size + 1)
    if sql is not None:
        # ORDER BY and LIMIT of the compound itself: no extra nesting for SQLite's parser.
        sql = f"{sql} ORDER BY page_pos DESC, page_id DESC LIMIT %s"
        params = [*params, size + 1]
    return _page_of(queryset, _ids(queryset, sql, params), size=size, decorate=decorate)


def _ids(queryset: QuerySet, sql: str | None, params: list) -> list:
    if sql is None:  # nothing can match, or no audience of the reader can hold it
        return []
    field = queryset.model._meta.pk
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [field.to_python(row[0]) for row in cursor.fetchall()]


def _page_of(queryset: QuerySet, ids: list, *, size: int, decorate,
             position: str | None = None) -> Page:
    """The page of the first ``size`` of ``ids`` (one more tells that a next page exists),
    their rows fetched through ``decorate``."""
    more = len(ids) > size
    ids = ids[:size]
    found = {item.pk: item for item in decorate(queryset.model._default_manager.filter(pk__in=ids))}
    items = [found[pk] for pk in ids if pk in found]
    position = position or queryset.model.list_position
    last = items[-1] if items else None
    return Page(
        items=items,
        next=Cursor(position=getattr(last, position), pk=last.pk) if more and last else None,
    )


def visible_listing(
    user, queryset: QuerySet, *, size: int, after: Cursor | None = None,
    decorate: Callable[[QuerySet], QuerySet] = lambda rows: rows, reach: Reach | None = None,
    narrow: bool = False, cap: int = COUNT_CAP, position: str | None = None,
) -> tuple[Page, Count]:
    """`visible_page` and `visible_count` of one list. The first page of a narrow filter (a
    text search) is found with its count: the first ``cap + 1`` visible matches in list
    order hold both. ``position``: another order (`visible_page`); the count is the same."""
    reach = reach or reach_of(user)
    if position == queryset.model.list_position:
        position = None
    if narrow and after is None and cap >= size:
        ids = _narrowed_ids(queryset, reach, after=None, limit=cap + 1, position=position)
        count = Count(value=min(len(ids), cap), exact=len(ids) <= cap)
        return _page_of(queryset, ids, size=size, decorate=decorate, position=position), count
    # The first page and the count walk the same scans: compiled once.
    scans = None if narrow or after is not None else _scans(queryset, reach, after=None)
    page = visible_page(user, queryset, size=size, after=after, decorate=decorate, reach=reach,
                        narrow=narrow, scans=None if position else scans, position=position)
    return page, visible_count(user, queryset, cap=cap, reach=reach, narrow=narrow,
                               scans=scans)


def visible_count(
    user, queryset: QuerySet, *, cap: int = COUNT_CAP, reach: Reach | None = None,
    narrow: bool = False, scans: list | None = None,
) -> Count:
    """How many items of ``queryset`` ``user`` may see: exact up to ``cap``, otherwise
    ``Count(cap, exact=False)`` ("1,000+").

    Each range scan stops after ``cap + 1`` rows, and on PostgreSQL all of them together
    after ``reuse * (cap + 1)``: an item is reached through at most ``reuse`` of one
    reader's audiences (their own grant, the community's or their organisation's group, and
    each federation's), so that many rows always hold more than ``cap`` distinct items."""
    reach = reach or reach_of(user)
    if narrow:  # the first cap + 1 visible matches (`_narrowed_ids`)
        found = len(_narrowed_ids(queryset, reach, after=None, limit=cap + 1))
        return Count(value=min(found, cap), exact=found <= cap)
    connection = connections[queryset.db]
    if scans is None:
        scans = _scans(queryset, reach, after=None)
    if connection.vendor != "postgresql":  # small databases; SQLite's parser wants it flat
        sql, params = _union(scans, limit=cap + 1)
        counted = "COUNT(*)"
    else:
        # Each scan in list order too: an index walk that stops early, never a hash of
        # every public row joined to a scan of the items.
        sql, params = _union(scans, limit=cap + 1, keep_duplicates=True)
        reuse = 2 + reach.federations
        sql, params = sql and f"{sql} LIMIT %s", [*params, reuse * (cap + 1)]
        counted = "COUNT(DISTINCT page_id)"
    if sql is None:
        return Count(value=0, exact=True)
    sql = f"SELECT {counted} FROM ({sql}) u"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (found,) = cursor.fetchone()
    return Count(value=min(found, cap), exact=found <= cap)


@dataclass
class ListPage:
    """A web list's page: its items, the count to show, and the query strings of the first
    and the next page (keeping every filter, so a search can be bookmarked)."""

    items: list
    count: Count
    next_query: str | None
    first_query: str | None  # None on the first page


def request_page(user, queryset: QuerySet, params, *, size: int, decorate=lambda rows: rows,
                 scope: dict | None = None, position: str | None = None) -> ListPage:
    """`visible_listing` for a browser list: the cursor comes from ``params``
    (request.GET); one that this portal did not write raises Http404. ``scope``: what the
    list's filter says of the items' communities and labels (`Reach.narrowed`);
    ``position``: the date column of the list's order, when sorted otherwise."""
    from django.http import Http404

    after = None
    if raw := params.get("cursor"):
        try:
            after = Cursor.decode(raw)
        except ValueError:
            raise Http404 from None
    narrow = bool(params.get("q", "").strip())
    page, count = visible_listing(user, queryset, size=size, after=after, decorate=decorate,
                                  reach=reach_of(user).narrowed(**(scope or {})),
                                  narrow=narrow, position=position)
    rest = params.copy()
    rest.pop("cursor", None)
    next_query = None
    if page.next is not None:
        rest["cursor"] = page.next.encode()
        next_query = rest.urlencode()
        rest.pop("cursor")
    return ListPage(
        items=page.items,
        count=count,
        next_query=next_query,
        first_query=rest.urlencode() if after is not None else None,
    )
