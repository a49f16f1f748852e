"""The threads section of the "Addressed to me" page.

The page belongs to `incidents`, which sits below `discussions` and may not import it; the
threads reach the page through this tag instead, read through the sharing door
(`apps.sharing.selectors.addressed_to`) for the signed-in reader and the page's community.
"""

from django import template

from apps.discussions import selectors
from apps.discussions.models import Thread
from apps.sharing.selectors import addressed_to

register = template.Library()

ADDRESSED_LIMIT = 200


@register.inclusion_tag("discussions/_addressed_threads.html", takes_context=True)
def addressed_threads(context):
    """The threads addressed to the reader in ``community``: a fixed number of queries."""
    request, community = context["request"], context["community"]
    threads = (
        addressed_to(request.user, Thread.objects.filter(community=community))
        .select_related("community", "author_organization")
        .order_by("-created_at", "pk")
    )
    return {
        "community": community,
        "threads": selectors.threads_decorate(threads[:ADDRESSED_LIMIT], request.user),
    }
