"""Sightings, feedback, views, lookup and the author's selectors — always within visibility."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.incidents.models import FeedbackAction, Incident, IncidentView, Indicator
from apps.incidents.selectors import (
    achievement_feedback,
    indicator_lookup,
    indicators_visible_to,
    sharing_achievements,
)
from apps.incidents.services import (
    feedback_actions_for,
    feedback_add,
    incident_record_view,
    incident_update,
    indicator_add,
    indicator_remove,
    sighting_add,
)
from apps.sharing.models import AudienceChange
from apps.sharing.selectors import addressed_to

pytestmark = pytest.mark.django_db

C2 = {"type": "ipv4", "value": "185.220.101.4"}


@pytest.fixture
def amber_a_b(incident_for, cast, alice, org_b):
    """alice (org A) shares an AMBER incident with org B only (org C excluded)."""
    return incident_for(alice, "AMBER", organizations=[org_b],
                        indicators=[C2, {"type": "domain", "value": "update-check[.]xyz"}])


# --- indicators and lookup ------------------------------------------------------------------


def test_indicators_are_stored_normalised_and_unique_per_incident(amber_a_b, alice):
    assert set(amber_a_b.indicators.values_list("value", flat=True)) == {
        "185.220.101.4", "update-check.xyz"}
    with pytest.raises(ValidationError):
        indicator_add(incident=amber_a_b, actor=alice, type="domain", value="UPDATE-CHECK(.)xyz")


def test_an_indicator_is_seen_exactly_by_its_incidents_audience(amber_a_b, cast):
    seers = {name for name, user in cast.items()
             if indicators_visible_to(user).filter(incident=amber_a_b).exists()}
    assert seers == {"alice", "bob", "sec", "olive"}


def test_lookup_answers_only_from_incidents_the_asker_may_see(amber_a_b, alice, bob, carol):
    assert [i.incident_id for i in indicator_lookup(user=bob, value="185.220.101[.]4")] == [
        amber_a_b.pk]
    assert not indicator_lookup(user=carol, value="185.220.101.4").exists()
    # Normalised before matching, with or without a type.
    assert indicator_lookup(user=bob, value="Update-Check[.]XYZ", type="domain").exists()
    assert indicator_lookup(user=bob, value="hxxp://nothing[.]example").count() == 0
    assert not indicator_lookup(user=bob, value="185.220.101.4", type="domain").exists()


def test_lookup_finds_corroboration_across_incidents(amber_a_b, incident_for, bob, carol):
    incident_for(carol, "GREEN", indicators=[C2])
    assert indicator_lookup(user=bob, value="185.220.101.4").count() == 2
    assert indicator_lookup(user=carol, value="185.220.101.4").count() == 1


def test_only_author_or_secretariat_add_and_remove_indicators(amber_a_b, alice, bob, sec):
    with pytest.raises(PermissionDenied):
        indicator_add(incident=amber_a_b, actor=bob, type="md5",
                      value="d41d8cd98f00b204e9800998ecf8427e")
    indicator = indicator_add(incident=amber_a_b, actor=sec, type="md5",
                              value="D41D8CD98F00B204E9800998ECF8427E")
    assert indicator.community_id == amber_a_b.community_id
    with pytest.raises(PermissionDenied):
        indicator_remove(indicator=indicator, actor=bob)
    indicator_remove(indicator=indicator, actor=alice)
    assert not Indicator.objects.filter(pk=indicator.pk).exists()


# --- update ---------------------------------------------------------------------------------


def test_update_changes_fields_and_records_the_audience_change(amber_a_b, alice, carol, org_c,
                                                               org_b, bob):
    with pytest.raises(PermissionDenied):
        incident_update(incident=amber_a_b, actor=bob, status="resolved")
    incident_update(incident=amber_a_b, actor=alice, status="contained",
                    sectors=["finance", "ict", "finance"], organizations=[org_b, org_c])
    amber_a_b.refresh_from_db()
    assert amber_a_b.status == "contained"
    assert amber_a_b.sectors == ["finance", "ict"]
    assert indicators_visible_to(carol).filter(incident=amber_a_b).exists()
    change = AudienceChange.objects.filter(object_id=amber_a_b.pk).first()
    assert change.actor == alice and change.to_tlp == "AMBER"


def test_update_keeps_recipients_when_only_a_field_changes(amber_a_b, alice, carol):
    incident_update(incident=amber_a_b, actor=alice, title="新しい題名")
    assert not indicators_visible_to(carol).filter(incident=amber_a_b).exists()


def test_secretariat_cannot_lock_itself_out(incident_for, alice, sec, bob):
    red = incident_for(alice, "RED", users=[sec])
    with pytest.raises(ValidationError):
        incident_update(incident=red, actor=sec, users=[bob])


# --- sightings ------------------------------------------------------------------------------


def test_recipients_sight_an_incident_or_indicator_once_per_organisation(amber_a_b, bob):
    indicator = amber_a_b.indicators.get(type="ipv4")
    sighting = sighting_add(user=bob, incident=amber_a_b, note="同じC2を観測")
    assert sighting.organization.slug == "org-b" and not sighting.show_organization
    with pytest.raises(ValidationError):
        sighting_add(user=bob, incident=amber_a_b)
    on_indicator = sighting_add(user=bob, indicator=indicator, show_organization=True)
    assert on_indicator.incident == amber_a_b


def test_who_cannot_see_cannot_sight_and_observers_do_not(amber_a_b, carol, outsider, olive,
                                                         sam):
    for user in (carol, outsider, sam):
        with pytest.raises(PermissionDenied):
            sighting_add(user=user, incident=amber_a_b)
    with pytest.raises(PermissionDenied):
        sighting_add(user=olive, incident=amber_a_b)


# --- feedback -------------------------------------------------------------------------------


def test_recipients_and_observers_say_what_they_did(amber_a_b, bob, olive):
    feedback_add(user=bob, incident=amber_a_b, action=FeedbackAction.BLOCKED)
    with pytest.raises(ValidationError):
        feedback_add(user=olive, incident=amber_a_b, action=FeedbackAction.BLOCKED)  # same org
    feedback_add(user=olive, incident=amber_a_b, action=FeedbackAction.WARNED_STAFF)


@pytest.mark.parametrize(("tlp", "offered"), [("GREEN", True), ("AMBER", True),
                                              ("AMBER+STRICT", False), ("RED", False)])
def test_passed_to_clients_is_not_offered_for_strict_and_red(incident_for, alice, bob, tlp,
                                                            offered):
    choice = {"users": [bob]} if tlp == "RED" else {}
    incident = incident_for(alice, tlp, **choice)
    assert (FeedbackAction.PASSED_TO_CLIENTS in feedback_actions_for(incident)) is offered
    if offered:
        feedback_add(user=bob, incident=incident, action=FeedbackAction.PASSED_TO_CLIENTS)
    else:
        with pytest.raises(ValidationError):
            feedback_add(user=bob, incident=incident, action=FeedbackAction.PASSED_TO_CLIENTS)


def test_who_cannot_see_cannot_give_feedback(amber_a_b, carol):
    with pytest.raises(PermissionDenied):
        feedback_add(user=carol, incident=amber_a_b, action=FeedbackAction.HUNTED)


# --- views and achievements -----------------------------------------------------------------


def test_views_are_recorded_once_per_organisation_and_only_when_visible(amber_a_b, alice, bob,
                                                                       olive, carol):
    incident_record_view(incident=amber_a_b, user=bob)
    incident_record_view(incident=amber_a_b, user=olive)  # same organisation
    incident_record_view(incident=amber_a_b, user=carol)  # cannot see it
    incident_record_view(incident=amber_a_b, user=alice)  # the author's own
    assert list(IncidentView.objects.values_list("organization__slug", flat=True)) == ["org-b"]


def test_achievements_show_what_each_shared_item_did(amber_a_b, incident_for, alice, bob,
                                                     carol, django_assert_max_num_queries):
    quiet = incident_for(alice, "GREEN")
    incident_for(bob, "GREEN")  # not alice's
    incident_record_view(incident=amber_a_b, user=bob)
    sighting_add(user=bob, incident=amber_a_b)
    sighting_add(user=bob, indicator=amber_a_b.indicators.first())
    feedback_add(user=bob, incident=amber_a_b, action=FeedbackAction.BLOCKED)
    feedback_add(user=bob, incident=amber_a_b, action=FeedbackAction.FOUND_HIT)
    with django_assert_max_num_queries(2):  # alice's audiences, then her items
        rows = {item.pk: item for item in sharing_achievements(alice)}
    assert set(rows) == {amber_a_b.pk, quiet.pk}
    item = rows[amber_a_b.pk]
    assert (item.viewed_by_count, item.sighting_count, item.sighting_total) == (1, 1, 2)
    assert achievement_feedback(item)["blocked"] == 1
    assert achievement_feedback(item)["found_hit"] == 1
    assert achievement_feedback(rows[quiet.pk]) == dict.fromkeys(achievement_feedback(item), 0)


# --- addressed to me ------------------------------------------------------------------------


def test_addressed_to_lists_red_naming_me_and_amber_naming_my_organisation(
    incident_for, cast, alice, bob, carol, olive, org_b, org_c
):
    red_bob = incident_for(alice, "RED", users=[bob])
    red_carol = incident_for(alice, "RED", users=[carol])
    amber_b = incident_for(alice, "AMBER", organizations=[org_b])
    strict_c = incident_for(alice, "AMBER+STRICT", organizations=[org_c])
    incident_for(alice, "GREEN")
    assert set(addressed_to(bob, Incident.objects.all())) == {red_bob, amber_b}
    # her organisation, not her name
    assert set(addressed_to(olive, Incident.objects.all())) == {amber_b}
    assert set(addressed_to(carol, Incident.objects.all())) == {red_carol, strict_c}
    # her own items are not addressed to her
    assert set(addressed_to(alice, Incident.objects.all())) == set()


def test_addressed_to_forgets_a_suspended_member(incident_for, alice, sam):
    incident_for(alice, "RED", users=[sam])
    assert not addressed_to(sam, Incident.objects.all()).exists()
