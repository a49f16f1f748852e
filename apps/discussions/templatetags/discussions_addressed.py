"""The threads section of the "Addressed to me" page.

The page belongs to `incidents`, which sits below `discussions` and may not import it; the
threads reach the page through this tag instead, read through `discussions.selectors` (and so
through the sharing door) for the signed-in reader and the page's community.
"""

from django import template

from apps.discussions import selectors

register = template.Library()

ADDRESSED_LIMIT = 200


@register.inclusion_tag("discussions/_addressed_threads.html", takes_context=True)
def addressed_threads(context):
    """The threads addressed to the reader in ``community``: a fixed number of queries."""
    request, community = context["request"], context["community"]
    threads = selectors.threads_addressed_to(request.user).filter(community=community)
    return {
        "community": community,
        "threads": selectors.threads_decorate(threads[:ADDRESSED_LIMIT], request.user),
    }
