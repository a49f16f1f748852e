"""Serializer fields every app's API shares."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST, LATEST = 1970, 2100


class MomentField(serializers.DateTimeField):
    """A moment in an incident's life, stored in UTC.

    Refuses years outside 1970 to 2099: nothing shared here happened earlier, and before 1888 the
    Asia/Tokyo zone has a local-mean-time offset with seconds (+09:18:59) that no RFC 3339
    client can read back. Turned into UTC on the way in, because PostgreSQL refuses offsets past
    ±15:59 that ISO 8601 allows.
    """

    default_error_messages = {
        "implausible": _("Give a moment between {earliest} and {latest}."),
    }

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if not EARLIEST <= moment.year < LATEST:
            self.fail("implausible", earliest=EARLIEST, latest=LATEST)
        return moment.astimezone(datetime.UTC) if timezone.is_aware(moment) else moment


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's, refusing a value with a NUL character as an unknown slug: PostgreSQL cannot
    even look one up (psycopg refuses the query, which would answer 500)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)
