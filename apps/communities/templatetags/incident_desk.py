"""``{% incident_desk_ready community as ready %}``: whether the community's incident desk
reaches anyone now (one query), for the "report an incident now" action of every page."""

from django import template

from apps.communities.desk import desk_people

register = template.Library()


@register.simple_tag
def incident_desk_ready(community) -> bool:
    return community is not None and desk_people(community).exists()
