"""Suspending, removing or changing a member's role is confirmed with a reason; the member
is told by e-mail in their language, and so is a member whose membership is approved."""

import pytest
from django.core import mail
from django.urls import reverse

from apps.audit.models import Action, AuditEvent
from apps.communities.models import Membership, MembershipStatus
from apps.communities.services import membership_decide

pytestmark = pytest.mark.django_db


def _membership(user, community):
    return Membership.objects.get(user=user, community=community)


def _url(community, membership, action):
    return reverse("communities:membership_action", args=[community.slug, membership.pk, action])


def test_suspend_without_confirmation_shows_the_confirmation_page_and_changes_nothing(
        community, alice, sec, client_for):
    membership = _membership(alice, community)
    response = client_for(sec).post(_url(community, membership, "suspend"))
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    assert _membership(alice, community).status == MembershipStatus.ACTIVE
    assert mail.outbox == []


def test_suspend_needs_a_reason(community, alice, sec, client_for):
    membership = _membership(alice, community)
    response = client_for(sec).post(_url(community, membership, "suspend"),
                                    {"confirm": "1", "reason": "  "})
    assert response.status_code == 400
    assert _membership(alice, community).status == MembershipStatus.ACTIVE
    assert mail.outbox == []


def test_suspension_with_reason_is_audited_and_mailed_in_english(
        community, alice, sec, client_for, django_capture_on_commit_callbacks):
    alice.language = "en"
    alice.save()
    membership = _membership(alice, community)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(sec).post(_url(community, membership, "suspend"),
                                        {"confirm": "1", "reason": "Shared AMBER outside"})
    assert response.status_code == 302
    assert _membership(alice, community).status == MembershipStatus.SUSPENDED
    event = AuditEvent.objects.filter(action=Action.MEMBERSHIP_CHANGED,
                                      detail__member=alice.email).latest("at")
    assert event.detail["reason"] == "Shared AMBER outside"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alice.email]
    assert "suspended" in message.subject
    assert "Financial ISAC" in message.subject
    assert "Shared AMBER outside" in message.body


def test_removal_is_mailed_in_japanese_to_a_japanese_speaking_member(
        community, alice, sec, client_for, django_capture_on_commit_callbacks):
    alice.language = "ja"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(sec).post(_url(community, _membership(alice, community), "remove"),
                             {"confirm": "1", "reason": "退職のため"})
    assert _membership(alice, community).status == MembershipStatus.LEFT
    message = mail.outbox[0]
    assert "退職のため" in message.body
    # Written under the member's language: the community's Japanese name, not its English
    # one (the wording itself comes from locale/ja; English where a msgid is untranslated).
    assert "金融ISAC" in message.subject
    assert "Financial ISAC" not in message.subject + message.body


def test_role_change_asks_for_a_reason_then_mails_the_new_role(
        community, alice, sec, client_for, django_capture_on_commit_callbacks):
    alice.language = "en"
    alice.save()
    membership = _membership(alice, community)
    client = client_for(sec)
    page = client.post(_url(community, membership, "role"), {"role": "advisor"})
    assert page.status_code == 200
    assert _membership(alice, community).role == "member"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(community, membership, "role"),
                    {"role": "advisor", "confirm": "1", "reason": "Moved to the CSIRT"})
    assert _membership(alice, community).role == "advisor"
    assert len(mail.outbox) == 1
    assert "Advisor" in mail.outbox[0].body
    assert "Moved to the CSIRT" in mail.outbox[0].body


def test_approval_is_mailed(community, alice, sec, django_capture_on_commit_callbacks):
    alice.language = "en"
    alice.save()
    membership = _membership(alice, community)
    Membership.objects.filter(pk=membership.pk).update(status=MembershipStatus.PENDING_APPROVAL)
    with django_capture_on_commit_callbacks(execute=True):
        membership_decide(membership=membership, action="approve", actor=sec)
    assert len(mail.outbox) == 1
    assert "approved" in mail.outbox[0].subject
    assert reverse("communities:home", args=[community.slug]) in mail.outbox[0].body


def test_confirmation_page_is_secretariat_only(community, alice, bob, client_for):
    url = _url(community, _membership(bob, community), "suspend")
    assert client_for(alice).get(url).status_code == 404
    assert client_for(alice).post(url, {"confirm": "1", "reason": "x"}).status_code == 404
    assert _membership(bob, community).status == MembershipStatus.ACTIVE
