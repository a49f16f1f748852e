"""The recipients an author chooses, read from whatever a surface sends: organisations (slugs,
or the objects a form already looked up), organisations left out of the default, people
(e-mail addresses, or users), and the federation flag.

The web picker (`apps.sharing.forms.AudienceForm`), the API and `load_demo` all read a choice
here, so the same wrong choice gets the same message everywhere; what a label allows is then
checked by `audience.audience_resolve`, which the services run again when they save.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.communities.models import Community, Membership, MembershipStatus, Organization
from apps.sharing.audience import audience_resolve, member_organizations


def _refs(values: Iterable) -> list:
    return list(dict.fromkeys(values))  # in the author's order, once each


def _organizations(community: Community, refs: list, field: str) -> list[Organization]:
    """The member organisations of ``community`` that ``refs`` name (slugs, pks or
    organisations); any other is refused under ``field``, named as the author named it."""
    slugs = {ref for ref in refs if isinstance(ref, str)}
    pks = {getattr(ref, "pk", ref) for ref in refs if not isinstance(ref, str)}
    found = list(member_organizations(community).filter(Q(slug__in=slugs) | Q(pk__in=pks)))
    by_slug, by_pk = {o.slug: o for o in found}, {o.pk: o for o in found}
    unknown = [
        ref if isinstance(ref, str) else getattr(ref, "slug", str(ref))
        for ref in refs
        if (by_slug if isinstance(ref, str) else by_pk).get(getattr(ref, "pk", ref)) is None
    ]
    if unknown:
        raise ValidationError(
            {
                field: _("Not member organisations of this community: %(names)s.")
                % {"names": ", ".join(sorted(set(unknown)))}
            }
        )
    return [
        by_slug[ref] if isinstance(ref, str) else by_pk[getattr(ref, "pk", ref)] for ref in refs
    ]


def _users(community: Community, refs: list) -> list:
    """The people of ``community`` (a membership that has not ended) that ``refs`` name
    (e-mail addresses in any case, pks or users). Anyone else reads as "not a member",
    whether or not they have an account: the answer tells nothing about other communities."""
    emails = {ref.lower() for ref in refs if isinstance(ref, str)}
    pks = {getattr(ref, "pk", ref) for ref in refs if not isinstance(ref, str)}
    members = Membership.objects.filter(community=community).exclude(status=MembershipStatus.LEFT)
    found = list(
        get_user_model().objects.filter(
            Q(email__in=emails) | Q(pk__in=pks), pk__in=members.values("user_id")
        )
    )
    by_email, by_pk = {u.email.lower(): u for u in found}, {u.pk: u for u in found}

    def match(ref):
        if isinstance(ref, str):
            return by_email.get(ref.lower())
        return by_pk.get(getattr(ref, "pk", ref))

    unknown = [
        ref.lower() if isinstance(ref, str) else getattr(ref, "email", str(ref))
        for ref in refs
        if match(ref) is None
    ]
    if unknown:
        raise ValidationError(
            {
                "users": _("Not members of this community: %(names)s.")
                % {"names": ", ".join(sorted(set(unknown)))}
            }
        )
    return list(dict.fromkeys(match(ref) for ref in refs))


def recipients_read(
    *,
    community: Community,
    tlp: str | None = None,
    organizations: Iterable | None = None,
    exclude_organizations: Iterable | None = None,
    users: Iterable | None = None,
    federated: bool | None = None,
) -> dict:
    """Read an author's choice for ``community`` into the keyword arguments the services take
    (``tlp``, ``organizations``, ``users``, ``federated``), with only the parts that were
    given: ``None`` means "not said" (a partial update keeps what the item has).

    ``exclude_organizations`` leaves organisations out of ``organizations`` or, without it,
    out of the default (every member organisation). Organisations must be members of the
    community and people must belong to it; with ``tlp``, the choice must also fit the label
    (`audience_resolve`). Every refusal is one ValidationError keyed by field
    (``organizations``, ``exclude_organizations``, ``users``, ``federated``, ``tlp``).
    """
    choice: dict = {}
    errors: dict[str, list] = {}

    def read(reader, *args):
        try:
            return reader(*args)
        except ValidationError as error:
            errors.update(error.message_dict)
            return None

    if tlp is not None:
        choice["tlp"] = tlp
    if organizations is not None:
        choice["organizations"] = read(
            _organizations, community, _refs(organizations), "organizations"
        )
    excluded = _refs(exclude_organizations or ())
    if excluded:
        left_out = read(_organizations, community, excluded, "exclude_organizations")
        if left_out is not None and "organizations" not in errors:
            chosen = choice.get("organizations")
            if chosen is None:
                chosen = list(member_organizations(community).order_by("name"))
            gone = {org.pk for org in left_out}
            choice["organizations"] = [org for org in chosen if org.pk not in gone]
    if users is not None:
        choice["users"] = read(_users, community, _refs(users))
    if federated is not None:
        choice["federated"] = bool(federated)
    if tlp is not None:
        try:
            audience_resolve(
                community=community,
                author_organization_id=None,
                tlp=tlp,
                organizations=choice.get("organizations"),
                users=choice.get("users"),
                federated=choice.get("federated", False),
            )
        except ValidationError as error:
            found = error.message_dict if hasattr(error, "error_dict") else {"tlp": error.messages}
            for field, messages in found.items():
                errors.setdefault(field, messages)  # an unknown recipient is said first
    if errors:
        raise ValidationError(errors)
    return choice
