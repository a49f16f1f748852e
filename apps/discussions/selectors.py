"""Reads on discussions. Threads come through `apps.sharing.selectors.visible_to`; posts and
revisions are reached only through the threads a user can see — never through grants of
their own — so a reply is seen by exactly its thread's audience.

Sources: an anonymous thread names its organisation only to its author and the community's
secretariat (`sharing.source_organizations`). The author's own posts in it are hidden the
same way, or the first reply would give them away.
"""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from apps.communities.models import Community
from apps.discussions.models import Post, PostRevision, Thread
from apps.incidents.models import Incident
from apps.sharing.selectors import recipients_prefetch as sharing_recipients_prefetch
from apps.sharing.selectors import source_organizations, visible_one, visible_to
from portal.search_text import search_normalise


def threads_visible_to(user, *, community: Community | None = None, pk=None) -> QuerySet[Thread]:
    """Threads ``user`` may see (of one community, when given; only thread ``pk``, when given),
    newest activity first, with their number of posts and what the list shows."""
    threads = Thread.objects.all()
    if community is not None:
        threads = threads.filter(community=community)
    if pk is not None:
        return threads_listing(visible_one(user, threads, pk))
    return threads_listing(visible_to(user, threads))


def threads_listing(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """What a list shows of each thread: its community, source and number of posts."""
    return (
        threads.select_related("community", "author_organization")
        .annotate(post_count=Count("posts", filter=Q(posts__deleted=False)))
        .order_by("-last_post_at", "-created_at", "pk")
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


def threads_decorate(threads, viewer, *, reach=None) -> list[Thread]:
    """Attach what may be shown to ``viewer`` on each thread, in a fixed number of queries:

    - ``source``: the organisation, or None when hidden ("via the secretariat");
    - ``source_text``: the readable source;
    - ``shows_recipients``: whether the chosen recipients may be listed — only to those told
      the source, since an anonymous AMBER audience always includes the author's own
      organisation;
    - ``visible_incident``: the attached incident if ``viewer`` may see it, else None
      (``reach``: the viewer's, when the caller has it already).
    """
    threads = list(threads)
    sources = source_organizations(threads, viewer)
    incident_ids = {t.incident_id for t in threads if t.incident_id}
    incidents = (
        # What a thread shows of its incident: its id and title, not its text.
        {i.pk: i for i in visible_to(viewer, Incident.objects.filter(pk__in=incident_ids)
                                     .only("pk", "title"), few=True, reach=reach)}
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
    return sharing_recipients_prefetch()


def incident_text_source(reader, term: str) -> QuerySet:
    """For the incident search: incidents whose discussion matches ``term`` — only through
    threads ``reader`` may see and posts not deleted, so a hidden thread never makes an
    incident findable by its words. The matching threads are few (trigram indexes find
    them), so each is checked for visibility on its own (``few``)."""
    # Titles and posts as a UNION, each found through its trigram index: an OR with a
    # subquery would test every thread that has an incident.
    term = search_normalise(term)
    titles = Thread.objects.filter(search_text__contains=term).order_by().values("pk")
    posts = (Post.objects.filter(deleted=False, search_text__contains=term)
             .order_by().values("thread_id"))
    matching = Thread.objects.filter(pk__in=titles.union(posts), incident__isnull=False)
    return visible_to(reader, matching, few=True).order_by().values("incident_id")
