"""Reads on discussions. Threads come through `apps.sharing.selectors.visible_to`; posts and
revisions are reached only through the threads a user can see — never through grants of
their own — so a reply is seen by exactly its thread's audience.

Sources: an anonymous thread names its organisation only to its author and the community's
secretariat (`sharing.source_organizations`). The author's own posts in it are hidden the
same way, or the first reply would give them away.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from apps.communities.models import Community, Membership, MembershipStatus
from apps.discussions.models import Post, PostRevision, Thread
from apps.incidents.models import Incident
from apps.sharing.audience import AMBERS
from apps.sharing.selectors import source_organizations, visible_to
from apps.sharing.tlp import TLP


def threads_visible_to(user, *, community: Community | None = None) -> QuerySet[Thread]:
    """Threads ``user`` may see (of one community, when given), newest activity first, with
    their number of posts and what the list shows."""
    threads = Thread.objects.all()
    if community is not None:
        threads = threads.filter(community=community)
    return threads_listing(visible_to(user, threads))


def threads_listing(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """What a list shows of each thread: its community, source and number of posts."""
    return (
        threads.select_related("community", "author_organization")
        .annotate(post_count=Count("posts", filter=Q(posts__deleted=False)))
        .order_by("-last_post_at", "-created_at", "pk")
    )


def threads_addressed_to(user) -> QuerySet[Thread]:
    """ "Addressed to me", for threads — the same rules as incidents'
    `apps.incidents.selectors.addressed_to`: the TLP:RED threads naming ``user`` and the
    TLP:AMBER / AMBER+STRICT threads naming the organisation ``user`` represents in the
    thread's community (an active membership), among those they may see, not their own,
    newest first. One query; show the source through `threads_decorate`, which hides it on
    anonymous threads."""
    if not user.is_authenticated:
        return Thread.objects.none()
    my_organization = Membership.objects.filter(
        user_id=user.pk,
        status=MembershipStatus.ACTIVE,
        community_id=OuterRef(OuterRef("community_id")),
    ).values("organization_id")
    names_my_organization = Exists(
        Thread.recipient_organizations.through.objects.filter(
            thread_id=OuterRef("pk"), organization_id__in=my_organization
        )
    )
    names_me = Exists(
        Thread.recipient_users.through.objects.filter(thread_id=OuterRef("pk"), user_id=user.pk)
    )
    addressed = Thread.objects.filter(
        Q(names_me, tlp=TLP.RED) | Q(names_my_organization, tlp__in=list(AMBERS))
    ).exclude(author_id=user.pk)
    return (
        visible_to(user, addressed)
        .select_related("community", "author_organization")
        .order_by("-created_at", "pk")
    )


def posts_visible_to(user, *, community: Community | None = None) -> QuerySet[Post]:
    """Posts of the threads ``user`` may see: one subquery through the thread door."""
    posts = Post.objects.all()
    threads = Thread.objects.all()
    if community is not None:
        posts = posts.filter(community=community)
        threads = threads.filter(community=community)
    return (
        posts.filter(thread__in=visible_to(user, threads).values("pk"))
        .select_related("thread", "thread__author_organization", "author", "author_organization")
        .annotate(revision_count=Count("revisions"))
        .order_by("created_at", "pk")
    )


def revisions_of(post: Post) -> QuerySet[PostRevision]:
    """The earlier texts of a post the caller already reached through `posts_visible_to`."""
    if post.deleted:
        return PostRevision.objects.none()
    return (
        PostRevision.objects.filter(community_id=post.community_id, post=post)
        .select_related("post")
        .order_by("-edited_at", "-pk")
    )


def threads_decorate(threads, viewer) -> list[Thread]:
    """Attach what may be shown to ``viewer`` on each thread, in a fixed number of queries:

    - ``source``: the organisation, or None when hidden ("via the secretariat");
    - ``source_text``: the readable source;
    - ``shows_recipients``: whether the chosen recipients may be listed — only to those told
      the source, since an anonymous AMBER audience always includes the author's own
      organisation;
    - ``visible_incident``: the attached incident if ``viewer`` may see it, else None.
    """
    threads = list(threads)
    sources = source_organizations(threads, viewer)
    incident_ids = {t.incident_id for t in threads if t.incident_id}
    incidents = (
        {i.pk: i for i in visible_to(viewer, Incident.objects.filter(pk__in=incident_ids))}
        if incident_ids
        else {}
    )
    for thread in threads:
        thread.source = sources[thread.pk]
        thread.source_text = (
            thread.source.display_name if thread.source else _("via the secretariat")
        )
        thread.shows_recipients = not thread.anonymous or thread.source is not None
        thread.visible_incident = incidents.get(thread.incident_id)
    return threads


def posts_decorate(posts, viewer) -> list[Post]:
    """Attach ``poster`` (the author's name, or None) and ``source_text`` to each post, in at
    most one query: in an anonymous thread the thread author's posts read "via the
    secretariat" to everyone the thread's source is hidden from."""
    posts = list(posts)
    threads = {post.thread_id: post.thread for post in posts}
    sources = source_organizations(threads.values(), viewer)
    for post in posts:
        thread = threads[post.thread_id]
        hidden = (
            thread.anonymous and post.author_id == thread.author_id and (sources[thread.pk] is None)
        )
        post.source_hidden = hidden
        post.poster = None if hidden else post.author.get_full_name()
        post.source_text = (
            _("via the secretariat") if hidden else post.author_organization.display_name
        )
        post.is_own = viewer.is_authenticated and post.author_id == viewer.pk
    return posts


def recipients_prefetch() -> list[Prefetch]:
    return [Prefetch("recipient_organizations"), Prefetch("recipient_users")]


def incident_text_source(reader, term: str) -> Q:
    """For the incident search: incidents whose discussion matches ``term`` — only through
    threads ``reader`` may see and posts not deleted, so a hidden thread never makes an
    incident findable by its words."""
    threads = visible_to(reader, Thread.objects.filter(incident__isnull=False))
    posts = Post.objects.filter(
        thread__in=threads.values("pk"), deleted=False, body__icontains=term
    )
    return Q(pk__in=threads.filter(title__icontains=term).values("incident_id")) | Q(
        pk__in=posts.values("thread__incident_id")
    )
