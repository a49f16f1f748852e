"""The secretariat onboards a member entirely in the portal, and every bad link is refused
with a clear page while nothing changes."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.communities.models import (
    AgreementAcceptance,
    Invitation,
    Membership,
    MembershipStatus,
    Organization,
)
from apps.communities.services import invitation_create

pytestmark = pytest.mark.django_db(transaction=False)


def _invite(client, community, org, email="new@delta.example.jp", language="en", **extra):
    data = {"email": email, "name": "New Person", "organization": org.pk, "role": "member",
            "language": language, **extra}
    with_callbacks = client.post(reverse("communities:invite", args=[community.slug]), data)
    return with_callbacks


def _link_from_mail(message) -> str:
    match = re.search(r"(/invite/[0-9a-f]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def invited(community, org_b, sec, client_for, django_capture_on_commit_callbacks):
    """An invitation sent through the secretariat's form; returns (link, invitation)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client_for(sec), community, org_b)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new@delta.example.jp")
    return _link_from_mail(mail.outbox[-1]), invitation


def test_invitation_email_is_in_the_invitees_language_with_single_use_link(invited):
    link, invitation = invited
    message = mail.outbox[-1]
    assert message.to == ["new@delta.example.jp"]
    assert "Invitation to Financial ISAC" in message.subject  # English, as chosen
    assert link in message.body
    # The token itself is never stored: only its hash.
    token = link.strip("/").split("/")[-1]
    assert token not in invitation.token_hash
    assert Invitation.objects.filter(token_hash__contains=token).count() == 0


def test_invitation_email_in_japanese(community, org_b, sec, client_for,
                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client_for(sec), community, org_b, email="ja@delta.example.jp", language="ja")
    assert "金融ISAC" in mail.outbox[-1].subject


def test_invitation_expires_after_14_days_by_default(invited):
    _link, invitation = invited
    delta = invitation.expires_at - invitation.created_at
    assert datetime.timedelta(days=13, hours=23) < delta <= datetime.timedelta(days=14)


def test_full_journey_new_member_becomes_active(invited, client, community):
    link, invitation = invited
    membership = invitation.membership
    assert membership.status == MembershipStatus.INVITED

    page = client.get(link)
    assert page.status_code == 200
    response = client.post(link, {"display_name": "新しい人", "language": "ja",
                                  "password1": "a-long-Passphrase-42",
                                  "password2": "a-long-Passphrase-42"})
    assert response.status_code == 302
    assert response["Location"] == reverse("communities:agreement", args=[community.slug])
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.AWAITING_AGREEMENT

    # Until the agreement is accepted, the community itself is closed.
    home = client.get(reverse("communities:home", args=[community.slug]))
    assert home.status_code == 302 and "agreement" in home["Location"]

    agreement_url = reverse("communities:agreement", args=[community.slug])
    response = client.post(agreement_url, {"accept_agreement": "on",
                                           "acknowledge_briefing": "on"},
                           REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    acceptance = AgreementAcceptance.objects.get(user=membership.user)
    assert acceptance.agreement == community.current_agreement
    assert acceptance.ip_address == "203.0.113.7"
    assert acceptance.accepted_at is not None
    assert membership.briefing_acknowledged_at is not None
    assert client.get(reverse("communities:home", args=[community.slug])).status_code == 200
    # Active now: the community's GREEN items reach the new member at once.
    from apps.incidents.services import incident_create
    from apps.sharing.selectors import can_view

    author = Membership.objects.filter(community=community, status="active").exclude(
        pk=membership.pk).first().user
    item = incident_create(author=author, community=community, title="t", category="other",
                           tlp="GREEN")
    assert can_view(membership.user, item)


def test_agreement_not_accepted_changes_nothing(invited, client, community):
    link, invitation = invited
    client.post(link, {"display_name": "X", "language": "en",
                       "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"})
    response = client.post(reverse("communities:agreement", args=[community.slug]),
                           {"acknowledge_briefing": "on"})
    assert response.status_code == 200
    assert "You must accept the agreement" in response.content.decode()
    invitation.membership.refresh_from_db()
    assert invitation.membership.status == MembershipStatus.AWAITING_AGREEMENT
    assert not AgreementAcceptance.objects.filter(user=invitation.membership.user).exists()


def test_agreement_page_speaks_the_users_language(invited, client, community):
    link, _ = invited
    client.post(link, {"display_name": "X", "language": "ja",
                       "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"})
    response = client.post(reverse("communities:agreement", args=[community.slug]), {})
    body = response.content.decode()
    assert "TLP:AMBER+STRICT" in body  # labels are never translated
    assert response.wsgi_request.LANGUAGE_CODE == "ja"


def test_community_requiring_approval_waits_for_secretariat(invited, client, community, sec,
                                                            client_for):
    community.requires_approval = True
    community.save()
    link, invitation = invited
    client.post(link, {"display_name": "X", "language": "en",
                       "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"})
    client.post(reverse("communities:agreement", args=[community.slug]),
                {"accept_agreement": "on", "acknowledge_briefing": "on"})
    membership = Membership.objects.get(pk=invitation.membership_id)
    assert membership.status == MembershipStatus.PENDING_APPROVAL
    assert client.get(reverse("communities:home", args=[community.slug])).status_code == 403

    client_for(sec).post(reverse("communities:membership_action",
                                 args=[community.slug, membership.pk, "approve"]))
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert client.get(reverse("communities:home", args=[community.slug])).status_code == 200


def test_reused_link_is_refused_and_changes_nothing(invited, client):
    link, invitation = invited
    client.post(link, {"display_name": "X", "language": "en",
                       "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"})
    other = type(client)(HTTP_ACCEPT_LANGUAGE="en")
    response = other.post(link, {"display_name": "Y", "language": "en",
                                 "password1": "another-Passphrase-99",
                                 "password2": "another-Passphrase-99"})
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    user = invitation.membership.user
    user.refresh_from_db()
    assert user.display_name == "X"
    assert user.check_password("a-long-Passphrase-42")


def test_expired_link_is_refused(invited, client):
    link, invitation = invited
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(link)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    response = client.post(link, {"display_name": "X", "language": "en",
                                  "password1": "a-long-Passphrase-42",
                                  "password2": "a-long-Passphrase-42"})
    assert response.status_code == 400
    invitation.membership.user.refresh_from_db()
    assert not invitation.membership.user.has_usable_password()
    assert Membership.objects.get(pk=invitation.membership_id).status == MembershipStatus.INVITED


def _tamper(token: str, how: str) -> str:
    """Change the token the way an attacker (or a mangling mail client) would; whatever the
    token is, the result differs from it (the token is random: replacing its last character
    by a fixed one would change nothing one time in sixteen)."""
    if how == "last character":
        return token[:-1] + ("1" if token[-1] == "0" else "0")
    if how == "first character":
        return ("1" if token[0] == "0" else "0") + token[1:]
    if how == "tail":
        tail = "deadbeef" if not token.endswith("deadbeef") else "beefdead"
        return token[:-len(tail)] + tail
    if how == "truncated":
        return token[:-1]
    if how == "extended":
        return token + "0"
    return "x" * len(token)  # "replaced"


@pytest.mark.parametrize(
    "how", ["last character", "first character", "tail", "truncated", "extended", "replaced"]
)
def test_tampered_link_is_refused(invited, client, how):
    link, _ = invited
    token = link.strip("/").split("/")[-1]
    tampered = _tamper(token, how)
    assert tampered != token
    response = client.get(f"/invite/{tampered}/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


@pytest.mark.parametrize("how", ["last character", "first character", "tail"])
@pytest.mark.parametrize("token", ["0" * 64, "1" * 64, "ab" * 28 + "deadbeef"])
def test_tampering_always_changes_the_token(token, how):
    """Tokens ending (or starting) in the very character the tampering writes."""
    assert _tamper(token, how) != token


def test_tampered_link_page_in_japanese(client):
    response = client.get("/invite/abc/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400
    assert "招待" in response.content.decode()


def test_signed_in_user_with_another_email_is_refused(invited, alice, client_for):
    link, invitation = invited
    response = client_for(alice).post(link, {})
    assert response.status_code == 400
    assert "new@delta.example.jp" in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_existing_account_signs_in_then_accepts(community, other_community, org_c, outsider,
                                                client, password,
                                                django_capture_on_commit_callbacks):
    """A person already on Renkei (another community) keeps their password."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(community=community, email=outsider.email,
                                       organization=org_c, role="advisor", language="en")
    link = _link_from_mail(mail.outbox[-1])
    response = client.get(link)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.login(email=outsider.email, password=password)
    assert client.post(link, {}).status_code == 302
    assert Membership.objects.get(pk=invitation.membership_id).status == (
        MembershipStatus.AWAITING_AGREEMENT)
    assert outsider.check_password(password)


def test_weak_password_is_refused_with_message(invited, client):
    link, invitation = invited
    response = client.post(link, {"display_name": "X", "language": "en",
                                  "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 400
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_resend_revokes_the_old_link(invited, community, sec, client_for, client,
                                     django_capture_on_commit_callbacks):
    old_link, invitation = invited
    with django_capture_on_commit_callbacks(execute=True):
        client_for(sec).post(reverse("communities:invitation_action",
                                     args=[community.slug, invitation.pk, "resend"]))
    new_link = _link_from_mail(mail.outbox[-1])
    assert new_link != old_link
    assert "withdrawn" in client.get(old_link).content.decode()
    assert client.get(new_link).status_code == 200


def test_invite_creates_a_new_organisation(community, sec, client_for,
                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(sec).post(reverse("communities:invite", args=[community.slug]), {
            "email": "ceo@epsilon.example.jp", "name": "",
            "new_organization_name": "イプシロン保険",
            "new_organization_slug": "epsilon", "new_organization_sector": "finance",
            "role": "member", "language": "ja"})
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="ceo@epsilon.example.jp")
    assert membership.organization.slug == "epsilon"
    assert len(mail.outbox) == 1


def test_a_refused_invitation_leaves_no_new_organisation_behind(community, sec, alice,
                                                               client_for):
    response = client_for(sec).post(reverse("communities:invite", args=[community.slug]), {
        "email": alice.email, "name": "", "new_organization_name": "イプシロン保険",
        "new_organization_slug": "epsilon", "new_organization_sector": "finance",
        "role": "member", "language": "ja"})
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert not Organization.objects.filter(slug="epsilon").exists()


def test_inviting_an_active_member_is_refused(community, sec, alice, org_a, client_for):
    response = _invite(client_for(sec), community, org_a, email=alice.email)
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_only_the_secretariat_reaches_onboarding_screens(community, alice, outsider, client_for):
    for name in ["manage_members", "invite", "import", "manage_invitations",
                 "organization_create", "agreement_publish"]:
        url = reverse(f"communities:{name}", args=[community.slug])
        assert client_for(alice).get(url).status_code == 404, name
        assert client_for(outsider).get(url).status_code == 404, name
