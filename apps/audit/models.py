"""The audit trail: who viewed, exported, granted or changed what, when and from where.

Append-only: a row is written once (`apps.audit.services.record`) and never changed or
deleted one by one; only the retention job removes old rows, in bulk (`prune`). The audit
app sits just above `accounts` and below everything else, so it names a community by a lazy
key and a target by content type and id, never by importing the apps that call it.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Set in ``detail`` when the actor is the author of an anonymous item: whoever is shown such
# a row learns the item's source (see `apps.sharing.auditing`).
ANONYMOUS_AUTHOR = "by_anonymous_author"


class AuditEventImmutable(Exception):
    """An attempt to change or delete an audit record."""


class Action(models.TextChoices):
    VIEW = "view", _("Viewed an item")
    EXPORT = "export", _("Exported")
    AUDIENCE_CHANGE = "audience_change", _("Changed an audience")
    DEANONYMISE = "deanonymise", _("Lifted anonymity")
    SOURCE_REVEALED = "source_revealed", _("Was shown an anonymous source")
    MEMBERSHIP_ADDED = "membership_added", _("Added a membership")
    MEMBERSHIP_CHANGED = "membership_changed", _("Changed a membership")
    MEMBERSHIP_REMOVED = "membership_removed", _("Removed a membership")
    REDACT = "redact", _("Redacted a text")
    SETTINGS_CHANGED = "settings_changed", _("Changed the community's settings")


class AuditEventQuerySet(models.QuerySet):
    """Refuses updates and deletes; `prune` is the one way rows leave the table."""

    def update(self, **kwargs):
        raise AuditEventImmutable("Audit events cannot be changed.")

    def delete(self):
        raise AuditEventImmutable("Audit events are removed only by the retention job.")

    def prune(self, *, before) -> int:
        """Delete every event older than ``before`` in one statement; returns how many."""
        deleted, _by_model = models.QuerySet.delete(self.filter(at__lt=before))
        return deleted


class AuditEvent(models.Model):
    """One recorded act. ``target_label`` is kind and id (``incident 3f2a…``), never the
    title of a TLP item: the secretariat reads the trail of items it may not see."""

    at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("actor"),
    )
    actor_email = models.CharField(_("actor's e-mail address"), max_length=254, blank=True)
    community = models.ForeignKey(
        "communities.Community", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("community"),
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("target type"),
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["community", "-at"], name="audit_community_at"),
            models.Index(fields=["community", "action", "-at"], name="audit_community_action"),
            models.Index(fields=["community", "target_id"], name="audit_community_target"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        who = self.actor_email or "-"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEventImmutable("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable("Audit events are removed only by the retention job.")
