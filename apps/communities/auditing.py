"""Membership changes in the audit trail, whichever path made them: the services below
(secretariat pages, API, onboarding, jobs) and the admin (single, inline and bulk).

Each path takes a `membership_state` before and after the write and hands both to
`membership_events`; the events are written in the same transaction as the change.
"""

from collections.abc import Iterable

from apps.audit.models import Action, AuditEvent
from apps.audit.services import build, record_all
from apps.communities.models import Membership, MembershipStatus

TRACKED = ("community", "organization", "role", "status")


def membership_state(membership: Membership) -> dict:
    """What the trail compares, readable by the secretariat (slugs, not ids)."""
    return {
        "pk": membership.pk,
        "community_id": membership.community_id,
        "community": membership.community.slug,
        "organization": membership.organization.slug,
        "role": membership.role,
        "status": membership.status,
        "member": membership.user.email,
    }


def membership_states(pks: Iterable[int]) -> dict[int, dict]:
    """The stored state of several memberships in one query, keyed by pk."""
    rows = Membership.objects.filter(pk__in=list(pks)).values(
        "pk", "community_id", "community__slug", "organization__slug", "role", "status",
        "user__email",
    )
    return {
        row["pk"]: {
            "pk": row["pk"],
            "community_id": row["community_id"],
            "community": row["community__slug"],
            "organization": row["organization__slug"],
            "role": row["role"],
            "status": row["status"],
            "member": row["user__email"],
        }
        for row in rows
    }


def _event(action, state, target, actor, detail) -> AuditEvent:
    return build(action=action, actor=actor, community=state["community_id"], target=target,
                 label=state["member"], detail={"member": state["member"], **detail})


def membership_events(*, before: dict | None, after: dict | None, membership: Membership,
                      actor=None, via: str = "", reason: str = "") -> list[AuditEvent]:
    """Unsaved events for one membership going from ``before`` to ``after`` (None: it did
    not exist / no longer exists). A move to another community is a removal there and a
    change here, so that each secretariat sees it."""
    extra = {"via": via} if via else {}
    if reason:
        extra["reason"] = reason
    if before is None and after is None:
        return []
    if before is None:
        detail = {key: after[key] for key in ("organization", "role", "status")}
        return [_event(Action.MEMBERSHIP_ADDED, after, membership, actor, {**detail, **extra})]
    if after is None:
        detail = {key: before[key] for key in ("organization", "role", "status")}
        return [_event(Action.MEMBERSHIP_REMOVED, before, membership, actor,
                       {**detail, "deleted": True, **extra})]
    changes = {key: [before[key], after[key]] for key in TRACKED if before[key] != after[key]}
    if not changes:
        return []
    left = after["status"] == MembershipStatus.LEFT and before["status"] != MembershipStatus.LEFT
    action = Action.MEMBERSHIP_REMOVED if left else Action.MEMBERSHIP_CHANGED
    events = []
    if before["community_id"] != after["community_id"]:
        events.append(_event(Action.MEMBERSHIP_REMOVED, before, membership, actor,
                             {**changes, **extra}))
    events.append(_event(action, after, membership, actor, {**changes, **extra}))
    return events


def membership_record(*, before: dict | None, membership: Membership, actor=None,
                      via: str = "", reason: str = "") -> None:
    """Record the change of one saved membership from ``before`` (with the secretariat's
    ``reason``, when it gave one)."""
    record_all(membership_events(before=before, after=membership_state(membership),
                                 membership=membership, actor=actor, via=via, reason=reason))
