"""The secretariat's count of pending approvals in a community's navigation
(`portal.settings` TEMPLATES)."""

from django.utils.functional import SimpleLazyObject

from apps.communities.selectors import pending_approvals_count


def pending_approvals(request) -> dict:
    """``pending_approvals``: how many members of the community in the URL wait for
    approval (0 unless the reader is its secretariat), asked only when a page shows it —
    one query."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match else None
    if user is None or not user.is_authenticated or not slug:
        return {}
    return {"pending_approvals": SimpleLazyObject(
        lambda: pending_approvals_count(user=user, community_slug=slug))}
