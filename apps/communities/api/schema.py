"""The OpenAPI text of the communities API — what each operation does, takes and refuses —
kept beside the viewsets of `views`, each of which wears its decorator
(``@schema.memberships``). Every text goes through gettext: the schema speaks the reader's
language."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from apps.communities.api.serializers import (
    InvitationCreateSerializer,
    InvitationSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
)

TAG = "communities"

MEMBERSHIP_DECISIONS = {
    "approve": (_("Approve a membership"),
                _("Secretariat only: a membership awaiting approval becomes active.")),
    "suspend": (_("Suspend a membership"),
                _("Secretariat only: the member loses access on their next request; what "
                  "they wrote stays.")),
    "reactivate": (_("Reactivate a membership"),
                   _("Secretariat only: a suspended member becomes active again — or is "
                     "asked first to accept the current agreement.")),
    "remove": (_("Remove a membership"),
               _("Secretariat only: the member leaves the community and their open "
                 "invitations are revoked; what they wrote stays.")),
}


def _decision_schema(name: str):
    summary, description = MEMBERSHIP_DECISIONS[name]
    return extend_schema(summary=summary, description=description, request=None,
                         responses={200: MembershipSerializer}, tags=[TAG])


communities = extend_schema_view(
    list=extend_schema(
        summary=_("List your communities"),
        description=_("The communities where you are an active member, with your role and "
                      "organisation in each."),
        tags=[TAG],
    ),
    retrieve=extend_schema(
        summary=_("Read one of your communities"),
        description=_("By slug. A community you are not an active member of answers 404, "
                      "as if it did not exist."),
        tags=[TAG],
    ),
)


organizations = extend_schema_view(
    list=extend_schema(
        summary=_("List organisations"),
        description=_("Organisations with active members in the communities you actively "
                      "belong to; `?community=<slug>` narrows to one of them."),
        tags=[TAG],
    ),
    retrieve=extend_schema(
        summary=_("Read an organisation"),
        description=_("By slug; 404 unless it has active members in one of your "
                      "communities."),
        tags=[TAG],
    ),
)


memberships = extend_schema_view(
    list=extend_schema(
        summary=_("List memberships"),
        description=_("Members of a community see its active memberships; its secretariat "
                      "sees every status. Filter with `?community=<slug>`, `role`, `status`, "
                      "`organization`."),
        tags=[TAG],
    ),
    retrieve=extend_schema(
        summary=_("Read a membership"),
        description=_("404 for a membership you cannot see."),
        tags=[TAG],
    ),
    partial_update=extend_schema(
        summary=_("Change a member's role or organisation"),
        description=_("Secretariat only (403 for other members of the community)."),
        request=MembershipUpdateSerializer,
        responses={200: MembershipSerializer},
        tags=[TAG],
    ),
    approve=_decision_schema("approve"),
    suspend=_decision_schema("suspend"),
    reactivate=_decision_schema("reactivate"),
    remove=_decision_schema("remove"),
)


invitations = extend_schema_view(
    list=extend_schema(
        summary=_("List invitations"),
        description=_("Secretariat only: the invitations of the communities whose "
                      "secretariat you are (others get an empty list). Filter with "
                      "`?community=<slug>`, `email`, `state`. The link itself is never "
                      "shown: it only travels by e-mail."),
        tags=[TAG],
    ),
    retrieve=extend_schema(
        summary=_("Read an invitation"),
        description=_("Secretariat only; 404 for anyone else."),
        tags=[TAG],
    ),
    create=extend_schema(
        summary=_("Invite a person"),
        description=_("Secretariat only (403 for other members): creates the account if "
                      "needed, an `invited` membership and a single-use link that is "
                      "e-mailed in the chosen language. Inviting again revokes the earlier "
                      "link."),
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer},
        tags=[TAG],
    ),
)
