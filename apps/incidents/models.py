"""Incidents that ISAC members share under TLP. Who sees one is decided by `apps.sharing`
alone, from the grants in the two permission tables declared here."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.sharing.models import SharedContent


class Category(models.TextChoices):
    TARGETED_ATTACK = "targeted_attack", _("Targeted attack / espionage")
    RANSOMWARE = "ransomware", _("Ransomware")
    BEC = "bec", _("Business e-mail compromise")
    SUPPLY_CHAIN = "supply_chain", _("Supply chain")
    INSIDER = "insider", _("Insider")
    DDOS = "ddos", _("DDoS")
    PHISHING = "phishing", _("Phishing / smishing")
    VULNERABILITY = "vulnerability_exploitation", _("Vulnerability exploitation")
    FRAUD = "fraud", _("Fraud")
    OTHER = "other", _("Other")


class Intent(models.TextChoices):
    """The attacker's apparent aim: espionage, money and disruption call for different
    responses."""

    ESPIONAGE = "espionage", _("Espionage")
    MONEY = "money", _("Money")
    DISRUPTION = "disruption", _("Disruption")
    INFLUENCE = "influence", _("Influence")
    UNKNOWN = "unknown", _("Unknown")


class Status(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    CONTAINED = "contained", _("Contained")
    RESOLVED = "resolved", _("Resolved")


class Incident(SharedContent):
    """What a member saw, told early — "shared before it is clear" prevents damage."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, help_text=_("Markdown"))
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    intent = models.CharField(
        _("apparent intent"), max_length=20, choices=Intent.choices, default=Intent.UNKNOWN
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.INVESTIGATING
    )
    detected_at = models.DateTimeField(_("detected"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta(SharedContent.Meta):
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["community", "-created_at"], name="incident_community_created"),
            models.Index(fields=["community", "tlp"], name="incident_community_tlp"),
        ]

    def __str__(self) -> str:
        return self.title


class IncidentUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct-FK user grants on incidents (TLP:RED recipients and the author)."""

    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)


class IncidentGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian's direct-FK group grants on incidents (organisation, community and
    federation groups)."""

    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)
