"""Template tags of Renkei's admin pages."""

from django import template

from portal.admin import operator_log

register = template.Library()


@register.simple_tag(takes_context=True)
def operator_admin_log(context, limit: int = 10) -> list[dict]:
    """{% operator_admin_log 10 as rows %}: the signed-in operator's recent actions, with
    entries about items they cannot see in the portal masked (see `portal.admin.operator_log`)."""
    request = context["request"]
    entries = context["log_entries"].filter(user__pk=request.user.pk)[: int(limit)]
    return operator_log(request, list(entries))
