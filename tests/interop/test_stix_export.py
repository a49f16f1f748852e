"""STIX 2.1 out, over the demo world: every bundle any demo user can download validates with
stix2-validator; an anonymous incident never names its source; a hidden item is a 404; a
search's bundle holds exactly what the reader may see; ids are stable and `modified` moves."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from stix2validator import ValidationOptions, validate_instance, validate_string

from apps.audit.models import Action, AuditEvent
from apps.digests.models import Summary
from apps.incidents.models import Incident
from apps.incidents.selectors import incidents_visible_to
from apps.interop.markings import TLP2_IDS
from apps.interop.stix import (
    bundle,
    incident_entries,
    organization_identity_id,
    secretariat_identity_id,
)
from apps.interop.stix_exports import MEDIA_TYPE
from apps.sharing.selectors import can_view
from tests.conftest import verified_login

User = get_user_model()
pytestmark = pytest.mark.heavy  # the demo world, and every user's bundle of it

OPTIONS = ValidationOptions(strict=False)


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo world for the module (as tests/test_load_demo.py): built in a transaction
    rolled back at the end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        path = tmp_path_factory.mktemp("demo") / "manifest.json"
        call_command("load_demo", "--manifest", str(path), stdout=io.StringIO())
        try:
            yield json.loads(path.read_text(encoding="utf-8"))
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def manifest(demo_world, db):
    return demo_world


def assert_valid(data: dict) -> None:
    results = validate_instance(data, OPTIONS)
    assert results.is_valid, [str(error) for error in results.errors]
    # The JSON text too, as a consumer reads it.
    assert validate_string(json.dumps(data), OPTIONS).is_valid


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    verified_login(client, user)
    return client


def incident_items(manifest):
    return [item for item in manifest["items"] if item["kind"] == "incident"]


def test_every_demo_users_bundle_validates(manifest):
    readers = [AnonymousUser(), *User.objects.filter(
        email__in=[user["email"] for user in manifest["users"]])]
    seen_types = set()
    for reader in readers:
        data = bundle(incident_entries(incidents_visible_to(reader), reader))
        assert_valid(data)
        seen_types |= {obj["type"] for obj in data["objects"]}
    # The demo world exercises every kind of object the export writes.
    assert {"identity", "incident", "indicator", "attack-pattern", "sighting", "relationship",
            "marking-definition"} <= seen_types


def test_each_incident_downloads_as_a_valid_bundle_for_its_author(manifest):
    for item in incident_items(manifest):
        author = User.objects.get(email=item["author"])
        response = signed_in(author).get(reverse("interop_api:incident_stix", args=[item["id"]]))
        assert response.status_code == 200
        assert response["Content-Type"] == MEDIA_TYPE
        assert response["Content-Disposition"].startswith("attachment;")
        data = json.loads(response.content)
        assert_valid(data)
        incident = next(obj for obj in data["objects"] if obj["type"] == "incident")
        assert incident["id"] == f"incident--{item['id']}"
        # Every object carries its incident's TLP 2.0 marking (a note: the stricter of its
        # thread's and its incident's).
        expected = TLP2_IDS[item["tlp"]]
        for obj in data["objects"]:
            if obj["type"] == "marking-definition":
                assert obj["id"] in TLP2_IDS.values()
            elif obj["type"] != "note":
                assert obj["object_marking_refs"] == [expected]


def test_anonymous_incident_names_the_secretariat_never_its_source(manifest):
    items = [item for item in incident_items(manifest) if item["anonymous"]]
    assert items, "the demo world has an anonymous incident"
    for item in items:
        incident = Incident.objects.select_related("author_organization", "community").get(
            pk=item["id"])
        organization = incident.author_organization
        # Not even its author's own download names the organisation: a bundle travels on.
        for reader in (incident.author, *User.objects.filter(
                memberships__community=incident.community,
                memberships__role="secretariat")[:1]):
            response = signed_in(reader).get(
                reverse("interop:incident_stix", args=[incident.community.slug, incident.pk]))
            assert response.status_code == 200
            text = response.content.decode()
            assert organization.name not in text
            assert not organization.name_en or organization.name_en not in text
            assert organization_identity_id(organization) not in text
            assert organization.slug not in text
            data = json.loads(text)
            secretariat = secretariat_identity_id(incident.community)
            stix_incident = next(o for o in data["objects"] if o["type"] == "incident")
            assert stix_incident["created_by_ref"] == secretariat
            assert any(o["id"] == secretariat for o in data["objects"])


def test_red_incident_is_a_404_for_a_member_who_is_not_named(manifest):
    reds = [item for item in incident_items(manifest) if item["tlp"] == "RED"]
    assert reds
    for item in reds:
        incident = Incident.objects.select_related("community").get(pk=item["id"])
        members = User.objects.filter(memberships__community=incident.community,
                                      memberships__status="active")
        outsider = next(user for user in members if not can_view(user, incident))
        recipient = next(user for user in members if can_view(user, incident))
        client = signed_in(outsider)
        web = client.get(reverse("interop:incident_stix",
                                 args=[incident.community.slug, incident.pk]))
        api = client.get(reverse("interop_api:incident_stix", args=[incident.pk]))
        assert web.status_code == 404
        assert api.status_code == 404
        assert signed_in(recipient).get(
            reverse("interop_api:incident_stix", args=[incident.pk])).status_code == 200


def test_search_bundle_holds_only_what_the_reader_may_see(manifest):
    for email in [user["email"] for user in manifest["users"]][:8]:
        reader = User.objects.get(email=email)
        response = signed_in(reader).get(reverse("interop_api:search_stix"))
        assert response.status_code == 200
        data = json.loads(response.content)
        assert_valid(data)
        exported = {o["id"] for o in data["objects"] if o["type"] == "incident"}
        visible = {f"incident--{pk}" for pk in
                   incidents_visible_to(reader).values_list("pk", flat=True)}
        assert exported == visible


def test_web_search_export_reuses_the_list_filters(manifest):
    item = next(i for i in incident_items(manifest) if i["tlp"] == "GREEN")
    author = User.objects.get(email=item["author"])
    client = signed_in(author)
    url = reverse("interop:search_stix", args=[item["community"]])
    data = json.loads(client.get(url, {"tlp": "GREEN"}).content)
    labels = {o["object_marking_refs"][0] for o in data["objects"] if o["type"] == "incident"}
    assert labels == {TLP2_IDS["GREEN"]}
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=author,
                                     detail__format="stix", detail__what="incidents").exists()


def test_federation_summary_exports_a_report_of_what_the_reader_may_see(manifest):
    summary = Summary.objects.select_related("federation").first()
    assert summary is not None
    federation = summary.federation
    reader = User.objects.filter(memberships__community__federations=federation,
                                 memberships__status="active").first()
    url = reverse("interop:summary_stix", args=[federation.slug, summary.period])
    response = signed_in(reader).get(url)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert_valid(data)
    report = next(o for o in data["objects"] if o["type"] == "report")
    incidents = [ref for ref in report["object_refs"] if ref.startswith("incident--")]
    for ref in incidents:
        incident = Incident.objects.get(pk=ref.removeprefix("incident--"))
        assert incident.tlp in ("GREEN", "CLEAR") and incident.federated
        assert can_view(reader, incident)
    assert report["object_marking_refs"] == [TLP2_IDS["GREEN"]]
    # Nobody outside the federation's communities reads it.
    stranger = User.objects.exclude(memberships__community__federations=federation).filter(
        is_superuser=False).first()
    if stranger is not None:
        assert signed_in(stranger).get(url).status_code == 404
