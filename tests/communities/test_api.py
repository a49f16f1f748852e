"""The community API: each caller sees only what their active memberships allow; anything
else is 404; only the secretariat writes, and only through the services."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from apps.accounts.services import token_issue
from apps.communities.models import Invitation, Membership, MembershipStatus, Role
from apps.communities.services import invitation_create
from tests.factories import CommunityFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

COMMUNITIES = "/api/v1/communities/"
ORGANIZATIONS = "/api/v1/organizations/"
MEMBERSHIPS = "/api/v1/memberships/"
INVITATIONS = "/api/v1/invitations/"


def api(user) -> APIClient:
    """A client authenticated the way outside tools are: with a token."""
    _token, key = token_issue(user=user, name="test")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def membership(user, community) -> Membership:
    return Membership.objects.get(user=user, community=community)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def cast(community, other_community, alice, bob, carol, sec, olive, sam, outsider):
    """The whole cast of the financial ISAC, plus an outsider in the ICT-ISAC."""


# --- communities ----------------------------------------------------------------------


def test_members_list_only_their_active_communities(cast, alice, outsider):
    assert [c["slug"] for c in results(api(alice).get(COMMUNITIES))] == ["fin-isac"]
    assert [c["slug"] for c in results(api(outsider).get(COMMUNITIES))] == ["ict-isac"]


def test_a_community_shows_your_role_and_organisation(cast, sec):
    data = api(sec).get(f"{COMMUNITIES}fin-isac/").json()
    assert (data["your_role"], data["your_organization"]) == ("secretariat", "org-a")


def test_another_communitys_detail_is_404_like_a_missing_one(cast, alice):
    client = api(alice)
    other = client.get(f"{COMMUNITIES}ict-isac/")
    missing = client.get(f"{COMMUNITIES}no-such-isac/")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


def test_a_suspended_member_sees_no_community(cast, sam, client_for):
    assert api(sam).get(COMMUNITIES).status_code == 401  # no active membership: no token
    client = client_for(sam)
    assert results(client.get(COMMUNITIES)) == []
    assert client.get(f"{COMMUNITIES}fin-isac/").status_code == 404


def test_communities_filter_by_kind(cast, alice):
    client = api(alice)
    assert len(results(client.get(COMMUNITIES, {"kind": "isac"}))) == 1
    assert results(client.get(COMMUNITIES, {"kind": "study_group"})) == []


# --- organisations --------------------------------------------------------------------


def test_organisations_are_those_with_active_members_in_your_communities(
        cast, alice, community, other_community):
    lonely = OrganizationFactory(slug="org-lonely")  # its only member is suspended
    MembershipFactory(community=community, organization=lonely,
                      status=MembershipStatus.SUSPENDED)
    elsewhere = OrganizationFactory(slug="org-elsewhere")
    MembershipFactory(community=other_community, organization=elsewhere)
    slugs = [o["slug"] for o in results(api(alice).get(ORGANIZATIONS))]
    assert sorted(slugs) == ["org-a", "org-b", "org-c"]
    assert api(alice).get(f"{ORGANIZATIONS}org-elsewhere/").status_code == 404
    assert api(alice).get(f"{ORGANIZATIONS}org-lonely/").status_code == 404
    assert api(alice).get(f"{ORGANIZATIONS}org-b/").status_code == 200


def test_the_community_filter_cannot_reveal_another_communitys_organisations(cast, alice):
    # org-c is active in both ISACs (carol here, the outsider there): asking about the ICT-ISAC
    # must not confirm it.
    assert results(api(alice).get(ORGANIZATIONS, {"community": "ict-isac"})) == []
    slugs = [o["slug"] for o in results(api(alice).get(ORGANIZATIONS, {"community": "fin-isac"}))]
    assert sorted(slugs) == ["org-a", "org-b", "org-c"]


def test_an_outsider_sees_only_their_own_communitys_organisations(cast, outsider):
    assert [o["slug"] for o in results(api(outsider).get(ORGANIZATIONS))] == ["org-c"]
    assert api(outsider).get(f"{ORGANIZATIONS}org-a/").status_code == 404


# --- memberships: reading -------------------------------------------------------------


def test_members_read_the_active_memberships_of_their_community(cast, alice, sam, outsider,
                                                                 community):
    rows = results(api(alice).get(MEMBERSHIPS, {"community": "fin-isac"}))
    ids = {row["id"] for row in rows}
    assert membership(alice, community).pk in ids
    assert len(rows) == 5  # alice, bob, carol, sec, olive
    assert all(row["status"] == "active" for row in rows)
    assert Membership.objects.get(user=sam).pk not in ids
    assert Membership.objects.get(user=outsider).pk not in ids


def test_members_do_not_see_email_addresses_but_the_secretariat_does(cast, alice, sec):
    for row in results(api(alice).get(MEMBERSHIPS)):
        assert "email" not in row["user"]
    assert all("@" in row["user"]["email"] for row in results(api(sec).get(MEMBERSHIPS)))


def test_the_secretariat_sees_every_status(cast, sec, sam):
    rows = results(api(sec).get(MEMBERSHIPS, {"community": "fin-isac"}))
    assert len(rows) == 6
    suspended = results(api(sec).get(MEMBERSHIPS, {"status": "suspended"}))
    assert [row["id"] for row in suspended] == [Membership.objects.get(user=sam).pk]


def test_another_communitys_memberships_are_absent_and_404(cast, alice, sec, outsider):
    theirs = Membership.objects.get(user=outsider)
    for client in (api(alice), api(sec)):
        assert results(client.get(MEMBERSHIPS, {"community": "ict-isac"})) == []
        assert theirs.pk not in {row["id"] for row in results(client.get(MEMBERSHIPS))}
        assert client.get(f"{MEMBERSHIPS}{theirs.pk}/").status_code == 404


def test_a_suspended_membership_is_404_to_members_and_visible_to_the_secretariat(
        cast, alice, sec, sam):
    url = f"{MEMBERSHIPS}{Membership.objects.get(user=sam).pk}/"
    assert api(alice).get(url).status_code == 404
    assert api(sec).get(url).json()["status"] == "suspended"


def test_memberships_filter_by_role_and_organisation(cast, alice, olive, sec):
    client = api(alice)
    observers = results(client.get(MEMBERSHIPS, {"role": "observer"}))
    assert [row["id"] for row in observers] == [Membership.objects.get(user=olive).pk]
    org_a = results(client.get(MEMBERSHIPS, {"organization": "org-a"}))
    assert {row["id"] for row in org_a} == {
        Membership.objects.get(user=alice).pk, Membership.objects.get(user=sec).pk}
    assert client.get(MEMBERSHIPS, {"role": "overlord"}).status_code == 400


def test_a_suspended_member_loses_api_access_on_the_next_request(cast, bob, sec, community,
                                                                client_for):
    bob_client = api(bob)
    assert len(results(bob_client.get(MEMBERSHIPS))) == 5
    assert bob_client.get(f"{COMMUNITIES}fin-isac/").status_code == 200
    bobs = membership(bob, community)
    assert api(sec).post(f"{MEMBERSHIPS}{bobs.pk}/suspend/").status_code == 200
    # Bob has no active membership left: his token stops at once; his session sees nothing.
    assert bob_client.get(COMMUNITIES).status_code == 401
    bob_client = client_for(bob)
    assert results(bob_client.get(COMMUNITIES)) == []
    assert results(bob_client.get(MEMBERSHIPS)) == []
    assert results(bob_client.get(ORGANIZATIONS)) == []
    assert bob_client.get(f"{COMMUNITIES}fin-isac/").status_code == 404
    assert bob_client.get(f"{MEMBERSHIPS}{bobs.pk}/").status_code == 404


def test_a_demoted_secretariat_loses_the_secretariats_view_at_once(cast, sec, sam, community):
    client = api(sec)
    sams = f"{MEMBERSHIPS}{Membership.objects.get(user=sam).pk}/"
    assert client.get(sams).status_code == 200
    Membership.objects.filter(user=sec).update(role=Role.MEMBER)
    assert client.get(sams).status_code == 404
    assert client.post(f"{sams}reactivate/").status_code == 404


# --- memberships: the secretariat's writes --------------------------------------------


def test_the_secretariat_changes_role_and_organisation(cast, sec, bob, community):
    bobs = membership(bob, community)
    response = api(sec).patch(f"{MEMBERSHIPS}{bobs.pk}/",
                              {"role": "advisor", "organization": "org-c"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "advisor"
    assert response.json()["organization"]["slug"] == "org-c"
    bobs.refresh_from_db()
    assert (bobs.role, bobs.organization.slug) == ("advisor", "org-c")


def test_a_role_change_with_a_bad_value_is_400(cast, sec, bob, community):
    bobs = membership(bob, community)
    client = api(sec)
    assert client.patch(f"{MEMBERSHIPS}{bobs.pk}/", {"role": "overlord"},
                        format="json").status_code == 400
    assert client.patch(f"{MEMBERSHIPS}{bobs.pk}/", {"organization": "no-such-org"},
                        format="json").status_code == 400
    bobs.refresh_from_db()
    assert (bobs.role, bobs.organization.slug) == ("member", "org-b")


def test_members_who_can_see_a_membership_cannot_change_it(cast, alice, bob, community):
    bobs = membership(bob, community)
    client = api(alice)
    assert client.patch(f"{MEMBERSHIPS}{bobs.pk}/", {"role": "chair"},
                        format="json").status_code == 403
    for decision in ("suspend", "remove", "approve", "reactivate"):
        assert client.post(f"{MEMBERSHIPS}{bobs.pk}/{decision}/").status_code == 403
    bobs.refresh_from_db()
    assert (bobs.role, bobs.status) == ("member", "active")


def test_an_observer_cannot_change_memberships_either(cast, olive, bob, community):
    bobs = membership(bob, community)
    assert api(olive).post(f"{MEMBERSHIPS}{bobs.pk}/suspend/").status_code == 403


def test_another_communitys_secretariat_gets_404_on_writes(cast, bob, community, org_c,
                                                          other_community):
    ict_sec = UserFactory(email="sec@ict.example.jp")
    MembershipFactory(community=other_community, user=ict_sec,
                      organization=org_c, role=Role.SECRETARIAT)
    bobs = membership(bob, community)
    client = api(ict_sec)
    assert client.patch(f"{MEMBERSHIPS}{bobs.pk}/", {"role": "guest"},
                        format="json").status_code == 404
    assert client.post(f"{MEMBERSHIPS}{bobs.pk}/suspend/").status_code == 404
    bobs.refresh_from_db()
    assert (bobs.role, bobs.status) == ("member", "active")


def test_the_secretariat_suspends_reactivates_and_removes(cast, sec, bob, carol, community):
    client = api(sec)
    bobs = membership(bob, community)
    assert client.post(f"{MEMBERSHIPS}{bobs.pk}/suspend/").json()["status"] == "suspended"
    response = client.post(f"{MEMBERSHIPS}{bobs.pk}/reactivate/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    carols = membership(carol, community)
    assert client.post(f"{MEMBERSHIPS}{carols.pk}/remove/").json()["status"] == "left"
    carols.refresh_from_db()
    assert carols.status == MembershipStatus.LEFT


def test_reactivating_someone_who_owes_the_agreement_asks_for_it_first(cast, sec, sam,
                                                                       community):
    # The rule lives in the service; the API shows its outcome.
    sams = membership(sam, community)
    response = api(sec).post(f"{MEMBERSHIPS}{sams.pk}/reactivate/")
    assert response.json()["status"] == "awaiting_agreement"


def test_the_secretariat_approves_a_pending_membership(cast, sec, community, org_b):
    pending = MembershipFactory(community=community, organization=org_b,
                                status=MembershipStatus.PENDING_APPROVAL)
    response = api(sec).post(f"{MEMBERSHIPS}{pending.pk}/approve/")
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.ACTIVE


def test_a_refusal_from_the_service_is_400_with_its_message(cast, sec, alice, community):
    client = api(sec)
    own = membership(sec, community)
    response = client.post(f"{MEMBERSHIPS}{own.pk}/suspend/")
    assert response.status_code == 400
    assert "own membership" in response.json()["detail"]
    alices = membership(alice, community)
    response = client.post(f"{MEMBERSHIPS}{alices.pk}/reactivate/")
    assert response.status_code == 400
    assert "cannot be changed this way" in response.json()["detail"]
    alices.refresh_from_db()
    assert alices.status == MembershipStatus.ACTIVE


def test_memberships_cannot_be_replaced_or_deleted_through_the_api(cast, sec, bob, community):
    url = f"{MEMBERSHIPS}{membership(bob, community).pk}/"
    client = api(sec)
    assert client.put(url, {"role": "guest"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405


# --- invitations ----------------------------------------------------------------------

INVITE = {"community": "fin-isac", "email": "dave@delta.example.jp", "name": "Dave",
          "organization": "org-b", "role": "member", "language": "en"}


def test_the_secretariat_invites_through_the_service(cast, sec, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(sec).post(INVITATIONS, INVITE, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["email"], data["state"], data["community"]) == (
        "dave@delta.example.jp", "open", "fin-isac")
    invitation = Invitation.objects.get(email="dave@delta.example.jp")
    assert invitation.membership.status == MembershipStatus.INVITED
    assert invitation.created_by == sec
    assert [m.to for m in mail.outbox] == [["dave@delta.example.jp"]]
    # The link only travels by e-mail.
    assert invitation.token() not in response.content.decode()
    assert "token" not in data


def test_the_invitation_language_defaults_to_the_communitys(cast, sec, community):
    payload = {k: v for k, v in INVITE.items() if k != "language"}
    assert api(sec).post(INVITATIONS, payload, format="json").status_code == 201
    assert Invitation.objects.get().language == community.default_language


def test_inviting_a_member_again_is_400_with_the_services_message(cast, sec, bob):
    response = api(sec).post(INVITATIONS, {**INVITE, "email": bob.email}, format="json")
    assert response.status_code == 400
    assert bob.email in response.json()["detail"]
    assert not Invitation.objects.exists()


def test_members_cannot_invite(cast, alice, olive):
    for user in (alice, olive):
        assert api(user).post(INVITATIONS, INVITE, format="json").status_code == 403
    assert not Invitation.objects.exists()
    assert not Membership.objects.filter(user__email=INVITE["email"]).exists()


def test_an_outsider_cannot_invite_into_a_community_they_cannot_see(cast, outsider):
    client = api(outsider)
    theirs = client.post(INVITATIONS, INVITE, format="json")
    missing = client.post(INVITATIONS, {**INVITE, "community": "no-such-isac"}, format="json")
    assert theirs.status_code == missing.status_code == 400
    assert list(theirs.json()) == list(missing.json()) == ["community"]
    assert not Invitation.objects.exists()


def test_only_the_secretariat_lists_and_reads_invitations(cast, sec, alice, outsider, org_c,
                                                          other_community, community, org_b):
    ours = invitation_create(community=community, email="dave@delta.example.jp",
                             organization=org_b, role="member", language="ja")
    theirs = invitation_create(community=other_community, email="eve@epsilon.example.jp",
                               organization=org_c, role="member", language="ja")
    rows = results(api(sec).get(INVITATIONS))
    assert [row["id"] for row in rows] == [str(ours.pk)]
    assert results(api(sec).get(INVITATIONS, {"community": "ict-isac"})) == []
    assert api(sec).get(f"{INVITATIONS}{ours.pk}/").status_code == 200
    assert api(sec).get(f"{INVITATIONS}{theirs.pk}/").status_code == 404
    assert results(api(alice).get(INVITATIONS)) == []
    assert api(alice).get(f"{INVITATIONS}{ours.pk}/").status_code == 404
    assert api(outsider).get(f"{INVITATIONS}{ours.pk}/").status_code == 404


def test_invitations_filter_by_state(cast, sec, community, org_b):
    open_one = invitation_create(community=community, email="dave@delta.example.jp",
                                 organization=org_b, role="member", language="ja")
    revoked = invitation_create(community=community, email="eve@epsilon.example.jp",
                                organization=org_b, role="member", language="ja")
    Invitation.objects.filter(pk=revoked.pk).update(revoked_at=revoked.created_at)
    client = api(sec)
    assert [r["id"] for r in results(client.get(INVITATIONS, {"state": "open"}))] == [
        str(open_one.pk)]
    assert [r["id"] for r in results(client.get(INVITATIONS, {"state": "revoked"}))] == [
        str(revoked.pk)]


# --- constant queries per page ----------------------------------------------------------


def _more_communities(user, org, count):
    for _ in range(count):
        MembershipFactory(community=CommunityFactory(), user=user, organization=org)


def _more_members(community, count):
    for _ in range(count):
        MembershipFactory(community=community, organization=OrganizationFactory())


def _more_invitations(community, org, count):
    for n in range(count):
        invitation_create(community=community, email=f"new{n}@example.jp",
                          organization=org, role="member", language="ja")


@pytest.mark.parametrize("count", [3, 30])
def test_listing_communities_runs_a_fixed_number_of_queries(
        cast, alice, org_a, count, django_assert_max_num_queries):
    _more_communities(alice, org_a, count)
    client = api(alice)
    with django_assert_max_num_queries(4):
        rows = results(client.get(COMMUNITIES))
    assert len(rows) == count + 1


@pytest.mark.parametrize("count", [3, 30])
def test_listing_organisations_runs_a_fixed_number_of_queries(
        cast, alice, community, count, django_assert_max_num_queries):
    _more_members(community, count)
    client = api(alice)
    with django_assert_max_num_queries(4):
        rows = results(client.get(ORGANIZATIONS, {"community": "fin-isac"}))
    assert len(rows) == count + 3


@pytest.mark.parametrize("count", [3, 30])
def test_listing_memberships_runs_a_fixed_number_of_queries(
        cast, sec, community, count, django_assert_max_num_queries):
    _more_members(community, count)
    client = api(sec)
    with django_assert_max_num_queries(4):
        rows = results(client.get(MEMBERSHIPS))
    assert len(rows) == count + 6


@pytest.mark.parametrize("count", [3, 30])
def test_listing_invitations_runs_a_fixed_number_of_queries(
        cast, sec, community, org_b, count, django_assert_max_num_queries):
    _more_invitations(community, org_b, count)
    client = api(sec)
    with django_assert_max_num_queries(4):
        rows = results(client.get(INVITATIONS))
    assert len(rows) == count
