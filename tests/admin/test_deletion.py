"""Deleting people, organisations and communities in the admin: refused or explained with
counts per kind, never with the titles, texts or indicator values of shared items."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group

from apps.communities.models import (
    AgreementAcceptance,
    Community,
    GroupKind,
    Membership,
    Organization,
)
from apps.incidents.models import Incident
from tests.admin.conftest import assert_tells_nothing

pytestmark = pytest.mark.django_db


def delete_selected(client, url, objects):
    return client.post(
        url,
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [str(obj.pk) for obj in objects]},
    )


def test_deleting_an_author_is_refused_with_counts_not_titles(world, alice, root, client_for):
    response = client_for(root).get(f"/admin/accounts/user/{alice.pk}/delete/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cannot delete user" in html
    assert "2 incidents" in html
    assert "1 thread" in html
    assert "1 indicator" in html
    assert_tells_nothing(html)
    assert "Alpha Bank" not in html and "アルファ銀行" not in html


def test_delete_selected_people_counts_what_they_wrote(world, alice, bob, root, client_for):
    response = delete_selected(client_for(root), "/admin/accounts/user/", [alice, bob])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cannot delete users" in html
    assert "2 incidents" in html
    assert_tells_nothing(html)
    assert "Alpha Bank" not in html and "アルファ銀行" not in html


def test_confirming_a_refused_deletion_deletes_nothing(world, alice, root, client_for):
    client_for(root).post(f"/admin/accounts/user/{alice.pk}/delete/", {"post": "yes"})
    assert type(alice).objects.filter(pk=alice.pk).exists()


def test_deleting_a_person_without_content_lists_what_goes_by_kind(
    world, carol, root, client_for
):
    client = client_for(root)
    page = client.get(f"/admin/accounts/user/{carol.pk}/delete/").content.decode()
    assert "Are you sure" in page
    assert "1 membership" in page
    client.post(f"/admin/accounts/user/{carol.pk}/delete/", {"post": "yes"})
    assert not type(carol).objects.filter(pk=carol.pk).exists()


def test_deleting_a_source_organisation_is_refused_with_counts(
    world, org_a, root, client_for
):
    response = client_for(root).get(f"/admin/communities/organization/{org_a.pk}/delete/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cannot delete organisation" in html
    assert "2 incidents" in html
    assert "1 thread" in html
    assert_tells_nothing(html)


def test_delete_selected_organisations_counts_not_names(world, org_a, org_b, root, client_for):
    response = delete_selected(
        client_for(root), "/admin/communities/organization/", [org_a, org_b]
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 incidents" in html
    assert_tells_nothing(html)
    assert Organization.objects.filter(pk=org_a.pk).exists()


def test_deleting_a_community_counts_the_content_it_takes_along(
    world, community, root, client_for
):
    # Accepted agreements are proof and protect the community; without them it may go.
    AgreementAcceptance.objects.all().delete()
    client = client_for(root)
    html = client.get(f"/admin/communities/community/{community.pk}/delete/").content.decode()
    assert "Are you sure" in html
    assert "2 incidents" in html
    assert "1 thread" in html
    assert "1 post" in html
    assert_tells_nothing(html)
    bulk = delete_selected(client, "/admin/communities/community/", [community])
    assert_tells_nothing(bulk.content.decode())
    # The operator still administers communities: confirming deletes the tenant.
    client.post(f"/admin/communities/community/{community.pk}/delete/", {"post": "yes"})
    assert not Community.objects.filter(pk=community.pk).exists()
    assert not Incident.objects.exists()


def test_deleting_a_group_counts_the_grants_on_it(world, alice, root, client_for):
    """Grant rows print as "<item title> | view_incident | <group>" in Django's list."""
    group = Group.objects.get(community_group__kind=GroupKind.MEMBERS)
    group.community_group.delete()  # no longer managed: deletable, still granted to
    html = client_for(root).get(f"/admin/auth/group/{group.pk}/delete/").content.decode()
    assert "Are you sure" in html
    assert_tells_nothing(html)


def test_delete_selected_refuses_a_managed_group(world, root, client_for):
    managed = Group.objects.filter(community_group__isnull=False)[:1].get()
    loose = Group.objects.create(name="reviewers")
    client = client_for(root)
    response = delete_selected(client, "/admin/auth/group/", [managed, loose])
    assert "Cannot delete" in response.content.decode()
    client.post(
        "/admin/auth/group/",
        {"action": "delete_selected", "post": "yes",
         ACTION_CHECKBOX_NAME: [str(managed.pk), str(loose.pk)]},
    )
    assert Group.objects.filter(pk__in=[managed.pk, loose.pk]).count() == 2


def test_removing_a_membership_in_the_admin_lists_it_by_name(world, bob, root, client_for):
    membership = Membership.objects.get(user=bob)
    html = client_for(root).get(
        f"/admin/communities/membership/{membership.pk}/delete/"
    ).content.decode()
    assert "Are you sure" in html
    assert str(membership) in html.replace("&#x27;", "'")


def test_every_project_admin_counts_instead_of_naming():
    """A guard for admins added later: every admin of the project's models (and of auth's
    groups and users) explains deletions with counts."""
    from django.contrib import admin

    from portal.admin import CountedDeletionMixin

    for model, model_admin in admin.site._registry.items():
        if model.__module__.startswith("apps.") or model._meta.app_label == "auth":
            assert isinstance(model_admin, CountedDeletionMixin), model
