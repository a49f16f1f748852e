"""Every membership change is recorded, by whichever path: the secretariat's pages, the API,
onboarding, the expiry job, and the admin (single save, inline on the community page, single
delete, "delete selected")."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.forms import CheckboxInput, MultiWidget
from django.utils import timezone

from apps.audit.models import Action
from apps.communities.models import Invitation, Membership
from apps.communities.services import (
    agreement_accept,
    agreement_publish,
    invitation_accept,
    invitation_create,
    membership_change_role,
    membership_decide,
)
from apps.communities.tasks import expire_invitations

pytestmark = pytest.mark.django_db


def membership_of(user, community):
    return Membership.objects.get(user=user, community=community)


# --- services, pages and the API ------------------------------------------------------

def test_inviting_records_an_added_membership(sec, community, org_b, trail):
    invitation = invitation_create(community=community, email="new@beta.example.jp",
                                   organization=org_b, role="member", language="en",
                                   invited_by=sec)
    [event] = trail(action=Action.MEMBERSHIP_ADDED)
    assert event.actor == sec and event.community == community
    assert event.target_id == str(invitation.membership_id)
    assert event.target_label == "new@beta.example.jp"
    assert event.detail == {"member": "new@beta.example.jp", "organization": "org-b",
                            "role": "member", "status": "invited"}


def test_onboarding_steps_are_recorded_as_changes(sec, community, org_b, trail):
    invitation = invitation_create(community=community, email="new@beta.example.jp",
                                   organization=org_b, role="member", language="en",
                                   invited_by=sec)
    user = invitation.membership.user
    membership = invitation_accept(invitation=invitation, user=user, password="x" * 12)
    agreement_accept(membership=membership, agreement=community.current_agreement,
                     briefing_acknowledged=True)
    changes = trail(action=Action.MEMBERSHIP_CHANGED)
    assert [e.detail["status"] for e in changes] == [
        ["invited", "awaiting_agreement"], ["awaiting_agreement", "active"]]
    assert {e.actor for e in changes} == {user}


@pytest.mark.parametrize(("decision", "action", "status"), [
    ("suspend", Action.MEMBERSHIP_CHANGED, ["active", "suspended"]),
    ("remove", Action.MEMBERSHIP_REMOVED, ["active", "left"]),
])
def test_secretariat_decisions_are_recorded(decision, action, status, sec, bob, community,
                                            trail):
    membership_decide(membership=membership_of(bob, community), action=decision, actor=sec)
    [event] = trail(action=action)
    assert event.actor == sec and event.detail["status"] == status
    assert event.detail["member"] == bob.email


def test_a_refused_decision_records_nothing(sec, community, trail):
    before = len(trail())
    with pytest.raises(Exception):  # noqa: B017 - the service refuses; what matters is below
        membership_decide(membership=membership_of(sec, community), action="remove", actor=sec)
    assert len(trail()) == before


def test_a_role_and_organisation_change_is_recorded(sec, bob, org_c, community, trail):
    membership_change_role(membership=membership_of(bob, community), role="advisor",
                           organization=org_c, actor=sec)
    [event] = trail(action=Action.MEMBERSHIP_CHANGED)
    assert event.actor == sec
    assert event.detail == {"member": bob.email, "organization": ["org-b", "org-c"],
                            "role": ["member", "advisor"]}


def test_the_manage_page_records_a_role_change_from_the_browser(sec, bob, community,
                                                               client_for, trail):
    membership = membership_of(bob, community)
    response = client_for(sec).post(
        f"/c/{community.slug}/manage/members/{membership.pk}/role/",
        {"role": "observer", "confirm": "1", "reason": "Reader only"},
        REMOTE_ADDR="192.0.2.5")
    assert response.status_code == 302
    [event] = trail(action=Action.MEMBERSHIP_CHANGED)
    assert event.actor == sec and event.ip_address == "192.0.2.5"
    assert event.detail["role"] == ["member", "observer"]
    assert event.detail["reason"] == "Reader only"


def test_the_manage_page_records_a_suspension(sec, bob, community, client_for, trail):
    membership = membership_of(bob, community)
    client_for(sec).post(f"/c/{community.slug}/manage/members/{membership.pk}/suspend/",
                         {"confirm": "1", "reason": "Under review"})
    [event] = trail(action=Action.MEMBERSHIP_CHANGED)
    assert event.actor == sec and event.detail["status"] == ["active", "suspended"]


def test_the_api_records_a_role_change_and_a_removal(sec, bob, community, client_for, trail):
    membership = membership_of(bob, community)
    client = client_for(sec)
    response = client.patch(f"/api/v1/memberships/{membership.pk}/",
                            json.dumps({"role": "advisor"}), content_type="application/json")
    assert response.status_code == 200, response.content
    response = client.post(f"/api/v1/memberships/{membership.pk}/remove/")
    assert response.status_code == 200, response.content
    assert [(e.action, e.actor) for e in trail(action__startswith="membership")] == [
        (Action.MEMBERSHIP_CHANGED, sec), (Action.MEMBERSHIP_REMOVED, sec)]


def test_publishing_an_agreement_records_every_member_sent_back_to_it(
        sec, alice, bob, community, trail):
    agreement_publish(community=community, title="v2", body="…", author=sec)
    events = trail(action=Action.MEMBERSHIP_CHANGED)
    assert {e.detail["member"] for e in events} == {sec.email, alice.email, bob.email}
    assert {tuple(e.detail["status"]) for e in events} == {("active", "awaiting_agreement")}


def test_the_expiry_job_records_the_members_it_tidies(sec, community, org_b, trail):
    invitation = invitation_create(community=community, email="late@beta.example.jp",
                                   organization=org_b, role="member", language="en",
                                   invited_by=sec)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1))
    assert expire_invitations() == 1
    [event] = trail(action=Action.MEMBERSHIP_REMOVED)
    assert event.actor is None and event.detail["via"] == "expiry"
    assert event.detail["status"] == ["invited", "left"]


# --- the admin -------------------------------------------------------------------------

@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root@renkei.example", "x" * 12)


def _form_data(form, data: dict) -> None:
    for bound in form:
        widget, value = bound.field.widget, bound.value()
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, part in enumerate(parts):
                data[f"{bound.html_name}_{index}"] = "" if part is None else part
        elif isinstance(widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = value


def admin_post_data(response, **changes) -> dict:
    """What the admin's change page would send back unchanged, then ``changes``."""
    data: dict = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    data.update(changes)
    return data


def test_admin_single_save_records_the_change(root, bob, community, client_for, trail):
    membership = membership_of(bob, community)
    client = client_for(root)
    url = f"/admin/communities/membership/{membership.pk}/change/"
    response = client.post(url, admin_post_data(client.get(url), role="observer",
                                                 status="suspended"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    [event] = trail(action=Action.MEMBERSHIP_CHANGED)
    assert event.actor == root and event.detail["via"] == "admin"
    assert event.detail["role"] == ["member", "observer"]
    assert event.detail["status"] == ["active", "suspended"]


def test_admin_moving_a_membership_tells_both_communities(root, bob, community,
                                                          other_community, client_for, trail):
    membership = membership_of(bob, community)
    client = client_for(root)
    url = f"/admin/communities/membership/{membership.pk}/change/"
    response = client.post(url, admin_post_data(client.get(url),
                                                community=str(other_community.pk)))
    assert response.status_code == 302, response.context["adminform"].form.errors
    removed, changed = trail(action__startswith="membership")
    assert (removed.action, removed.community) == (Action.MEMBERSHIP_REMOVED, community)
    assert (changed.action, changed.community) == (Action.MEMBERSHIP_CHANGED, other_community)
    assert changed.detail["community"] == ["fin-isac", "ict-isac"]


def test_admin_add_records_an_added_membership(root, outsider, community, org_c, client_for,
                                               trail):
    client = client_for(root)
    url = "/admin/communities/membership/add/"
    data = admin_post_data(client.get(url), community=str(community.pk),
                           user=str(outsider.pk), organization=str(org_c.pk), role="member",
                           status="active")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [event] = trail(action=Action.MEMBERSHIP_ADDED)
    assert event.community == community and event.detail["member"] == outsider.email


def test_admin_single_delete_records_the_removal(root, bob, community, client_for, trail):
    membership = membership_of(bob, community)
    response = client_for(root).post(
        f"/admin/communities/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    [event] = trail(action=Action.MEMBERSHIP_REMOVED)
    assert event.actor == root and event.target_id == str(membership.pk)
    assert event.detail["deleted"] is True and event.detail["member"] == bob.email


def test_admin_delete_selected_records_every_removal(root, alice, bob, carol, community,
                                                     client_for, trail):
    pks = [membership_of(user, community).pk for user in (alice, bob, carol)]
    response = client_for(root).post("/admin/communities/membership/", {
        "action": "delete_selected", "_selected_action": [str(pk) for pk in pks],
        "post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk__in=pks).exists()
    events = trail(action=Action.MEMBERSHIP_REMOVED)
    assert sorted(int(e.target_id) for e in events) == sorted(pks)
    assert {e.actor for e in events} == {root}
    assert {e.detail["member"] for e in events} == {alice.email, bob.email, carol.email}


def _inline_prefix(response) -> str:
    [inline] = [i for i in response.context["inline_admin_formsets"]
                if i.formset.model is Membership]
    return inline.formset.prefix


def _inline_row(data, prefix, membership) -> int:
    index = next(i for i in range(int(data[f"{prefix}-TOTAL_FORMS"]))
                 if str(data.get(f"{prefix}-{i}-id")) == str(membership.pk))
    return index


def test_admin_inline_save_records_added_changed_and_deleted(root, alice, bob, carol,
                                                             outsider, org_c, community,
                                                             client_for, trail):
    client = client_for(root)
    url = f"/admin/communities/community/{community.pk}/change/"
    page = client.get(url)
    prefix = _inline_prefix(page)
    data = admin_post_data(page)
    changed = _inline_row(data, prefix, membership_of(alice, community))
    deleted = _inline_row(data, prefix, membership_of(bob, community))
    data[f"{prefix}-{changed}-role"] = "advisor"
    data[f"{prefix}-{deleted}-DELETE"] = "on"
    new = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(new + 1)
    data.update({f"{prefix}-{new}-user": str(outsider.pk),
                 f"{prefix}-{new}-organization": str(org_c.pk),
                 f"{prefix}-{new}-role": "member", f"{prefix}-{new}-status": "active",
                 f"{prefix}-{new}-community": str(community.pk)})
    response = client.post(url, data)
    assert response.status_code == 302, [f.errors for i in response.context[
        "inline_admin_formsets"] for f in i.formset.forms]
    events = trail(action__startswith="membership")
    by_action = {e.action: e for e in events}
    assert len(events) == 3 and {e.actor for e in events} == {root}
    assert by_action[Action.MEMBERSHIP_CHANGED].detail["role"] == ["member", "advisor"]
    assert by_action[Action.MEMBERSHIP_REMOVED].detail["member"] == bob.email
    assert by_action[Action.MEMBERSHIP_ADDED].detail["member"] == outsider.email
    assert {e.detail["via"] for e in events} == {"admin"}
