"""The OpenAPI text of the accounts API — what each operation does, takes and refuses —
kept beside the viewsets of `views`, each of which wears its decorator
(``@schema.tokens``). Every text goes through gettext: the schema speaks the reader's
language."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from apps.accounts.api.serializers import TokenCreatedSerializer, TokenCreateSerializer

profile = extend_schema_view(
    get=extend_schema(
        summary=_("Read your profile"),
        description=_("Your e-mail address, display name, language, time zone and digest "
                      "preference."),
        tags=["accounts"],
    ),
    patch=extend_schema(
        summary=_("Change your profile"),
        description=_("Change your display name, language, time zone or digest frequency. "
                      "The e-mail address is your login and cannot be changed here."),
        tags=["accounts"],
    ),
)


tokens = extend_schema_view(
    list=extend_schema(
        summary=_("List your API tokens"),
        description=_("Your tokens, revoked ones included, newest first. Only a short prefix "
                      "of each key is shown, so you can recognise it; the key itself is "
                      "never shown again after creation."),
        tags=["accounts"],
    ),
    create=extend_schema(
        summary=_("Create an API token"),
        description=_("Creates a token for `Authorization: Token <key>`, valid for `days` days "
                      "(at most 365). The clear key is in this answer only: it is "
                      "stored hashed and cannot be read again. Tokens are managed from a "
                      "signed-in website session only, never with a token."),
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer},
        tags=["accounts"],
    ),
    destroy=extend_schema(
        summary=_("Revoke an API token"),
        description=_("The token stops working at once. It stays in the list, marked "
                      "revoked. Revoking a revoked token changes nothing."),
        tags=["accounts"],
    ),
)
