"""The incident desk: whom a member reaches at once when something goes wrong ("report to the
incident contact, not to the boss"). Each community names its desk — members of the
community, a shared e-mail address, a phone number, hours — and the secretariat edits it.

Imported at the end of `apps.communities.models`, so that the model is registered with the
app; the report itself (a TLP:RED incident addressed to the desk's people) is written by
`apps.incidents.desk`, above this app.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.models import Action
from apps.audit.services import record
from apps.communities.models import Community, Membership, MembershipStatus, Role


class IncidentDesk(models.Model):
    """A community's incident contact. Its people must be members; who of them is reached is
    read from memberships at the moment of a report (a suspended person is not)."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="incident_desk",
        verbose_name=gettext_lazy("community"),
    )
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+",
        verbose_name=gettext_lazy("people at the desk"),
        help_text=gettext_lazy("Members of the community who receive each report (TLP:RED)."),
    )
    email = models.EmailField(
        gettext_lazy("desk e-mail address"), blank=True,
        help_text=gettext_lazy("Told of each report by a count only, never its content."),
    )
    phone = models.CharField(gettext_lazy("desk phone number"), max_length=40, blank=True)
    hours = models.CharField(
        gettext_lazy("hours"), max_length=200, blank=True,
        help_text=gettext_lazy("When the desk answers, e.g. weekdays 9:00–18:00 JST."),
    )
    updated_at = models.DateTimeField(gettext_lazy("updated"), auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("incident desk")
        verbose_name_plural = gettext_lazy("incident desks")

    def __str__(self) -> str:
        return str(self.community)


def desk_of(community: Community) -> IncidentDesk | None:
    return IncidentDesk.objects.filter(community=community).first()


def desk_people(community: Community) -> QuerySet:
    """The desk's people who are active members of the community now: those a report
    reaches. Empty when no desk is configured."""
    return get_user_model().objects.filter(
        pk__in=IncidentDesk.people.through.objects.filter(
            incidentdesk__community=community).values("user_id"),
        is_active=True,
        memberships__community=community,
        memberships__status=MembershipStatus.ACTIVE,
    ).order_by("display_name", "email")


def desk_ready_exists(community_ref) -> Exists:
    """Whether the desk of ``community_ref`` (a community, id or OuterRef) reaches anyone now:
    an annotation for the query that reads the member's membership on every community page,
    so that the "report an incident now" action costs no query of its own."""
    return Exists(IncidentDesk.people.through.objects.filter(
        incidentdesk__community=community_ref, user__is_active=True,
        user__memberships__community=community_ref,
        user__memberships__status=MembershipStatus.ACTIVE))


def desk_state(desk: IncidentDesk | None) -> dict:
    """What the audit trail compares: the people by e-mail address, readable later."""
    if desk is None or desk.pk is None:
        return {"people": [], "email": "", "phone": "", "hours": ""}
    return {
        "people": sorted(desk.people.values_list("email", flat=True)),
        "email": desk.email, "phone": desk.phone, "hours": desk.hours,
    }


@transaction.atomic
def incident_desk_update(*, community: Community, actor, people, email: str = "",
                         phone: str = "", hours: str = "") -> dict:
    """The secretariat names its community's incident desk. Everyone named must be an active
    member; what changed, from what to what, is recorded in the audit trail. Returns the
    changes ({} when nothing changed)."""
    if not Membership.objects.filter(community=community, user_id=actor.pk,
                                     status=MembershipStatus.ACTIVE,
                                     role=Role.SECRETARIAT).exists():
        raise PermissionDenied(_("Only the secretariat names the incident desk."))
    people = list(people)
    members = set(Membership.objects.filter(
        community=community, status=MembershipStatus.ACTIVE,
        user_id__in=[person.pk for person in people]).values_list("user_id", flat=True))
    strangers = [person.email for person in people if person.pk not in members]
    if strangers:
        raise ValidationError({"people": _("Not active members of this community: %(people)s.")
                               % {"people": ", ".join(strangers)}})
    desk, _created = IncidentDesk.objects.select_for_update().get_or_create(community=community)
    before = desk_state(None if _created else desk)
    desk.email, desk.phone, desk.hours = email, phone, hours
    desk.full_clean(exclude=["community"])
    desk.save()
    desk.people.set(people)
    after = desk_state(desk)
    changed = {name: {"from": before[name], "to": after[name]}
               for name in after if before[name] != after[name]}
    if changed:
        record(action=Action.SETTINGS_CHANGED, actor=actor, community=community, target=desk,
               detail={"incident_desk": True, **changed})
    return changed
