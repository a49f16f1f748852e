"""What a member's digest tells, under the e-mail column of the TLP table: TLP:CLEAR and
TLP:GREEN in full, TLP:AMBER as a count (titles only where the community allows them),
TLP:AMBER+STRICT as a count, TLP:RED as "addressed to you" — for every kind of content; never
an anonymous item's source; in the member's language and time zone; grouped by community."""

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.communities.models import Federation, Membership
from apps.digests.digests import digests_send
from apps.digests.models import DigestDelivery
from apps.discussions.services import post_add, thread_create
from apps.incidents.services import feedback_add, incident_create, sighting_add
from apps.meetings.materials import material_upload
from apps.meetings.minutes import minutes_create, minutes_publish
from apps.meetings.models import Meeting
from apps.sharing.tlp import TLP
from tests.conftest import _member

pytestmark = pytest.mark.django_db

LABELS = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]
# Words that are no prefix of one another, to find each item's title and text.
SLUG = {TLP.CLEAR: "clear", TLP.GREEN: "green", TLP.AMBER: "amber", TLP.AMBER_STRICT: "strict",
        TLP.RED: "red"}
KINDS = ["incident", "thread", "minutes", "material"]


def title(kind, tlp):
    return f"[{kind}-{SLUG[tlp]}-title]"


def text(kind, tlp):
    return f"[{kind}-{SLUG[tlp]}-text]"


def audience(tlp, *, to_org, to_user):
    if tlp in (TLP.AMBER, TLP.AMBER_STRICT):
        return {"tlp": tlp, "organizations": [to_org]}
    if tlp == TLP.RED:
        return {"tlp": tlp, "users": [to_user]}
    return {"tlp": tlp}


def make_meeting(community, *, days_ahead=10, number=1, title_ja="テーマ", title_en="Theme"):
    starts = timezone.now() + datetime.timedelta(days=days_ahead)
    return Meeting.objects.create(community=community, number=number, title=title_ja,
                                  title_en=title_en, starts_at=starts, location="本社会議室")


def share(kind, tlp, *, author, organiser, meeting, to_org, to_user, anonymous=False,
          label_text=None):
    """One item of ``kind`` under ``tlp`` addressed to ``to_org`` / ``to_user`` (when the
    label names recipients)."""
    chosen = audience(tlp, to_org=to_org, to_user=to_user)
    name, body = label_text or (title(kind, tlp), text(kind, tlp))
    community = meeting.community
    if kind == "incident":
        return incident_create(author=author, community=community, title=name, summary=body,
                               category="phishing", anonymous=anonymous, **chosen)
    if kind == "thread":
        return thread_create(author=author, community=community, title=name, body=body,
                             anonymous=anonymous, **chosen)
    if kind == "minutes":
        minutes = minutes_create(meeting=meeting, author=organiser, title=name, body=body,
                                 **chosen)
        return minutes_publish(minutes=minutes, actor=organiser)
    return material_upload(meeting=meeting, author=author, title=name, description=body,
                           upload=SimpleUploadedFile("handout.txt", b"plain text handout"),
                           **chosen)


def daily(*people):
    for person in people:
        type(person).objects.filter(pk=person.pk).update(digest_frequency="daily")


def run(now=None, frequency="daily", **kwargs):
    mail.outbox.clear()
    return digests_send(frequency=frequency, now=now or timezone.now(), **kwargs)


def digest_of(person):
    """(subject, text, html) of the one digest e-mailed to ``person``."""
    found = [m for m in mail.outbox if m.to == [person.email]]
    assert len(found) == 1, [m.to for m in mail.outbox]
    message = found[0]
    (html, mimetype), = message.alternatives
    assert mimetype == "text/html"
    return message.subject, message.body, html


@pytest.fixture
def meeting(community):
    """A meeting held yesterday: its minutes and materials are new, it is no announcement."""
    return make_meeting(community, days_ahead=-1)


@pytest.fixture
def world(community, alice, bob, carol, sec, meeting, org_a):
    """Bob (Beta) shares every kind under every label with Alice (her organisation, Alpha,
    for AMBER; her name for RED); the secretariat (Alpha) writes the minutes."""
    daily(alice)
    for kind in KINDS:
        for tlp in LABELS:
            share(kind, tlp, author=bob, organiser=sec, meeting=meeting, to_org=org_a,
                  to_user=alice)
    return community


def test_every_label_of_every_kind_is_told_as_the_tlp_table_says(world, alice):
    result = run()
    assert result.sent == 1
    subject, body, html = digest_of(alice)
    for kind in KINDS:
        for tlp in (TLP.CLEAR, TLP.GREEN):  # in full: title and text
            for part in (body, html):
                assert title(kind, tlp) in part and text(kind, tlp) in part, (kind, tlp)
        for tlp in (TLP.AMBER, TLP.AMBER_STRICT, TLP.RED):  # a count: neither
            for part in (subject, body, html):
                assert title(kind, tlp) not in part and text(kind, tlp) not in part, (kind, tlp)
    # One of each kind under each restricted label, counted in the community's part.
    assert "4 new TLP:AMBER items in Financial ISAC" in body
    assert "4 new TLP:AMBER+STRICT items in Financial ISAC" in body
    assert "4 new items addressed to you" in body
    assert "4 new TLP:AMBER items in Financial ISAC" in html
    assert "4 new items addressed to you" in html
    assert "[thread-green-title]" in body and "1 new post" in body
    row = DigestDelivery.objects.get(user=alice)
    # Each item counts, told in full or counted.
    assert (row.status, row.item_count) == ("sent", 4 * 2 + 4 * 3)


def test_amber_titles_only_where_the_community_allows_them(world, alice):
    world.amber_titles_in_email = True
    world.save(update_fields=["amber_titles_in_email"])
    run()
    subject, body, html = digest_of(alice)
    for kind in KINDS:
        for part in (body, html):
            assert title(kind, TLP.AMBER) in part  # the title, with its link …
            assert text(kind, TLP.AMBER) not in part  # … never the text
            # AMBER+STRICT and RED: still never a title, whatever the community allows.
            assert title(kind, TLP.AMBER_STRICT) not in part
            assert title(kind, TLP.RED) not in part
        assert title(kind, TLP.AMBER) not in subject
    assert "4 new TLP:AMBER items in Financial ISAC" in body


def test_labels_are_written_firsts_way_and_badges_on_black(world, alice):
    run()
    _subject, body, html = digest_of(alice)
    assert "TLP:CLEAR [incident-clear-title]" in body
    assert "TLP:GREEN [incident-green-title]" in body
    assert re.search(r"background:#000;color:#33FF00;[^>]*>TLP:GREEN<", html)
    assert re.search(r"background:#000;color:#FF2B2B;[^>]*>TLP:RED<", html)


def test_an_anonymous_item_never_names_its_source(community, alice, bob, sec, meeting, org_a,
                                                  org_b):
    daily(alice, sec, bob)
    for kind in ("incident", "thread"):
        share(kind, TLP.GREEN, author=bob, organiser=sec, meeting=meeting, to_org=org_a,
              to_user=alice, anonymous=True)
    # Minutes and materials have no anonymous form; the flag alone still hides the source.
    for kind in ("minutes", "material"):
        item = share(kind, TLP.CLEAR, author=bob, organiser=sec, meeting=meeting,
                     to_org=org_a, to_user=alice)
        type(item).objects.filter(pk=item.pk).update(anonymous=True)
    run()
    # Not to a member, and not even to the secretariat (the hub that relays it): e-mail
    # never tells the source of an anonymous item.
    for person in (alice, sec):
        subject, body, html = digest_of(person)
        for part in (subject, body, html):
            for name in (org_b.slug, org_b.name, org_b.name_en, bob.email, bob.display_name,
                         org_a.slug, org_a.name, org_a.name_en,
                         *([] if person == sec else [sec.email, sec.display_name])):
                assert name not in part, (person, name)
        assert "via the secretariat" in body and "via the secretariat" in html
        assert "[incident-green-title]" in body


def test_a_named_source_is_shown(community, alice, bob, sec, meeting, org_a):
    daily(alice)
    share("incident", TLP.GREEN, author=bob, organiser=sec, meeting=meeting, to_org=org_a,
          to_user=alice)
    run()
    _subject, body, html = digest_of(alice)
    assert "Beta Securities" in body and "Beta Securities" in html


def test_red_goes_to_the_named_member_only(community, alice, bob, carol, sec, meeting, org_a):
    daily(alice, carol)
    share("incident", TLP.RED, author=bob, organiser=sec, meeting=meeting, to_org=org_a,
          to_user=alice)
    share("incident", TLP.AMBER, author=bob, organiser=sec, meeting=meeting, to_org=org_a,
          to_user=alice)
    result = run()
    _subject, body, _html = digest_of(alice)
    assert "1 new item addressed to you" in body
    assert "1 new TLP:AMBER item in Financial ISAC" in body
    # Carol (Gamma) is neither named nor of a recipient organisation: nothing to say.
    assert [m for m in mail.outbox if m.to == [carol.email]] == []
    assert DigestDelivery.objects.get(user=carol).status == "empty"
    assert (result.sent, result.empty) == (1, 1)


def test_reactions_to_what_i_shared_are_counts_under_the_same_rules(
        community, alice, bob, carol, sec, meeting, org_a, org_b, org_c):
    """Sightings and feedback on Alice's own incidents, one per label: how many organisations
    saw it and what they did — never which — and the title only where e-mail may show it."""
    daily(alice)
    mine = {}
    for tlp in LABELS:
        chosen = audience(tlp, to_org=org_b, to_user=bob)
        if tlp in (TLP.AMBER, TLP.AMBER_STRICT):
            chosen["organizations"] = [org_b, org_c]
        elif tlp == TLP.RED:
            chosen["users"] = [bob, carol]
        mine[tlp] = incident_create(author=alice, community=community,
                                    title=title("incident", tlp), summary=text("incident", tlp),
                                    category="phishing", **chosen)
        for person in (bob, carol):
            sighting_add(user=person, incident=mine[tlp])
        feedback_add(user=bob, incident=mine[tlp], action="blocked")
    run()
    _subject, body, html = digest_of(alice)
    assert body.count("2 organisations reported seeing it") == 5
    assert body.count("Blocked the indicators: 1 organisation") == 5
    for part in (body, html):
        for name in ("Beta Securities", "Gamma Telecom", "ベータ証券", "ガンマ通信"):
            assert name not in part  # which organisations: never
        assert title("incident", TLP.CLEAR) in part and title("incident", TLP.GREEN) in part
        for tlp in (TLP.AMBER, TLP.AMBER_STRICT, TLP.RED):
            assert title("incident", tlp) not in part
        # Her own items are not "new" to her.
        assert text("incident", TLP.CLEAR) not in part
    assert body.count("An incident you shared") == 3


def test_meetings_announced_are_told_in_the_members_time_zone(community, alice, bob):
    daily(alice, bob)
    type(bob).objects.filter(pk=bob.pk).update(time_zone="Europe/London")
    meeting = make_meeting(community, title_en="Supply-chain attacks", days_ahead=20)
    meeting.starts_at = meeting.starts_at.replace(hour=6, minute=0, second=0, microsecond=0)
    meeting.save(update_fields=["starts_at"])
    make_meeting(community, title_en="Held already", days_ahead=-3, number=2)
    run()
    _s, alice_body, alice_html = digest_of(alice)
    _s, bob_body, _h = digest_of(bob)
    assert "Supply-chain attacks" in alice_body and "Supply-chain attacks" in alice_html
    assert "Held already" not in alice_body  # past: not an announcement
    assert "15:00" in alice_body and "(Asia/Tokyo)" in alice_body  # 06:00 UTC in Tokyo
    london = meeting.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/London")).strftime("%H:%M")
    assert london in bob_body and "(Europe/London)" in bob_body
    assert "15:00" not in bob_body.split("Supply-chain attacks", 1)[1].split("\n\n")[0]


def test_japanese_members_read_it_in_japanese(world, alice):
    type(alice).objects.filter(pk=alice.pk).update(language="ja")
    run()
    _subject, body, html = digest_of(alice)
    assert "金融ISAC" in body and "金融ISAC" in html
    assert "Financial ISAC" not in body
    for heading in ("インシデント", "ディスカッション", "議事要旨", "配付資料"):
        assert heading in body and heading in html
    assert "フィッシング" in body  # the category, in Japanese
    assert '<html lang="ja">' in html
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", body)
    # Labels are never translated.
    assert "TLP:GREEN" in body and "TLP:AMBER" in body and "TLP:RED" in body


def test_english_members_read_it_in_english(world, alice):
    run()
    _subject, body, html = digest_of(alice)
    assert "Financial ISAC" in body and "Incidents" in body and "Discussions" in body
    assert '<html lang="en">' in html


def test_a_member_without_a_language_gets_the_sites(world, alice):
    type(alice).objects.filter(pk=alice.pk).update(language="", time_zone="")
    assert run().sent == 1
    _subject, body, _html = digest_of(alice)
    assert "金融ISAC" in body and "Asia/Tokyo" in body


def test_grouped_by_community_across_the_members_communities(community, other_community,
                                                              alice, bob, sec, meeting, org_a,
                                                              org_c):
    daily(alice)
    _member(other_community, alice.email, org_a)
    author = _member(other_community, "dave@gamma.example.jp", org_c)
    share("incident", TLP.GREEN, author=bob, organiser=sec, meeting=meeting, to_org=org_a,
          to_user=alice)
    incident_create(author=author, community=other_community, title="[ict-green-title]",
                    category="ddos", tlp="GREEN")
    run()
    _subject, body, html = digest_of(alice)
    first, second = body.index("■ Financial ISAC"), body.index("■ ICT-ISAC")
    assert first < body.index("[incident-green-title]") < second < body.index("[ict-green-title]")
    assert "ICT-ISAC" in html


def test_federated_green_reaches_the_other_isac_but_clear_of_others_does_not(
        community, other_community, alice, org_a, org_c):
    federation = Federation.objects.create(slug="fed", name="連合", coordinator=community)
    federation.communities.set([community, other_community])
    reader = _member(other_community, "dave@gamma.example.jp", org_c)
    daily(reader)
    incident_create(author=alice, community=community, title="[federated-title]",
                    category="ddos", tlp="GREEN", federated=True)
    incident_create(author=alice, community=community, title="[community-only-title]",
                    category="ddos", tlp="GREEN")
    incident_create(author=alice, community=community, title="[public-elsewhere-title]",
                    category="ddos", tlp="CLEAR")
    run()
    _subject, body, _html = digest_of(reader)
    assert "[federated-title]" in body
    assert "[community-only-title]" not in body
    assert "[public-elsewhere-title]" not in body  # public, but not one of their communities


def test_threads_tell_new_posts_by_others_only(community, alice, bob, sec, meeting, org_a):
    daily(alice, bob)
    thread = thread_create(author=bob, community=community, title="[thread-title]",
                           body="first words", tlp="GREEN")
    post_add(author=alice, thread=thread, body="alice replies")
    post_add(author=bob, thread=thread, body="bob answers last")
    run()
    _s, alice_body, _h = digest_of(alice)
    _s, bob_body, _h = digest_of(bob)
    assert "2 new posts" in alice_body and "bob answers last" in alice_body
    assert "1 new post" in bob_body and "alice replies" in bob_body


def test_only_what_is_new_since_the_last_digest(community, alice, bob, sec, meeting, org_a):
    daily(alice)
    share("incident", TLP.GREEN, author=bob, organiser=sec, meeting=meeting, to_org=org_a,
          to_user=alice)
    first = timezone.now()
    run(now=first)
    assert "[incident-green-title]" in digest_of(alice)[1]
    share("incident", TLP.CLEAR, author=bob, organiser=sec, meeting=meeting, to_org=org_a,
          to_user=alice)
    run(now=first + datetime.timedelta(days=1))
    _subject, body, _html = digest_of(alice)
    assert "[incident-clear-title]" in body and "[incident-green-title]" not in body
    second = DigestDelivery.objects.filter(user=alice).order_by("until").last()
    assert second.since == first


def test_drafts_are_never_in_a_digest(community, alice, sec, meeting):
    daily(alice)
    minutes_create(meeting=meeting, author=sec, title="[draft-title]", body="draft",
                   tlp="GREEN")
    assert run().empty == 1
    assert mail.outbox == []


def test_a_suspended_member_gets_nothing(world, alice, sam):
    daily(sam)
    Membership.objects.filter(user=alice).update(status="suspended")
    result = run()
    assert mail.outbox == []
    assert not DigestDelivery.objects.filter(user__in=[alice, sam]).exists()
    assert result.sent == result.empty == 0


def test_an_inactive_account_or_digest_off_gets_nothing(world, alice, carol):
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert run().sent == 0
    type(alice).objects.filter(pk=alice.pk).update(is_active=True, digest_frequency="off")
    assert run().sent == 0
    assert mail.outbox == []


def test_weekly_members_get_the_weekly_digest_only(world, alice, bob):
    type(alice).objects.filter(pk=alice.pk).update(digest_frequency="weekly")
    assert run(frequency="daily").sent == 0
    result = run(frequency="weekly")  # Alice, and the others (weekly by default)
    assert result.sent == 4 and re.fullmatch(r"\d{4}-W\d{2}", result.period)
    subject, _body, _html = digest_of(alice)
    assert subject.startswith("Renkei weekly digest")


def test_what_members_wrote_is_escaped_in_html(community, alice, bob, sec, meeting, org_a):
    daily(alice)
    share("incident", TLP.GREEN, author=bob, organiser=sec, meeting=meeting, to_org=org_a,
          to_user=alice, label_text=("<b>Bold</b> & co", "<script>alert(1)</script>\nline 2"))
    run()
    _subject, body, html = digest_of(alice)
    assert "<b>Bold</b> & co" in body and "<script>alert(1)</script>" in body
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>\nline 2" in html
    assert "<script>" not in html and "<b>Bold</b>" not in html


def test_long_texts_are_cut_and_no_line_is_too_long_for_e_mail(community, alice, bob, sec,
                                                                 meeting, org_a):
    daily(alice)
    share("incident", TLP.GREEN, author=bob, organiser=sec, meeting=meeting, to_org=org_a,
          to_user=alice, label_text=("[long]", "長" * 5000))
    run()
    (message,) = mail.outbox
    _subject, body, _html = digest_of(alice)
    assert "長" * 200 in body and "長" * 700 not in body and "…" in body
    raw = message.message().as_bytes()
    assert max(len(line) for line in raw.splitlines()) <= 998
    assert b"quoted-printable" not in raw and b"base64" not in raw  # 8bit, readable
