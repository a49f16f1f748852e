"""The thread list's filters (the web list under /c/<slug>/discussions/).

Like every filter, it only narrows: `apps.sharing.pages` decides what the reader may see of
the result. Text is matched folded (`portal.search_text`) in the thread's title and its
posts that are not deleted — posts have no audience of their own, so a thread found through
a post is still shown only to its own audience. The author's organisation is matched only
on threads that name it: an anonymous thread is never found by its source's name, or the
filter would tell who wrote it.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.discussions.models import Post, Thread
from apps.incidents.filters import DayOrMomentRangeFilter
from apps.incidents.search import LINKED_MAX, split_terms, term_forms
from apps.sharing.tlp import TLP
from portal.filters import CommunityScopedFilterSet, community_filter
from portal.search_text import search_normalise


def thread_text_match(queryset, text: str, *, community=None):
    """Threads whose title or a live post holds every term of ``text`` (each in any form:
    folded, and refanged when defanged). Per term, the threads found through posts are read
    first (few, through the trigram index) and named by key, as `incidents.search` does."""
    for term in split_terms(text):
        folded = {search_normalise(form) for form in term_forms(term)} - {""}
        if not folded:
            continue
        title, body = Q(), Q()
        for form in folded:
            title |= Q(search_text__contains=form)
            body |= Q(search_text__contains=form)
        posts = Post.objects.filter(body, deleted=False)
        if community is not None:  # tenant first
            posts = posts.filter(community=community)
        posted = posts.order_by().values("thread_id")
        linked = [row[0] for row in posted.values_list("thread_id")[: LINKED_MAX + 1]]
        linked = posted if len(linked) > LINKED_MAX else linked
        queryset = queryset.filter(title | Q(pk__in=linked))
    return queryset


class ThreadFilter(CommunityScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        help_text=_("Words in the title or the posts; separate terms by spaces (all must "
                    "match); quote a phrase."),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words…")}),
    )
    community = community_filter(label=_("Community"), widget=forms.HiddenInput)
    tlp = django_filters.MultipleChoiceFilter(
        label=_("TLP label"), choices=TLP.choices, widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    has_incident = django_filters.BooleanFilter(
        label=_("About an incident"), field_name="incident", lookup_expr="isnull",
        exclude=True,
    )
    # A slug, set by the source links of the list: no list of organisations is offered, as
    # one would name the members behind anonymous threads that the reader is told nothing of.
    organization = django_filters.CharFilter(
        label=_("Author's organisation"), method="filter_organization", widget=forms.HiddenInput
    )
    created = DayOrMomentRangeFilter(label=_("Started between"), field_name="created_at")
    active = DayOrMomentRangeFilter(label=_("Last post between"), field_name="last_post_at")

    class Meta:
        model = Thread
        fields = ["q", "community", "tlp", "has_incident", "organization", "created", "active"]

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community

    def filter_text(self, queryset, name, value):
        return thread_text_match(queryset, value, community=self.community)

    def filter_organization(self, queryset, name, value):
        # Never an anonymous thread: its source is hidden from (almost) every reader.
        return queryset.filter(author_organization__slug=value.strip(), anonymous=False)
