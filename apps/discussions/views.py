"""Discussion pages under /c/<slug>/discussions/. Thin: reads come from `selectors` (which go
through `apps.sharing`), writes from `services`; an invisible thread or post is 404."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from apps.communities.models import Organization
from apps.communities.views import CommunityMixin, CommunityReadMixin
from apps.discussions import selectors, services
from apps.discussions.filters import ThreadFilter
from apps.discussions.forms import EXPOSURE_FIELD, PostEditForm, PostForm, ThreadForm
from apps.discussions.models import Post, Thread
from apps.incidents.list_visits import ListName, list_visit
from apps.sharing.auditing import item_viewed
from apps.sharing.forms import AudienceForm
from apps.sharing.selectors import (
    audience_count,
    changeable,
    may_change,
    recipients_of,
    source_organizations,
    visible_to,
)
from apps.sharing.services import SHARING_ROLES
from apps.sharing.sorting import Sort, sort_of, sorted_request_page
from portal.forms import add_refusal

THREADS_PER_PAGE = 30

# The first is the default: the audience rows' own order.
THREAD_SORTS = (
    Sort("activity", gettext_lazy("Last activity"), "last_post_at"),
    Sort("newest", gettext_lazy("Newest"), "created_at"),
    Sort("label", gettext_lazy("Label"), "last_post_at", by_label=True),
)


def can_post(membership) -> bool:
    """Active members who share; readers without an active membership here only read."""
    return membership is not None and membership.role in SHARING_ROLES


def can_set_anonymity(user, thread) -> bool:
    """Naming the source of an anonymous thread: its author alone; hiding the source of a
    named one: whoever may change the thread (`apps.sharing.services.anonymity_set`)."""
    if not may_change(user, thread):
        return False
    return not thread.anonymous or thread.author_id == user.pk


class ThreadListView(CommunityReadMixin, TemplateView):
    """Open to anyone: a signed-out visitor or a non-member reads what `visible_to` gives
    them (TLP:CLEAR), and a non-member who may see nothing here gets a 404."""

    template_name = "discussions/thread_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        self.require_known(visible_to(user, Thread.objects.filter(community=self.community)))
        filterset = ThreadFilter(self.request.GET or None, community=self.community,
                                 queryset=Thread.objects.filter(community=self.community))
        sort = sort_of(self.request.GET, THREAD_SORTS)
        listing = sorted_request_page(
            user,
            filterset.qs,
            self.request.GET,
            sort=sort,
            size=THREADS_PER_PAGE,
            decorate=selectors.threads_listing,
            scope={"communities": [self.community.pk],
                   **(filterset.audience_scope() if filterset.is_valid() else {})},
        )
        # Marked new: threads with a post since the member's previous visit of the list.
        new_since = list_visit(user=user, community=self.community,
                               list_name=ListName.DISCUSSIONS)
        threads = selectors.threads_decorate(listing.items, user)
        for thread in threads:
            thread.is_new = new_since is not None and thread.last_post_at > new_since
        kept = self.request.GET.copy()
        kept.pop("cursor", None)
        source = None
        if filterset.is_valid() and (slug := filterset.form.cleaned_data.get("organization")):
            source = Organization.objects.filter(slug=slug).first()
        kept_without_source = kept.copy()
        kept_without_source.pop("organization", None)
        context.update(
            listing=listing,
            threads=threads,
            filter=filterset,
            source_filter=source,
            without_source_query=kept_without_source.urlencode(),
            sorts=THREAD_SORTS,
            sort=sort,
            new_since=new_since,
            query_string=kept.urlencode(),
            kept_for_search=[(name, value) for name, values in kept.lists()
                             if name != "q" for value in values],
            can_post=can_post(self.membership),
        )
        return context


class ThreadCreateView(CommunityMixin, TemplateView):
    """The thread form and the shared recipient picker (`AudienceForm`) in one <form>."""

    template_name = "discussions/thread_form.html"

    def forms(self, data=None):
        initial = {}
        if data is None and self.request.GET.get("incident"):
            initial["incident"] = self.request.GET["incident"]
        thread_form = ThreadForm(
            data, initial=initial, community=self.community, user=self.request.user
        )
        audience_form = AudienceForm(data, community=self.community, author=self.request.user)
        return thread_form, audience_form

    def get(self, request, *args, **kwargs):
        return self.render(*self.forms())

    def post(self, request, *args, **kwargs):
        form, audience_form = self.forms(request.POST)
        if not (form.is_valid() and audience_form.is_valid()):
            return self.render(form, audience_form, status=400)
        data = form.cleaned_data
        try:
            thread = services.thread_create(
                author=request.user,
                community=self.community,
                title=data["title"],
                body=data["body"],
                anonymous=data["anonymous"],
                incident=data.get("incident"),
                confirmed_exposures=data[EXPOSURE_FIELD],
                **audience_form.choice(audience_form.cleaned_data),
            )
        except ValidationError as error:
            form.add_service_error(error, audience_form)
            return self.render(form, audience_form, status=400)
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.render(form, audience_form, status=403)
        messages.success(request, _("The thread is shared."))
        return redirect("discussions:detail", self.community.slug, thread.pk)

    def render(self, form, audience_form, status=200):
        context = self.get_context_data(
            form=form,
            audience_form=audience_form,
            audience_count=audience_form.shown_count(),
            can_post=self.membership.role in SHARING_ROLES,
            fixed_organization=audience_form.author_organization,
            fixed_user=self.request.user,
        )
        return self.render_to_response(context, status=status)


class ThreadMixin:
    """Finds the thread through the sharing door: anything the user may not see is 404."""

    def get_thread(self) -> Thread:
        thread = (
            selectors.threads_visible_to(self.request.user, community=self.community,
                                         pk=self.kwargs["pk"])
            .select_related("incident")
            .first()
        )
        if thread is None:
            raise Http404
        return selectors.threads_decorate([thread], self.request.user)[0]


class ThreadDetailView(CommunityReadMixin, ThreadMixin, TemplateView):
    """Open to anyone for reading (what `visible_to` gives them); replying needs an active
    membership with a sharing role."""

    template_name = "discussions/thread_detail.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        thread = self.get_thread()
        item_viewed(item=thread, viewer=self.request.user)
        posts = selectors.posts_decorate(
            selectors.posts_visible_to(self.request.user, community=self.community).filter(
                thread=thread
            ),
            self.request.user,
        )
        may_post = can_post(self.membership)
        allowed = changeable(self.request.user, posts, seen_through=thread)
        for post in posts:
            post.may_change = post.pk in allowed  # delete and redact
        audience = recipients_of(thread) if thread.shows_recipients else None
        context.update(
            thread=thread,
            posts=posts,
            form=form or (PostForm() if may_post else None),
            can_post=may_post,
            audience=audience,
            audience_organizations=(
                thread.recipient_organizations.order_by("name") if audience else []
            ),
            audience_users=thread.recipient_users.all() if audience else [],
            reach=_reach(thread, audience) if audience else None,
            can_change_audience=may_change(self.request.user, thread),
            can_set_anonymity=can_set_anonymity(self.request.user, thread),
        )
        return context

    def post(self, request, *args, **kwargs):
        thread = self.get_thread()
        if self.membership is None:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied(_("Only active members of this community can reply."))
        form = PostForm(request.POST)
        if form.is_valid():
            parent = None
            if form.cleaned_data["parent"]:
                parent = Post.objects.filter(thread=thread, pk=form.cleaned_data["parent"]).first()
            try:
                post = services.post_add(
                    author=request.user,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    parent=parent,
                    confirmed_exposures=form.cleaned_data[EXPOSURE_FIELD],
                )
            except ValidationError as error:
                form.add_service_error(error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your reply is posted."))
                url = request.path + f"#post-{post.pk}"
                return redirect(url)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _reach(thread, audience) -> int | None:
    """How many people can read the thread now, or None when the recipients chosen then are
    no longer all in the community (a named person left, an organisation went): the count
    would be refused as a *new* choice, but the thread itself must still open."""
    try:
        return audience_count(
            community=thread.community,
            author=thread.author,
            tlp=thread.tlp,
            organizations=audience.organizations,
            users=audience.users,
            federated=thread.federated,
        )
    except ValidationError:
        return None


class ThreadAudienceView(CommunityMixin, ThreadMixin, TemplateView):
    """Change the thread's label and recipients through the shared picker. A thread the
    user may not see is 404; one they see but may not re-share is 403. `sharing` re-checks
    the actor, re-computes the grants in one transaction and records the change."""

    template_name = "discussions/thread_audience.html"

    def load(self) -> Thread:
        thread = self.get_thread()
        if not may_change(self.request.user, thread):
            raise PermissionDenied(
                _("Only the author or the secretariat can change who sees this thread.")
            )
        return thread

    def get(self, request, *args, **kwargs):
        thread = self.load()
        return self.render(thread, AudienceForm.for_item(item=thread))

    def post(self, request, *args, **kwargs):
        thread = self.load()
        form = AudienceForm.for_item(request.POST, item=thread)
        if not form.is_valid():
            return self.render(thread, form, status=400)
        try:
            change = services.thread_update_audience(
                thread=thread, actor=request.user, **form.choice(form.cleaned_data)
            )
        except Thread.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            add_refusal(error, form)
            return self.render(thread, form, status=400)
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.render(thread, form, status=403)
        if change is None:
            messages.info(request, _("Nothing changed: the thread already had this audience."))
        else:
            messages.success(
                request, _("The thread's audience is changed; the change is recorded.")
            )
        return redirect("discussions:detail", self.community.slug, thread.pk)

    def render(self, thread, audience_form, status=200):
        context = {
            "community": self.community,
            "membership": self.membership,
            "thread": thread,
            "audience_form": audience_form,
            "audience_count": audience_form.shown_count(),
            # Read through `sharing`, which records the secretariat being shown the source.
            "fixed_organization": source_organizations([thread], self.request.user)[thread.pk],
            "fixed_user": thread.author,
        }
        return render(self.request, self.template_name, context, status=status)


class ThreadAnonymityView(CommunityMixin, ThreadMixin, TemplateView):
    """Confirm, then name (``anonymous=0``) or hide (``anonymous=1``) the organisation that
    opened the thread. 404 for a hidden thread; 403 for anyone but its author (naming) or
    its author and the secretariat (hiding). `sharing` re-checks and records it."""

    template_name = "discussions/thread_anonymity.html"

    def load(self) -> Thread:
        thread = self.get_thread()
        if not can_set_anonymity(self.request.user, thread):
            raise PermissionDenied(
                _("Only the author can name the organisation behind an anonymous item.")
                if thread.anonymous and may_change(self.request.user, thread)
                else _("Only the author or the secretariat can change who sees this thread.")
            )
        return thread

    def get(self, request, *args, **kwargs):
        thread = self.load()
        return self.render_to_response(self.get_context_data(thread=thread))

    def post(self, request, *args, **kwargs):
        thread = self.load()
        wanted = request.POST.get("anonymous")
        if wanted not in ("0", "1"):
            context = self.get_context_data(thread=thread, error=_("Nothing was changed."))
            return self.render_to_response(context, status=400)
        try:
            services.thread_anonymity_set(
                thread=thread, actor=request.user, anonymous=wanted == "1"
            )
        except Thread.DoesNotExist:
            raise Http404 from None
        if wanted == "1":
            messages.success(request, _("Others now see “via the secretariat” as the source."))
        else:
            messages.success(request, _("Your organisation is now named as the source."))
        return redirect("discussions:detail", self.community.slug, thread.pk)


class PostMixin(CommunityMixin, ThreadMixin):
    def get_post(self) -> Post:
        post = (
            selectors.posts_visible_to(self.request.user, community=self.community)
            .filter(thread_id=self.kwargs["pk"], pk=self.kwargs["post"])
            .first()
        )
        if post is None:
            raise Http404
        return selectors.posts_decorate([post], self.request.user)[0]


class PostEditView(PostMixin, FormView):
    """The author rewrites their post; the earlier text stays in the history."""

    template_name = "discussions/post_edit.html"
    form_class = PostEditForm

    def get_initial(self):
        return {"body": self.post_obj.body}

    def get(self, request, *args, **kwargs):
        self._load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._load()
        return super().post(request, *args, **kwargs)

    def _load(self):
        self.thread = self.get_thread()
        self.post_obj = self.get_post()
        if self.post_obj.author_id != self.request.user.pk or self.post_obj.deleted:
            raise Http404

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(thread=self.thread, post=self.post_obj)
        return context

    def form_valid(self, form):
        try:
            services.post_edit(
                post=self.post_obj,
                editor=self.request.user,
                body=form.cleaned_data["body"],
                confirmed_exposures=form.cleaned_data[EXPOSURE_FIELD],
            )
        except ValidationError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, _("Your post is updated; the earlier text is kept."))
        url = reverse("discussions:detail", args=[self.community.slug, self.thread.pk])
        return redirect(f"{url}#post-{self.post_obj.pk}")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PostDeleteView(PostMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        thread = self.get_thread()
        post = self.get_post()
        try:
            services.post_delete(post=post, actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("The post is deleted."))
        return redirect("discussions:detail", self.community.slug, thread.pk)


class PostHistoryView(PostMixin, TemplateView):
    """Every earlier text of a post, newest first, for whoever can read the thread."""

    template_name = "discussions/post_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.get_post()
        thread = self.get_thread()
        context.update(
            thread=thread,
            post=post,
            revisions=selectors.revisions_of(post),
            can_purge=may_change(self.request.user, post, seen_through=thread),
        )
        return context


class PostPurgeView(PostMixin, TemplateView):
    """Confirm, then purge the current text of a post (``revision`` absent) or one of its
    earlier texts: the post's author or the secretariat. The words are overwritten in the
    database; a "redacted" marker stays. 404 when the thread is hidden, 403 for others."""

    template_name = "discussions/post_purge.html"

    def load(self):
        self.thread = self.get_thread()
        self.post_obj = self.get_post()
        services.post_moderator_check(post=self.post_obj, actor=self.request.user)
        self.revision = None
        if "revision" in self.kwargs:
            self.revision = selectors.revisions_of(self.post_obj).filter(
                pk=self.kwargs["revision"]
            ).first()
            if self.revision is None:
                raise Http404

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(thread=self.thread, post=self.post_obj, revision=self.revision)
        return context

    def get(self, request, *args, **kwargs):
        self.load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load()
        try:
            if self.revision is not None:
                services.post_revision_purge(revision=self.revision, actor=request.user)
            else:
                services.post_purge(post=self.post_obj, actor=request.user)
        except Post.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The text is purged; only a “redacted” marker remains."))
        return redirect(
            "discussions:post_history", self.community.slug, self.thread.pk, self.post_obj.pk
        )
