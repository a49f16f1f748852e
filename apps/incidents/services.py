"""Writes on incidents and what hangs off them. Each service runs in one transaction: an
incident whose audience or content is refused is not left behind.

Who may do what:
- share (create): active members in a sharing role (not observers or guests) — `sharing`;
- edit, add or remove indicators: the author, or the community's secretariat if it can see
  the item;
- sight ("we saw this too"): whoever can see the item and shares in some community (an
  observer "sees, does not share", and a sighting tells others about one's own exposure);
- give usage feedback: whoever can see the item, observers included (they are recipients
  too, and feedback reveals nothing about a victim);
- neither sighting nor feedback comes from the item's own source organisation — but only
  where the person is told the source (`answers_own_item`): on an anonymous item a colleague
  of the author acts like any other reader, or the refusal would tell them it is theirs;
- name the source of an anonymous item: its author alone (`apps.sharing.services.anonymity_set`);
- every write is refused with 404-like silence upstream when the item is not visible.
"""

import datetime
import uuid
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.communities.models import Community, Membership, MembershipStatus, Organization
from apps.communities.selectors import is_active_member
from apps.incidents.actors import Campaign, IncidentUpdate, ThreatActor, changes_between
from apps.incidents.attack import technique_id_validate
from apps.incidents.indicators import IndicatorType, indicator_candidates
from apps.incidents.models import (
    AttackTechnique,
    FeedbackAction,
    Incident,
    IncidentView,
    Indicator,
    Intent,
    Sighting,
    Status,
    UsageFeedback,
)
from apps.incidents.signals import feedback_added, sighting_added
from apps.sharing.exposure import exposure_check
from apps.sharing.selectors import can_view, may_change, source_organization
from apps.sharing.services import SHARING_ROLES, anonymity_set, audience_set, author_membership
from apps.sharing.signals import send_on_commit
from apps.sharing.tlp import TLP

# Fields of an incident that an author writes and `incident_update` may change (besides the
# audience): the web form and the API pass exactly these.
EDITABLE_FIELDS = (
    "title",
    "summary",
    "category",
    "intent",
    "status",
    "confidence",
    "detected_at",
    "occurred_at",
    "sectors",
    "attack_stage",
    "anonymous",
)
AUDIENCE_FIELDS = ("tlp", "organizations", "users", "federated")


# --- helpers ----------------------------------------------------------------------------------


def _techniques(ids: Iterable[str]) -> list[AttackTechnique]:
    """Technique ids validated, normalised and known to the catalogue; deprecated ones are
    kept when already on the incident but never newly offered (checked by the caller)."""
    wanted = []
    for value in ids:
        try:
            wanted.append(technique_id_validate(value))
        except ValidationError as error:
            raise ValidationError({"techniques": error.messages}) from error
    found = AttackTechnique.objects.in_bulk(wanted)
    missing = [technique_id for technique_id in wanted if technique_id not in found]
    if missing:
        raise ValidationError(
            {"techniques": _("Unknown ATT&CK techniques: %(ids)s.") % {"ids": ", ".join(missing)}}
        )
    return [found[technique_id] for technique_id in dict.fromkeys(wanted)]


def _linked(model, ids, community_id, field: str) -> list:
    """Actors or campaigns (objects or ids) of the incident's community; anything else is
    refused as unknown, whichever community it belongs to."""
    wanted = [getattr(item, "pk", item) for item in ids]
    found = model.objects.filter(community_id=community_id).in_bulk(wanted)
    missing = [str(pk) for pk in wanted if pk not in found and str(pk) not in map(str, found)]
    if missing:
        raise ValidationError({field: _("Unknown in this community: %(ids)s.")
                               % {"ids": ", ".join(missing)}})
    return list(found.values())


def _incident_texts(incident: Incident) -> dict[str, str]:
    return {str(_("title")): incident.title, str(_("summary")): incident.summary}


def incident_editor_check(*, incident: Incident, actor) -> None:
    """Refuse (PermissionDenied) anyone but the author or the active secretariat of the
    community who can see the item. Callers run it before reading the request's body, so a
    refusal never depends on what the body says."""
    _check_editor(incident, actor)


def answers_own_item(*, user, incident: Incident, organization_id: int | None) -> bool:
    """Whether ``organization_id`` (the organisation ``user`` acts for) is the incident's
    source *as far as ``user`` is told*. A source does not sight or give feedback on its own
    item; but an anonymous item's source is told only to its author and the secretariat, so
    for everyone else — the author's colleagues included — the answer is False, exactly as
    for any other organisation."""
    if organization_id is None or organization_id != incident.author_organization_id:
        return False
    return source_organization(incident, user) is not None


def _refuse_own_item(*, user, incident: Incident, organization_id: int | None) -> None:
    if answers_own_item(user=user, incident=incident, organization_id=organization_id):
        raise PermissionDenied(
            _(
                "Your organisation shared this item: sightings and feedback come from the "
                "organisations that received it."
            )
        )


def _check_editor(incident: Incident, actor) -> None:
    """The author, or the active secretariat of the community who can see the item
    (`apps.sharing.selectors.may_change`)."""
    if may_change(actor, incident):
        return
    if actor.is_authenticated and not is_active_member(actor, incident.community_id):
        raise PermissionDenied(_("Only active members of this community can change its items."))
    raise PermissionDenied(_("Only the author or the secretariat can change this item."))


def viewer_membership(*, user, incident: Incident) -> Membership | None:
    """The membership ``user`` acts under when they see ``incident``: the one in its
    community, else (a federated item) one in a community of the same federation. None for
    signed-out visitors and people with no such active membership."""
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(
        user_id=user.pk, status=MembershipStatus.ACTIVE
    ).select_related("organization")
    own = memberships.filter(community_id=incident.community_id).first()
    if own or not incident.federated:
        return own
    return memberships.filter(community__federations__communities=incident.community_id).first()


def viewer_organization(*, user, incident: Incident) -> Organization | None:
    """The organisation ``user`` acts for when they see ``incident`` (see viewer_membership)."""
    membership = viewer_membership(user=user, incident=incident)
    return membership.organization if membership else None


def _indicator(incident: Incident, actor, data: Mapping) -> Indicator:
    indicator = Indicator(
        community_id=incident.community_id,
        incident=incident,
        type=data.get("type", ""),
        value=data.get("value", ""),
        first_seen=data.get("first_seen"),
        last_seen=data.get("last_seen"),
        note=data.get("note", ""),
        created_by=actor,
    )
    indicator.full_clean(validate_unique=False, validate_constraints=False)
    return indicator


def _save_indicators(indicators: list[Indicator]) -> None:
    seen: set[tuple[str, str]] = set()
    for indicator in indicators:
        key = (indicator.type, indicator.value)
        if key in seen:
            raise ValidationError(
                {
                    "indicators": _("%(value)s is listed twice.") % {"value": indicator.value},
                }
            )
        seen.add(key)
    existing = (
        set(
            Indicator.objects.filter(incident_id=indicators[0].incident_id).values_list(
                "type", "value"
            )
        )
        if indicators
        else set()
    )
    duplicate = [i.value for i in indicators if (i.type, i.value) in existing]
    if duplicate:
        raise ValidationError(
            {
                "indicators": _("Already on this incident: %(values)s.")
                % {"values": ", ".join(duplicate)}
            }
        )
    Indicator.objects.bulk_create(indicators)


# --- incidents ------------------------------------------------------------------------------


@transaction.atomic
def incident_create(
    *,
    author,
    community: Community,
    title: str,
    category: str,
    summary: str = "",
    intent: str = Intent.UNKNOWN,
    status: str = Status.INVESTIGATING,
    detected_at: datetime.datetime | None = None,
    occurred_at: datetime.datetime | None = None,
    sectors: Iterable[str] = (),
    attack_stage: str = "",
    techniques: Iterable[str] = (),
    indicators: Iterable[Mapping] = (),
    confidence: str = "unconfirmed",
    actors: Iterable = (),
    campaigns: Iterable = (),
    tlp: str,
    organizations: Iterable | None = None,
    users: Iterable | None = None,
    federated: bool = False,
    anonymous: bool = False,
    confirmed_exposures: Iterable[str] = (),
    id: uuid.UUID | None = None,
) -> Incident:
    """Share an incident: the author's membership names the source organisation, the text
    and indicators are checked for victim-betraying data (each finding must be listed in
    ``confirmed_exposures`` or redacted), and `sharing` turns the label and recipients into
    grants (or refuses them). ``indicators`` are mappings with type, value and optionally
    first_seen, last_seen, note. ``id`` fixes the primary key (demo data and imports that
    must give the same item the same id every time); by default a random one."""
    membership = author_membership(author=author, community=community)
    incident = Incident(
        **({"id": id} if id is not None else {}),
        community=community,
        author=author,
        author_organization=membership.organization,
        anonymous=anonymous,
        title=title,
        summary=summary,
        category=category,
        intent=intent,
        status=status,
        confidence=confidence,
        detected_at=detected_at,
        occurred_at=occurred_at,
        sectors=list(sectors),
        attack_stage=attack_stage,
    )
    incident.full_clean()
    chosen = _techniques(techniques)
    deprecated = [t.id for t in chosen if t.deprecated]
    if deprecated:
        raise ValidationError(
            {
                "techniques": _("Deprecated by MITRE, choose their replacement: %(ids)s.")
                % {"ids": ", ".join(deprecated)}
            }
        )
    incident.save()
    new_indicators = [_indicator(incident, author, data) for data in indicators]
    incident.confirmed_exposures = exposure_check(
        texts=_incident_texts(incident),
        indicators=[i.value for i in new_indicators],
        confirmed=confirmed_exposures,
    )
    incident.save(update_fields=["confirmed_exposures"])
    incident.techniques.set(chosen)
    incident.actors.set(_linked(ThreatActor, actors, community.pk, "actors"))
    incident.campaigns.set(_linked(Campaign, campaigns, community.pk, "campaigns"))
    if new_indicators:
        _save_indicators(new_indicators)
    audience_set(
        item=incident,
        actor=author,
        tlp=tlp,
        organizations=organizations,
        users=users,
        federated=federated,
    )
    return incident


@transaction.atomic
def incident_update(
    *,
    incident: Incident,
    actor,
    confirmed_exposures: Iterable[str] = (),
    techniques: Iterable[str] | None = None,
    actors: Iterable | None = None,
    campaigns: Iterable | None = None,
    **changes,
) -> Incident:
    """Change an incident's fields and/or its audience (``tlp``, ``organizations``,
    ``users``, ``federated`` — recorded by `sharing`). Author or secretariat only; only the
    author may turn ``anonymous`` off (recorded as well). The texts
    and indicators are checked again: what was confirmed before stays confirmed, anything new
    must be confirmed or redacted. The actor must still see the item afterwards. A change of
    confidence, status or summary is kept in the incident's timeline (`IncidentUpdate`)."""
    unknown = set(changes) - set(EDITABLE_FIELDS) - set(AUDIENCE_FIELDS)
    if unknown:
        raise TypeError(f"incident_update() got unexpected fields: {sorted(unknown)}")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _check_editor(incident, actor)
    before = {name: getattr(incident, name) for name in EDITABLE_FIELDS}
    if "anonymous" in changes:
        # Recorded in the audience history; naming the source is the author's alone.
        anonymity_set(item=incident, actor=actor, anonymous=changes.pop("anonymous"))
    for name in EDITABLE_FIELDS:
        if name in changes:
            setattr(incident, name, list(changes[name]) if name == "sectors" else changes[name])
    incident.full_clean()
    if techniques is not None:
        current = set(incident.techniques.values_list("pk", flat=True))
        chosen = _techniques(techniques)
        deprecated = [t.id for t in chosen if t.deprecated and t.id not in current]
        if deprecated:
            raise ValidationError(
                {
                    "techniques": _("Deprecated by MITRE, choose their replacement: %(ids)s.")
                    % {"ids": ", ".join(deprecated)}
                }
            )
        incident.techniques.set(chosen)
    if actors is not None:
        incident.actors.set(_linked(ThreatActor, actors, incident.community_id, "actors"))
    if campaigns is not None:
        incident.campaigns.set(_linked(Campaign, campaigns, incident.community_id, "campaigns"))
    indicator_values = list(incident.indicators.values_list("value", flat=True))
    incident.confirmed_exposures = exposure_check(
        texts=_incident_texts(incident),
        indicators=indicator_values,
        confirmed=[*incident.confirmed_exposures, *confirmed_exposures],
    )
    incident.save()
    refined = changes_between(before, {name: getattr(incident, name) for name in EDITABLE_FIELDS})
    if refined:
        IncidentUpdate.objects.create(
            community_id=incident.community_id, incident=incident, author=actor, changes=refined
        )
    if any(name in changes for name in AUDIENCE_FIELDS):
        audience = {name: changes[name] for name in AUDIENCE_FIELDS if name in changes}
        same_label = audience.setdefault("tlp", incident.tlp) == incident.tlp
        if same_label and "organizations" not in audience and "users" not in audience:
            # Same label: keep the recipients chosen before; a new label starts from its
            # default (every member organisation for AMBER, nobody but the author for RED).
            if incident.tlp in (TLP.AMBER, TLP.AMBER_STRICT):
                audience["organizations"] = list(incident.recipient_organizations.all())
            elif incident.tlp == TLP.RED:
                audience["users"] = list(incident.recipient_users.all())
        if same_label:
            audience.setdefault("federated", incident.federated)
        audience_set(item=incident, actor=actor, **audience)
        if not can_view(actor, incident):
            raise ValidationError(
                {"tlp": _("You would no longer see this item; include yourself in its audience.")}
            )
    return incident


@transaction.atomic
def incident_note_add(
    *, incident: Incident, actor, note: str, confirmed_exposures: Iterable[str] = ()
) -> IncidentUpdate:
    """An explicit "update" on the timeline (what was learnt since), written by the author or
    the secretariat. It reaches exactly the incident's audience, and is checked for
    victim-betraying data like the incident's own text."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _check_editor(incident, actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what changed.")})
    exposure_check(
        texts={str(_("update")): note},
        indicators=[],
        confirmed=[*incident.confirmed_exposures, *confirmed_exposures],
    )
    entry = IncidentUpdate(
        community_id=incident.community_id, incident=incident, author=actor, note=note
    )
    entry.full_clean()
    entry.save()
    Incident.objects.filter(pk=incident.pk).update(updated_at=timezone.now())
    return entry


# --- indicators -----------------------------------------------------------------------------


@transaction.atomic
def indicator_add(
    *,
    incident: Incident,
    actor,
    type: str,
    value: str,
    first_seen: datetime.datetime | None = None,
    last_seen: datetime.datetime | None = None,
    note: str = "",
    confirmed_exposures: Iterable[str] = (),
) -> Indicator:
    """Add an indicator to an incident (author or secretariat); it reaches exactly the
    incident's audience. The value is normalised and checked for victim-betraying data."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _check_editor(incident, actor)
    indicator = _indicator(
        incident,
        actor,
        {
            "type": type,
            "value": value,
            "first_seen": first_seen,
            "last_seen": last_seen,
            "note": note,
        },
    )
    confirmed = exposure_check(
        texts={str(_("indicator note")): note},
        indicators=[indicator.value],
        confirmed=[*incident.confirmed_exposures, *confirmed_exposures],
    )
    try:
        _save_indicators([indicator])
    except ValidationError as error:
        raise ValidationError({"value": error.message_dict["indicators"]}) from error
    if set(confirmed) - set(incident.confirmed_exposures):
        incident.confirmed_exposures = sorted(set(incident.confirmed_exposures) | set(confirmed))
        incident.save(update_fields=["confirmed_exposures"])
    return indicator


def indicator_lines_read(text: str) -> list[dict]:
    """A pasted block, one indicator per line (defanged forms accepted), read as
    ``[{"type", "value"}]``: each line as the first type it can be — a bare word is a file
    name only when it is nothing else. ValidationError (under ``indicators``) naming every line
    that is no indicator at all, so that nothing is half added."""
    rows, bad = [], []
    for line in (text or "").splitlines():
        value = line.strip()
        if not value:
            continue
        candidates = indicator_candidates(value)
        typed = [c for c in candidates if c[0] != IndicatorType.FILE_NAME] or candidates
        if typed:
            rows.append({"type": typed[0][0], "value": value})
        else:
            bad.append(value)
    if bad:
        raise ValidationError(
            {
                "indicators": _("Not an indicator we understand: %(values)s")
                % {"values": ", ".join(bad)}
            }
        )
    if not rows:
        raise ValidationError({"indicators": _("Paste at least one indicator, one per line.")})
    return rows


@transaction.atomic
def indicators_add(
    *,
    incident: Incident,
    actor,
    indicators: Iterable[Mapping],
    confirmed_exposures: Iterable[str] = (),
) -> list[Indicator]:
    """Add several indicators at once (a pasted list): author or secretariat, all or nothing.
    The victim-data check runs over all of them as `indicator_add` does for one: each finding
    is confirmed or the whole list is refused (`ExposureFound`), nothing saved."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _check_editor(incident, actor)
    new = [_indicator(incident, actor, data) for data in indicators]
    confirmed = exposure_check(
        texts={str(_("indicator note")): data.get("note", "") for data in indicators},
        indicators=[indicator.value for indicator in new],
        confirmed=[*incident.confirmed_exposures, *confirmed_exposures],
    )
    _save_indicators(new)
    if set(confirmed) - set(incident.confirmed_exposures):
        incident.confirmed_exposures = sorted(set(incident.confirmed_exposures) | set(confirmed))
        incident.save(update_fields=["confirmed_exposures"])
    return new


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    actor,
    value: str,
    note: str = "",
    confirmed_exposures: Iterable[str] = (),
) -> Indicator:
    """Correct an indicator's value or note (author or secretariat). The type stays; the
    value is normalised and checked for victim-betraying data again, as when it was added."""
    incident = Incident.objects.select_for_update().get(pk=indicator.incident_id)
    _check_editor(incident, actor)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk, incident=incident)
    indicator.value, indicator.note = value, note
    try:
        indicator.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from error
    confirmed = exposure_check(
        texts={str(_("indicator note")): note},
        indicators=[indicator.value],
        confirmed=[*incident.confirmed_exposures, *confirmed_exposures],
    )
    clash = Indicator.objects.filter(
        incident=incident, type=indicator.type, value=indicator.value
    ).exclude(pk=indicator.pk)
    if clash.exists():
        raise ValidationError(
            {"value": _("Already on this incident: %(values)s.") % {"values": indicator.value}}
        )
    indicator.save(update_fields=["value", "note"])
    if set(confirmed) - set(incident.confirmed_exposures):
        incident.confirmed_exposures = sorted(set(incident.confirmed_exposures) | set(confirmed))
        incident.save(update_fields=["confirmed_exposures"])
    return indicator


@transaction.atomic
def indicator_remove(*, indicator: Indicator, actor) -> None:
    """Remove an indicator (author or secretariat), with its sightings."""
    _check_editor(indicator.incident, actor)
    indicator.delete()


# --- sightings, feedback, views -------------------------------------------------------------


def _visible_or_refuse(user, incident: Incident) -> None:
    if not can_view(user, incident):
        # Same words as for something that does not exist.
        raise PermissionDenied(_("Not found."))


@transaction.atomic
def sighting_add(
    *,
    user,
    incident: Incident | None = None,
    indicator: Indicator | None = None,
    note: str = "",
    seen_at: datetime.datetime | None = None,
    show_organization: bool = False,
    false_positive: bool = False,
) -> Sighting:
    """ "We saw this too", for the user's organisation, on an incident or one of its
    indicators the user can see. Once per organisation and target. ``false_positive``: it
    turned out harmless there — counted apart."""
    if (incident is None) == (indicator is None):
        raise ValidationError(_("Say what you saw: an incident or one of its indicators."))
    if indicator is not None:
        incident = indicator.incident
    _visible_or_refuse(user, incident)
    membership = viewer_membership(user=user, incident=incident)
    if membership is None or membership.role not in SHARING_ROLES:
        raise PermissionDenied(
            _("Observers and guests see what is shared with them but do not report sightings.")
        )
    _refuse_own_item(user=user, incident=incident, organization_id=membership.organization_id)
    sighting = Sighting(
        community_id=incident.community_id,
        incident=incident,
        indicator=indicator,
        organization=membership.organization,
        user=user,
        note=note,
        seen_at=seen_at or timezone.now(),
        show_organization=show_organization,
        false_positive=false_positive,
    )
    sighting.full_clean(validate_constraints=False)
    target = Sighting.objects.filter(organization=membership.organization)
    target = (
        target.filter(indicator=indicator)
        if indicator
        else target.filter(incident=incident, indicator__isnull=True)
    )
    if target.exists():
        raise ValidationError(_("Your organisation has already reported seeing this."))
    try:
        with transaction.atomic():
            sighting.save()
    except IntegrityError as error:
        raise ValidationError(_("Your organisation has already reported seeing this.")) from error
    send_on_commit(sighting_added, Sighting, sighting=sighting)
    return sighting


@transaction.atomic
def sightings_record(
    *,
    user,
    incident: Incident,
    indicators: Iterable[Indicator] = (),
    **details,
) -> list[Sighting]:
    """The sighting form: the incident itself, or one sighting per named indicator of it
    (``details`` as `sighting_add`). All or nothing: one already reported refuses them all."""
    indicators = list(indicators)
    if any(indicator.incident_id != incident.pk for indicator in indicators):
        raise ValidationError(_("Choose indicators of this incident."))
    if not indicators:
        return [sighting_add(user=user, incident=incident, **details)]
    return [sighting_add(user=user, indicator=indicator, **details) for indicator in indicators]


def feedback_actions_for(incident: Incident) -> list[FeedbackAction]:
    """What a recipient may say they did: "passed to clients" is not offered for
    AMBER+STRICT and RED, which may not reach clients."""
    return [
        action
        for action in FeedbackAction
        if action != FeedbackAction.PASSED_TO_CLIENTS or incident.feedback_offers_clients
    ]


@transaction.atomic
def feedback_add(*, user, incident: Incident, action: str, note: str = "") -> UsageFeedback:
    """A recipient organisation says what it did with an incident it can see. Once per
    (incident, organisation, action)."""
    _visible_or_refuse(user, incident)
    if action not in feedback_actions_for(incident):
        raise ValidationError(
            {
                "action": _("%(label)s may not be passed to clients.") % {"label": incident.tlp}
                if action == FeedbackAction.PASSED_TO_CLIENTS
                else _("Choose what you did from the list.")
            }
        )
    organization = viewer_organization(user=user, incident=incident)
    if organization is None:
        raise PermissionDenied(_("Only members of a community can give feedback."))
    _refuse_own_item(user=user, incident=incident, organization_id=organization.pk)
    feedback = UsageFeedback(
        community_id=incident.community_id,
        incident=incident,
        organization=organization,
        user=user,
        action=action,
        note=note,
    )
    feedback.full_clean(validate_constraints=False)
    if UsageFeedback.objects.filter(
        incident=incident, organization=organization, action=action
    ).exists():
        raise ValidationError(_("Your organisation has already said this."))
    feedback.save()
    send_on_commit(feedback_added, UsageFeedback, feedback=feedback)
    return feedback


def incident_record_view(*, incident: Incident, user) -> IncidentView | None:
    """Remember the first time someone of an organisation opened the incident (the web
    detail view calls this). Views by the author's own organisation, by people who cannot
    see the item or who have no organisation are not recorded. Idempotent, race-safe."""
    if not user.is_authenticated or not can_view(user, incident):
        return None
    organization = viewer_organization(user=user, incident=incident)
    if organization is None or organization.pk == incident.author_organization_id:
        return None
    IncidentView.objects.bulk_create(
        [IncidentView(incident=incident, organization=organization)], ignore_conflicts=True
    )
    return IncidentView.objects.filter(incident=incident, organization=organization).first()
