"""/api/v1/threads/ and /api/v1/posts/.

Every list, detail and action starts from `selectors`, which go through `apps.sharing`: a
thread or post the caller may not see answers 404, exactly like one that does not exist.
Writes go through `apps.discussions.services`; their refusals become 400 (403 for a member
whose role does not share, e.g. an observer).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from apps.communities.api.scopes import communities_for
from apps.communities.api.views import ReadsForAnyone, ScopedViewSet
from apps.discussions import selectors, services
from apps.discussions.api import schema
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
from apps.sharing.auditing import item_viewed
from apps.sharing.recipients import recipients_read
from apps.sharing.selectors import recipients_attach, visible_to
from apps.sharing.services import audience_actor_check
from portal.api.pagination import VisibleListMixin


def _audience(data: dict, community) -> dict:
    """The recipient choice of the API (slugs, e-mail addresses) as the services take it,
    read by `apps.sharing.recipients` like the web picker's."""
    return recipients_read(
        community=community,
        **{name: data[name] for name in ("tlp", "organizations", "users", "federated")},
    )

@schema.threads
class ThreadViewSet(VisibleListMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Thread
    permission_classes = [ReadsForAnyone]  # signed out: TLP:CLEAR threads, read only
    serializer_class = ThreadSerializer
    filterset_class = ThreadFilter

    def scope(self, user):
        # A detail (and its actions) asks about one thread: probed, not collected.
        return selectors.threads_visible_to(user, pk=self.kwargs.get("pk")).prefetch_related(
            *selectors.recipients_prefetch())

    def _data(self, threads, *, many=False, reach=None):
        decorated = selectors.threads_decorate(threads if many else [threads], self.request.user,
                                               reach=reach)
        return self.get_serializer(decorated if many else decorated[0], many=many).data

    def decorate_page(self, rows):
        return recipients_attach(list(selectors.threads_listing(rows)))

    def page_data(self, items):
        return self._data(items, many=True, reach=self.paginator.reach)

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
        thread = services.thread_create(
            author=request.user,
            community=community,
            title=data["title"],
            body=data["body"],
            **_audience(data, community),
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
        services.thread_update_audience(
            thread=thread, actor=request.user, **_audience(data, thread.community)
        )
        thread = self.get_queryset().filter(pk=thread.pk).first()
        if thread is None:  # the actor narrowed it out of their own sight
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self._data(thread))


@schema.posts
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
        post = services.post_edit(
            post=post,
            editor=request.user,
            body=serializer.validated_data["body"],
            confirmed_exposures=serializer.validated_data["confirmed_exposures"],
        )
        return Response(self._data(self._fresh(post)))

    def destroy(self, request, *args, **kwargs):
        post = self.get_object()
        services.post_delete(post=post, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def revisions(self, request, pk=None):
        post = self.get_object()
        return Response(PostRevisionSerializer(selectors.revisions_of(post), many=True).data)

    @action(detail=True, methods=["post"])
    def purge(self, request, pk=None):
        post = self.get_object()
        services.post_moderator_check(post=post, actor=request.user)
        post = services.post_purge(post=post, actor=request.user)
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
        found = services.post_revision_purge(revision=found, actor=request.user)
        return Response(PostRevisionSerializer(found).data)
