"""Discussions under TLP: a thread carries its own label and audience (decided by
`apps.sharing` from the grants declared here); its posts have none of their own — a post is
seen by exactly the people who can see its thread."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.communities.models import Community, Organization
from apps.sharing.models import SharedContent
from portal.search_text import search_document


class Thread(SharedContent):
    """A conversation shared under one TLP label, optionally about an incident."""

    title = models.CharField(_("title"), max_length=200)
    # The thread's own audience governs who reads it; the link to the incident is shown only
    # to readers who can also see the incident (see selectors.threads_decorate).
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("incident"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_post_at = models.DateTimeField(_("last post"), default=timezone.now)
    # The title folded for search (`portal.search_text`), written by `save()`.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    list_position = "last_post_at"  # lists show the thread with the latest post first

    class Meta(SharedContent.Meta):
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["-last_post_at", "-created_at"]
        indexes = [
            models.Index(fields=["community", "-last_post_at"], name="thread_community_activity"),
            models.Index(fields=["community", "tlp"], name="thread_community_tlp"),
            models.Index(fields=["community", "incident"], name="thread_community_incident"),
            # The list sorted by label, and sorted by when a thread was started (its windows
            # and range, `apps.sharing.sorting`).
            models.Index(fields=["community", "tlp", "-last_post_at"],
                         name="thread_community_label"),
            models.Index(fields=["created_at", "id"], name="thread_created"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = search_document(self.title)
        fields = kwargs.get("update_fields")
        if fields is not None and "title" in fields:
            kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)


class ThreadUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct-FK user grants on threads (TLP:RED recipients and the author)."""

    content_object = models.ForeignKey(Thread, on_delete=models.CASCADE)


class ThreadGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian's direct-FK group grants on threads (organisation, community and federation
    groups)."""

    content_object = models.ForeignKey(Thread, on_delete=models.CASCADE)


class Redactable(models.Model):
    """A text that can be purged for good: ``body`` is overwritten, not hidden, and these
    remain as the visible "redacted" marker (who purged it, and when)."""

    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("redacted by"),
    )
    redacted_at = models.DateTimeField(_("redacted"), null=True, blank=True)

    class Meta:
        abstract = True


class Post(Redactable):
    """One message in a thread, or a reply to one. It has no grants: whoever can see the
    thread sees its posts, so a reply can never reach further than the thread."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Copied from the thread so that every query and index can start from the tenant.
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="posts", verbose_name=_("thread")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
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
    body = models.TextField(_("text"), help_text=_("Markdown"))
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # The body folded for search (`portal.search_text`), written by `save()`.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["community", "thread", "created_at"], name="post_community_thread"
            ),
            models.Index(fields=["community", "author"], name="post_community_author"),
        ]

    def __str__(self) -> str:
        return f"{self.thread_id} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.search_text = search_document(self.body)
        fields = kwargs.get("update_fields")
        if fields is not None and "body" in fields:
            kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def redacted_by_role(self) -> str | None:
        """"author" or "secretariat" (the only people who may redact), or None. A role, not
        a name: in an anonymous thread a name would tell who wrote the post."""
        return _redactor_role(self.redacted_by_id, self.author_id)


def _redactor_role(redacted_by_id, author_id) -> str | None:
    if redacted_by_id is None:
        return None
    return "author" if redacted_by_id == author_id else "secretariat"


class PostRevision(Redactable):
    """The text a post had before an edit: edits keep their history, unless the author or
    the secretariat purges one (`services.post_revision_purge`)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("post")
    )
    body = models.TextField(_("previous text"))
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("edited by"),
    )
    edited_at = models.DateTimeField(_("edited"), default=timezone.now)

    class Meta:
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")
        ordering = ["-edited_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "post", "-edited_at"], name="postrevision_post"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} · {self.edited_at:%Y-%m-%d %H:%M}"

    @property
    def redacted_by_role(self) -> str | None:
        """"author" or "secretariat", or None (see `Post.redacted_by_role`)."""
        return _redactor_role(self.redacted_by_id, self.post.author_id)
