"""Writes on discussions. Each service runs in one transaction and re-checks, inside it, that
the actor may do what they ask: a thread whose audience is refused is not left behind, and a
post is only ever added where its author can read.

Who may write: the author of a thread or post is an active member with a sharing role
(`apps.sharing.services.author_membership`). Observers and guests read the threads shared
with them but do not post — "see, do not share". A post's author or the secretariat deletes
it or purges its texts (`post_moderator_check`); purged and deleted texts are overwritten,
never merely hidden. Only a thread's author names its anonymous source (`sharing`).
"""

import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.communities.models import Community, Membership
from apps.discussions.models import Post, PostRevision, Thread
from apps.discussions.signals import post_added
from apps.sharing.audience import audience_resolve
from apps.sharing.auditing import text_redacted
from apps.sharing.exposure import exposure_check
from apps.sharing.models import AudienceChange
from apps.sharing.selectors import can_view, may_change
from apps.sharing.services import (
    anonymity_set,
    audience_actor_check,
    audience_reposition,
    audience_set,
    author_membership,
)
from apps.sharing.signals import send_on_commit
from apps.sharing.tlp import TLP, parse_tlp


def _poster_membership(*, user, thread: Thread) -> Membership:
    """The membership under which ``user`` writes in ``thread``; 'not found' for anyone who
    cannot see the thread (its existence must not leak)."""
    if not can_view(user, thread):
        raise Thread.DoesNotExist
    return author_membership(author=user, community=thread.community)


def _check_incident(*, incident, author, community: Community, tlp: str) -> None:
    """Only someone who can see the incident may attach a thread to it, in its community,
    and the thread's label may not be less restrictive than the incident's."""
    if incident is None:
        return
    if incident.community_id != community.pk or not can_view(author, incident):
        raise ValidationError({"incident": _("Unknown incident.")})
    _check_label_against_incident(incident=incident, tlp=tlp)


def _check_label_against_incident(*, incident, tlp: str, actor=None) -> None:
    """``actor`` given: name the incident's label only if they may see the incident."""
    if TLP(tlp).rank < TLP(incident.tlp).rank:
        if actor is not None and not can_view(actor, incident):
            raise ValidationError(
                {
                    "tlp": _(
                        "This thread discusses an incident, and cannot be labelled less "
                        "restrictively than that incident."
                    )
                }
            )
        raise ValidationError(
            {
                "tlp": _(
                    "A discussion of a %(incident)s incident cannot be labelled %(thread)s; "
                    "choose %(incident)s or a more restrictive label."
                )
                % {"incident": TLP(incident.tlp).label, "thread": TLP(tlp).label}
            }
        )


@transaction.atomic
def thread_create(
    *,
    author,
    community: Community,
    title: str,
    body: str,
    tlp: str,
    organizations: Iterable | None = None,
    users: Iterable | None = None,
    federated: bool = False,
    anonymous: bool = False,
    incident=None,
    confirmed_exposures: Iterable[str] = (),
    id: uuid.UUID | None = None,
) -> Thread:
    """Open a thread with its first post. `sharing` turns the label and recipients into
    grants (or refuses them); the text is checked for victim-betraying data first. ``id``
    fixes the thread's primary key (demo data, imports); by default a random one."""
    membership = author_membership(author=author, community=community)
    tlp = audience_resolve(
        community=community,
        author_organization_id=membership.organization_id,
        tlp=tlp,
        organizations=organizations,
        users=users,
        federated=federated,
    ).tlp
    _check_incident(incident=incident, author=author, community=community, tlp=tlp)
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the first post of the thread.")})
    exposure_check(texts={_("title"): title, _("text"): body}, confirmed=confirmed_exposures)
    now = timezone.now()
    thread = Thread(
        **({"id": id} if id is not None else {}),
        community=community,
        author=author,
        author_organization=membership.organization,
        anonymous=anonymous,
        title=title,
        incident=incident,
        created_at=now,
        last_post_at=now,
    )
    thread.full_clean()
    thread.save()
    audience_set(
        item=thread,
        actor=author,
        tlp=tlp,
        organizations=organizations,
        users=users,
        federated=federated,
    )
    post = Post(
        community=community,
        thread=thread,
        author=author,
        author_organization=membership.organization,
        body=body,
        created_at=now,
    )
    post.full_clean()
    post.save()
    return thread


@transaction.atomic
def thread_update_audience(
    *,
    thread: Thread,
    actor,
    tlp: str,
    organizations: Iterable | None = None,
    users: Iterable | None = None,
    federated: bool = False,
) -> AudienceChange | None:
    """Change who sees a thread — and therefore every post in it. Only the author or the
    secretariat (checked by `sharing`, which records the change).

    The order matters: hidden → not found, then not allowed → refused, and only then is the
    choice looked at, so that a refusal tells nothing (e.g. the label of the incident)."""
    if not can_view(actor, thread):
        raise Thread.DoesNotExist
    audience_actor_check(item=thread, actor=actor)
    if thread.incident_id is not None:
        _check_label_against_incident(
            incident=thread.incident, tlp=str(parse_tlp(tlp)), actor=actor
        )
    return audience_set(
        item=thread,
        actor=actor,
        tlp=tlp,
        organizations=organizations,
        users=users,
        federated=federated,
    )


@transaction.atomic
def thread_anonymity_set(*, thread: Thread, actor, anonymous: bool) -> AudienceChange | None:
    """Hide or name the organisation that opened the thread (its author's posts in it
    follow). Naming it is the author's alone; `sharing` checks and records it."""
    if not can_view(actor, thread):
        raise Thread.DoesNotExist
    return anonymity_set(item=thread, actor=actor, anonymous=anonymous)


@transaction.atomic
def post_add(
    *,
    author,
    thread: Thread,
    body: str,
    parent: Post | None = None,
    confirmed_exposures: Iterable[str] = (),
) -> Post:
    """Reply in a thread the author can see. The post gets no audience of its own."""
    thread = Thread.objects.select_for_update().select_related("community").get(pk=thread.pk)
    membership = _poster_membership(user=author, thread=thread)
    if parent is not None and (parent.thread_id != thread.pk or parent.deleted):
        raise ValidationError({"parent": _("You can only reply to a post of this thread.")})
    if not (body or "").strip():
        raise ValidationError({"body": _("The post is empty.")})
    exposure_check(texts={_("text"): body}, confirmed=confirmed_exposures)
    now = timezone.now()
    post = Post(
        community_id=thread.community_id,
        thread=thread,
        parent=parent,
        author=author,
        author_organization=membership.organization,
        body=body,
        created_at=now,
    )
    post.full_clean()
    post.save()
    Thread.objects.filter(pk=thread.pk).update(last_post_at=now)
    thread.last_post_at = now
    audience_reposition(thread)  # the thread moves up in every list it is in
    send_on_commit(post_added, Post, post=post)  # those who wrote in it are told
    return post


def _own_post(*, post: Post, user) -> Post:
    post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
    if not can_view(user, post.thread):
        raise Post.DoesNotExist
    if post.deleted:
        raise ValidationError(_("This post was deleted."))
    return post


@transaction.atomic
def post_edit(*, post: Post, editor, body: str, confirmed_exposures: Iterable[str] = ()) -> Post:
    """The author rewrites their post; the previous text is kept as a revision."""
    post = _own_post(post=post, user=editor)
    if post.author_id != editor.pk:
        raise PermissionDenied(_("Only the author of a post can edit it."))
    author_membership(author=editor, community=post.thread.community)
    if not (body or "").strip():
        raise ValidationError({"body": _("The post is empty.")})
    if body == post.body:
        return post
    exposure_check(texts={_("text"): body}, confirmed=confirmed_exposures)
    now = timezone.now()
    # A purged text stays purged: the revision keeps the marker, not the words.
    PostRevision.objects.create(
        community_id=post.community_id,
        post=post,
        body=post.body,
        editor=editor,
        edited_at=now,
        redacted_by_id=post.redacted_by_id,
        redacted_at=post.redacted_at,
    )
    post.body, post.edited_at = body, now
    post.redacted_by, post.redacted_at = None, None
    post.full_clean()
    post.save(update_fields=["body", "edited_at", "redacted_by", "redacted_at"])
    return post


def post_moderator_check(*, post: Post, actor) -> None:
    """Refuse (PermissionDenied) anyone but the post's author or the active secretariat of
    its community who sees the thread (`apps.sharing.selectors.may_change`): who may delete
    a post or purge its text."""
    if not may_change(actor, post, seen_through=post.thread):
        raise PermissionDenied(
            _("Only the author or the secretariat can delete or redact this post.")
        )


def _record_redaction(*, post: Post, actor, what: str, **detail) -> None:
    """Purged text leaves a trace of who purged what and when — never of the words."""
    text_redacted(item=post.thread, target=post, actor=actor, what=what, **detail)


@transaction.atomic
def post_revision_purge(*, revision: PostRevision, actor) -> PostRevision:
    """Redact an earlier text of a post for good: the words are overwritten in the database
    (not hidden behind a flag) and the history shows "redacted by the author / the
    secretariat on <date>" in their place. The post's author or the secretariat; a reader
    who cannot see the thread gets 'not found'."""
    revision = (
        PostRevision.objects.select_for_update().select_related("post").get(pk=revision.pk)
    )
    post = _own_post(post=revision.post, user=actor)
    post_moderator_check(post=post, actor=actor)
    if revision.redacted_at is None:
        revision.body = ""
        revision.redacted_by, revision.redacted_at = actor, timezone.now()
        revision.save(update_fields=["body", "redacted_by", "redacted_at"])
        _record_redaction(post=post, actor=actor, what="revision", revision=revision.pk)
    return revision


@transaction.atomic
def post_purge(*, post: Post, actor) -> Post:
    """Redact a post's current text for good (the same rules as `post_revision_purge`): the
    post stays in its thread, replies keep their place, and it reads "redacted by …". Its
    author may write a new text afterwards; the marker then moves into the history."""
    post = _own_post(post=post, user=actor)
    post_moderator_check(post=post, actor=actor)
    if post.redacted_at is None:
        post.body = ""
        post.redacted_by, post.redacted_at = actor, timezone.now()
        post.save(update_fields=["body", "redacted_by", "redacted_at"])
        _record_redaction(post=post, actor=actor, what="post")
    return post


@transaction.atomic
def post_delete(*, post: Post, actor) -> Post:
    """Withdraw a post: its author, or the secretariat moderating its community. The row
    stays as a placeholder so that replies keep their place, but its text and every earlier
    text are erased: nobody could ever be shown them again, so keeping them would only keep
    what someone wanted gone."""
    post = _own_post(post=post, user=actor)
    post_moderator_check(post=post, actor=actor)
    post.deleted, post.deleted_at = True, timezone.now()
    post.body = ""
    post.save(update_fields=["deleted", "deleted_at", "body"])
    post.revisions.all().delete()
    _record_redaction(post=post, actor=actor, what="deleted")
    return post
