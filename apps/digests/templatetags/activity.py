"""The homes' news for templates: the community and portal homes (apps.communities, below
the content apps) show what `apps.digests.activity` reads, without importing it."""

from django import template

from apps.digests import activity

register = template.Library()


@register.simple_tag
def community_activity(user, membership, since):
    """{% community_activity user membership since as news %}"""
    return activity.community_activity(user=user, membership=membership, since=since)


@register.simple_tag
def portal_activity(user):
    """{% portal_activity user as communities %}"""
    return activity.portal_activity(user)


@register.simple_tag
def public_items():
    """{% public_items as public %}: the newest TLP:CLEAR items, for visitors."""
    return activity.public_items()
