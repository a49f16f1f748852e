"""The only shape shared content may take in Django admin.

A superuser reads shared content under the same rules as everyone ("No back door"), and reads
it in the portal, where anonymity, recipient lists and the record of who viewed what are
kept. So a content admin is a list of what the operator could see in the portal anyway —
scoped by `visible_to` — with a link to the portal page, and nothing else: no change form,
no history, no delete (a change form would show an AMBER item's text without the view being
recorded, and deleting items belongs to their author and the secretariat).
"""

from django.db.models import QuerySet

from apps.sharing.selectors import visible_to
from portal.admin import ReadOnlyAdmin


class ContentAdmin(ReadOnlyAdmin):
    """Subclass for any model that is, or hangs off, `SharedContent`. Override `scope` for a
    child model (read through its parent's visibility)."""

    # Read by portal.admin.operator_log: entries about such items are shown only when visible.
    scoped_to_viewer = True
    list_display_links = None
    actions = None

    def scope(self, user, queryset: QuerySet) -> QuerySet:
        return visible_to(user, queryset)

    def get_queryset(self, request):
        return self.scope(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        # The list only: one item's page (change form, history) is the portal's.
        return obj is None and super().has_view_permission(request)
