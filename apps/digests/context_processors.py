"""The unread notices in the navigation of every page (`portal.settings` TEMPLATES)."""

from django.utils.functional import SimpleLazyObject

from apps.digests.notices import unread_label


def notices(request) -> dict:
    """``notices_unread``: "" (nothing unread), "3" or "99+", asked only when a page shows
    it — one query (`notices.unread_count`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notices_unread": SimpleLazyObject(lambda: unread_label(user))}
