"""Tenants and who belongs to them: organisations, communities, memberships, federations,
agreements and invitations. Who belongs where is read from memberships at every request."""

import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Language, hash_token


class LocalizedNameMixin(models.Model):
    """A Japanese name and an optional English one, shown by the reader's language."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "ja").startswith("en"):
            return self.name_en
        return self.name


class Sector(models.TextChoices):
    FINANCE = "finance", _("Finance")
    ICT = "ict", _("Information and communications")
    ENERGY = "energy", _("Energy")
    GOVERNMENT = "government", _("Government")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    HEALTHCARE = "healthcare", _("Healthcare")
    TRANSPORT = "transport", _("Transport")
    EDUCATION = "education", _("Education and research")
    SECURITY_VENDOR = "security_vendor", _("Security vendor")
    OTHER = "other", _("Other")


class Organization(LocalizedNameMixin):
    """A company or agency. It exists once and joins many communities."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices,
                              default=Sector.OTHER)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]


class CommunityKind(models.TextChoices):
    STUDY_GROUP = "study_group", _("Study group")
    COUNCIL = "council", _("Council / working group")
    ISAC = "isac", _("ISAC")


class Community(LocalizedNameMixin):
    """The tenant: everything a community owns carries a foreign key to it."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CommunityKind.choices)
    description = models.TextField(_("description"), blank=True)
    default_language = models.CharField(
        _("default language"), max_length=5, choices=Language.choices, default=Language.JAPANESE
    )
    requires_approval = models.BooleanField(
        _("new members need secretariat approval"), default=False
    )
    amber_titles_in_email = models.BooleanField(
        _("TLP:AMBER titles may appear in e-mail"), default=False
    )
    counts_in_federation_summary = models.BooleanField(
        _("counted in the federation summary"), default=True,
        help_text=_("The two-monthly federation summary shows how many incidents this "
                    "community had, by category, intent, sector and ATT&CK technique (counts "
                    "only, every label). Items shared with the federation are listed "
                    "either way."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return reverse("communities:home", args=[self.slug])

    @property
    def current_agreement(self):
        return self.agreements.order_by("-version").first()


class Role(models.TextChoices):
    CHAIR = "chair", _("Chair")
    SECRETARIAT = "secretariat", _("Secretariat")
    MEMBER = "member", _("Member")
    ADVISOR = "advisor", _("Advisor")
    OBSERVER = "observer", _("Observer")
    GUEST = "guest", _("Guest")


class MembershipStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    AWAITING_AGREEMENT = "awaiting_agreement", _("Awaiting agreement")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LEFT = "left", _("Left")


class Membership(models.Model):
    """A user in a community, representing one organisation, with one role and one status.

    The single record of who belongs where: `sharing` reads it at the moment of every query,
    so access starts and ends with the status however the row is changed or deleted.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="memberships", verbose_name=_("community"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships", verbose_name=_("user"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT,
                                     related_name="memberships", verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=20, choices=MembershipStatus.choices,
                              default=MembershipStatus.INVITED)
    briefing_acknowledged_at = models.DateTimeField(_("TLP briefing acknowledged"), null=True,
                                                    blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The member's visits to the community's home (`membership_visit`): what is new is what
    # came after ``new_since``, the end of their previous visit; ``last_seen_at`` is written
    # at most every few minutes, so a visit is not one UPDATE per page.
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    new_since = models.DateTimeField(_("new since"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["community", "organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="membership_unique_user"),
        ]
        indexes = [
            models.Index(fields=["community", "status"], name="membership_community_status"),
            models.Index(fields=["community", "organization", "status"],
                         name="membership_comm_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.community} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def is_secretariat(self) -> bool:
        return self.is_active and self.role == Role.SECRETARIAT


class GroupKind(models.TextChoices):
    MEMBERS = "members", _("All active members")
    SECRETARIAT = "secretariat", _("Secretariat")
    ORGANIZATION = "organization", _("Active members of one organisation")
    ORGANIZATIONS = "organizations", _("Active members of a set of organisations")


class CommunityGroup(models.Model):
    """Names the audience an auth group stands for, so no code ever parses group names.
    Its members are never read: memberships say who is in the audience."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="community_group")
    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="auth_groups")
    kind = models.CharField(max_length=20, choices=GroupKind.choices)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="+")
    # Kind ORGANIZATIONS: an interned set of organisations (the same set is the same group),
    # so that TLP:AMBER to every member organisation is one grant, not one per organisation.
    organizations = models.ManyToManyField(Organization, blank=True, related_name="+",
                                           related_query_name="organization_sets")
    key = models.CharField(max_length=64, blank=True,
                           help_text="For a set of organisations: a digest of their ids.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "kind"],
                                    condition=Q(organization__isnull=True) & ~Q(key__gt=""),
                                    name="communitygroup_unique_kind"),
            models.UniqueConstraint(fields=["community", "key"], condition=Q(key__gt=""),
                                    name="communitygroup_unique_set"),
            models.UniqueConstraint(fields=["community", "organization"],
                                    condition=Q(organization__isnull=False),
                                    name="communitygroup_unique_org"),
        ]

    def __str__(self) -> str:
        return self.group.name


class Federation(LocalizedNameMixin):
    """A named set of ISACs that exchange a summary about every two months."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    coordinator = models.ForeignKey(Community, on_delete=models.PROTECT,
                                    related_name="coordinated_federations",
                                    verbose_name=_("coordinating community"))
    communities = models.ManyToManyField(Community, related_name="federations",
                                         verbose_name=_("communities"))
    liaisons = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                      related_name="liaison_for", verbose_name=_("liaisons"))
    group = models.OneToOneField(Group, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="federation", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("federation")
        verbose_name_plural = _("federations")
        ordering = ["name"]


class Agreement(models.Model):
    """A versioned NDA / information-handling rule. Members accept the current version."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="agreements", verbose_name=_("community"))
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["community", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["community", "version"],
                                    name="agreement_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AgreementAcceptance(models.Model):
    """Proof that a person accepted one version: when and from where."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT,
                                  related_name="acceptances", verbose_name=_("agreement"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="agreement_acceptances", verbose_name=_("user"))
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "user"], name="acceptance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.agreement}"


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True,
                           expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use, expiring link that brings one person into one community.

    The link's token is derived from the row's nonce with the site secret, and only its
    hash is stored: the database alone cannot rebuild a valid link.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="invitations", verbose_name=_("community"))
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="invitations", verbose_name=_("membership"))
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    nonce = models.CharField(max_length=64, default=secrets.token_hex, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "accepted_at"],
                                name="invitation_community_open")]

    def __str__(self) -> str:
        return f"{self.email} → {self.community}"

    def save(self, *args, **kwargs):
        if not self.token_hash:
            self.token_hash = hash_token(self.token())
        super().save(*args, **kwargs)

    def token(self) -> str:
        return salted_hmac("renkei.invitation", f"{self.pk}:{self.nonce}",
                           algorithm="sha256").hexdigest()

    def accept_url(self) -> str:
        return reverse("communities:invitation_accept", args=[self.token()])

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "open"

from apps.communities.desk import IncidentDesk  # noqa: E402, F401  (registered with this app)
