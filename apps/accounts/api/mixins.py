"""What every API view of Renkei shares."""

import zoneinfo

from django.utils import timezone, translation


def activate_user_preferences(request, user) -> None:
    """Speak the user's language and show times in their time zone for the rest of the
    request (the same choice the site middleware makes for session users)."""
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language
    try:
        timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.activate(zoneinfo.ZoneInfo("Asia/Tokyo"))


class UserPreferencesMixin:
    """Answer in the caller's language and time zone.

    The site middleware does this for session users, but a token is only read by DRF inside
    the view, so without this a token client would get refusals in the server's language.
    """

    def perform_authentication(self, request):
        super().perform_authentication(request)
        if request.user is not None and request.user.is_authenticated:
            activate_user_preferences(request, request.user)
