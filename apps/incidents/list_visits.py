"""When a member last looked at one of a community's lists (incidents, discussions): the
list marks what came after their *previous* visit as new.

A visit is a run of list views with no gap longer than `VISIT_GAP` (as the community home's
visits, `apps.communities`): paging through the list or coming back to it from an item does
not clear the marks. ``last_seen_at`` is written at most every `SEEN_EVERY`, so a busy
member costs one UPDATE every few minutes, not one per page.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.communities.models import Community

VISIT_GAP = datetime.timedelta(minutes=30)
SEEN_EVERY = datetime.timedelta(minutes=5)


class ListName(models.TextChoices):
    INCIDENTS = "incidents", _("Incidents")
    DISCUSSIONS = "discussions", _("Discussions")


class ListVisit(models.Model):
    """One member's visits to one list of one community."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("user"),
    )
    list = models.CharField(_("list"), max_length=20, choices=ListName.choices)
    last_seen_at = models.DateTimeField(_("last seen"))
    # Where "new" starts during the current visit: the end of the previous one.
    new_since = models.DateTimeField(_("new since"), null=True, blank=True)

    class Meta:
        app_label = "incidents"
        verbose_name = _("list visit")
        verbose_name_plural = _("list visits")
        constraints = [
            models.UniqueConstraint(fields=["community", "user", "list"],
                                    name="listvisit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.community_id} · {self.list}"


def list_visit(*, user, community: Community, list_name: str,
               now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Record that ``user`` opened ``list_name`` of ``community``; return where "new" starts
    for this visit (None: nothing is marked — signed out, or the first visit). Two queries
    at most."""
    if not getattr(user, "is_authenticated", False):
        return None
    now = now or timezone.now()
    key = {"community": community, "user": user, "list": list_name}
    visit = ListVisit.objects.filter(**key).first()
    if visit is None:
        # A concurrent first visit already wrote it: nothing to do either way.
        ListVisit.objects.bulk_create([ListVisit(**key, last_seen_at=now)],
                                      ignore_conflicts=True)
        return None
    changes = {}
    if now - visit.last_seen_at >= VISIT_GAP:
        changes = {"new_since": visit.last_seen_at, "last_seen_at": now}
    elif now - visit.last_seen_at >= SEEN_EVERY:
        changes = {"last_seen_at": now}
    if changes:
        ListVisit.objects.filter(pk=visit.pk).update(**changes)
        visit.new_since = changes.get("new_since", visit.new_since)
    return visit.new_since
