"""Who sees an item, told as the things that happen to people: sharing, suspension,
changed minds, refused choices, anonymity, and the superuser who gets nothing extra."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from apps.communities.models import Federation, Membership
from apps.incidents.models import (
    Incident,
    IncidentGroupObjectPermission,
    IncidentUserObjectPermission,
)
from apps.sharing.models import AudienceChange
from apps.sharing.selectors import (
    audience_count,
    can_view,
    recipients_of,
    source_label,
    visible_to,
)
from apps.sharing.services import audience_set
from apps.sharing.tlp import TLP
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

COMMUNITY = {"alice", "bob", "carol", "sec", "olive"}


def _set_status(user, community, status):
    membership = Membership.objects.get(user=user, community=community)
    membership.status = status
    membership.save()


def test_clear_is_seen_by_everyone_even_signed_out(share, alice, seers):
    item = share(alice, TLP.CLEAR)
    assert seers(item) == COMMUNITY | {"sam", "outsider"}
    assert can_view(AnonymousUser(), item)


def test_signed_out_visitors_see_clear_only(share, alice, bob):
    share(alice, TLP.GREEN)
    share(alice, TLP.RED, users=[bob])
    clear = share(alice, TLP.CLEAR)
    assert list(visible_to(AnonymousUser(), Incident.objects.all())) == [clear]


def test_green_reaches_every_active_member_of_the_community(share, alice, seers):
    assert seers(share(alice, TLP.GREEN)) == COMMUNITY


def test_amber_reaches_the_chosen_organisations_and_always_the_authors_own(
    share, alice, org_b, seers
):
    item = share(alice, TLP.AMBER, organizations=[org_b])
    assert seers(item) == {"alice", "sec", "bob", "olive"}
    assert recipients_of(item).organizations == {org_b.pk, alice.memberships.get().organization_id}


def test_amber_by_default_reaches_every_member_organisation_minus_exclusions(
    share, alice, org_a, org_c, cast, seers
):
    assert seers(share(alice, TLP.AMBER)) == COMMUNITY
    assert seers(share(alice, TLP.AMBER_STRICT, organizations=[org_a, org_c])) == {
        "alice",
        "sec",
        "carol",
    }


def test_red_reaches_the_named_people_and_the_author_only(share, alice, carol, seers):
    assert seers(share(alice, TLP.RED, users=[carol])) == {"alice", "carol"}


def test_suspended_member_loses_amber_items_at_once(share, alice, bob, org_b, community, seers):
    item = share(alice, TLP.AMBER, organizations=[org_b])
    assert can_view(bob, item)
    _set_status(bob, community, "suspended")
    assert not can_view(bob, item)
    assert "bob" not in seers(item)


def test_suspended_red_recipient_loses_the_item_at_once(share, alice, carol, community):
    item = share(alice, TLP.RED, users=[carol])
    _set_status(carol, community, "suspended")
    assert not can_view(carol, item)
    _set_status(carol, community, "active")
    assert can_view(carol, item)


def test_a_red_grant_does_not_follow_the_recipient_into_another_community(
    share, alice, carol, community, other_community, org_c
):
    item = share(alice, TLP.RED, users=[carol])
    Membership.objects.create(
        community=other_community, user=carol, organization=org_c, status="active"
    )
    _set_status(carol, community, "left")
    assert not can_view(carol, item)


def test_removing_an_organisation_from_the_audience(share, alice, org_b, org_c, seers):
    item = share(alice, TLP.AMBER, organizations=[org_b, org_c])
    assert {"bob", "carol"} <= seers(item)
    audience_set(item=item, actor=alice, tlp=TLP.AMBER, organizations=[org_b])
    assert seers(item) == {"alice", "sec", "bob", "olive"}


def test_removing_an_organisation_from_the_community_ends_its_access(
    share, alice, carol, org_c, community
):
    item = share(alice, TLP.GREEN)
    Membership.objects.filter(organization=org_c, community=community).update(status="left")
    for membership in Membership.objects.filter(organization=org_c, community=community):
        membership.save()
    assert not can_view(carol, item)


def test_changing_the_label_recomputes_grants_and_is_recorded(share, alice, bob, community, seers):
    item = share(alice, TLP.RED, users=[bob])
    assert IncidentUserObjectPermission.objects.filter(content_object=item).count() == 2
    assert not IncidentGroupObjectPermission.objects.filter(content_object=item).exists()

    change = audience_set(item=item, actor=alice, tlp=TLP.GREEN)

    assert seers(item) == COMMUNITY
    assert IncidentUserObjectPermission.objects.filter(content_object=item).count() == 1
    assert IncidentGroupObjectPermission.objects.filter(content_object=item).count() == 1
    assert (change.actor, change.from_tlp, change.to_tlp) == (alice, TLP.RED, TLP.GREEN)
    assert change.from_audience["users"] == [bob.pk]
    assert change.lowered
    history = AudienceChange.objects.filter(object_id=item.pk).order_by("pk")
    assert [(c.from_tlp, c.to_tlp) for c in history] == [("", "RED"), ("RED", "GREEN")]


def test_raising_the_label_takes_effect_at_once(share, alice, bob, seers):
    item = share(alice, TLP.CLEAR)
    audience_set(item=item, actor=alice, tlp=TLP.RED, users=[bob])
    assert seers(item) == {"alice", "bob"}
    assert not can_view(AnonymousUser(), item)


def test_setting_the_same_audience_again_records_nothing(share, alice, bob, org_b):
    item = share(alice, TLP.AMBER, organizations=[org_b])
    assert audience_set(item=item, actor=alice, tlp="AMBER", organizations=[org_b]) is None


@pytest.mark.parametrize(
    ("tlp", "choice", "field"),
    [
        (TLP.RED, {"organizations": ["org_b"]}, "organizations"),
        (TLP.AMBER, {"users": ["bob"]}, "users"),
        (TLP.GREEN, {"organizations": ["org_b"]}, "organizations"),
        (TLP.CLEAR, {"users": ["bob"]}, "organizations"),
        (TLP.AMBER, {"federated": True}, "federated"),
        (TLP.AMBER_STRICT, {"federated": True}, "federated"),
        (TLP.RED, {"federated": True}, "federated"),
        (TLP.GREEN, {"federated": True}, "federated"),  # fin-isac is in no federation
        (TLP.RED, {"users": ["outsider"]}, "users"),
        (TLP.AMBER, {"organizations": ["stranger_org"]}, "organizations"),
    ],
)
def test_grants_the_label_does_not_allow_are_refused_and_leave_nothing_behind(
    request, share, alice, tlp, choice, field
):
    request.getfixturevalue("outsider")
    request.getfixturevalue("bob")
    fixtures = {"stranger_org": lambda: OrganizationFactory(slug="stranger")}
    resolved = {
        key: (
            value
            if isinstance(value, bool)
            else [fixtures[v]() if v in fixtures else request.getfixturevalue(v) for v in value]
        )
        for key, value in choice.items()
    }
    with pytest.raises(ValidationError) as refused:
        share(alice, tlp, **resolved)
    assert field in refused.value.message_dict
    assert not Incident.objects.exists()
    assert not IncidentUserObjectPermission.objects.exists()
    assert not AudienceChange.objects.exists()


def test_refusals_are_translated_but_labels_are_not(share, alice, org_b):
    with translation.override("ja"), pytest.raises(ValidationError) as refused:
        share(alice, TLP.RED, organizations=[org_b])
    assert "TLP:RED" in refused.value.message_dict["organizations"][0]


def test_a_refused_change_keeps_the_previous_audience(share, alice, bob, org_b, seers):
    item = share(alice, TLP.AMBER, organizations=[org_b])
    before = seers(item)
    with pytest.raises(ValidationError):
        audience_set(item=item, actor=alice, tlp=TLP.RED, organizations=[org_b])
    item.refresh_from_db()
    assert item.tlp == TLP.AMBER
    assert seers(item) == before


def test_only_the_author_or_the_secretariat_changes_the_audience(share, alice, bob, sec, seers):
    item = share(alice, TLP.AMBER)
    with pytest.raises(PermissionDenied):
        audience_set(item=item, actor=bob, tlp=TLP.CLEAR)
    audience_set(item=item, actor=sec, tlp=TLP.GREEN)
    assert AudienceChange.objects.filter(object_id=item.pk).first().actor == sec


def test_the_secretariat_cannot_open_up_what_it_was_never_shown(share, alice, bob, sec):
    item = share(alice, TLP.RED, users=[bob])
    with pytest.raises(PermissionDenied):
        audience_set(item=item, actor=sec, tlp=TLP.GREEN)


def test_a_suspended_author_can_no_longer_change_the_audience(share, alice, community):
    item = share(alice, TLP.GREEN)
    _set_status(alice, community, "suspended")
    with pytest.raises(PermissionDenied):
        audience_set(item=item, actor=alice, tlp=TLP.CLEAR)


@pytest.mark.parametrize("who", ["olive", "sam", "outsider"])
def test_observers_suspended_members_and_outsiders_do_not_share(request, share, cast, who):
    with pytest.raises(PermissionDenied):
        share(cast[who], TLP.GREEN)
    assert not Incident.objects.exists()


def test_superuser_sees_nothing_extra(share, alice, bob, community):
    root = UserFactory(email="root@renkei.example", is_superuser=True, is_staff=True)
    share(alice, TLP.RED, users=[bob])
    share(alice, TLP.GREEN)
    clear = share(alice, TLP.CLEAR)
    assert list(visible_to(root, Incident.objects.all())) == [clear]


def test_anonymous_source_hidden_except_to_the_secretariat(share, alice, bob, sec, community):
    item = share(alice, TLP.GREEN, anonymous=True)
    with translation.override("en"):
        assert source_label(item, bob) == "via the secretariat"
        assert source_label(item, AnonymousUser()) == "via the secretariat"
        assert source_label(item, sec) == "Alpha Bank"
        assert source_label(item, alice) == "Alpha Bank"
        _set_status(sec, community, "suspended")
        assert source_label(item, sec) == "via the secretariat"
        assert source_label(share(alice, TLP.GREEN), bob) == "Alpha Bank"


def test_federated_green_reaches_the_federation_and_amber_never_does(
    share, alice, outsider, community, other_community, org_a, org_b
):
    federation = Federation.objects.create(slug="fed", name="連携", coordinator=community)
    federation.communities.add(community, other_community)
    assert can_view(outsider, share(alice, TLP.GREEN, federated=True))
    assert not can_view(outsider, share(alice, TLP.GREEN))
    assert not can_view(outsider, share(alice, TLP.AMBER))


def test_audience_count_is_what_the_picker_shows_before_saving(community, cast, alice, bob, org_b):
    def count(tlp, **choice):
        return audience_count(community=community, author=alice, tlp=tlp, **choice)

    assert count(TLP.CLEAR) is None
    assert count(TLP.GREEN) == 5  # sam is suspended, the outsider is elsewhere
    assert count(TLP.AMBER) == 5
    assert count(TLP.AMBER, organizations=[org_b]) == 4  # alice, sec, bob, olive
    assert count(TLP.RED, users=[bob]) == 2
    assert count(TLP.RED) == 1
    with pytest.raises(ValidationError):
        count(TLP.RED, organizations=[org_b])
