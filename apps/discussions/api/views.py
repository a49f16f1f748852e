"""/api/v1/threads/ and /api/v1/posts/.

Every list, detail and action starts from `selectors`, which go through `apps.sharing`: a
thread or post the caller may not see answers 404, exactly like one that does not exist.
Writes go through `apps.discussions.services`; their refusals become 400 (403 for a member
whose role does not share, e.g. an observer).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from apps.communities.api.scopes import communities_for
from apps.communities.api.views import ReadsForAnyone, ScopedViewSet, service_errors
from apps.communities.models import Membership, MembershipStatus
from apps.discussions import selectors, services
from apps.discussions.api.filters import PostFilter, ThreadFilter
from apps.discussions.api.serializers import (
    PostCreateSerializer,
    PostEditSerializer,
    PostRevisionSerializer,
    PostSerializer,
    ThreadAudienceSerializer,
    ThreadCreateSerializer,
    ThreadSerializer,
    ThreadUpdateSerializer,
)
from apps.discussions.models import Post, Thread
from apps.incidents.models import Incident
from apps.sharing.audience import member_organizations
from apps.sharing.auditing import item_viewed
from apps.sharing.selectors import visible_to
from apps.sharing.services import audience_actor_check
from portal.api.pagination import VisibleListMixin
from portal.api_schema import ErrorSerializer

TAG = "discussions"


def _organizations(community, slugs):
    if slugs is None:
        return None
    found = list(member_organizations(community).filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {org.slug for org in found})
    if unknown:
        raise ValidationError(
            {
                "organizations": _("Not member organisations of this community: %(names)s.")
                % {"names": ", ".join(unknown)}
            }
        )
    return found


def _users(community, emails):
    if not emails:
        return []
    wanted = {email.lower() for email in emails}
    members = Membership.objects.filter(community=community).exclude(status=MembershipStatus.LEFT)
    found = list(
        get_user_model().objects.filter(pk__in=members.values("user_id"), email__in=wanted)
    )
    unknown = sorted(wanted - {user.email.lower() for user in found})
    if unknown:
        raise ValidationError(
            {
                "users": _("Not members of this community: %(names)s.")
                % {"names": ", ".join(unknown)}
            }
        )
    return found


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List the threads you may read"),
        description=gettext_lazy(
            "Threads of every community whose audience includes you, newest activity first. "
            "Filter with `?community=<slug>`, `tlp`, `incident`, `active_since`. The source "
            "of an anonymous thread reads “via the secretariat” unless you are its author or "
            "the secretariat."
        ),
        tags=[TAG],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Read a thread"),
        description=gettext_lazy("404 for a thread you may not read, as if it did not exist."),
        tags=[TAG],
    ),
    create=extend_schema(
        summary=gettext_lazy("Start a thread"),
        description=gettext_lazy(
            "Shares a thread and its first post with the audience the label allows (AMBER: "
            "`organizations`; RED: `users`; GREEN / CLEAR: `federated`). A refused audience "
            "is a 400 and nothing is saved. Text that may identify the victim is refused "
            "until each finding is listed in `confirmed_exposures`. Observers and guests get 403."
        ),
        request=ThreadCreateSerializer,
        responses={201: ThreadSerializer},
        tags=[TAG],
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Name or hide the source of a thread"),
        description=gettext_lazy(
            "`anonymous: false` names the organisation that opened the thread: its author "
            "only (403 for anyone else, the secretariat included). `anonymous: true` hides "
            "it from now on (author or secretariat). Recorded in the audience history. 404 "
            "for a thread you may not read, 403 for a reader who may not change it — both "
            "before the body is read."
        ),
        request=ThreadUpdateSerializer,
        responses={200: ThreadSerializer},
        tags=[TAG],
    ),
    audience=extend_schema(
        summary=gettext_lazy("Change who reads a thread"),
        description=gettext_lazy(
            "The author or the secretariat sets a new label and recipients; every post "
            "follows. The change is recorded. 404 for a thread you may not read, 403 for a "
            "reader who may not change it — both before the body is read."
        ),
        request=ThreadAudienceSerializer,
        responses={
            200: ThreadSerializer,
            204: OpenApiResponse(description=gettext_lazy(
                "Changed, and you are no longer in the audience you chose.")),
        },
        tags=[TAG],
    ),
)
class ThreadViewSet(VisibleListMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Thread
    permission_classes = [ReadsForAnyone]  # signed out: TLP:CLEAR threads, read only
    serializer_class = ThreadSerializer
    filterset_class = ThreadFilter

    def scope(self, user):
        return selectors.threads_visible_to(user).prefetch_related(*selectors.recipients_prefetch())

    def _data(self, threads, *, many=False):
        decorated = selectors.threads_decorate(threads if many else [threads], self.request.user)
        return self.get_serializer(decorated if many else decorated[0], many=many).data

    def decorate_page(self, rows):
        return selectors.threads_listing(rows).prefetch_related(*selectors.recipients_prefetch())

    def page_data(self, items):
        return self._data(items, many=True)

    def retrieve(self, request, *args, **kwargs):
        thread = self.get_object()
        item_viewed(item=thread, viewer=request.user)
        return Response(self._data(thread))

    def create(self, request, *args, **kwargs):
        serializer = ThreadCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        community = communities_for(request.user).filter(slug=data["community"]).first()
        if community is None:
            raise ValidationError({"community": _("Unknown community.")})
        incident = None
        if data["incident"]:
            incident = (
                visible_to(request.user, Incident.objects.filter(community=community))
                .filter(pk=data["incident"])
                .first()
            )
            if incident is None:
                raise ValidationError({"incident": _("Unknown incident.")})
        with service_errors():
            thread = services.thread_create(
                author=request.user,
                community=community,
                title=data["title"],
                body=data["body"],
                tlp=data["tlp"],
                organizations=_organizations(community, data["organizations"]),
                users=_users(community, data["users"]),
                federated=data["federated"],
                anonymous=data["anonymous"],
                incident=incident,
                confirmed_exposures=data["confirmed_exposures"],
            )
        thread = self.get_queryset().get(pk=thread.pk)
        return Response(self._data(thread), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        thread = self.get_object()  # 404 when hidden, whatever the body
        audience_actor_check(item=thread, actor=request.user)  # 403, whatever the body
        serializer = ThreadUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.thread_anonymity_set(
                thread=thread, actor=request.user, anonymous=serializer.validated_data["anonymous"]
            )
        return Response(self._data(self.get_queryset().get(pk=thread.pk)))

    @action(detail=True, methods=["post"])
    def audience(self, request, pk=None):
        thread = self.get_object()  # 404 when hidden, whatever the body
        # 403 for a reader who may not change it, before the body is read: a validation
        # error must not be the first answer (it could name a hidden incident's label).
        audience_actor_check(item=thread, actor=request.user)
        serializer = ThreadAudienceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            services.thread_update_audience(
                thread=thread,
                actor=request.user,
                tlp=data["tlp"],
                organizations=_organizations(thread.community, data["organizations"]),
                users=_users(thread.community, data["users"]),
                federated=data["federated"],
            )
        thread = self.get_queryset().filter(pk=thread.pk).first()
        if thread is None:  # the actor narrowed it out of their own sight
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self._data(thread))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List the posts you may read"),
        description=gettext_lazy(
            "Posts of the threads you may read, oldest first — exactly the thread's "
            "audience, never more. Filter with `?thread=<id>`, `community`, `since`."
        ),
        tags=[TAG],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Read a post"),
        description=gettext_lazy("404 unless you may read its thread."),
        tags=[TAG],
    ),
    create=extend_schema(
        summary=gettext_lazy("Post in a thread"),
        description=gettext_lazy(
            "A reply is seen by exactly the thread's audience. 404 for a thread you may not "
            "read; 403 for observers and guests, who read but do not post."
        ),
        request=PostCreateSerializer,
        responses={
            201: PostSerializer,
            404: OpenApiResponse(ErrorSerializer, description=gettext_lazy(
                "No such thread, or one you may not read: the answer is the same.")),
        },
        tags=[TAG],
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Edit your post"),
        description=gettext_lazy("Author only; the previous text is kept as a revision."),
        request=PostEditSerializer,
        responses={200: PostSerializer},
        tags=[TAG],
    ),
    destroy=extend_schema(
        summary=gettext_lazy("Delete a post"),
        description=gettext_lazy(
            "The author, or the secretariat moderating; the post stays as “deleted” and its "
            "text is no longer shown."
        ),
        tags=[TAG],
    ),
    revisions=extend_schema(
        summary=gettext_lazy("Earlier texts of a post"),
        description=gettext_lazy(
            "Newest first; empty for a deleted post. A purged text is empty and says who "
            "purged it (the author or the secretariat) and when."
        ),
        responses={200: PostRevisionSerializer(many=True)},
        tags=[TAG],
    ),
    purge=extend_schema(
        summary=gettext_lazy("Purge the current text of a post"),
        description=gettext_lazy(
            "The author of the post or the secretariat erases its text from the database; "
            "the post stays in the thread marked as redacted. 404 unless you may read the "
            "thread; 403 for other readers."
        ),
        request=None,
        responses={200: PostSerializer},
        tags=[TAG],
    ),
    purge_revision=extend_schema(
        summary=gettext_lazy("Purge an earlier text of a post"),
        description=gettext_lazy(
            "The author of the post or the secretariat erases that earlier text from the "
            "database; the history keeps a “redacted” marker. 404 unless you may read the "
            "thread; 403 for other readers."
        ),
        request=None,
        responses={200: PostRevisionSerializer},
        parameters=[OpenApiParameter("revision", OpenApiTypes.INT, OpenApiParameter.PATH)],
        tags=[TAG],
    ),
)
class PostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Post
    permission_classes = [ReadsForAnyone]  # signed out: posts of TLP:CLEAR threads, read only
    serializer_class = PostSerializer
    filterset_class = PostFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scope(self, user):
        return selectors.posts_visible_to(user)

    def _data(self, posts, *, many=False):
        decorated = selectors.posts_decorate(posts if many else [posts], self.request.user)
        return self.get_serializer(decorated if many else decorated[0], many=many).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._data(page, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data(self.get_object()))

    def _fresh(self, post: Post) -> Post:
        return self.get_queryset().get(pk=post.pk)

    def create(self, request, *args, **kwargs):
        serializer = PostCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        thread = selectors.threads_visible_to(request.user).filter(pk=data["thread"]).first()
        if thread is None:
            raise NotFound(_("No such thread."))
        parent = None
        if data["parent"]:
            parent = Post.objects.filter(thread=thread, pk=data["parent"]).first()
            if parent is None:
                raise ValidationError({"parent": _("You can only reply to a post of this thread.")})
        with service_errors():
            try:
                post = services.post_add(
                    author=request.user,
                    thread=thread,
                    body=data["body"],
                    parent=parent,
                    confirmed_exposures=data["confirmed_exposures"],
                )
            except Thread.DoesNotExist as error:
                raise NotFound(_("No such thread.")) from error
        return Response(self._data(self._fresh(post)), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        post = self.get_object()  # 404 when hidden, whatever the body
        if post.author_id != request.user.pk:  # 403 before the body is read
            raise PermissionDenied(_("Only the author of a post can edit it."))
        serializer = PostEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            try:
                post = services.post_edit(
                    post=post,
                    editor=request.user,
                    body=serializer.validated_data["body"],
                    confirmed_exposures=serializer.validated_data["confirmed_exposures"],
                )
            except Post.DoesNotExist as error:
                raise NotFound from error
        return Response(self._data(self._fresh(post)))

    def destroy(self, request, *args, **kwargs):
        post = self.get_object()
        with service_errors():
            try:
                services.post_delete(post=post, actor=request.user)
            except Post.DoesNotExist as error:
                raise NotFound from error
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def revisions(self, request, pk=None):
        post = self.get_object()
        return Response(PostRevisionSerializer(selectors.revisions_of(post), many=True).data)

    @action(detail=True, methods=["post"])
    def purge(self, request, pk=None):
        post = self.get_object()
        services.post_moderator_check(post=post, actor=request.user)
        with service_errors():
            try:
                post = services.post_purge(post=post, actor=request.user)
            except Post.DoesNotExist as error:
                raise NotFound from error
        return Response(self._data(self._fresh(post)))

    @action(
        detail=True,
        methods=["post"],
        url_path=r"revisions/(?P<revision>[0-9]+)/purge",
        pagination_class=None,
        filterset_class=None,
    )
    def purge_revision(self, request, pk=None, revision=None):
        post = self.get_object()
        services.post_moderator_check(post=post, actor=request.user)
        found = selectors.revisions_of(post).filter(pk=revision).first()
        if found is None:
            raise NotFound(_("No such revision."))
        with service_errors():
            try:
                found = services.post_revision_purge(revision=found, actor=request.user)
            except Post.DoesNotExist as error:
                raise NotFound from error
        return Response(PostRevisionSerializer(found).data)
