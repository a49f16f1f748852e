"""The secretariat's pages: the federation it coordinates, the register of agreement
acceptances, the CSV template, the pending approvals in the navigation. Each is the
secretariat's only; anyone else gets 404, as if the page did not exist."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import Action, AuditEvent
from apps.communities.groups import federation_group
from apps.communities.models import (
    AgreementAcceptance,
    Federation,
    Invitation,
    Membership,
    MembershipStatus,
)
from tests.factories import AgreementFactory, CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def federation(community, other_community):
    federation = Federation.objects.create(slug="jp-fed", name="日本ISAC連合",
                                           name_en="Japan ISAC federation",
                                           coordinator=community)
    federation.communities.add(community, other_community)
    federation_group(federation)
    return federation


def _urls(community, federation):
    slug = community.slug
    return [
        reverse("communities:acceptances", args=[slug]),
        reverse("communities:acceptances_export", args=[slug]),
        reverse("communities:federations", args=[slug]),
        reverse("communities:federation", args=[slug, federation.slug]),
        reverse("communities:import_template", args=[slug]),
    ]


def test_every_page_is_the_secretariats_only(community, federation, sec, alice, olive,
                                             outsider, client_for):
    for url in _urls(community, federation):
        assert client_for(sec).get(url).status_code == 200, url
        for other in (alice, olive, outsider):
            assert client_for(other).get(url).status_code == 404, (url, other)


def test_another_communitys_secretariat_cannot_manage_the_federation(
        community, other_community, federation, org_c, client_for):
    foreign_sec = MembershipFactory(community=other_community, organization=org_c,
                                    role="secretariat").user
    url = reverse("communities:federation", args=[other_community.slug, federation.slug])
    client = client_for(foreign_sec)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "remove_community",
                             "community": community.slug}).status_code == 404
    assert federation.communities.count() == 2


def test_federation_edits_are_audited(community, other_community, federation, sec, alice,
                                      client_for):
    third = CommunityFactory(slug="energy-isac", kind="isac")
    client = client_for(sec)
    url = reverse("communities:federation", args=[community.slug, federation.slug])
    client.post(url, {"action": "add_community", "community": third.slug})
    client.post(url, {"action": "remove_community", "community": other_community.slug})
    client.post(url, {"action": "add_liaison", "email": alice.email})
    assert set(federation.communities.values_list("slug", flat=True)) == {
        community.slug, third.slug}
    assert list(federation.liaisons.all()) == [alice]
    client.post(url, {"action": "remove_liaison", "user": alice.pk})
    assert not federation.liaisons.exists()
    details = list(AuditEvent.objects.filter(
        community=community, action=Action.SETTINGS_CHANGED).order_by("at", "pk")
        .values_list("detail", "actor"))
    assert details == [
        ({"federation": "jp-fed", "communities": {"added": "energy-isac"}}, sec.pk),
        ({"federation": "jp-fed", "communities": {"removed": other_community.slug}}, sec.pk),
        ({"federation": "jp-fed", "liaisons": {"added": alice.email}}, sec.pk),
        ({"federation": "jp-fed", "liaisons": {"removed": alice.email}}, sec.pk),
    ]


def test_coordinator_cannot_leave_and_a_liaison_must_be_a_member(
        community, federation, sec, sam, client_for):
    client = client_for(sec)
    url = reverse("communities:federation", args=[community.slug, federation.slug])
    response = client.post(url, {"action": "remove_community", "community": community.slug},
                           follow=True)
    assert "cannot leave" in response.content.decode()
    response = client.post(url, {"action": "add_liaison", "email": sam.email}, follow=True)
    assert "not an active member" in response.content.decode()  # sam is suspended
    assert federation.communities.filter(pk=community.pk).exists()
    assert not federation.liaisons.exists()
    assert not AuditEvent.objects.filter(action=Action.SETTINGS_CHANGED).exists()


def test_liaisons_added_here_receive_the_summary(community, federation, sec, bob, client_for):
    """The contract of `apps.digests.summaries.summary_recipients` is kept: liaisons are
    `Federation.liaisons`."""
    from apps.digests.models import Summary
    from apps.digests.summaries import summary_recipients

    client_for(sec).post(
        reverse("communities:federation", args=[community.slug, federation.slug]),
        {"action": "add_liaison", "email": bob.email})
    summary = Summary(federation=federation, period="2026-11")
    assert summary_recipients(summary) == [bob.pk]


@pytest.fixture
def register(community, alice, bob, sec):
    """alice and bob accepted v1 (fixtures); v2 is published and only alice accepts it."""
    v1 = community.current_agreement
    AgreementAcceptance.objects.filter(agreement=v1).update(
        accepted_at=timezone.make_aware(datetime.datetime(2026, 4, 1, 10)))
    v2 = AgreementFactory(community=community, version=2, title="=HYPERLINK(\"http://x\")")
    AgreementAcceptance.objects.create(agreement=v2, user=alice, ip_address="192.0.2.7",
                                       accepted_at=timezone.make_aware(
                                           datetime.datetime(2026, 11, 2, 9)))
    return v1, v2


def test_register_filters_by_version_organisation_and_dates(community, register, alice, bob,
                                                            org_b, sec, client_for):
    v1, v2 = register
    client = client_for(sec)
    url = reverse("communities:acceptances", args=[community.slug])

    def emails(params):
        page = client.get(url, params).context["page"]
        return sorted(row.user.email for row in page.object_list)

    assert emails({"agreement": v2.pk}) == [alice.email]
    assert emails({"agreement": v1.pk, "organization": org_b.pk}) == [bob.email]
    assert emails({"date_from": "2026-10-01"}) == [alice.email]
    assert emails({"date_to": "2026-05-01", "organization": org_b.pk}) == [bob.email]


def test_register_is_exported_as_formula_safe_csv_and_the_export_is_audited(
        community, register, alice, sec, client_for):
    _v1, v2 = register
    response = client_for(sec).get(
        reverse("communities:acceptances_export", args=[community.slug]),
        {"agreement": v2.pk})
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][1] == alice.email
    assert rows[1][4] == "'=HYPERLINK(\"http://x\")"  # neutralised
    assert rows[1][5] == "2"
    event = AuditEvent.objects.get(action=Action.EXPORT, community=community)
    assert event.detail["what"] == "agreement_acceptances"
    assert event.detail["rows"] == 1
    assert event.detail["filters"] == {"agreement": str(v2.pk)}


def test_register_query_count_is_constant(community, register, sec, client_for,
                                          django_assert_max_num_queries):
    client = client_for(sec)
    url = reverse("communities:acceptances", args=[community.slug])
    v1, _v2 = register
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for membership in MembershipFactory.create_batch(20, community=community):
        AgreementAcceptance.objects.create(agreement=v1, user=membership.user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_template_csv_is_utf8_with_bom_and_reads_back(community, sec, client_for):
    response = client_for(sec).get(reverse("communities:import_template", args=[community.slug]))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    header = response.content.decode("utf-8-sig").strip().split(",")
    assert header == ["email", "name", "organization", "role", "language"]


def test_import_preview_sends_nothing_until_confirmed(
        community, org_b, alice, sec, client_for, django_capture_on_commit_callbacks):
    text = ("email,name,organization,role,language\n"
            f"new@beta.example.jp,新人,org-b,member,ja\n"
            f"{alice.email},,org-a,member,en\n"
            "broken,,org-zz,member,ja\n")
    client = client_for(sec)
    url = reverse("communities:import", args=[community.slug])
    with django_capture_on_commit_callbacks(execute=True):
        preview = client.post(url, {"file": SimpleUploadedFile("m.csv", text.encode())})
    outcomes = [(row.line, row.outcome) for row in preview.context["preview"]]
    assert outcomes == [(2, "invite"), (3, "member"), (4, "refused")]
    assert 'name="confirm"' not in preview.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []

    fixed = text.replace("broken,,org-zz", "fixed@beta.example.jp,,org-b")
    with django_capture_on_commit_callbacks(execute=True):
        preview = client.post(url, {"file": SimpleUploadedFile("m.csv", fixed.encode())})
    assert preview.context["counts"] == {"invite": 2, "member": 1, "refused": 0}
    assert not Invitation.objects.exists() and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "1", "csv_text": preview.context["csv_text"]})
    assert response.status_code == 302
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "fixed@beta.example.jp", "new@beta.example.jp"]
    assert sorted(m.to[0] for m in mail.outbox) == ["fixed@beta.example.jp",
                                                    "new@beta.example.jp"]
    assert Membership.objects.get(user=alice, community=community).status == "active"


def _pending(community, n):
    for membership in MembershipFactory.create_batch(n, community=community):
        Membership.objects.filter(pk=membership.pk).update(
            status=MembershipStatus.PENDING_APPROVAL)


def test_pending_approvals_are_counted_on_home_and_in_navigation(
        community, sec, alice, client_for, django_assert_max_num_queries):
    home = reverse("communities:home", args=[community.slug])
    client = client_for(sec)
    _pending(community, 2)
    body = client.get(home).content.decode()
    assert "2 members await your approval." in body
    assert 'class="unread-count pending-approvals"' in body
    member_body = client_for(alice).get(home).content.decode()
    assert "await your approval" not in member_body
    assert "pending-approvals" not in member_body

    with django_assert_max_num_queries(40) as few:
        client.get(home)
    _pending(community, 25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "27 members await" in client.get(home).content.decode()


def test_pending_count_is_one_query_and_zero_for_members(community, sec, alice,
                                                         django_assert_num_queries):
    from apps.communities.selectors import pending_approvals_count

    _pending(community, 3)
    with django_assert_num_queries(1):
        assert pending_approvals_count(user=sec, community_slug=community.slug) == 3
    assert pending_approvals_count(user=alice, community_slug=community.slug) == 0
