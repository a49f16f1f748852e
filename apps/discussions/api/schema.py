"""The OpenAPI text of the discussions API — what each operation does, takes and refuses —
kept beside the viewsets of `views`, each of which wears its decorator
(``@schema.threads``). Every text goes through gettext: the schema speaks the reader's
language."""

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

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
from portal.api.schema import ErrorSerializer

TAG = "discussions"

threads = extend_schema_view(
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


posts = extend_schema_view(
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
