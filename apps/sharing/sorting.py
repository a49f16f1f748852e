"""Browser lists in another order than their newest-first default: by another date column
(threads by when they were started, incidents by their last change) or by TLP label.

Visibility is not decided here: every page still comes from `apps.sharing.pages`, which
reads only what the reader may see. A date column other than the model's ``list_position``
is read as a narrow list (`pages.visible_page`, ``position``). The label order is a sequence
of per-label lists, each walked in its usual order with its own keyset cursor: the URL's
cursor names the label it stands in (``<label>~<cursor>``), so pages stay as cheap and as
stable as the default order's.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from apps.sharing.pages import Cursor, ListPage, request_page, visible_count, visible_page
from apps.sharing.selectors import reach_of
from apps.sharing.tlp import TLP

# The label order: the narrowest audience first.
LABEL_ORDER = (TLP.RED, TLP.AMBER_STRICT, TLP.AMBER, TLP.GREEN, TLP.CLEAR)
_LABEL_CURSOR = "~"


@dataclass(frozen=True)
class Sort:
    """One way to sort a list: its value in the URL (``?sort=``), its name in the form, the
    date column it orders by, and whether it groups by label first."""

    key: str
    name: str
    position: str
    by_label: bool = False


def sort_of(params, sorts: tuple[Sort, ...]) -> Sort:
    """The sort the URL asks for; the first (the list's default) for none or an unknown one."""
    wanted = params.get("sort")
    return next((sort for sort in sorts if sort.key == wanted), sorts[0])


def sorted_request_page(user, queryset: QuerySet, params, *, sort: Sort, size: int,
                        decorate=lambda rows: rows, scope: dict | None = None) -> ListPage:
    """`pages.request_page` in ``sort``'s order, keeping every filter and the sort in the
    pager's query strings."""
    if not sort.by_label:
        return request_page(user, queryset, params, size=size, decorate=decorate, scope=scope,
                            position=sort.position)
    return _label_page(user, queryset, params, sort=sort, size=size, decorate=decorate,
                       scope=scope or {})


def _label_cursor(raw: str) -> tuple[str, Cursor]:
    label, _sep, cursor = raw.partition(_LABEL_CURSOR)
    if label not in LABEL_ORDER:
        raise Http404
    try:
        return label, Cursor.decode(cursor)
    except ValueError:
        raise Http404 from None


def _label_page(user, queryset, params, *, sort: Sort, size: int, decorate,
                scope: dict) -> ListPage:
    """A page in label order: the lists of each label in turn, from the cursor's label, until
    ``size + 1`` items are found (the last tells that a next page exists). One id query per
    label at most, the rows of the page decorated once, and the count of the whole list."""
    start, after = LABEL_ORDER[0], None
    if raw := params.get("cursor"):
        start, after = _label_cursor(raw)
    reach = reach_of(user).narrowed(**scope)
    allowed = set(scope.get("labels") or LABEL_ORDER)
    narrow = bool(params.get("q", "").strip())
    found = []  # (label, pk, position) in list order
    for label in LABEL_ORDER[LABEL_ORDER.index(start):]:
        if label not in allowed:
            continue
        want = size + 1 - len(found)
        page = visible_page(
            user, queryset.filter(tlp=label), size=want,
            after=after if label == start else None,
            decorate=lambda rows: rows.only("pk", sort.position),
            reach=reach.narrowed(labels=[label]), narrow=narrow, position=sort.position)
        found += [(label, item.pk, getattr(item, sort.position)) for item in page.items]
        if len(found) > size:  # a full page, and one more: a next page exists
            break
    more = len(found) > size
    found = found[:size]
    rows = {item.pk: item for item in decorate(
        queryset.model._default_manager.filter(pk__in=[pk for _label, pk, _pos in found]))}
    items = [rows[pk] for _label, pk, _pos in found if pk in rows]
    rest = params.copy()
    rest.pop("cursor", None)
    next_query = None
    if more and found:
        label, pk, position = found[-1]
        rest["cursor"] = f"{label}{_LABEL_CURSOR}{Cursor(position=position, pk=pk).encode()}"
        next_query = rest.urlencode()
        rest.pop("cursor")
    return ListPage(
        items=items,
        count=visible_count(user, queryset, reach=reach, narrow=narrow),
        next_query=next_query,
        first_query=rest.urlencode() if after is not None else None,
    )
