"""Nobody gives themself an audience by hand: the groups the portal manages are read-only,
users' groups and permissions are not editable, and no object-permission admin exists."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from guardian.admin import GuardedModelAdminMixin
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.communities.models import Federation, GroupKind

pytestmark = pytest.mark.django_db


def user_form_data(user, **changes) -> dict:
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "language": user.language,
        "time_zone": user.time_zone,
        "digest_frequency": user.digest_frequency,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return data


@pytest.fixture
def managed(world, community):
    """The community's members group and an organisation group, both carrying grants."""
    return list(Group.objects.filter(community_group__community=community))


def test_a_superuser_cannot_add_themself_to_a_managed_group(managed, root, client_for):
    client = client_for(root)
    url = f"/admin/accounts/user/{root.pk}/change/"
    form = client.get(url).content.decode()
    assert 'name="groups"' not in form
    assert 'name="user_permissions"' not in form
    response = client.post(
        url,
        user_form_data(
            root,
            groups=[str(group.pk) for group in managed],
            user_permissions=[str(Permission.objects.get(codename="view_incident").pk)],
        ),
    )
    assert response.status_code in (302, 403)
    assert not root.groups.exists()
    assert not root.user_permissions.exists()


def test_the_superuser_flag_stays_editable(alice, root, client_for):
    client = client_for(root)
    response = client.post(
        f"/admin/accounts/user/{alice.pk}/change/",
        user_form_data(alice, is_staff="on", is_superuser="on", display_name="Alice"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert alice.is_superuser and alice.display_name == "Alice"


def test_managed_groups_are_shown_read_only(managed, root, client_for):
    client = client_for(root)
    listing = client.get("/admin/auth/group/").content.decode()
    assert "Financial ISAC" in listing  # what each group is managed for
    group = managed[0]
    page = client.get(f"/admin/auth/group/{group.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    permission = Permission.objects.get(codename="view_incident")
    response = client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": "mine now", "permissions": [str(permission.pk)]},
    )
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.name != "mine now" and not group.permissions.exists()
    assert client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Group.objects.filter(pk=group.pk).exists()


def test_a_federation_group_is_managed_too(community, other_community, root, client_for):
    group = Group.objects.create(name="federation:fed")
    Federation.objects.create(slug="fed", name="連合", coordinator=community, group=group)
    response = client_for(root).post(f"/admin/auth/group/{group.pk}/change/", {"name": "x"})
    assert response.status_code == 403


def test_portal_group_names_cannot_be_made_by_hand(root, client_for):
    client = client_for(root)
    response = client.post("/admin/auth/group/add/", {"name": "community:fin-isac:members"})
    assert response.status_code == 200
    assert "kept for the groups the portal manages" in response.content.decode()
    assert not Group.objects.filter(name="community:fin-isac:members").exists()
    assert client.post("/admin/auth/group/add/", {"name": "reviewers"}).status_code == 302


def test_no_admin_grants_object_permissions():
    """guardian's object-permission admin would let an operator grant themself an item."""
    for model, model_admin in admin.site._registry.items():
        assert not isinstance(model_admin, GuardedModelAdminMixin), model
        assert not issubclass(model, (UserObjectPermissionBase, GroupObjectPermissionBase)), model
        assert model is not Permission


def test_managed_group_kinds_are_all_read_only(world, community, root, client_for):
    client = client_for(root)
    for kind in (GroupKind.MEMBERS, GroupKind.ORGANIZATION):
        group = Group.objects.filter(community_group__kind=kind).first()
        response = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "x"})
        assert response.status_code == 403, kind
