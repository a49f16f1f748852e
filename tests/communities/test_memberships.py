"""Status drives access: suspend or remove a member and the next request is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.communities.models import Membership, MembershipStatus
from apps.communities.services import agreement_publish, membership_decide
from apps.incidents.services import incident_create
from apps.sharing.selectors import can_view

pytestmark = pytest.mark.django_db


def _amber(author, community):
    return incident_create(author=author, community=community, title="t", category="other",
                           tlp="AMBER")


def _membership(user, community):
    return Membership.objects.get(user=user, community=community)


def test_suspended_member_loses_access_on_the_next_request(community, alice, sec, client_for):
    item = _amber(sec, community)
    assert can_view(alice, item)
    home = reverse("communities:home", args=[community.slug])
    member_client = client_for(alice)
    assert member_client.get(home).status_code == 200
    response = client_for(sec).post(reverse(
        "communities:membership_action",
        args=[community.slug, _membership(alice, community).pk, "suspend"]),
        {"confirm": "1", "reason": "Left the company"})
    assert response.status_code == 302
    assert member_client.get(home).status_code == 403
    assert not can_view(alice, item)


def test_reactivated_member_gets_access_back(community, alice, sec):
    item = _amber(sec, community)
    membership = _membership(alice, community)
    membership_decide(membership=membership, action="suspend", actor=sec)
    assert not can_view(alice, item)
    membership_decide(membership=membership, action="reactivate", actor=sec)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert can_view(alice, item)


def test_removed_member_sees_404_and_their_account_remains(community, alice, sec, client_for):
    member_client = client_for(alice)
    membership_decide(membership=_membership(alice, community), action="remove", actor=sec)
    assert member_client.get(reverse("communities:home", args=[community.slug])).status_code == 404
    alice.refresh_from_db()
    assert alice.is_active
    assert _membership(alice, community).status == MembershipStatus.LEFT


def test_secretariat_cannot_suspend_itself(community, sec):
    with pytest.raises(ValidationError):
        membership_decide(membership=_membership(sec, community), action="suspend", actor=sec)


def test_illegal_transition_is_refused_with_message(community, alice, sec, client_for):
    client = client_for(sec)
    response = client.post(reverse("communities:membership_action",
                                   args=[community.slug, _membership(alice, community).pk,
                                         "approve"]), follow=True)
    assert "cannot be changed this way" in response.content.decode()
    assert _membership(alice, community).status == MembershipStatus.ACTIVE


def test_secretariat_cannot_act_on_another_communitys_member(community, sec, outsider,
                                                              other_community, client_for):
    target = _membership(outsider, other_community)
    response = client_for(sec).post(reverse("communities:membership_action",
                                            args=[community.slug, target.pk, "suspend"]))
    assert response.status_code == 404
    assert _membership(outsider, other_community).status == MembershipStatus.ACTIVE


def test_audience_follows_a_move_to_another_organisation(community, alice, bob, org_b, sec):
    """AMBER to org B only: alice sees it once her membership says she represents org B."""
    item = incident_create(author=bob, community=community, title="t", category="other",
                           tlp="AMBER", organizations=[org_b])
    assert not can_view(alice, item)
    Membership.objects.filter(user=alice, community=community).update(organization=org_b)
    assert can_view(alice, item)
    assert not alice.groups.exists()  # nothing is mirrored into auth groups


def test_new_agreement_version_must_be_accepted_before_anything_else(community, alice, sec,
                                                                     client_for):
    agreement_publish(community=community, title="規程 v2", body="新しい条項", author=sec)
    response = client_for(alice).get(reverse("communities:home", args=[community.slug]))
    assert response.status_code == 302 and "agreement" in response["Location"]
    client_for(alice).post(reverse("communities:agreement", args=[community.slug]),
                           {"accept_agreement": "on", "acknowledge_briefing": "on"})
    assert _membership(alice, community).status == MembershipStatus.ACTIVE
    assert client_for(alice).get(reverse("communities:home",
                                         args=[community.slug])).status_code == 200


def test_member_of_a_cannot_see_anything_of_b(community, other_community, alice, client_for):
    client = client_for(alice)
    for name in ["home", "members", "agreement", "manage_members"]:
        assert client.get(reverse(f"communities:{name}",
                                  args=[other_community.slug])).status_code == 404, name
    assert client.get("/c/no-such-community/").status_code == 404


def test_directory_lists_active_members_only(community, alice, bob, sam, client_for):
    body = client_for(alice).get(reverse("communities:members", args=[community.slug])
                                 ).content.decode()
    assert "bob@beta.example.jp" not in body  # e-mail addresses are not shown to members
    assert str(bob) in body
    assert str(sam) not in body


def test_member_directory_query_count_is_constant(community, alice, client_for,
                                                  django_assert_max_num_queries):
    from tests.factories import MembershipFactory

    client = client_for(alice)
    url = reverse("communities:members", args=[community.slug])
    MembershipFactory.create_batch(3, community=community)
    with django_assert_max_num_queries(8):
        client.get(url)
    MembershipFactory.create_batch(30, community=community)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_signed_out_visitor_is_sent_to_sign_in(community, client):
    response = client.get(reverse("communities:home", args=[community.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_expire_invitations_task_tidies_unused_memberships(community, org_b, sec):
    import datetime

    from django.utils import timezone

    from apps.communities.models import Invitation
    from apps.communities.services import invitation_create
    from apps.communities.tasks import expire_invitations

    invitation = invitation_create(community=community, email="late@beta.example.jp",
                                   organization=org_b, role="member", language="ja")
    assert expire_invitations() == 0
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1))
    assert expire_invitations() == 1
    assert expire_invitations() == 0  # idempotent
    assert Membership.objects.get(pk=invitation.membership_id).status == MembershipStatus.LEFT


def test_last_secretariat_cannot_give_up_the_role(community, sec, alice):
    from apps.communities.services import membership_change_role

    with pytest.raises(ValidationError, match="no secretariat left"):
        membership_change_role(membership=_membership(sec, community), role="member")
    assert _membership(sec, community).role == "secretariat"
    membership_change_role(membership=_membership(alice, community), role="secretariat")
    membership_change_role(membership=_membership(sec, community), role="member")
    assert _membership(sec, community).role == "member"
