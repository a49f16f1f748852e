"""The secretariat's settings page: what e-mail may say of TLP:AMBER items, whether the
community's counts go into the federation summary, how members are admitted — each change
recorded in the audit trail; nobody else may change them."""

import pytest
from django.urls import reverse

from apps.audit.models import Action, AuditEvent
from apps.communities.models import Community

pytestmark = pytest.mark.django_db


def url(community):
    return reverse("communities:settings", args=[community.slug])


def test_the_secretariat_changes_the_settings_and_the_trail_says_what(client_for, sec,
                                                                      community):
    form = {"default_language": "ja", "requires_approval": "", "amber_titles_in_email": "on",
            "counts_in_federation_summary": ""}
    response = client_for(sec).post(url(community), form, follow=True)
    assert "The settings are saved." in response.content.decode()
    community = Community.objects.get(pk=community.pk)
    assert community.amber_titles_in_email and not community.counts_in_federation_summary
    (event,) = AuditEvent.objects.filter(action=Action.SETTINGS_CHANGED)
    assert event.actor == sec and event.community_id == community.pk
    assert event.detail["amber_titles_in_email"] == {"from": False, "to": True}
    again = client_for(sec).post(url(community), form, follow=True)
    assert "Nothing was changed." in again.content.decode()
    assert AuditEvent.objects.filter(action=Action.SETTINGS_CHANGED).count() == 1


def test_only_the_secretariat_sees_the_page(client_for, alice, outsider, community):
    assert client_for(alice).get(url(community)).status_code == 404
    assert client_for(outsider).get(url(community)).status_code == 404
    assert client_for(alice).post(url(community), {"amber_titles_in_email": "on"}
                                  ).status_code == 404
    assert not Community.objects.get(pk=community.pk).amber_titles_in_email


def test_the_change_reads_in_the_audit_trail(client_for, sec, community):
    client = client_for(sec)
    client.post(url(community), {"default_language": "ja", "amber_titles_in_email": "on",
                                 "counts_in_federation_summary": "on"})
    page = client.get(reverse("communities:audit", args=[community.slug]))
    assert page.status_code == 200
    assert "Changed the community&#x27;s settings" in page.content.decode()
