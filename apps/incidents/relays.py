"""Relays through the secretariat (the hub of seeds/004): a member hands a draft to the
secretariat, who reviews and redacts it and publishes it as the community's, or declines it
with a reason.

A relay request is not shared content: it is not an `Incident` (nor any `SharedContent`), so
no list, search, feed, export or API reaches it. Its readers are the member who handed it
over and the community's active secretariat (`relays_visible_to`), nobody else. What is
published is a new incident authored by the secretariat member, marked anonymous: it carries
neither the member nor their organisation. Imported at the end of `apps.incidents.models`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.communities.models import Community, Membership, MembershipStatus, Organization, Role


class RelayStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the secretariat")
    PUBLISHED = "published", _("Published by the secretariat")
    DECLINED = "declined", _("Declined")


class RelayRequest(models.Model):
    """A member's draft, handed to the secretariat to publish without naming its source."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("member"),
    )
    # The organisation the member acted for: the secretariat's to know, never published.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what happened"), help_text=_("Markdown"))
    category = models.CharField(_("category"), max_length=30)
    status = models.CharField(
        _("status"), max_length=20, choices=RelayStatus.choices, default=RelayStatus.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("published as"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("handed over"), auto_now_add=True)

    class Meta:
        verbose_name = _("relay request")
        verbose_name_plural = _("relay requests")
        ordering = ["-created_at", "pk"]
        indexes = [
            models.Index(fields=["community", "status", "-created_at"], name="relay_community"),
            models.Index(fields=["member", "-created_at"], name="relay_member"),
        ]

    def __str__(self) -> str:
        return f"relay {self.pk}"


def relays_visible_to(user, community: Community) -> QuerySet[RelayRequest]:
    """The relay requests of ``community`` that ``user`` may read: their own (while an
    active member), or all of them for its active secretariat."""
    if not user.is_authenticated:
        return RelayRequest.objects.none()
    active = Membership.objects.filter(
        community=community, user_id=user.pk, status=MembershipStatus.ACTIVE
    )
    secretariat = active.filter(role=Role.SECRETARIAT)
    return RelayRequest.objects.filter(community=community).filter(
        Q(member_id=user.pk, community__in=active.values("community_id"))
        | Q(community__in=secretariat.values("community_id"))
    )
