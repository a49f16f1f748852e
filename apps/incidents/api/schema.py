"""The OpenAPI text of the incidents API — what each operation does, takes and refuses —
kept beside the viewsets of `views`, each of which wears its decorator
(``@schema.incidents``). Every text goes through gettext: the schema speaks the reader's
language."""

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from apps.incidents.api import serializers as s

TAG = "incidents"

LOOKUP_PARAMETERS = [
    OpenApiParameter("value", OpenApiTypes.STR, required=True,
                     description=gettext_lazy("The value to look for; defanged forms are "
                                              "refanged and normalised first.")),
    OpenApiParameter("type", OpenApiTypes.STR, required=False,
                     description=gettext_lazy("Only as this indicator type.")),
]


incidents = extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List incidents you may see"),
        description=gettext_lazy(
            "Incidents visible to you under TLP 2.0, newest first. Filter by `community`, "
            "`tlp`, `category`, `intent`, `status`, `attack_stage`, `sector`, `technique`, "
            "`anonymous` and date ranges (`created_after`, `occurred_before`, …). The source "
            "of an anonymous incident reads “via the secretariat” except for its author and "
            "the secretariat."),
        tags=[TAG],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Read an incident"),
        description=gettext_lazy("404 for an incident you may not see, as if it did not "
                                 "exist."),
        tags=[TAG],
    ),
    create=extend_schema(
        summary=gettext_lazy("Share an incident"),
        description=gettext_lazy(
            "Choose the TLP label and recipients: organisations (slugs, or exclusions from "
            "the default) for AMBER / AMBER+STRICT, people (e-mail addresses) for RED, "
            "`federated` for GREEN / CLEAR. E-mail addresses, user names, internal host "
            "names and private IP addresses in the text or indicators are refused (400, "
            "`exposures`) until each is redacted or listed in `confirmed_exposures`."),
        request=s.IncidentWriteSerializer,
        responses={201: s.IncidentSerializer},
        tags=[TAG],
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change an incident or its audience"),
        description=gettext_lazy(
            "Author or secretariat only (403 for others who can see it, before the body is "
            "read). A change of label or recipients is recorded. `anonymous: false` names the "
            "source and only the author may send it (403 otherwise); it is recorded too. The "
            "text is checked again for identifying data."),
        request=s.IncidentUpdateSerializer,
        responses={200: s.IncidentSerializer},
        tags=[TAG],
    ),
    addressed_to_me=extend_schema(
        summary=gettext_lazy("Incidents addressed to you"),
        description=gettext_lazy("TLP:RED incidents naming you and TLP:AMBER / "
                                 "AMBER+STRICT incidents naming your organisation."),
        responses={200: s.IncidentSerializer(many=True)},  # a page, filtered like the list
        tags=[TAG],
    ),
    achievements=extend_schema(
        summary=gettext_lazy("What your sharing achieved"),
        description=gettext_lazy("For each incident you shared: organisations that viewed "
                                 "it, organisations that saw it too, and their feedback."),
        responses={200: s.AchievementSerializer(many=True)},
        filters=False,
        tags=[TAG],
    ),
)


indicators = extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List indicators"),
        description=gettext_lazy("Indicators of the incidents you may see (an indicator "
                                 "has exactly its incident's audience)."),
        tags=[TAG],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read an indicator"),
                           description=gettext_lazy("404 unless you may see its incident."),
                           tags=[TAG]),
    create=extend_schema(
        summary=gettext_lazy("Add an indicator"),
        description=gettext_lazy("Author or secretariat of the incident. The value is "
                                 "validated and normalised; identifying data must be "
                                 "confirmed (`confirmed_exposures`) or redacted."),
        request=s.IndicatorWriteSerializer, responses={201: s.IndicatorSerializer},
        tags=[TAG],
    ),
    destroy=extend_schema(summary=gettext_lazy("Remove an indicator"),
                          description=gettext_lazy("Author or secretariat of the incident."),
                          tags=[TAG]),
    lookup=extend_schema(
        summary=gettext_lazy("Has anyone reported this value?"),
        description=gettext_lazy("Indicators with this value among the incidents you may "
                                 "see, newest first."),
        parameters=LOOKUP_PARAMETERS, filters=False,
        responses={200: s.IndicatorSerializer(many=True)},
        tags=[TAG],
    ),
)


sightings = extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List sightings"),
        description=gettext_lazy("“We saw this too” on the incidents you may see. The "
                                 "organisation is named only where it chose to be."),
        tags=[TAG],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read a sighting"), tags=[TAG]),
    create=extend_schema(
        summary=gettext_lazy("Report a sighting"),
        description=gettext_lazy("For your organisation, on an incident or indicator you "
                                 "may see; once per organisation. Observers do not report."),
        request=s.SightingWriteSerializer, responses={201: s.SightingSerializer},
        tags=[TAG],
    ),
)


feedback = extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List usage feedback"),
        description=gettext_lazy("What recipients did with the incidents you may see; the "
                                 "organisation is named only on your own feedback."),
        tags=[TAG],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read usage feedback"), tags=[TAG]),
    create=extend_schema(
        summary=gettext_lazy("Say what you did with an incident"),
        description=gettext_lazy("Once per organisation and action. “Passed to clients” is "
                                 "refused for AMBER+STRICT and RED."),
        request=s.FeedbackWriteSerializer, responses={201: s.FeedbackSerializer},
        tags=[TAG],
    ),
)


attack_techniques = extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List ATT&CK techniques"),
        description=gettext_lazy("The MITRE ATT&CK catalogue for the technique picker. "
                                 "`?search=` matches id or name; deprecated techniques only "
                                 "with `?deprecated=true`."),
        parameters=[
            OpenApiParameter("search", OpenApiTypes.STR, required=False),
            OpenApiParameter("deprecated", OpenApiTypes.BOOL, required=False),
        ],
        tags=[TAG],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read an ATT&CK technique"), tags=[TAG]),
)
