"""What interoperability keeps: a draft read from a STIX bundle, a MISP event or a TAXII
write, waiting for its author to review it before anything is shared; and the status of
each TAXII write, as the protocol's status resource."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.communities.models import Community


class ImportSource(models.TextChoices):
    STIX = "stix", _("STIX 2.1 bundle")
    MISP = "misp", _("MISP event")
    TAXII = "taxii", _("TAXII write")


class ImportDraft(models.Model):
    """An incident read from outside, not shared yet: its author reviews the label, the text,
    the indicators and the victim-data warnings, then makes it an incident (``incident``)
    — or deletes it. Seen by its author only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="import_drafts", verbose_name=_("author"))
    source = models.CharField(_("read from"), max_length=10, choices=ImportSource.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    # What was read, in the portal's terms (JSON):
    #   {"title": str, "summary": str, "category": str | null, "tlp": "AMBER" | null (null:
    #    the author must choose), "stix_id": "incident--…" | null, "techniques": ["T1566"],
    #    "indicators": [{"type": IndicatorType, "value": str, "first_seen": iso | null,
    #                    "last_seen": iso | null, "note": str, "stix_id": str | null}],
    #    "unknown": [{"type": str, "count": int}] (listed, never silently dropped),
    #    "warnings": [str], "incident": uuid | null (a TAXII write held for review: the
    #    indicators go to this existing incident instead of a new one)}
    payload = models.JSONField(_("what was read"), default=dict)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("incident"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("import draft")
        verbose_name_plural = _("import drafts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["author", "-created_at"], name="import_draft_of_author")]

    def __str__(self) -> str:
        return str(self.payload.get("title") or self.filename or self.pk)


class TaxiiStatusState(models.TextChoices):
    PENDING = "pending", _("pending")
    COMPLETE = "complete", _("complete")


class TaxiiStatus(models.Model):
    """The status resource of one TAXII write (POST objects): how many objects were
    accepted, refused (with why) and held for their author to confirm on the web."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("user"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    status = models.CharField(_("status"), max_length=10, choices=TaxiiStatusState.choices,
                              default=TaxiiStatusState.PENDING)
    request_timestamp = models.DateTimeField(_("requested"), default=timezone.now)
    total_count = models.PositiveIntegerField(_("objects"), default=0)
    # Lists of {"id": …, "version": …, "message": …}, as TAXII 2.1 section 4.3.1 names them.
    successes = models.JSONField(_("accepted"), default=list, blank=True)
    failures = models.JSONField(_("refused"), default=list, blank=True)
    pendings = models.JSONField(_("held"), default=list, blank=True)
    draft = models.ForeignKey(ImportDraft, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="statuses", verbose_name=_("held for review in"))

    class Meta:
        verbose_name = _("TAXII write status")
        verbose_name_plural = _("TAXII write statuses")
        ordering = ["-request_timestamp"]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"
