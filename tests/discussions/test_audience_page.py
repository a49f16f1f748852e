"""The web page that changes a thread's label and recipients: the shared picker, the author
or the secretariat only, recorded by `sharing`, effective on the next request."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from apps.discussions.models import Thread
from apps.sharing.models import AudienceChange
from apps.sharing.tlp import TLP

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast")]


def audience_url(thread):
    return reverse("discussions:audience", args=[thread.community.slug, thread.pk])


def detail_url(thread):
    return reverse("discussions:detail", args=[thread.community.slug, thread.pk])


def changes(thread):
    return AudienceChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Thread), object_id=thread.pk
    ).order_by("pk")


def test_author_opens_the_page_with_the_shared_picker_and_the_current_audience(
    open_thread, alice, org_b, client_for
):
    thread = open_thread(alice, TLP.AMBER, organizations=[org_b])
    response = client_for(alice).get(audience_url(thread))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="audience-picker"' in page  # sharing/_audience_picker.html
    assert "Who will read the thread and every reply" in page
    assert f'name="organizations" value="{org_b.pk}" checked' in page
    assert 'value="AMBER" checked' in page


def test_author_lowers_amber_to_green_and_carol_reads_it_on_the_next_request(
    open_thread, reply, alice, bob, carol, org_b, client_for
):
    thread = open_thread(alice, TLP.AMBER, organizations=[org_b])
    reply(bob, thread, body="Bob replies here")
    assert client_for(carol).get(detail_url(thread)).status_code == 404
    response = client_for(alice).post(audience_url(thread), {"tlp": "GREEN"})
    assert response.status_code == 302
    assert response.url == detail_url(thread)
    carol_page = client_for(carol).get(detail_url(thread))
    assert carol_page.status_code == 200
    assert "Bob replies here" in carol_page.content.decode()  # the replies follow the thread
    last = changes(thread).last()
    assert (last.actor, last.from_tlp, last.to_tlp) == (alice, "AMBER", "GREEN")


def test_author_raises_green_to_red_for_bob_and_carol_loses_it_on_the_next_request(
    open_thread, alice, bob, carol, client_for
):
    thread = open_thread(alice, TLP.GREEN)
    assert client_for(carol).get(detail_url(thread)).status_code == 200
    before = changes(thread).count()
    response = client_for(alice).post(audience_url(thread), {"tlp": "RED", "users": [bob.pk]})
    assert response.status_code == 302
    assert client_for(carol).get(detail_url(thread)).status_code == 404
    assert client_for(bob).get(detail_url(thread)).status_code == 200
    assert changes(thread).count() == before + 1
    last = changes(thread).last()
    assert (last.from_tlp, last.to_tlp, last.actor) == ("GREEN", "RED", alice)
    assert last.to_audience["users"] == [bob.pk]


def test_amber_exclusion_through_the_picker_takes_effect_at_once(
    open_thread, alice, bob, carol, org_b, org_c, client_for
):
    thread = open_thread(alice, TLP.AMBER)  # every member organisation
    assert client_for(carol).get(detail_url(thread)).status_code == 200
    client_for(alice).post(audience_url(thread), {"tlp": "AMBER", "organizations": [org_b.pk]})
    assert client_for(carol).get(detail_url(thread)).status_code == 404
    assert client_for(bob).get(detail_url(thread)).status_code == 200
    thread.refresh_from_db()
    assert {o.slug for o in thread.recipient_organizations.all()} == {"org-a", "org-b"}


def test_secretariat_who_sees_the_thread_changes_it_and_is_recorded_as_the_actor(
    open_thread, alice, sec, carol, client_for
):
    thread = open_thread(alice, TLP.GREEN)
    assert "Change who sees this thread" in client_for(sec).get(detail_url(thread)).content.decode()
    response = client_for(sec).post(audience_url(thread), {"tlp": "AMBER+STRICT"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.tlp == TLP.AMBER_STRICT
    assert changes(thread).last().actor == sec


def test_secretariat_cannot_reach_a_red_thread_it_was_never_shown(
    open_thread, alice, bob, sec, client_for
):
    thread = open_thread(alice, TLP.RED, users=[bob])
    assert client_for(sec).get(audience_url(thread)).status_code == 404
    assert client_for(sec).post(audience_url(thread), {"tlp": "GREEN"}).status_code == 404
    thread.refresh_from_db()
    assert thread.tlp == TLP.RED


def test_reader_who_is_not_the_author_gets_403_and_no_link(
    open_thread, alice, bob, olive, client_for
):
    thread = open_thread(alice, TLP.GREEN)
    for reader in (bob, olive):
        client = client_for(reader)
        assert "Change who sees this thread" not in client.get(detail_url(thread)).content.decode()
        assert client.get(audience_url(thread)).status_code == 403
        assert client.post(audience_url(thread), {"tlp": "CLEAR"}).status_code == 403
    thread.refresh_from_db()
    assert thread.tlp == TLP.GREEN
    assert changes(thread).count() == 1  # the creation only


def test_invisible_thread_is_404_for_members_outsiders_and_suspended(
    open_thread, alice, bob, carol, outsider, sam, client_for
):
    thread = open_thread(alice, TLP.RED, users=[bob])
    assert client_for(carol).get(audience_url(thread)).status_code == 404
    assert client_for(carol).post(audience_url(thread), {"tlp": "CLEAR"}).status_code == 404
    assert client_for(outsider).get(audience_url(thread)).status_code == 404
    assert client_for(sam).get(audience_url(thread)).status_code in (403, 404)
    thread.refresh_from_db()
    assert thread.tlp == TLP.RED


def test_signed_out_visitor_is_sent_to_sign_in(open_thread, alice, client):
    thread = open_thread(alice, TLP.CLEAR)
    response = client.get(audience_url(thread))
    assert response.status_code == 302 and "login" in response.url


def test_author_sees_the_link_on_the_thread_page(open_thread, alice, client_for):
    thread = open_thread(alice, TLP.GREEN)
    page = client_for(alice).get(detail_url(thread)).content.decode()
    assert audience_url(thread) in page


def test_refusal_re_renders_in_japanese_and_changes_nothing(
    open_thread, incident, alice, bob, carol, client_for
):
    amber = incident(alice, TLP.AMBER)
    thread = open_thread(alice, TLP.AMBER, incident=amber)
    before = list(changes(thread).values_list("pk", flat=True))
    alice.language = "ja"
    alice.save(update_fields=["language"])
    response = client_for(alice).post(audience_url(thread), {"tlp": "GREEN"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "のインシデントについてのスレッドに" in page  # the label rule, in Japanese
    assert "TLP:GREEN" in page  # the label itself is never translated
    assert 'id="audience-picker"' in page
    thread.refresh_from_db()
    assert thread.tlp == TLP.AMBER
    assert list(changes(thread).values_list("pk", flat=True)) == before
    assert client_for(carol).get(detail_url(thread)).status_code == 200  # AMBER: all orgs


def test_invalid_choice_in_the_picker_is_refused_before_the_service(
    open_thread, alice, outsider, carol, client_for
):
    thread = open_thread(alice, TLP.GREEN)
    response = client_for(alice).post(audience_url(thread), {"tlp": "RED", "users": [outsider.pk]})
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    thread.refresh_from_db()
    assert thread.tlp == TLP.GREEN
    assert client_for(carol).get(detail_url(thread)).status_code == 200


def test_saving_the_same_audience_records_nothing_new(open_thread, alice, org_b, client_for):
    thread = open_thread(alice, TLP.AMBER, organizations=[org_b])
    before = changes(thread).count()
    response = client_for(alice).post(
        audience_url(thread), {"tlp": "AMBER", "organizations": [org_b.pk]}
    )
    assert response.status_code == 302
    assert changes(thread).count() == before


def test_anonymous_thread_author_keeps_their_source_hidden_after_a_change(
    open_thread, alice, bob, org_b, client_for
):
    thread = open_thread(alice, TLP.AMBER, organizations=[org_b], anonymous=True)
    client_for(alice).post(audience_url(thread), {"tlp": "GREEN"})
    page = client_for(bob).get(detail_url(thread)).content.decode()
    assert "via the secretariat" in page and "Alpha Bank" not in page
