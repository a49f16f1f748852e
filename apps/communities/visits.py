"""A member's visits to their community's home: the moment from which "what is new" counts.

A visit is a run of page views with no gap longer than `VISIT_GAP`. While it lasts, what is
new stays what came after the end of the *previous* visit — reloading the home does not
empty it — and ``last_seen_at`` is written at most every `SEEN_EVERY`, so that a busy
member costs one UPDATE every few minutes, not one per page.
"""

import datetime

from django.utils import timezone

from apps.communities.models import Membership

VISIT_GAP = datetime.timedelta(minutes=30)
SEEN_EVERY = datetime.timedelta(minutes=5)


def new_since_of(membership: Membership) -> datetime.datetime | None:
    """Where "new" starts for this member without recording a visit (the portal's home):
    the end of their previous visit, else when they joined; None: everything is new."""
    if membership.last_seen_at is not None and (
        timezone.now() - membership.last_seen_at >= VISIT_GAP
    ):
        return membership.last_seen_at
    return membership.new_since or membership.activated_at or membership.created_at


def membership_visit(*, membership: Membership, now: datetime.datetime | None = None):
    """Record that the member opened the community's home and return where "new" starts
    for this visit. One UPDATE at most (none within `SEEN_EVERY` of the last one)."""
    now = now or timezone.now()
    seen = membership.last_seen_at
    changes = {}
    if seen is None or now - seen >= VISIT_GAP:
        # A new visit: new is what came after the previous one ended (or since joining).
        changes["new_since"] = seen or membership.activated_at or membership.created_at
        changes["last_seen_at"] = now
    elif now - seen >= SEEN_EVERY:
        changes["last_seen_at"] = now
    if changes:
        # update(): leaves updated_at (a change of the membership itself) alone.
        Membership.objects.filter(pk=membership.pk).update(**changes)
        for field, value in changes.items():
            setattr(membership, field, value)
    return membership.new_since
