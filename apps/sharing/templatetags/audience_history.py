"""``{% load audience_history %}{% audience_history item %}``: who set an item's audience,
when, from what to what — shown on the item's page to its author and the secretariat only
(`selectors.may_change`, the one rule for who changes an item). Any shared item: incidents,
threads, minutes, materials. Four queries at most, whatever the length of the history."""

from django import template
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from apps.communities.models import Organization
from apps.sharing.models import AudienceChange
from apps.sharing.selectors import may_change
from apps.sharing.tlp import TLP

register = template.Library()


def _rank(value: str) -> int | None:
    try:
        return TLP(value).rank
    except ValueError:
        return None


def history_of(item) -> list[dict]:
    """The item's audience changes, newest first, with the organisations and people named
    (their ids resolved in one query each)."""
    changes = list(
        AudienceChange.objects.filter(
            community_id=item.community_id,
            content_type=ContentType.objects.get_for_model(type(item)),
            object_id=item.pk,
        ).select_related("actor").order_by("-changed_at", "-pk")
    )
    org_ids, user_ids = set(), set()
    for change in changes:
        for audience in (change.from_audience or {}, change.to_audience or {}):
            org_ids.update(audience.get("organizations") or [])
            user_ids.update(audience.get("users") or [])
    orgs = {org.pk: org.display_name for org in Organization.objects.filter(pk__in=org_ids)}
    people = {user.pk: str(user) for user in get_user_model().objects.filter(pk__in=user_ids)}

    def names(audience, key, table):
        return [table.get(pk, "?") for pk in (audience or {}).get(key) or []]

    rows = []
    for change in changes:
        before, after = change.from_audience or {}, change.to_audience or {}
        was, now = _rank(change.from_tlp), _rank(change.to_tlp)
        rows.append({
            "change": change,
            "direction": ("" if was is None or now is None or was == now
                          else "lowered" if now < was else "raised"),
            "organizations": names(after, "organizations", orgs),
            "users": names(after, "users", people),
            "added_organizations": sorted(set(names(after, "organizations", orgs))
                                          - set(names(before, "organizations", orgs)))
            if change.from_audience is not None else [],
            "removed_organizations": sorted(set(names(before, "organizations", orgs))
                                            - set(names(after, "organizations", orgs))),
            "added_users": sorted(set(names(after, "users", people))
                                  - set(names(before, "users", people)))
            if change.from_audience is not None else [],
            "removed_users": sorted(set(names(before, "users", people))
                                    - set(names(after, "users", people))),
            "federated": after.get("federated"),
            "anonymous_changed": change.from_audience is not None
            and before.get("anonymous") != after.get("anonymous"),
            "anonymous": after.get("anonymous"),
        })
    return rows


@register.inclusion_tag("sharing/_audience_history.html", takes_context=True)
def audience_history(context, item):
    user = context.get("user")
    if item is None or user is None or not may_change(user, item):
        return {"allowed": False}
    return {"allowed": True, "rows": history_of(item)}
