"""Threat actors, campaigns, the confidence of an early report and its update timeline.

An actor or campaign record is community reference data: every active member of the
community reads it; its secretariat and sharing members write it. What it *reveals* about
incidents obeys the incidents' TLP: pages and counts go through `incidents_visible_to`
(`apps.incidents.selectors`), never through the link table alone.

Imported at the end of `apps.incidents.models`, so the models live in the app's registry.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.communities.models import Community


class Confidence(models.TextChoices):
    """How sure the author is: sharing before it is clear ("クロかシロか判然としない") is
    encouraged, and the label says how far to trust it."""

    UNCONFIRMED = "unconfirmed", _("Unconfirmed")
    LIKELY = "likely", _("Likely")
    CONFIRMED = "confirmed", _("Confirmed")


def aliases_split(text: str) -> list[str]:
    """Aliases as written, one per line or separated by commas, without blanks or repeats."""
    parts = [part.strip() for line in (text or "").splitlines() for part in line.split(",")]
    return list(dict.fromkeys(part for part in parts if part))


class _Named(models.Model):
    """A name in Japanese and in English, and aliases (other vendors' names for it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_("Other names, one per line (e.g. the names other vendors use)."),
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return aliases_split(self.aliases)

    def clean(self):
        super().clean()
        self.aliases = "\n".join(aliases_split(self.aliases))


class ThreatActor(_Named):
    """A named attacker that incidents are attributed to (clustering by tools and
    infrastructure)."""

    class Meta(_Named.Meta):
        verbose_name = _("threat actor")
        verbose_name_plural = _("threat actors")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="threatactor_unique_name")
        ]
        indexes = [models.Index(fields=["community", "name"], name="threatactor_community")]


class Campaign(_Named):
    """A set of incidents with a common aim and time, optionally attributed to an actor."""

    actor = models.ForeignKey(
        ThreatActor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("attributed to"),
    )
    first_seen = models.DateField(_("first seen"), null=True, blank=True)
    last_seen = models.DateField(_("last seen"), null=True, blank=True)

    class Meta(_Named.Meta):
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="campaign_unique_name")
        ]
        indexes = [models.Index(fields=["community", "name"], name="campaign_community")]


class IncidentUpdate(models.Model):
    """One refinement of a shared incident (a change of confidence, status or summary, or a
    note): who, when, what changed. It has no audience of its own: whoever sees the
    incident sees its timeline."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="updates",
        verbose_name=_("incident"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    # [{"field": "status", "old": "investigating", "new": "contained"},
    #  {"field": "summary", "diff": "-old line\n+new line"}]
    changes = models.JSONField(_("changes"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")
        ordering = ["-created_at", "pk"]
        indexes = [
            models.Index(fields=["community", "incident", "-created_at"], name="incidentupdate")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} @ {self.created_at:%Y-%m-%d %H:%M}"


# Fields whose change is a refinement the timeline keeps (besides explicit notes).
TIMELINE_FIELDS = ("confidence", "status", "summary")
_DIFF_LINES = 12


def changes_between(before: dict, after: dict) -> list[dict]:
    """What changed among `TIMELINE_FIELDS`: a choice as old → new, a text as a short
    unified diff (at most a dozen lines, so that a rewrite stays readable)."""
    import difflib

    changes = []
    for field in TIMELINE_FIELDS:
        old, new = before.get(field), after.get(field)
        if field not in before or field not in after or old == new:
            continue
        if field == "summary":
            lines = [
                line
                for line in difflib.unified_diff(
                    (old or "").splitlines(), (new or "").splitlines(), lineterm="", n=0
                )
                if not line.startswith(("---", "+++", "@@"))
            ]
            if len(lines) > _DIFF_LINES:
                lines = [*lines[:_DIFF_LINES], "…"]
            changes.append({"field": field, "diff": "\n".join(lines)})
        else:
            changes.append({"field": field, "old": old, "new": new})
    return changes
