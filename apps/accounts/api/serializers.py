"""What the API shows of a person and their tokens. A token's clear key is shown once."""

from django.conf import settings
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.accounts.models import ApiToken, User


class ProfileSerializer(serializers.ModelSerializer):
    """The signed-in person's own settings; the e-mail address (the login) is read-only."""

    calendar_url = serializers.SerializerMethodField(help_text=_(
        "Your personal iCalendar feed of the meetings of all your communities, for a "
        "calendar program: the address is the credential (reset it on your profile page)."))

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "language", "time_zone", "digest_frequency",
                  "calendar_url"]
        read_only_fields = ["id", "email", "calendar_url"]

    def get_calendar_url(self, user) -> str:
        # By the URL's name: the feed is served by the meetings app, above this one.
        path = reverse("meetings:feed", args=[user.calendar_secret])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TokenSerializer(serializers.ModelSerializer):
    """A token as listed: its name and prefix let the owner recognise it, never use it."""

    is_active = serializers.BooleanField(read_only=True,
                                         help_text=_("False once revoked or expired."))

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at",
                  "revoked_at", "is_active"]
        read_only_fields = fields


def _days_help() -> str:
    return gettext("How many days the token works; by default %(days)d, at most %(max)d.") % {
        "days": settings.API_TOKEN_DEFAULT_DAYS, "max": settings.API_TOKEN_MAX_DAYS}


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=100, label=_("Token name"),
        help_text=_("What will use it, e.g. “SIEM integration”."),
    )
    days = serializers.IntegerField(
        required=False, min_value=1, max_value=settings.API_TOKEN_MAX_DAYS,
        label=_("Valid for (days)"),
        help_text=lazy(_days_help, str)(),
    )


class TokenCreatedSerializer(TokenSerializer):
    """The answer to a creation: the only time the clear key is ever returned."""

    key = serializers.CharField(
        read_only=True,
        help_text=_("The clear key. Copy it now: it is stored hashed and never shown again."),
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields
