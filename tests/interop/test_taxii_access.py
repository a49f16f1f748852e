"""Who may call the TAXII server, and what each caller receives: exactly what the portal
shows them, through `sharing`."""

import base64
import json

import pytest

from apps.accounts.services import token_revoke
from apps.communities.models import Membership, MembershipStatus
from apps.incidents.selectors import incidents_visible_to
from apps.interop.taxii.collections import collection_id
from tests.interop.taxii_helpers import ROOT, TAXII, Taxii, incident, objects_url


def _incident_ids(reader, community) -> set[str]:
    return {obj["id"].removeprefix("incident--") for obj in reader.all_objects(community, limit=3)
            if obj["type"] == "incident"}


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "Basic"])
def test_a_token_works_as_token_bearer_or_basic_password(client, community, bob, scheme):
    reader = Taxii(client, bob, scheme=scheme)
    assert reader.get(ROOT + "collections/").status_code == 200


def _refused(answer):
    assert answer.status_code == 401, answer.content
    assert answer["Content-Type"] == TAXII
    assert "Basic" in answer["WWW-Authenticate"] and "Token" in answer["WWW-Authenticate"]
    assert answer.json()["http_status"] == "401"


def test_no_or_bad_credentials_answer_401_with_a_challenge(client, community, bob, alice,
                                                           password):
    _refused(client.get("/taxii2/", HTTP_ACCEPT=TAXII))
    _refused(client.get("/taxii2/", HTTP_AUTHORIZATION="Token rk_wrong"))
    _refused(client.get("/taxii2/", HTTP_AUTHORIZATION="Digest abc"))
    _refused(client.get("/taxii2/", HTTP_AUTHORIZATION="Basic !!!"))
    # Basic needs the token's owner: another person's e-mail, or the account's password
    # instead of a token, are refused.
    key = Taxii(client, bob).key
    for pair in (f"{alice.email}:{key}", f"{bob.email}:{password}"):
        header = "Basic " + base64.b64encode(pair.encode()).decode()
        _refused(client.get("/taxii2/", HTTP_AUTHORIZATION=header))


def test_a_session_is_not_a_taxii_credential(client_for, community, bob):
    _refused(client_for(bob).get("/taxii2/", HTTP_ACCEPT=TAXII))


def test_revoked_token_and_suspended_member_are_refused_at_once(client, community, bob, carol):
    reader = Taxii(client, bob)
    assert reader.get("/taxii2/").status_code == 200
    token_revoke(token=bob.api_tokens.get())
    _refused(reader.get("/taxii2/"))
    other = Taxii(client, carol)
    Membership.objects.filter(user=carol).update(status=MembershipStatus.SUSPENDED)
    _refused(other.get("/taxii2/"))


def test_a_non_member_gets_404_for_the_collection(client, community, alice, outsider):
    incident(alice, "CLEAR")
    reader = Taxii(client, outsider)
    assert collection_id(community) not in json.dumps(reader.get(ROOT + "collections/").json())
    for path in ("", "objects/", "manifest/"):
        answer = reader.get(f"{ROOT}collections/{collection_id(community)}/{path}")
        assert answer.status_code == 404 and answer.json()["http_status"] == "404"


def test_red_reaches_only_its_named_recipient(client, community, alice, bob, carol, sec):
    red = incident(alice, "RED", users=[bob], title="Named people only")
    seen_by = {user.email: _incident_ids(Taxii(client, user), community)
               for user in (alice, bob, carol, sec)}
    assert str(red.pk) in seen_by[alice.email] and str(red.pk) in seen_by[bob.email]
    assert str(red.pk) not in seen_by[carol.email]
    assert str(red.pk) not in seen_by[sec.email]  # no back door for the secretariat
    carol_reader = Taxii(client, carol)
    answer = carol_reader.get(objects_url(community) + f"incident--{red.pk}/")
    assert answer.status_code == 404
    assert "Named people only" not in json.dumps(carol_reader.all_objects(community))


def test_amber_reaches_only_the_chosen_organisations(client, community, alice, bob, carol,
                                                     org_b):
    amber = incident(alice, "AMBER", organizations=[org_b], title="For Beta")
    assert str(amber.pk) in _incident_ids(Taxii(client, bob), community)
    assert str(amber.pk) not in _incident_ids(Taxii(client, carol), community)
    manifest = Taxii(client, carol).get(objects_url(community).replace("objects", "manifest"))
    assert f"incident--{amber.pk}" not in manifest.content.decode()


def test_an_anonymous_item_never_names_its_source(client, community, alice, bob, sec, org_a):
    anonymous = incident(alice, "GREEN", anonymous=True, title="Via the secretariat",
                         indicators=[{"type": "domain", "value": "evil.example.net"}])
    for user in (bob, sec):
        reader = Taxii(client, user)
        text = json.dumps(reader.all_objects(community, limit=2), ensure_ascii=False)
        assert str(anonymous.pk) in text
        for name in (org_a.name, org_a.name_en, org_a.slug, "alpha"):
            assert name not in text, (user.email, name)


def test_each_reader_receives_what_the_portal_shows_them(client, community, alice, bob, carol,
                                                         org_b, org_c):
    incident(alice, "GREEN")
    incident(alice, "AMBER", organizations=[org_b])
    incident(alice, "AMBER+STRICT", organizations=[org_c])
    incident(carol, "RED", users=[bob])
    incident(bob, "CLEAR")
    for user in (alice, bob, carol):
        expected = {str(pk) for pk in incidents_visible_to(user).filter(community=community)
                    .values_list("pk", flat=True)}
        assert _incident_ids(Taxii(client, user), community) == expected, user.email
