"""One reader of the recipients an author chooses: the web picker, the API (incidents and
threads) and `load_demo` refuse the same wrong choice with the same message."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.sharing.forms import AudienceForm
from apps.sharing.recipients import recipients_read
from portal.management.commands.load_demo import DemoWorld, _audience
from tests.conftest import _member
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast")]

NOT_MEMBER_ORGS = "Not member organisations of this community: {}."
NOT_MEMBERS = "Not members of this community: {}."
RED_TO_ORGS = "TLP:RED goes to named people only; it cannot be shared with organisations."
AMBER_FEDERATED = (
    "TLP:AMBER never leaves the community; only TLP:GREEN and TLP:CLEAR can be shared with "
    "the federation."
)


@pytest.fixture
def org_x(db, other_community):
    """An organisation that exists, but is no member of fin-isac."""
    return OrganizationFactory(slug="org-x", name="エックス", name_en="X Corp")


@pytest.fixture
def former(community, org_b):
    return _member(community, "former@beta.example.jp", org_b, status="left")


def _errors(error: ValidationError) -> dict:
    return error.message_dict


def by_api(client_for, alice, kind: str, choice: dict) -> dict:
    """What the API answers to ``choice`` (slugs and e-mail addresses)."""
    base = {"community": "fin-isac", "title": "Choice", "category": "other"}
    if kind == "threads":
        base = {"community": "fin-isac", "title": "Choice", "body": "text"}
    response = client_for(alice).post(
        f"/api/v1/{kind}/", json.dumps({**base, **choice}), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    return response.json()


def by_demo(community, choice: dict) -> dict:
    """What `load_demo` refuses, for the same choice written as its data is."""
    data = {"community": community.slug, **choice}
    if "exclude_organizations" in data:
        data["exclude"] = data.pop("exclude_organizations")
    world = DemoWorld(password="demo", now=datetime.datetime.now(datetime.UTC))
    world.communities[community.slug] = community
    with pytest.raises(ValidationError) as refusal:
        _audience(world, data)
    return _errors(refusal.value)


def by_form(community, alice, data: dict) -> dict:
    form = AudienceForm(data, community=community, author=alice)
    assert not form.is_valid()
    return form.errors


@pytest.mark.parametrize("kind", ["incidents", "threads"])
def test_a_non_member_organisation_is_refused_alike_everywhere(
    kind, org_x, alice, community, client_for
):
    said = {"organizations": [NOT_MEMBER_ORGS.format("org-x")]}
    choice = {"tlp": "AMBER", "organizations": ["org-x"]}
    assert by_api(client_for, alice, kind, choice) == said
    assert by_demo(community, choice) == said
    assert by_form(community, alice, {"tlp": "AMBER", "organizations": [org_x.pk]}) == said


def test_the_web_page_shows_the_same_refusal(org_x, alice, community, client_for):
    response = client_for(alice).post(
        reverse("incidents:create", args=[community.slug]),
        {"title": "Choice", "category": "other", "intent": "unknown",
         "status": "investigating", "tlp": "AMBER", "organizations": [org_x.pk]},
    )
    assert response.status_code == 400
    assert NOT_MEMBER_ORGS.format("org-x") in response.content.decode()


@pytest.mark.parametrize("kind", ["incidents", "threads"])
def test_someone_who_left_the_community_is_refused_alike_everywhere(
    kind, former, alice, community, client_for
):
    said = {"users": [NOT_MEMBERS.format("former@beta.example.jp")]}
    choice = {"tlp": "RED", "users": ["Former@Beta.example.jp"]}
    assert by_api(client_for, alice, kind, choice) == said
    assert by_demo(community, choice) == said
    assert by_form(community, alice, {"tlp": "RED", "users": [former.pk]}) == said


@pytest.mark.parametrize("kind", ["incidents", "threads"])
def test_an_unknown_slug_reads_like_an_organisation_of_another_community(
    kind, org_x, alice, community, client_for
):
    choice = {"tlp": "AMBER", "organizations": ["no-such-org", "org-x"]}
    said = {"organizations": [NOT_MEMBER_ORGS.format("no-such-org, org-x")]}
    assert by_api(client_for, alice, kind, choice) == said
    assert by_demo(community, choice) == said


@pytest.mark.parametrize("kind", ["incidents", "threads"])
@pytest.mark.parametrize(
    "choice, said",
    [
        ({"tlp": "RED", "organizations": ["org-b"]}, {"organizations": [RED_TO_ORGS]}),
        ({"tlp": "AMBER", "federated": True}, {"federated": [AMBER_FEDERATED]}),
    ],
)
def test_a_choice_the_label_does_not_allow_is_refused_alike(
    kind, choice, said, alice, community, client_for
):
    assert by_api(client_for, alice, kind, choice) == said
    assert by_demo(community, choice) == said


def test_exclusions_must_be_member_organisations(org_x, alice, community, client_for):
    choice = {"tlp": "AMBER", "exclude_organizations": ["org-x"]}
    said = {"exclude_organizations": [NOT_MEMBER_ORGS.format("org-x")]}
    assert by_api(client_for, alice, "incidents", choice) == said
    assert by_demo(community, choice) == said


def test_exclusions_leave_organisations_out_of_the_default(community, org_a, org_b, org_c):
    choice = recipients_read(community=community, tlp="AMBER", exclude_organizations=["org-c"])
    assert set(choice["organizations"]) == {org_a, org_b}


def test_what_was_not_said_stays_unsaid(community, bob):
    assert recipients_read(community=community) == {}
    assert recipients_read(community=community, users=["BOB@beta.example.jp"]) == {
        "users": [bob]
    }
