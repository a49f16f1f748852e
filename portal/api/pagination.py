"""Keyset pages for the API lists of shared content (`apps.sharing.pages`): the caller's
filters narrow the model, `sharing` picks the page the caller may see, the viewset decorates
its rows. No page ever counts or scans everything the caller may see."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.sharing.pages import COUNT_CAP, Cursor, visible_listing
from apps.sharing.selectors import reach_of


class VisibleCursorPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = _("Invalid cursor")

    def page_size(self, request) -> int:
        default = api_settings.PAGE_SIZE or 50
        try:
            wanted = int(request.query_params.get(self.page_size_query_param, default))
        except (TypeError, ValueError):
            return default
        return min(max(wanted, 1), self.max_page_size)

    def paginate_visible(self, queryset, request, *, decorate, scope=None) -> list:
        """The caller's page of ``queryset`` (filtered, not narrowed by visibility), its rows
        passed through ``decorate``; ``scope``: what the filter says of the items'
        communities and labels (`Reach.narrowed`), so that only the audiences that can hold
        them are walked."""
        self.request = request
        after = None
        if raw := request.query_params.get(self.cursor_query_param):
            try:
                after = Cursor.decode(raw)
            except ValueError:
                raise NotFound(self.invalid_cursor_message) from None
        # A text search matches few items: find them first, then check each (sharing.pages).
        narrow = bool(request.query_params.get("q", "").strip())
        self.reach = reach_of(request.user)  # kept whole for the page's decoration
        page, self.count = visible_listing(
            request.user, queryset, size=self.page_size(request), after=after,
            decorate=decorate, reach=self.reach.narrowed(**(scope or {})), narrow=narrow)
        self.next = page.next
        return page.items

    def get_next_link(self) -> str | None:
        if self.next is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next.encode())

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count.value,
                "count_exact": self.count.exact,
                "next": self.get_next_link(),
                "first": remove_query_param(
                    self.request.build_absolute_uri(), self.cursor_query_param
                ),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_exact", "next", "first", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": COUNT_CAP,
                    "description": f"How many match, exact up to {COUNT_CAP}; with "
                    f"`count_exact: false`, more than {COUNT_CAP}.",
                },
                "count_exact": {"type": "boolean"},
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page (keyset cursor), null on the last page.",
                },
                "first": {"type": "string", "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(_("The cursor of the page, from `next`.")),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": str(_("Items per page, at most 200.")),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class VisibleListMixin:
    """``list`` for shared content: ``filter_queryset`` narrows the whole model by the query
    string, `sharing` keeps the caller's page of it, ``decorate_page`` fetches those rows."""

    pagination_class = VisibleCursorPagination

    def decorate_page(self, rows):
        return rows

    def page_data(self, items) -> list:
        return self.get_serializer(items, many=True).data

    def filtered(self, queryset) -> tuple:
        """``queryset`` narrowed by the query string, and what the filter says of the
        items' communities and labels (`CommunityScopedFilterSet.audience_scope`)."""
        filterset = DjangoFilterBackend().get_filterset(self.request, queryset, self)
        if filterset is None:
            return queryset, {}
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset.qs, filterset.audience_scope()

    def list(self, request, *args, **kwargs):
        queryset, scope = self.filtered(self.model._default_manager.all())
        items = self.paginator.paginate_visible(queryset, request, decorate=self.decorate_page,
                                                scope=scope)
        return self.paginator.get_paginated_response(self.page_data(items))
