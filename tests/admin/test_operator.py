"""What the operator keeps: administering communities, organisations, memberships,
federations, agreements and invitations — in a fixed number of queries per page."""

import datetime
import itertools

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.communities.models import (
    AgreementAcceptance,
    Community,
    Federation,
    Invitation,
    Membership,
    Organization,
)
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_operator_creates_an_organisation_and_a_community(root, client_for):
    client = client_for(root)
    response = client.post(
        "/admin/communities/organization/add/",
        {"name": "デルタ電力", "name_en": "Delta Power", "slug": "delta", "sector": "energy"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Organization.objects.filter(slug="delta").exists()
    response = client.post(
        "/admin/communities/community/add/",
        {"name": "電力ISAC", "slug": "power-isac", "kind": "isac", "default_language": "ja",
         "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Community.objects.filter(slug="power-isac").exists()


def test_operator_changes_a_membership(bob, community, root, client_for):
    membership = Membership.objects.get(user=bob)
    response = client_for(root).post(
        f"/admin/communities/membership/{membership.pk}/change/",
        {"community": community.pk, "user": bob.pk, "organization": membership.organization_id,
         "role": "secretariat", "status": "suspended"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    membership.refresh_from_db()
    assert (membership.role, membership.status) == ("secretariat", "suspended")


def test_operator_opens_every_administration_page(world, community, alice, root, client_for):
    client = client_for(root)
    federation = Federation.objects.create(slug="fed", name="連合", coordinator=community)
    federation.communities.add(community)
    for url in (
        "/admin/",
        "/admin/communities/federation/add/",
        f"/admin/communities/federation/{federation.pk}/change/",
        "/admin/communities/agreement/add/",
        f"/admin/communities/agreement/{community.current_agreement.pk}/change/",
        "/admin/communities/invitation/",
        "/admin/communities/invitation/add/",
        f"/admin/communities/community/{community.pk}/change/",
        f"/admin/accounts/user/{alice.pk}/change/",
        f"/admin/accounts/user/{alice.pk}/history/",
        "/admin/auth/group/",
        "/admin/incidents/incident/",
        "/admin/incidents/attacktechnique/",
        "/admin/autocomplete/?app_label=communities&model_name=membership&field_name=user",
    ):
        assert client.get(url).status_code == 200, url


CHANGELISTS = [
    "/admin/communities/membership/",
    "/admin/communities/invitation/",
    "/admin/communities/agreementacceptance/",
    "/admin/communities/federation/",
    "/admin/auth/group/",
    "/admin/accounts/apitoken/",
    "/admin/incidents/incident/",
]


_serial = itertools.count()


def _grow(community, n):
    """n more rows of everything the change lists above show."""
    from apps.accounts.services import token_issue
    from apps.incidents.services import incident_create

    for _ in range(n):
        i = next(_serial)
        organization = OrganizationFactory()
        membership = MembershipFactory(community=community, organization=organization)
        user = membership.user
        token_issue(user=user, name=f"token {i}")
        AgreementAcceptance.objects.create(agreement=community.current_agreement, user=user)
        Invitation.objects.create(
            community=community, membership=membership, email=user.email,
            organization=organization, role="member", language="ja",
            expires_at=timezone.now() + datetime.timedelta(days=3), created_by=user,
        )
        incident_create(author=user, community=community, title=f"Advisory {i}",
                        category="phishing", tlp="CLEAR")
        Federation.objects.create(slug=f"fed-{i}", name=f"連合{i}", coordinator=community,
                                  group=Group.objects.create(name=f"federation:fed-{i}"))


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelists_run_a_fixed_number_of_queries(
    url, community, alice, root, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(root)
    _grow(community, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(community, 12)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
