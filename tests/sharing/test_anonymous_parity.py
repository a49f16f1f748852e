"""Finding 5 of issue 7: an anonymous item must not behave differently for a reader from its
source organisation.

amy is a colleague of the author alice (same organisation, plain member, not the author);
bob belongs to another organisation and has exactly the same rights on every item. Only the
author and the community's secretariat are told where an anonymous item came from, so every
page, API answer, form and server reply must read the same to amy as to bob — apart from
their own name and organisation, which are masked before comparing. A leak of the source to
amy shows up as a difference: her organisation's name becomes ``<MY-ORG>`` where bob reads
"via the secretariat", a form vanishes for her, a POST is refused for her only.

Parametrised over every label (each item addressed to both) and over every surface.
"""

import json
import re

import pytest

from apps.discussions.services import post_add, post_edit, thread_create
from apps.incidents.models import Sighting, UsageFeedback
from apps.incidents.services import incident_create, sighting_add
from apps.sharing.tlp import TLP
from tests.conftest import _member

pytestmark = pytest.mark.heavy  # every surface for every label: ~15 s

WORD = "ランサムウェア"


@pytest.fixture
def amy(community, org_a):
    """A colleague of alice: same organisation, plain member, not the author."""
    return _member(community, "amy@alpha.example.jp", org_a)


def _choice(tlp, org_a, org_b, amy, bob) -> dict:
    if tlp in (TLP.AMBER, TLP.AMBER_STRICT):
        return {"organizations": [org_a, org_b]}
    if tlp == TLP.RED:
        return {"users": [amy, bob]}
    return {}


@pytest.fixture(params=[TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED])
def world(request, community, alice, amy, bob, carol, sec, org_a, org_b):
    """An anonymous incident by alice addressed to both readers, with an indicator, a
    sighting by another organisation, a thread about it (anonymous too) in which alice edited
    her post and carol replied — when the label lets carol read it."""
    tlp = request.param
    choice = _choice(tlp, org_a, org_b, amy, bob)
    incident = incident_create(
        author=alice,
        community=community,
        title=f"匿名の{WORD}報告",
        summary=f"{WORD}の感染を確認しました。",
        category="ransomware",
        tlp=tlp,
        anonymous=True,
        indicators=[{"type": "domain", "value": "evil.example.com"}],
        **choice,
    )
    thread = thread_create(
        author=alice,
        community=community,
        title=f"匿名スレッド {WORD}",
        body="First words",
        tlp=tlp,
        anonymous=True,
        incident=incident,
        **choice,
    )
    post_edit(post=thread.posts.get(), editor=alice, body="Second words")
    if tlp in (TLP.CLEAR, TLP.GREEN):
        sighting_add(user=carol, incident=incident, show_organization=True)
        post_add(author=carol, thread=thread, body="Seen here too")
    return {"tlp": tlp, "incident": incident, "thread": thread}


def _surfaces(world) -> list[str]:
    incident, thread = world["incident"], world["thread"]
    post = thread.posts.order_by("created_at").first()
    web = f"/c/fin-isac/incidents/{incident.pk}/"
    discussion = f"/c/fin-isac/discussions/{thread.pk}/"
    return [
        # web pages
        "/c/fin-isac/incidents/",
        "/c/fin-isac/incidents/?anonymous=true",
        "/c/fin-isac/incidents/?anonymous=false",
        f"/c/fin-isac/incidents/?q={WORD}",
        web,
        f"{web}edit/",
        "/c/fin-isac/incidents/addressed-to-me/",
        "/c/fin-isac/incidents/achieved/",
        "/c/fin-isac/discussions/",
        discussion,
        f"{discussion}audience/",
        f"{discussion}anonymity/",
        f"{discussion}posts/{post.pk}/history/",
        f"{discussion}posts/{post.pk}/purge/",
        f"{discussion}posts/{post.pk}/edit/",
        # the API
        "/api/v1/incidents/",
        "/api/v1/incidents/?anonymous=true",
        "/api/v1/incidents/?anonymous=false",
        f"/api/v1/incidents/?q={WORD}",
        f"/api/v1/incidents/{incident.pk}/",
        "/api/v1/incidents/addressed-to-me/",
        "/api/v1/incidents/achievements/",
        f"/api/v1/indicators/?incident={incident.pk}",
        "/api/v1/indicators/lookup/?value=evil.example.com",
        f"/api/v1/sightings/?incident={incident.pk}",
        f"/api/v1/feedback/?incident={incident.pk}",
        "/api/v1/threads/",
        f"/api/v1/threads/?incident={incident.pk}",
        f"/api/v1/threads/{thread.pk}/",
        f"/api/v1/posts/?thread={thread.pk}",
        f"/api/v1/posts/{post.pk}/",
        f"/api/v1/posts/{post.pk}/revisions/",
    ]


def _masked(response, user) -> tuple[int, str]:
    """The status and body with what is the reader's own (name, e-mail, organisation,
    CSRF token) replaced by placeholders."""
    body = response.content.decode()
    membership = user.memberships.select_related("organization").get()
    organization = membership.organization
    own = {
        user.email: "<ME>",
        user.display_name: "<ME>",
        organization.name: "<MY-ORG>",
        organization.name_en: "<MY-ORG>",
        organization.slug: "<MY-ORG>",
    }
    for text, placeholder in sorted(own.items(), key=lambda pair: -len(pair[0])):
        if text:
            body = body.replace(text, placeholder)
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "<CSRF>", body)
    return response.status_code, body


def _read_same(client_a, client_b, amy, bob, url):
    seen_by_amy = _masked(client_a.get(url), amy)
    seen_by_bob = _masked(client_b.get(url), bob)
    assert seen_by_amy == seen_by_bob, f"{url} reads differently for the author's colleague"


def test_every_surface_reads_the_same_to_a_colleague_of_the_source_as_to_anyone(
    world, amy, bob, client_for
):
    client_a, client_b = client_for(amy), client_for(bob)
    for url in _surfaces(world):
        _read_same(client_a, client_b, amy, bob, url)


def test_the_sighting_and_feedback_forms_are_offered_to_the_colleague_too(
    world, amy, bob, client_for
):
    url = f"/c/fin-isac/incidents/{world['incident'].pk}/"
    for reader in (amy, bob):
        page = client_for(reader).get(url).content.decode()
        assert "We saw this too" in page and "Tell the author what you did" in page


def test_writes_are_answered_the_same_for_the_colleague_on_the_web(world, amy, bob, client_for):
    """A sighting and feedback from amy are accepted with the same words as bob's (no
    "your organisation shared this"), and the pages still read the same afterwards."""
    incident = world["incident"]
    base = f"/c/fin-isac/incidents/{incident.pk}/"
    answers = []
    for reader in (amy, bob):
        client = client_for(reader)
        sighting = client.post(f"{base}sighting/", {"note": "同じ通信を観測"}, follow=True)
        feedback = client.post(f"{base}feedback/", {"action": "hunted"}, follow=True)
        answers.append(
            (
                [str(m) for m in sighting.context["messages"]],
                [str(m) for m in feedback.context["messages"]],
            )
        )
    assert answers[0] == answers[1]
    assert "Thank you" in answers[0][0][0] and "Thank you" in answers[0][1][0]
    assert Sighting.objects.filter(incident=incident, indicator=None).count() == (
        3 if world["tlp"] in (TLP.CLEAR, TLP.GREEN) else 2
    )
    assert UsageFeedback.objects.filter(incident=incident).count() == 2
    _read_same(client_for(amy), client_for(bob), amy, bob, base)


def test_writes_are_answered_the_same_for_the_colleague_through_the_api(
    world, amy, bob, client_for
):
    incident = world["incident"]
    indicator = incident.indicators.get()
    calls = [
        ("/api/v1/sightings/", {"incident": str(incident.pk)}),
        ("/api/v1/sightings/", {"indicator": str(indicator.pk)}),
        ("/api/v1/feedback/", {"incident": str(incident.pk), "action": "blocked"}),
    ]
    for url, body in calls:
        answers = []
        for reader in (amy, bob):
            response = client_for(reader).post(url, body, content_type="application/json")
            status, text = _masked(response, reader)
            answer = json.loads(text)
            for volatile in ("id", "created_at", "seen_at"):
                answer.pop(volatile, None)
            answers.append((status, answer))
        assert answers[0] == answers[1], url
        assert answers[0][0] == 201


def test_the_author_and_a_named_items_source_still_do_not_answer_their_own_item(
    community, alice, amy, bob, client_for
):
    """The rule stays where the source is told: the author of an anonymous item, and every
    member of the source organisation of a named item, neither sight it nor give feedback."""
    anonymous = incident_create(
        author=alice, community=community, title="anon", category="other", tlp=TLP.GREEN,
        anonymous=True,
    )
    named = incident_create(
        author=alice, community=community, title="named", category="other", tlp=TLP.GREEN
    )
    for reader, item in ((alice, anonymous), (alice, named), (amy, named)):
        client = client_for(reader)
        page = client.get(f"/c/fin-isac/incidents/{item.pk}/").content.decode()
        assert "We saw this too" not in page and "Tell the author what you did" not in page
        response = client.post(
            "/api/v1/feedback/",
            {"incident": str(item.pk), "action": "hunted"},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert "Your organisation shared this item" in response.json()["detail"]
    assert not UsageFeedback.objects.exists()
