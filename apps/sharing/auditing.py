"""What `sharing` writes to the audit trail: views of restricted items, audience changes
(de-anonymisation among them) and every time the secretariat is shown an anonymous source.

Kept here because the rules are TLP rules; the content apps call `item_viewed` from their
detail pages and API endpoints, and know nothing of how it is recorded.
"""

from collections.abc import Iterable

from apps.audit.models import ANONYMOUS_AUTHOR, Action
from apps.audit.services import build, first_time_in_request, record, record_all
from apps.sharing.models import AudienceChange
from apps.sharing.tlp import TLP

# Views of these labels are recorded; lists are not "a view of an item".
AUDITED_VIEWS = frozenset({TLP.AMBER, TLP.AMBER_STRICT, TLP.RED})


def _detail(item, actor, **detail) -> dict:
    # Whoever later reads this row learns who is behind an anonymous item: flag it, so the
    # pages that show it can record that they did (see `sources_shown`).
    if item.anonymous and actor is not None and getattr(actor, "pk", None) == item.author_id:
        detail[ANONYMOUS_AUTHOR] = True
    return detail


def _actor(viewer):
    return viewer if viewer is not None and viewer.is_authenticated else None


def item_viewed(*, item, viewer):
    """Record that ``viewer`` opened ``item`` (a detail page or an API read), when its label
    is TLP:AMBER, TLP:AMBER+STRICT or TLP:RED. The caller has already checked `can_view`."""
    if item.tlp not in AUDITED_VIEWS:
        return None
    actor = _actor(viewer)
    return record(action=Action.VIEW, actor=actor, community=item.community_id, target=item,
                  detail=_detail(item, actor, tlp=TLP(item.tlp).label))


def sources_revealed(*, items: Iterable, viewer) -> None:
    """Record, in one INSERT, that the secretariat ``viewer`` was shown the real source of
    these anonymous items — once per item and request."""
    actor = _actor(viewer)
    events = [
        build(action=Action.SOURCE_REVEALED, actor=actor, community=item.community_id,
              target=item)
        for item in items
    ]
    record_all(event for event in events if first_time_in_request(event))


def _lifts_anonymity(change: AudienceChange) -> bool:
    before, after = change.from_audience or {}, change.to_audience or {}
    return bool(before.get("anonymous")) and after.get("anonymous") is False


def audience_changed(*, item, change: AudienceChange) -> None:
    """Record an audience change — or, when the recorded audience says anonymity was lifted,
    a de-anonymisation. Only counts of recipients are kept: the trail is read by the
    secretariat, which may not be among a TLP:RED item's recipients."""
    after = change.to_audience or {}
    detail = {
        "tlp": [TLP(change.from_tlp).label if change.from_tlp else "", TLP(change.to_tlp).label],
        "organizations": len(after.get("organizations") or ()),
        "users": len(after.get("users") or ()),
        "federated": bool(after.get("federated")),
    }
    lifted = _lifts_anonymity(change)
    if lifted:
        detail["anonymous"] = [True, False]
    record(
        action=Action.DEANONYMISE if lifted else Action.AUDIENCE_CHANGE,
        actor=change.actor,
        community=change.community_id,
        target=item,
        detail=_detail(item, change.actor, **detail),
    )


def text_redacted(*, item, target, actor, **detail) -> None:
    """Record that ``actor`` purged a text (``target``, e.g. a post) of ``item`` for good:
    who, what and when — never the words."""
    record(action=Action.REDACT, actor=actor, community=item.community_id, target=target,
           detail=_detail(item, actor, **detail))
