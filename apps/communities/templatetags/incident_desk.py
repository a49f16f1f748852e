"""``{% incident_desk_ready community membership as ready %}``: whether the community's
incident desk reaches anyone now, for the "report an incident now" action of every page.
Read from the membership's ``desk_ready`` annotation where the page's membership query made
one (`apps.communities.desk.desk_ready_exists`), else in one query."""

from django import template

from apps.communities.desk import desk_people

register = template.Library()


@register.simple_tag
def incident_desk_ready(community, membership=None) -> bool:
    ready = getattr(membership, "desk_ready", None)
    if ready is not None:
        return ready
    return community is not None and desk_people(community).exists()
