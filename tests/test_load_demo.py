"""`load_demo`: an idempotent demo world and a manifest that tells the truth about it."""

import copy
import datetime
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from apps.communities.models import (
    Agreement,
    AgreementAcceptance,
    Community,
    CommunityKind,
    Federation,
    Invitation,
    Membership,
    MembershipStatus,
    Organization,
    Role,
)
from apps.discussions.models import Post, Thread
from apps.incidents.models import Incident, IncidentView, Indicator, Sighting, UsageFeedback
from apps.meetings.models import (
    AgendaComment,
    Attendance,
    Feedback,
    Material,
    Meeting,
    MeetingSeries,
    Minutes,
)
from apps.sharing.models import AudienceChange
from tests.conftest import verified_login

User = get_user_model()

pytestmark = pytest.mark.heavy  # the demo world and every user against every item: ~15 s

MODELS = [User, Organization, Community, Membership, Federation, Agreement,
          AgreementAcceptance, Invitation, Group, MeetingSeries, Meeting,
          Incident, Indicator, Sighting, UsageFeedback, IncidentView, Thread, Post,
          AudienceChange]
TLP_LABELS = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


# One demo world for the whole module (building it is the dear part, ~10 s a time): it is
# written inside a transaction that stays open until the module ends and is then rolled
# back; each test runs in a savepoint inside it (pytest-django's `db`), so whatever a test
# changes (a rerun, a later fiscal year, a sign-in) is undone before the next one. Under
# pytest-xdist, --dist loadscope keeps the module on one worker.
DEMO_PASSWORD = "s3cret-demo"


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
        with transaction.atomic():
            path = tmp_path_factory.mktemp("demo") / "out" / "manifest.json"
            out = io.StringIO()
            call_command("load_demo", "--manifest", str(path), stdout=out)
            data = json.loads(path.read_text(encoding="utf-8"))
            data_printed[:] = [out.getvalue()]
            try:
                yield data
            finally:
                transaction.set_rollback(True)


@pytest.fixture
def manifest(demo_world, db, monkeypatch):
    """The demo world's manifest; the test may change the world (undone after it)."""
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)  # a rerun keeps the same passwords
    return copy.deepcopy(demo_world)


data_printed: list[str] = []


def assert_manifest_shape(data: dict) -> None:
    """The manifest format of DESIGN.md, key by key."""
    assert set(data) == {"users", "communities", "items"}
    slugs = {c["slug"] for c in data["communities"]}
    emails = {u["email"] for u in data["users"]}
    for community in data["communities"]:
        assert set(community) == {"slug", "kind", "federations"}
        assert community["kind"] in CommunityKind.values
        assert all(isinstance(slug, str) for slug in community["federations"])
    for user in data["users"]:
        assert set(user) == {"email", "password", "is_superuser", "memberships"}
        assert isinstance(user["password"], str) and user["password"]
        assert isinstance(user["is_superuser"], bool)
        for m in user["memberships"]:
            assert set(m) == {"community", "organization", "role", "status"}
            assert m["community"] in slugs
            assert m["role"] in Role.values
            assert m["status"] in MembershipStatus.values
    assert isinstance(data["items"], list)
    for item in data["items"]:
        assert set(item) == {"kind", "id", "api_url", "community", "tlp", "author", "anonymous",
                             "federated", "recipient_organizations", "recipient_users"}
        assert item["kind"] in {"incident", "thread", "minutes", "material"}
        assert item["tlp"] in TLP_LABELS
        assert item["community"] in slugs
        assert item["author"] in emails


def test_manifest_has_the_designed_shape(manifest):
    assert_manifest_shape(manifest)
    assert len({u["email"] for u in manifest["users"]}) == len(manifest["users"])


def test_running_twice_builds_the_same_world(manifest, tmp_path):
    before = counts()
    path = tmp_path / "second.json"
    call_command("load_demo", manifest=str(path), stdout=io.StringIO())
    assert counts() == before
    assert json.loads(path.read_text(encoding="utf-8")) == manifest


def test_every_role_and_every_status_is_present(manifest):
    memberships = [m for u in manifest["users"] for m in u["memberships"]]
    assert {m["role"] for m in memberships} == set(Role.values)
    assert {m["status"] for m in memberships} == set(MembershipStatus.values)


def test_every_kind_of_community_and_a_federation_of_two_isacs(manifest):
    kinds = [c["kind"] for c in manifest["communities"]]
    assert {"study_group", "council"} <= set(kinds)
    assert kinds.count("isac") >= 2
    federated = [c for c in manifest["communities"] if c["federations"]]
    assert len(federated) >= 2 and all(c["kind"] == "isac" for c in federated)
    federation = Federation.objects.get(slug=federated[0]["federations"][0])
    assert federation.coordinator in federation.communities.all()
    assert federation.liaisons.exists()


def test_each_listed_user_signs_in_with_the_listed_password(manifest):
    for user in manifest["users"]:
        assert user["password"] == DEMO_PASSWORD
        assert Client().login(email=user["email"], password=user["password"]), user["email"]


def test_logins_are_printed_as_a_table(manifest):
    printed = data_printed[0]
    for user in manifest["users"]:
        line = next(line for line in printed.splitlines() if line.startswith(user["email"] + " "))
        assert DEMO_PASSWORD in line
        for m in user["memberships"]:
            assert f"{m['community']}:{m['role']}" in line


def test_superuser_is_listed_as_such(manifest):
    admin = next(u for u in manifest["users"] if u["email"] == "admin@renkei.example")
    assert admin["is_superuser"] is True
    assert User.objects.get(email="admin@renkei.example").is_superuser
    assert [u["email"] for u in manifest["users"] if u["is_superuser"]] == [admin["email"]]


def test_every_membership_in_the_manifest_matches_the_database(manifest):
    listed = {
        (u["email"], m["community"], m["organization"], m["role"], m["status"])
        for u in manifest["users"] for m in u["memberships"]
    }
    in_db = set(
        Membership.objects.filter(user__email__in=[u["email"] for u in manifest["users"]])
        .values_list("user__email", "community__slug", "organization__slug", "role", "status")
    )
    assert listed == in_db
    for user in manifest["users"]:
        assert User.objects.get(email=user["email"]).is_superuser == user["is_superuser"]
    for community in manifest["communities"]:
        db = Community.objects.get(slug=community["slug"])
        assert db.kind == community["kind"]
        assert sorted(db.federations.values_list("slug", flat=True)) == community["federations"]


def test_members_past_the_agreement_have_accepted_it_and_others_have_not(manifest):
    for membership in Membership.objects.select_related("community", "user"):
        accepted = AgreementAcceptance.objects.filter(
            agreement=membership.community.current_agreement, user=membership.user).exists()
        owes_agreement = membership.status in (MembershipStatus.INVITED,
                                               MembershipStatus.AWAITING_AGREEMENT)
        assert accepted is not owes_agreement, membership


def test_every_community_has_a_current_agreement(manifest):
    for community in Community.objects.all():
        assert community.current_agreement is not None
        assert "TLP:RED" in community.current_agreement.body


def test_study_group_has_a_fiscal_year_of_six_meetings(manifest):
    series = MeetingSeries.objects.get(community__kind=CommunityKind.STUDY_GROUP)
    meetings = list(series.meetings.order_by("starts_at"))
    assert [m.number for m in meetings] == [1, 2, 3, 4, 5, 6]
    for meeting in meetings:
        assert series.starts_on <= meeting.starts_at.date() <= series.ends_on
        assert meeting.title and meeting.title_en and meeting.community_id == series.community_id
        meeting.full_clean()
        # Its talks, presenters named (guests, with their organisation); held ones say so.
        agenda = list(meeting.agenda.all())
        assert agenda and all(item.presenter_name and item.guest_organization
                              for item in agenda)
        assert (meeting.status == "held") == (meeting.ends_at < timezone.now())
        answers = list(meeting.attendances.all())
        assert answers and all(a.answer for a in answers)
        if meeting.status == "held":
            assert all(a.attended == (a.answer != "absent") for a in answers)
    # The year names its chair, advisors and organisations; after the first meeting held,
    # questions and answers (one from the chat) and feedback, one of it anonymous.
    assert series.chair is not None and series.advisors.exists()
    assert series.organizations.count() >= 3
    held = [m for m in meetings if m.status == "held"]
    if held:
        comments = list(AgendaComment.objects.filter(item__meeting=held[0]))
        assert comments and any(c.from_chat for c in comments) and comments[0].answer
        assert held[0].feedback.filter(anonymous=True).exists()
        assert series.feedback.filter(anonymous=False).exists()
    before = (Attendance.objects.filter(meeting__series=series).count(),
              AgendaComment.objects.filter(item__meeting__series=series).count(),
              Feedback.objects.filter(community=series.community).count())
    call_command("load_demo", stdout=io.StringIO())  # again: nothing doubles
    assert before == (Attendance.objects.filter(meeting__series=series).count(),
                      AgendaComment.objects.filter(item__meeting__series=series).count(),
                      Feedback.objects.filter(community=series.community).count())


def test_invited_member_has_one_open_invitation(manifest, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    for membership in Membership.objects.filter(status=MembershipStatus.INVITED):
        assert Invitation.objects.filter(membership=membership).usable().count() == 1


def test_active_demo_member_reads_the_meetings_and_others_do_not(manifest):
    community = Community.objects.get(kind=CommunityKind.STUDY_GROUP)
    url = f"/c/{community.slug}/meetings/"
    active = Membership.objects.filter(community=community, status="active").first().user
    outsider = User.objects.exclude(memberships__community=community).exclude(
        is_superuser=True).first()
    assert Client().get(url).status_code == 302
    client = Client()
    client.force_login(active)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_rerun_in_the_next_fiscal_year_moves_the_demo_year_instead_of_adding_one(
        manifest, monkeypatch):
    before = counts()
    year = MeetingSeries.objects.get(community__kind=CommunityKind.STUDY_GROUP).fiscal_year
    # The middle of the next fiscal year, not "a year from now": on 31 March (JST) 366
    # days later is already the fiscal year after that.
    later = datetime.datetime(year + 1, 10, 1, 12, 0,
                              tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
    monkeypatch.setattr("portal.management.commands.load_demo.timezone.now", lambda: later)
    call_command("load_demo", stdout=io.StringIO())
    counts_after = counts()
    # An invitation may have expired meanwhile and been renewed; nothing else grows.
    assert {k: v for k, v in counts_after.items() if k != "Invitation"} == {
        k: v for k, v in before.items() if k != "Invitation"}
    assert MeetingSeries.objects.get(
        community__kind=CommunityKind.STUDY_GROUP).fiscal_year == year + 1


# --- ISAC content ---------------------------------------------------------------------------


def isac_slugs(manifest) -> list[str]:
    return [c["slug"] for c in manifest["communities"] if c["kind"] == "isac"]


def test_every_label_is_present_in_both_isacs_for_incidents_and_threads(manifest):
    isacs = isac_slugs(manifest)
    assert len(isacs) == 2
    for slug in isacs:
        for kind in ("incident", "thread"):
            labels = {i["tlp"] for i in manifest["items"]
                      if i["community"] == slug and i["kind"] == kind}
            assert labels == TLP_LABELS, (slug, kind)


def test_the_author_choices_that_matter_are_all_present(manifest):
    items = manifest["items"]
    incidents = [i for i in items if i["kind"] == "incident"]
    assert any(i["anonymous"] for i in incidents)
    assert any(i["federated"] and i["tlp"] == "GREEN" for i in incidents)
    members = {}
    for user in manifest["users"]:
        for m in user["memberships"]:
            if m["status"] != "left":
                members.setdefault(m["community"], set()).add(m["organization"])
    # An AMBER item that leaves some member organisations out.
    assert any(i["tlp"] == "AMBER" and set(i["recipient_organizations"]) < members[i["community"]]
               for i in incidents)
    for item in items:
        if item["tlp"] in ("AMBER", "AMBER+STRICT"):
            assert item["recipient_organizations"], item
            assert set(item["recipient_organizations"]) <= members[item["community"]]
        else:
            assert item["recipient_organizations"] == [], item
        assert bool(item["recipient_users"]) == (item["tlp"] == "RED"), item
        path = {"minutes": "minutes", "material": "materials"}.get(item["kind"],
                                                                   f"{item['kind']}s")
        assert item["api_url"] == f"/api/v1/{path}/{item['id']}/"


def test_isac_content_went_through_the_services_and_carries_its_details(manifest):
    ids = [i["id"] for i in manifest["items"] if i["kind"] == "incident"]
    incidents = Incident.objects.filter(pk__in=ids)
    assert incidents.count() == len(ids)
    for incident in incidents:
        assert incident.techniques.exists(), incident
        assert incident.indicators.exists(), incident
        assert incident.sectors and incident.attack_stage, incident
        # `sharing` recorded how the audience was set: nobody wrote grants by hand.
        assert AudienceChange.objects.filter(object_id=incident.pk).exists(), incident
    assert Incident.objects.filter(pk__in=ids, techniques__id="T1566.001").exists()
    # Written defanged in the demo data (hxxp://, [.]), stored refanged by the service.
    assert Indicator.objects.filter(incident__in=ids, type="url").exists()
    assert not Indicator.objects.filter(value__contains="[.]").exists()
    sightings = Sighting.objects.filter(incident__in=ids)
    assert sightings.filter(show_organization=True).exists()
    assert sightings.filter(show_organization=False).exists()
    assert sightings.filter(indicator__isnull=False).exists()
    assert UsageFeedback.objects.filter(incident__in=ids).count() >= len(ids) // 2
    assert IncidentView.objects.filter(incident__in=ids).exists()
    thread_ids = [i["id"] for i in manifest["items"] if i["kind"] == "thread"]
    threads = Thread.objects.filter(pk__in=thread_ids)
    assert threads.filter(incident__isnull=False).exists()
    for thread in threads:
        assert thread.posts.count() >= 2, thread
    assert Post.objects.filter(thread__in=thread_ids, parent__isnull=False).exists()


def test_meetings_have_minutes_and_materials_under_their_own_labels(manifest):
    """The study group's published minutes, a RED record for the people in the room of a
    meeting, and the council's AMBER minutes and non-public material — each downloadable by
    its audience only."""
    items = {(i["kind"], i["community"], i["tlp"]): i for i in manifest["items"]
             if i["kind"] in ("minutes", "material")}
    assert ("minutes", "security-study", "GREEN") in items
    assert ("minutes", "cyber-council", "AMBER") in items
    red = items[("minutes", "security-study", "RED")]
    minutes = Minutes.objects.get(pk=red["id"])
    came = set(Attendance.objects.filter(meeting=minutes.meeting, attended=True)
               .values_list("user__email", flat=True)) or set(
        Attendance.objects.filter(meeting=minutes.meeting).values_list("user__email", flat=True))
    assert set(red["recipient_users"]) | {red["author"]} == came | {red["author"]}
    assert all(m.is_published for m in Minutes.objects.all())
    material = Material.objects.get(pk=items[("material", "cyber-council", "AMBER")]["id"])
    assert material.content_type == "application/pdf" and material.file.read(5) == b"%PDF-"
    client = Client()
    insider = User.objects.get(email="mori@nami-networks.example")
    outsider = User.objects.get(email="sato@yamato-electric.example")  # not in the council
    for user, status in ((insider, 200), (outsider, 404)):
        verified_login(client, user)
        response = client.get(material.get_download_url())
        assert response.status_code == status, user
        client.logout()
    assert ("material", "security-study", "CLEAR") in items


def test_items_keep_their_ids_across_databases(manifest):
    """Ids are UUID5 of a fixed name: a second database would give the same ones."""
    from portal.management.commands.load_demo import demo_id

    ids = {i["id"] for i in manifest["items"] if i["kind"] == "incident"}
    assert str(demo_id("incident", "fin-bec-treasury")) in ids


def reference_can_read(user: dict, item: dict, manifest: dict) -> bool:
    """Who may read an item, from the manifest alone, straight from DESIGN.md's TLP table
    (written here without asking `apps.sharing`). Only active memberships count: a
    suspended, departed or not-yet-admitted member sees nothing but TLP:CLEAR."""
    if item["tlp"] == "CLEAR":
        return True
    active = {m["community"]: m["organization"]
              for m in user["memberships"] if m["status"] == "active"}
    federations = {c["slug"]: set(c["federations"]) for c in manifest["communities"]}
    if item["tlp"] == "GREEN":
        if item["community"] in active:
            return True
        return item["federated"] and any(
            federations[slug] & federations[item["community"]] for slug in active)
    if item["community"] not in active:
        return False
    if user["email"] == item["author"]:
        return True
    if item["tlp"] in ("AMBER", "AMBER+STRICT"):
        return active[item["community"]] in item["recipient_organizations"]
    return user["email"] in item["recipient_users"]  # RED


def test_amber_always_reaches_the_author_organisation(manifest):
    users = {u["email"]: u for u in manifest["users"]}
    for item in manifest["items"]:
        if item["tlp"] in ("AMBER", "AMBER+STRICT"):
            org = next(m["organization"] for m in users[item["author"]]["memberships"]
                       if m["community"] == item["community"])
            assert org in item["recipient_organizations"], item


def test_every_user_reads_exactly_the_items_the_tlp_table_allows(manifest):
    """For every manifest item and every manifest user: the API answers 200 when the
    reference says the user may read it, 404 otherwise."""
    client = Client()
    wrong = []
    seen_by = {item["id"]: 0 for item in manifest["items"]}
    for user in manifest["users"]:
        verified_login(client, User.objects.get(email=user["email"]))
        for item in manifest["items"]:
            expected = reference_can_read(user, item, manifest)
            status = client.get(item["api_url"]).status_code
            if status != (200 if expected else 404):
                wrong.append((user["email"], item["kind"], item["community"], item["tlp"],
                              status))
            seen_by[item["id"]] += expected
        client.logout()
    assert wrong == []
    # A RED item names a member who was suspended since: the reference (and the API) say no.
    users = {u["email"]: u for u in manifest["users"]}
    assert any(
        email in item["recipient_users"] and not reference_can_read(users[email], item, manifest)
        for item in manifest["items"] for email in users
    )
    # The demo has no item that only its author can read.
    assert all(count >= 2 for count in seen_by.values()), seen_by


def test_the_study_group_surveyed_its_members_and_the_report_shows_it(manifest):
    from apps.meetings.models import Survey

    survey = Survey.objects.get(community__slug="security-study")
    assert survey.responses.count() >= 3 and survey.closes_at <= timezone.now()
    series = survey.series
    client = Client()
    verified_login(client, User.objects.get(email="tanaka@hikari-bank.example"))
    report = client.get(f"/c/security-study/meetings/series/{series.pk}/report/?format=md")
    text = report.content.decode()
    assert survey.title in text and "全社で利用" in text
