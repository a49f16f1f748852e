"""What shared content carries so that `sharing` can decide who sees it, and the record of
every audience an item has had.

A content app (incidents, discussions, meetings) subclasses `SharedContent` and declares, next
to its model, guardian's two direct-foreign-key permission models (`content_object` FK). The
grants in those tables are the single record of who may view an item; the recipient fields
below only remember what the author chose, for the edit form and "addressed to me".
"""

import functools
import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.communities.models import Community, Organization
from apps.sharing.tlp import TLP


class SharedContentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Shorthand for `apps.sharing.selectors.visible_to(user, queryset)`."""
        from apps.sharing.selectors import visible_to

        return visible_to(user, self)


class SharedContent(models.Model):
    """The fields every TLP-labelled item has. Set the audience only through
    `apps.sharing.services.audience_set`: writing `tlp` by hand grants nothing, and the
    default (RED, no grants) lets nobody see an item whose audience was never set."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    tlp = models.CharField(_("TLP label"), max_length=12, choices=TLP.choices, default=TLP.RED)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    author_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author's organisation"),
    )
    anonymous = models.BooleanField(
        _("anonymous (via the secretariat)"),
        default=False,
        help_text=_("Only the secretariat sees which organisation shared it."),
    )
    federated = models.BooleanField(
        _("shared with the federation"),
        default=False,
        help_text=_("Only for TLP:GREEN and TLP:CLEAR."),
    )
    recipient_organizations = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name=_("recipient organisations")
    )
    recipient_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("recipients")
    )
    # Deleting an item deletes its audience rows with it (the collector follows this).
    audience_rows = GenericRelation("sharing.AudienceRow", related_query_name="%(class)s")

    objects = SharedContentQuerySet.as_manager()

    # The field lists are ordered by (newest first); its value is copied into the item's
    # audience rows, and a content app that moves it calls `services.audience_reposition`.
    list_position = "created_at"

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(federated=False) | Q(tlp__in=[TLP.CLEAR, TLP.GREEN]),
                name="%(app_label)s_%(class)s_federated_green_or_clear",
            ),
        ]


@functools.cache
def permission_models(model: type[models.Model]) -> tuple[type[models.Model], type[models.Model]]:
    """The (user, group) direct-FK permission models that hold grants on ``model``.

    Found through the model's reverse relations, so `sharing` never imports a content app.
    Guardian's generic tables are refused: their text `object_pk` forces casts and scans.
    """
    found: dict[type, type[models.Model]] = {}
    for relation in model._meta.related_objects:
        related = relation.related_model
        if relation.field.name != "content_object":
            continue
        for base in (UserObjectPermissionBase, GroupObjectPermissionBase):
            if issubclass(related, base):
                found[base] = related
    if len(found) != 2:
        raise ImproperlyConfigured(
            f"{model._meta.label} needs direct-FK UserObjectPermissionBase and "
            "GroupObjectPermissionBase models with a `content_object` foreign key."
        )
    return found[UserObjectPermissionBase], found[GroupObjectPermissionBase]


def view_codename(model: type[models.Model]) -> str:
    return f"view_{model._meta.model_name}"


class AudienceChange(models.Model):
    """Who set an item's audience, when, and from what to what. Lowering a label is a
    recorded act of the author or the secretariat; this table is that record.

    Kept by content type and id rather than a foreign key, so that the record outlives the
    item and `sharing` stays ignorant of the content apps.
    """

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.UUIDField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    from_tlp = models.CharField(_("previous label"), max_length=12, choices=TLP.choices, blank=True)
    to_tlp = models.CharField(_("new label"), max_length=12, choices=TLP.choices)
    from_audience = models.JSONField(_("previous audience"), null=True, blank=True)
    to_audience = models.JSONField(_("new audience"))

    class Meta:
        verbose_name = _("audience change")
        verbose_name_plural = _("audience changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(
                fields=["community", "content_type", "object_id"], name="audiencechange_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_tlp or '-'} → {self.to_tlp}"

    @property
    def lowered(self) -> bool:
        """True when the label became less restrictive."""
        return bool(self.from_tlp) and TLP(self.to_tlp).rank < TLP(self.from_tlp).rank


class AudienceRow(models.Model):
    """The materialised audience: one row per grant of an item (and one public row for a
    TLP:CLEAR item) carrying the item's list position, so that a page of "what I may see,
    newest first" is a merge of a few index range scans — one per audience the reader is in —
    instead of a scan of every item.

    Derived from guardian's grant tables (the record) and written with them by
    `apps.sharing.services` only. Which groups a reader is in is still read from memberships
    at query time (`selectors.reach_of`); a row names an audience, never a person,
    except for user grants (TLP:RED recipients and the author).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.UUIDField()
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, null=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    position = models.DateTimeField()

    class Meta:
        verbose_name = _("audience row")
        verbose_name_plural = _("audience rows")
        indexes = [
            # One range scan per audience the reader is in, in list order.
            models.Index(
                "content_type", "group", models.F("position").desc(),
                models.F("object_id").desc(),
                condition=Q(group__isnull=False), name="audience_group_walk",
            ),
            models.Index(
                "content_type", "user", models.F("position").desc(),
                models.F("object_id").desc(),
                condition=Q(user__isnull=False), name="audience_user_walk",
            ),
            models.Index(
                "content_type", models.F("position").desc(), models.F("object_id").desc(),
                condition=Q(group__isnull=True, user__isnull=True), name="audience_public_walk",
            ),
            # An item's own rows, probed for one reader (a search's matches, a detail page):
            # the principal and community come with the index (PostgreSQL), no heap visit.
            models.Index(fields=["content_type", "object_id"], name="audience_item",
                         include=["group", "user", "community"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=True) | Q(user__isnull=True),
                name="audience_one_principal",
            ),
        ]

    def __str__(self) -> str:
        principal = f"group {self.group_id}" if self.group_id else (
            f"user {self.user_id}" if self.user_id else "public")
        return f"{self.object_id} → {principal}"
