"""Incidents that ISAC members share under TLP. Who sees one is decided by `apps.sharing`
alone, from the grants in the two permission tables declared here."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.communities.models import Community, Organization, Sector
from apps.incidents.actors import Campaign, Confidence, IncidentUpdate, ThreatActor  # noqa: F401
from apps.incidents.attack import Tactic
from apps.incidents.indicators import IndicatorType, indicator_normalize
from apps.incidents.list_visits import ListName, ListVisit  # noqa: F401  (a model of this app)
from apps.sharing.models import SharedContent
from apps.sharing.tlp import TLP
from portal.search_text import search_document


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


class AttackTechnique(models.Model):
    """A MITRE ATT&CK (Enterprise) technique or sub-technique: reference data shared by every
    community, loaded from the shipped catalogue (`apps.incidents.attack`)."""

    id = models.CharField(_("technique id"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    tactics = models.CharField(
        _("tactics"),
        max_length=300,
        blank=True,
        help_text=_("ATT&CK tactic short names, comma-separated."),
    )
    is_subtechnique = models.BooleanField(_("sub-technique"), default=False)
    deprecated = models.BooleanField(
        _("deprecated"),
        default=False,
        help_text=_("Revoked or deprecated by MITRE; not offered for new incidents."),
    )
    stix_id = models.CharField(_("STIX id"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("ATT&CK technique")
        verbose_name_plural = _("ATT&CK techniques")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} {self.name}"

    @property
    def tactic_list(self) -> list[str]:
        return [tactic for tactic in self.tactics.split(",") if tactic]


def validate_sectors(value) -> None:
    if not isinstance(value, list) or any(item not in Sector.values for item in value):
        raise ValidationError(
            _("Choose sectors from the list: %(choices)s.") % {"choices": ", ".join(Sector.values)},
            code="sectors",
        )


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
    confidence = models.CharField(
        _("confidence"), max_length=20, choices=Confidence.choices, default=Confidence.UNCONFIRMED
    )
    actors = models.ManyToManyField(
        ThreatActor, blank=True, related_name="incidents", verbose_name=_("threat actors")
    )
    campaigns = models.ManyToManyField(
        Campaign, blank=True, related_name="incidents", verbose_name=_("campaigns")
    )
    detected_at = models.DateTimeField(_("detected"), null=True, blank=True)
    occurred_at = models.DateTimeField(
        _("occurred"), null=True, blank=True, help_text=_("When the attack began, if known.")
    )
    sectors = models.JSONField(
        _("sectors"),
        default=list,
        blank=True,
        validators=[validate_sectors],
        help_text=_("Sectors affected or targeted."),
    )
    attack_stage = models.CharField(
        _("attack stage"),
        max_length=30,
        choices=Tactic.choices,
        blank=True,
        help_text=_("The furthest ATT&CK tactic the attacker reached."),
    )
    techniques = models.ManyToManyField(
        AttackTechnique, blank=True, related_name="incidents", verbose_name=_("ATT&CK techniques")
    )
    confirmed_exposures = models.JSONField(
        _("confirmed exposures"),
        default=list,
        blank=True,
        help_text=_("Possibly identifying data the author confirmed may be shared."),
    )
    # The STIX id it was imported with: re-exported under it, so that a consumer updates
    # rather than duplicates. Empty: `incident--<id>` (apps.interop.stix).
    stix_id = models.CharField(_("STIX id"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Title and summary folded for search (`portal.search_text`), written by `save()`; a
    # ``QuerySet.update()`` of the title or summary must refresh it too
    # (`apps.incidents.search.search_text_refresh`).
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    SEARCHED_FIELDS = ("title", "summary")

    class Meta(SharedContent.Meta):
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["community", "-created_at"], name="incident_community_created"),
            models.Index(fields=["community", "tlp"], name="incident_community_tlp"),
            # A signed-out search looks only among TLP:CLEAR items (sharing.pages): beside
            # the trigram indexes, this cuts the matches read from the table tenfold.
            models.Index(fields=["tlp"], name="incident_tlp"),
            # A search looks first among the newest items (sharing.pages.SEARCH_WINDOWS):
            # where a window starts, and the window itself as a range.
            models.Index(fields=["created_at", "id"], name="incident_created"),
            # The list sorted by last change (`apps.sharing.sorting`): its windows and range.
            models.Index(fields=["updated_at", "id"], name="incident_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = search_document(self.title, self.summary)
        fields = kwargs.get("update_fields")
        if fields is not None and set(fields) & set(self.SEARCHED_FIELDS):
            kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if isinstance(self.sectors, list):
            self.sectors = sorted(set(self.sectors), key=Sector.values.index)

    @property
    def feedback_offers_clients(self) -> bool:
        """AMBER+STRICT and RED may not reach clients, so "passed to clients" is not offered."""
        return self.tlp not in (TLP.AMBER_STRICT, TLP.RED)


class IncidentUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct-FK user grants on incidents (TLP:RED recipients and the author)."""

    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)


class IncidentGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian's direct-FK group grants on incidents (organisation, community and
    federation groups)."""

    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)


class Indicator(models.Model):
    """An observable of an incident. It has no audience of its own: whoever may see the
    incident sees its indicators (`apps.incidents.selectors.indicators_visible_to`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("incident")
    )
    type = models.CharField(_("type"), max_length=10, choices=IndicatorType.choices)
    value = models.CharField(_("value"), max_length=2048)
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # As Incident.stix_id: the id it was imported with; empty: `indicator--<id>`.
    stix_id = models.CharField(_("STIX id"), max_length=100, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["incident", "type", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "type", "value"], name="indicator_unique_per_incident"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "type", "value"], name="indicator_community_value"),
            models.Index(fields=["type", "value"], name="indicator_value"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.value}"

    def clean(self):
        super().clean()
        if self.type and self.value:
            try:
                self.value = indicator_normalize(self.type, self.value)
            except ValidationError as error:
                raise ValidationError({"value": error.messages}) from error
        if self.first_seen and self.last_seen and self.first_seen > self.last_seen:
            raise ValidationError({"last_seen": _("Last seen cannot be before first seen.")})
        if self.incident_id and self.community_id != self.incident.community_id:
            self.community_id = self.incident.community_id


class Sighting(models.Model):
    """ "We saw this too": one organisation's sighting of an incident or an indicator.
    Everyone who sees the target sees the count; the organisation's name only when it
    chose to show it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="sightings", verbose_name=_("incident")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sightings",
        verbose_name=_("indicator"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    seen_at = models.DateTimeField(_("seen"), default=timezone.now)
    false_positive = models.BooleanField(
        _("false positive"),
        default=False,
        help_text=_("It turned out to be harmless: counted apart from real sightings."),
    )
    note = models.TextField(_("note"), blank=True)
    show_organization = models.BooleanField(
        _("show our organisation's name"),
        default=False,
        help_text=_("Otherwise others only see that one more organisation saw it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")
        ordering = ["-seen_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "organization"],
                condition=Q(indicator__isnull=True),
                name="sighting_unique_incident_organization",
            ),
            models.UniqueConstraint(
                fields=["indicator", "organization"],
                condition=Q(indicator__isnull=False),
                name="sighting_unique_indicator_organization",
            ),
        ]
        indexes = [models.Index(fields=["community", "incident"], name="sighting_incident")]

    def __str__(self) -> str:
        return f"{self.incident_id} / {self.indicator_id or '-'}"


class FeedbackAction(models.TextChoices):
    BLOCKED = "blocked", _("Blocked the indicators")
    HUNTED = "hunted", _("Hunted in our logs")
    FOUND_HIT = "found_hit", _("Found a hit")
    WARNED_STAFF = "warned_staff", _("Warned our staff")
    REPORTED_POLICE = "reported_police", _("Reported to the police")
    PASSED_TO_CLIENTS = "passed_to_clients", _("Passed to clients")


class UsageFeedback(models.Model):
    """What a recipient organisation did with an item: what shows the author that sharing
    was worth it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("incident")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("given by"),
    )
    action = models.CharField(_("what we did"), max_length=20, choices=FeedbackAction.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("usage feedback")
        verbose_name_plural = _("usage feedback")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "organization", "action"], name="feedback_unique_action"
            ),
        ]
        indexes = [models.Index(fields=["community", "incident"], name="feedback_incident")]

    def __str__(self) -> str:
        return self.get_action_display()


class IncidentView(models.Model):
    """The first time someone of an organisation opened an incident: "viewed by N
    organisations" for the author."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="views", verbose_name=_("incident")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    first_viewed_at = models.DateTimeField(_("first viewed"), default=timezone.now)

    class Meta:
        verbose_name = _("incident view")
        verbose_name_plural = _("incident views")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "organization"], name="incidentview_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} / {self.organization_id}"

from apps.incidents.relays import RelayRequest  # noqa: E402, F401  (registered with this app)
