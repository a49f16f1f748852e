"""The TAXII 2.1 endpoints (OASIS TAXII 2.1, sections 4 and 5) as plain Django views.

Every request carries its credential (`auth.taxii_user`); there is no session and so no
CSRF. Every answer is `application/taxii+json;version=2.1`, every refusal a TAXII error
message. A collection the caller may not read answers 404, like one that does not exist."""

import json
from functools import wraps

from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from apps.accounts.api.mixins import activate_user_preferences
from apps.audit.services import record_export
from apps.interop.models import TaxiiStatus
from apps.interop.taxii import writes
from apps.interop.taxii.auth import taxii_user
from apps.interop.taxii.collections import (
    API_ROOT,
    collection_for,
    collection_items,
    collections_of,
)
from apps.interop.taxii.protocol import (
    MAX_CONTENT_LENGTH,
    TAXII_MEDIA_TYPE,
    Query,
    TaxiiError,
    accept_check,
    content_type_check,
    date_headers,
    error_response,
    taxii_response,
)


def endpoint(*methods):
    """A TAXII endpoint answering ``methods``: the method, the credential, the Accept header
    and the API root are checked in this order, and a `TaxiiError` anywhere becomes the
    TAXII error message."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise TaxiiError(405, "Method Not Allowed",
                                     f"{request.method} is not supported here.",
                                     headers={"Allow": ", ".join(methods)})
                user = taxii_user(request)
                activate_user_preferences(request, user)
                request.user = user
                accept_check(request)
                if kwargs.pop("root", API_ROOT) != API_ROOT:
                    raise TaxiiError(404, "Not Found", "No such API root.")
                return view(request, *args, **kwargs)
            except TaxiiError as error:
                return error_response(error)

        return wrapped

    return decorate


def _root_url(request) -> str:
    return request.build_absolute_uri(reverse("taxii:discovery") + API_ROOT + "/")


@endpoint("GET")
def discovery(request):
    """Section 4.1: the server and its one API root."""
    root = _root_url(request)
    return taxii_response({
        "title": "Renkei TAXII 2.1",
        "description": "Incidents shared in Renkei communities under TLP 2.0, as STIX 2.1: "
                       "one collection per community you are an active member of.",
        "default": root,
        "api_roots": [root],
    })


@endpoint("GET")
def api_root(request):
    """Section 4.2."""
    return taxii_response({
        "title": "Renkei",
        "description": "One collection per community; each holds what you may see there.",
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": MAX_CONTENT_LENGTH,
    })


@endpoint("GET")
def status(request, status_id):
    """Section 4.3: the status of one of the caller's writes — nobody else's."""
    found = TaxiiStatus.objects.filter(pk=status_id, user=request.user).first()
    if found is None:
        raise_not_found("No such status.")
    return taxii_response(writes.status_resource(found))


def raise_not_found(description: str):
    raise TaxiiError(404, "Not Found", description)


@endpoint("GET")
def collections(request):
    """Section 5.1: a collection per community where the caller is an active member."""
    found = [collection.resource() for collection in collections_of(request.user)]
    return taxii_response({"collections": found} if found else {})


@endpoint("GET")
def collection(request, collection_id):
    """Section 5.2."""
    return taxii_response(collection_for(request.user, collection_id.lower()).resource())


def _objects_page(request, collection, query: Query):
    items = query.filter(collection_items(collection, request.user))
    page, next_cursor = query.page(items)
    return page, next_cursor


def _envelope(page, next_cursor, key="objects", make=lambda item: item.object) -> dict:
    body: dict = {"more": next_cursor is not None}
    if next_cursor is not None:
        body["next"] = next_cursor
    if page:
        body[key] = [make(item) for item in page]
    return body


def _record(request, collection, rows: int, query_string: str) -> None:
    if rows:
        record_export(community=collection.community, what="taxii", format="stix",
                      rows=rows, filters={"query": query_string[:500]} if query_string else None,
                      actor=request.user, request=request)


@endpoint("GET", "POST")
def objects(request, collection_id):
    """Sections 5.3 (Get Objects) and 5.4 (Add Objects)."""
    collection = collection_for(request.user, collection_id.lower())
    if request.method == "POST":
        return _add_objects(request, collection)
    query = Query.from_request(request)
    page, next_cursor = _objects_page(request, collection, query)
    _record(request, collection, len(page), request.META.get("QUERY_STRING", ""))
    return taxii_response(_envelope(page, next_cursor), headers=date_headers(page))


def _add_objects(request, collection):
    if not collection.can_write:
        raise TaxiiError(403, "Forbidden",
                         "Observers and guests see what is shared with them but do not share.")
    content_type_check(request)
    length = request.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > MAX_CONTENT_LENGTH:
        raise TaxiiError(413, "Payload Too Large",
                         f"An envelope may hold at most {MAX_CONTENT_LENGTH} bytes.")
    body = request.body
    if len(body) > MAX_CONTENT_LENGTH:
        raise TaxiiError(413, "Payload Too Large",
                         f"An envelope may hold at most {MAX_CONTENT_LENGTH} bytes.")
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise TaxiiError(400, "Bad Request", "The body is not JSON.") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list):
        raise TaxiiError(400, "Bad Request",
                         "Send a TAXII envelope: a JSON object with a list of objects.")
    if not envelope["objects"]:
        raise TaxiiError(422, "Unprocessable Entity", "The envelope holds no objects.")
    written = writes.envelope_add(user=request.user, collection=collection,
                                  objects=envelope["objects"])
    return taxii_response(writes.status_resource(written), status=202)


@endpoint("GET", "DELETE")
def object_detail(request, collection_id, object_id):
    """Section 5.5 (Get an Object); 5.7 (Delete an Object) is not offered: an item is
    withdrawn on the web by its author or the secretariat, where its audience is shown."""
    collection = collection_for(request.user, collection_id.lower())
    if request.method == "DELETE":
        raise TaxiiError(403, "Forbidden",
                         "Objects are withdrawn on the web by their author or the secretariat.")
    query = Query.from_request(request)
    query.ids = (object_id,)
    page, next_cursor = _objects_page(request, collection, query)
    if not page and query.after is None:
        raise_not_found("No such object.")
    _record(request, collection, len(page), request.META.get("QUERY_STRING", ""))
    return taxii_response(_envelope(page, next_cursor), headers=date_headers(page))


@endpoint("GET")
def object_versions(request, collection_id, object_id):
    """Section 5.8: the versions of one object (the portal keeps the current one)."""
    collection = collection_for(request.user, collection_id.lower())
    query = Query.from_request(request, versions_default="all")
    query.ids = (object_id,)
    page, next_cursor = _objects_page(request, collection, query)
    if not page and query.after is None:
        raise_not_found("No such object.")
    return taxii_response(_envelope(page, next_cursor, key="versions",
                                    make=lambda item: item.version),
                          headers=date_headers(page))


@endpoint("GET")
def manifest(request, collection_id):
    """Section 5.6: what Get Objects would give, without the objects' contents."""
    collection = collection_for(request.user, collection_id.lower())
    query = Query.from_request(request)
    page, next_cursor = _objects_page(request, collection, query)
    return taxii_response(_envelope(page, next_cursor, make=lambda item: item.manifest()),
                          headers=date_headers(page))
