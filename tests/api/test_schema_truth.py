"""The drifts schemathesis found, each pinned by a direct test: a real answer validated
against the schema drf-spectacular serves (with schemathesis's own checks), or the schema
itself where the promise is about requests."""

import pytest
import schemathesis
from schemathesis.checks import load_all_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.services import token_issue
from apps.discussions.services import thread_create
from apps.incidents.services import feedback_add, incident_create, sighting_add
from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def schema(db, wsgi_app):
    load_all_checks()
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)


@pytest.fixture
def answers(schema, client_for):
    """answers(user, method, path, **request) -> the response, after checking that the
    schema documents it (status, content type, body)."""

    def call(user, method, path, *, template=None, path_parameters=None, **kwargs):
        _token, key = token_issue(user=user, name="test")
        headers = {"Authorization": f"Token {key}"}
        operation = schema[template or path][method]
        case = operation.Case(path_parameters=path_parameters, headers=headers, **kwargs)
        response = case.call()
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            pytest.fail("\n".join(f"{f.title}: {f.message}" for f in group.exceptions))
        return response

    return call


def _incident(author, community, tlp=TLP.GREEN, **choice):
    return incident_create(author=author, community=community, title="Phishing",
                           category="phishing", tlp=tlp, **choice)


def test_feedback_and_sightings_of_another_organisation_name_it_as_null(
        answers, alice, bob, community):
    incident = _incident(alice, community)
    feedback_add(user=bob, incident=incident, action="blocked")
    sighting_add(user=bob, incident=incident)
    feedback = answers(alice, "GET", "/api/v1/feedback/").json()["results"]
    assert feedback[0]["organization"] is None
    sightings = answers(alice, "GET", "/api/v1/sightings/").json()["results"]
    assert sightings[0]["organization"] is None


def test_incident_without_attack_stage_and_anonymous_source_match_the_schema(
        answers, alice, bob, community):
    incident = _incident(alice, community, anonymous=True)
    body = answers(bob, "GET", f"/api/v1/incidents/{incident.pk}/",
                   template="/api/v1/incidents/{id}/",
                   path_parameters={"id": str(incident.pk)}).json()
    assert body["attack_stage"] == ""
    assert body["source_organization"] is None


def test_addressed_to_me_is_a_page_of_incidents(answers, alice, bob, community, org_b):
    _incident(alice, community, TLP.AMBER, organizations=[org_b])
    body = answers(bob, "GET", "/api/v1/incidents/addressed-to-me/").json()
    assert body["count"] == 1 and len(body["results"]) == 1


def test_members_see_each_other_without_address_as_the_schema_says(answers, alice, bob):
    rows = answers(alice, "GET", "/api/v1/memberships/").json()["results"]
    assert rows and all("email" not in row["user"] for row in rows)


def test_organisation_without_website_matches_the_schema(answers, alice, org_a):
    rows = answers(alice, "GET", "/api/v1/organizations/").json()["results"]
    assert {row["website"] for row in rows} == {""}


def test_thread_whose_incident_is_hidden_says_null(answers, alice, bob, carol, community,
                                                   org_a):
    incident = _incident(alice, community, TLP.AMBER, organizations=[org_a])
    thread_create(author=alice, community=community, title="Talk", body="Hi",
                  tlp=TLP.GREEN, incident=None)
    thread_create(author=alice, community=community, title="On it", body="Hi",
                  tlp=TLP.AMBER, incident=incident)
    rows = answers(alice, "GET", "/api/v1/threads/").json()["results"]
    assert {row["incident"] for row in rows} == {None, str(incident.pk)}


@pytest.mark.parametrize("method, path, template, status", [
    ("GET", "/api/v1/incidents/00000000-0000-0000-0000-000000000000/",
     "/api/v1/incidents/{id}/", 404),
    ("GET", "/api/v1/incidents/not-an-id/", "/api/v1/incidents/{id}/", 404),
    ("GET", "/api/v1/incidents/?cursor=bogus", "/api/v1/incidents/", 404),
    ("GET", "/api/v1/incidents/?created_after=yesterday", "/api/v1/incidents/", 400),
    ("POST", "/api/v1/incidents/", None, 400),
    ("POST", "/api/v1/posts/", None, 404),
    ("PATCH", "/api/v1/memberships/{id}/", "/api/v1/memberships/{id}/", 403),
])
def test_refusals_are_documented_with_their_body(answers, alice, bob, method, path, template,
                                                 status):
    """404 (missing, hidden, or no such page), 400 and 403 are in the schema, with a JSON
    body; before, only the success of each operation was."""
    kwargs = {}
    if "{id}" in path:  # a membership alice can see but not change
        bobs = bob.memberships.get().pk
        kwargs["path_parameters"] = {"id": bobs}
        kwargs["body"] = {"role": "chair"}
    elif method == "POST":
        kwargs["body"] = ({"thread": "00000000-0000-0000-0000-000000000000", "body": "Hi"}
                          if "posts" in path else {"title": "x"})
    elif "?" in path:
        path, query = path.split("?")
        kwargs["query"] = dict([query.split("=")])
    elif "not-an-id" in path:
        kwargs["path_parameters"] = {"id": "not-an-id"}
    else:
        kwargs["path_parameters"] = {"id": path.rstrip("/").split("/")[-1]}
    response = answers(alice, method, path, template=template or path, **kwargs)
    assert response.status_code == status
    assert response.headers["content-type"][0].startswith("application/json")


# Where the body may also be the uploaded document: a STIX bundle or MISP event, as a file
# or as the STIX media type.
UPLOADS = {"/api/v1/imports/": {"multipart/form-data", "application/stix+json"}}


def test_every_operation_documents_the_refusals_it_can_give(schema):
    raw = schema.raw_schema
    for path, operations in raw["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "401" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "patch", "delete"):
                assert {"400", "403"} <= codes, (method, path)
            if "requestBody" in operation:
                assert "415" in codes, (method, path)
                # JSON: a form cannot carry the nested lists and nulls of these bodies. The
                # one exception is an upload of a file that is itself the document.
                assert set(operation["requestBody"]["content"]) == (
                    {"application/json"} | UPLOADS.get(path, set())), (method, path)


def test_request_text_is_documented_as_the_server_reads_it(schema):
    components = schema.raw_schema["components"]["schemas"]
    thread = components["ThreadCreate"]["properties"]
    assert thread["title"]["minLength"] == 1
    assert thread["title"]["pattern"] == r"^[^\x00]*\S[^\x00]*$"  # not only spaces, no NUL
    assert components["IncidentWrite"]["properties"]["status"] == {
        "$ref": "#/components/schemas/IncidentStatusEnum", "default": "investigating"} or (
        components["IncidentWrite"]["properties"]["status"]["allOf"][0]["$ref"].endswith(
            "/IncidentStatusEnum"))
    assert "body" in components["PostEdit"]["required"]  # PATCH /posts/{id}/ reads it whole
    assert "TLP:AMBER+STRICT" in components["TlpSpellingEnum"]["enum"]


def test_unknown_api_url_answers_json_404(client):
    response = client.get("/api/v1/incidents/not.an.id/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("moment", ["0435-11-04T13:13:46.548+21:20", "2100-01-01T00:00:00Z"])
def test_an_implausible_moment_is_refused_not_echoed_in_an_unreadable_offset(
        answers, alice, community, moment):
    """Found by schemathesis: year 435 was stored and answered in Tokyo's local mean time
    (+09:18:59), which is no RFC 3339 date-time."""
    response = answers(alice, "POST", "/api/v1/incidents/", body={
        "community": community.slug, "title": "t", "category": "other", "tlp": "GREEN",
        "detected_at": moment})
    assert response.status_code == 400
    assert "between 1970 and 2100" in response.json()["detected_at"][0]


def test_a_moment_with_a_far_offset_is_stored_in_utc(answers, alice, community):
    """ISO 8601 allows offsets to ±23:59; PostgreSQL refuses past ±15:59."""
    response = answers(alice, "POST", "/api/v1/incidents/", body={
        "community": community.slug, "title": "t", "category": "other", "tlp": "GREEN",
        "detected_at": "2026-11-30T23:30:00+21:20"})
    assert response.status_code == 201, response.content
    from apps.incidents.models import Incident

    detected = Incident.objects.get(pk=response.json()["id"]).detected_at
    assert detected.isoformat() == "2026-11-30T02:10:00+00:00"


def test_a_community_slug_with_a_nul_character_is_unknown_not_a_server_error(client_for,
                                                                             alice):
    """Found by the schema conformance run on PostgreSQL, which cannot look such a slug up."""
    response = client_for(alice).post(
        "/api/v1/incidents/", {"community": "\x00fin", "title": "x", "category": "other",
                               "tlp": "GREEN"}, content_type="application/json")
    assert response.status_code == 400
    assert "community" in response.json()
